"""The ``indexer`` command: load archives into the search index and inspect it."""
from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter

import click

from search.backends import DEFAULT_INDEX, BackendError, open_backend

EXIT_OK, EXIT_SKIPPED_STRICT, EXIT_NO_DOCUMENTS, EXIT_BACKEND = 0, 1, 3, 4


def _backend(backend: str | None, index: str | None):
    try:
        return open_backend(backend, index)
    except BackendError as e:
        raise click.ClickException(str(e))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Load Arabic news archives into the search index (tantivy by default, or Elasticsearch)."""


@main.command()
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("--index", "index", envvar="SEARCH_INDEX", default=DEFAULT_INDEX, show_default=True,
              help="Embedded index directory (env SEARCH_INDEX).")
@click.option("--backend", envvar="SEARCH_BACKEND", default="tantivy", show_default=True,
              type=click.Choice(["tantivy", "elasticsearch"]), help="Engine (env SEARCH_BACKEND).")
@click.option("--workers", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) if any input was skipped.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Write the run summary as JSON to this file.")
@click.option("--corrections", envvar="SEARCH_CORRECTIONS", type=click.Path(exists=True, dir_okay=False),
              help="Facet corrections file (alias/merge/ignore), env SEARCH_CORRECTIONS.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
def reindex(sources, index, backend, workers, strict, report_path, corrections, quiet):
    """Rebuild the index from SOURCES (files, directories, zips; default: seeds/).

    The new index is built beside the live one and switched to atomically; if anything
    fails, the previous index keeps serving.
    """
    from indexer.pipeline import process
    from indexer.progress import Progress
    from indexer.sources import iter_documents

    sources = list(sources) or ["seeds"]
    be = _backend(backend, index)
    problems: list = []
    started = time.perf_counter()
    progress = Progress(label="indexed", enabled=not quiet)
    docs = iter_documents(sources, problems.append)
    try:
        build = be.new_build()
    except (BackendError, OSError) as e:
        raise click.ClickException(f"cannot write the index: {e}") from None
    try:
        with build:
            for prepared in process(docs, getattr(be, "prepare", None), corrections, workers):
                build.add(prepared)
                progress.update()
            progress.close()
            count = build.count
            summary = _summary(count, problems, started, sources, index if backend == "tantivy" else None)
            if count == 0:
                build.abort()
            elif strict and summary["skipped_total"]:
                build.abort()
            else:
                build.commit({"sources": [os.path.abspath(s) for s in sources],
                              "skipped": summary["skipped"], "duplicates": summary["duplicates"]})
    except KeyboardInterrupt:
        click.echo("interrupted: the previous index is still live", err=True)
        sys.exit(130)
    except BackendError as e:
        raise click.ClickException(str(e)) from None
    _print_summary(summary, problems, quiet)
    if report_path:
        with open(report_path, "w", encoding="utf-8") as fh:
            json.dump({**summary, "problems": [p.__dict__ for p in problems]}, fh, ensure_ascii=False, indent=1)
    if count == 0:
        click.echo("error: no readable documents; the previous index is still live", err=True)
        sys.exit(EXIT_NO_DOCUMENTS)
    if strict and summary["skipped_total"]:
        click.echo("error: inputs were skipped and --strict is set; the previous index is still live", err=True)
        sys.exit(EXIT_SKIPPED_STRICT)


def _summary(count, problems, started, sources, index) -> dict:
    elapsed = time.perf_counter() - started
    kinds = Counter(p.kind for p in problems)
    duplicates = kinds.pop("duplicate", 0)
    return {"indexed": count, "skipped": dict(sorted(kinds.items())), "skipped_total": sum(kinds.values()),
            "duplicates": duplicates, "seconds": round(elapsed, 3),
            "docs_per_second": round(count / elapsed, 1) if elapsed > 0 else None,
            "sources": list(sources), "index": index}


def _print_summary(summary: dict, problems: list, quiet: bool) -> None:
    for p in problems:
        click.echo(f"{'note' if p.kind == 'duplicate' else 'skipped'}: {p}", err=True)
    skipped = ", ".join(f"{k}: {v}" for k, v in summary["skipped"].items()) or "none"
    click.echo(f"indexed {summary['indexed']} documents in {summary['seconds']:.2f} s "
               f"({summary['docs_per_second'] or 0:.0f} docs/s); skipped {summary['skipped_total']} "
               f"({skipped}); duplicates {summary['duplicates']}")


@main.command()
@click.option("--index", "index", envvar="SEARCH_INDEX", default=DEFAULT_INDEX, show_default=True)
@click.option("--backend", envvar="SEARCH_BACKEND", default="tantivy", show_default=True,
              type=click.Choice(["tantivy", "elasticsearch"]))
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(index, backend, as_json):
    """Show document count, index size, build time and sources, and analyzer version."""
    be = _backend(backend, index)
    try:
        info = be.stats()
    except BackendError as e:
        raise click.ClickException(str(e)) from None
    click.echo(json.dumps(info, ensure_ascii=False, indent=1) if as_json else
               "\n".join(f"{k}: {v}" for k, v in info.items()))


def _register_optional() -> None:
    try:
        from indexer.extract.cli import extract_command
    except ImportError:  # extraction CLI not installed in this build
        return
    main.add_command(extract_command)


_register_optional()

if __name__ == "__main__":
    main()
