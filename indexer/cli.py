"""The ``indexer`` command: load archives into the search index and inspect it."""
from __future__ import annotations

import json
import sys

import click

from search.backends import DEFAULT_INDEX, BackendError, open_backend

EXIT_OK, EXIT_SKIPPED_STRICT, EXIT_NO_DOCUMENTS, EXIT_BACKEND = 0, 1, 3, 4


def _fail(message: str, code: int = EXIT_BACKEND):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _backend(backend: str | None, index: str | None):
    try:
        return open_backend(backend, index)
    except BackendError as e:
        _fail(str(e))


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
    fails or is interrupted, the previous index keeps serving.
    """
    from indexer.progress import Progress
    from indexer.reindex import reindex as run_reindex
    from indexer.sources import NOTE_KINDS

    sources = list(sources) or ["seeds"]
    be = _backend(backend, index)
    progress = Progress(label="indexed", enabled=not quiet)
    try:
        summary = run_reindex(be, sources, workers=workers, strict=strict, corrections=corrections,
                              progress=progress)
    except KeyboardInterrupt:
        click.echo("\ninterrupted: nothing was switched; the previous index is still live", err=True)
        sys.exit(130)
    except (BackendError, OSError) as e:
        _fail(f"cannot build the index: {e}; the previous index is still live")
    finally:
        progress.close()
    for p in summary.problems:
        click.echo(f"{'note' if p.kind in NOTE_KINDS else 'skipped'}: {p}", err=True)
    skipped = ", ".join(f"{k}: {v}" for k, v in summary.skipped.items()) or "none"
    click.echo(f"indexed {summary.indexed} documents in {summary.seconds:.2f} s "
               f"({summary.docs_per_second:.0f} docs/s, {summary.input_bytes / 1e6 / max(summary.seconds, 1e-9):.2f} MB/s); "
               f"skipped {summary.skipped_total} ({skipped}); duplicates {summary.duplicates}")
    if report_path:
        with open(report_path, "w", encoding="utf-8") as fh:
            json.dump({**summary.to_dict(), "sources": sources}, fh, ensure_ascii=False, indent=1)
    if not summary.committed:
        click.echo(f"error: {summary.reason}; the previous index is still live", err=True)
        sys.exit(EXIT_NO_DOCUMENTS if summary.indexed == 0 else EXIT_SKIPPED_STRICT)


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
        _fail(str(e))
    click.echo(json.dumps(info, ensure_ascii=False, indent=1) if as_json else
               "\n".join(f"{k}: {v}" for k, v in info.items()))


def _index_options(f):
    f = click.option("--backend", envvar="SEARCH_BACKEND", default="tantivy", show_default=True,
                     type=click.Choice(["tantivy", "elasticsearch"]), help="Engine (env SEARCH_BACKEND).")(f)
    return click.option("--index", "index", envvar="SEARCH_INDEX", default=DEFAULT_INDEX, show_default=True,
                        help="Embedded index directory (env SEARCH_INDEX).")(f)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@_index_options
@click.option("--corrections", envvar="SEARCH_CORRECTIONS", type=click.Path(exists=True, dir_okay=False))
def add(sources, index, backend, corrections):
    """Add or update documents from SOURCES in the live index, without a rebuild."""
    from indexer.extract import load_corrections
    from indexer.pipeline import to_stored
    from indexer.sources import NOTE_KINDS, iter_documents

    be = _backend(backend, index)
    problems: list = []
    fixes = load_corrections(corrections) if corrections else None
    docs = (to_stored(d, fixes) for d in iter_documents(list(sources), problems.append, dedupe=True))
    try:
        n = be.upsert(docs)
    except BackendError as e:
        _fail(str(e))
    for p in problems:
        click.echo(f"{'note' if p.kind in NOTE_KINDS else 'skipped'}: {p}", err=True)
    click.echo(f"added or updated {n} documents; skipped {sum(p.kind not in NOTE_KINDS for p in problems)}")
    if n == 0:
        sys.exit(EXIT_NO_DOCUMENTS)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@_index_options
def delete(ids, index, backend):
    """Remove documents by id from the live index."""
    be = _backend(backend, index)
    try:
        found = be.delete(list(ids))
    except BackendError as e:
        _fail(str(e))
    click.echo(f"deleted {found} of {len(ids)} documents")
    missing = len(set(ids)) - found
    if missing:
        click.echo(f"warning: {missing} ids were not in the index", err=True)


def _register_optional() -> None:
    try:
        from indexer.extract.cli import extract_command
    except ImportError:  # extraction CLI not installed in this build
        return
    main.add_command(extract_command)


_register_optional()

if __name__ == "__main__":
    main()
