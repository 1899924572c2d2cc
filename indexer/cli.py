"""The ``indexer`` command: load archives into the search index and inspect it.

Exit codes (docs/indexer.md): 0 success; 1 inputs skipped under --strict; 2 usage error;
3 no readable documents; 4 index not writable or backend unreachable; 5 indexing failed
(a worker process died); 130 interrupted. Whenever the code is not 0, nothing was switched.
"""
from __future__ import annotations

import inspect
import json
import sys
import time
from collections import defaultdict

import click

from indexer.extract.cli import extract_command
from search.backends import DEFAULT_INDEX, BackendError, open_backend

EXIT_OK, EXIT_SKIPPED_STRICT, EXIT_USAGE, EXIT_NO_DOCUMENTS, EXIT_BACKEND, EXIT_FAILED, EXIT_INTERRUPTED = \
    0, 1, 2, 3, 4, 5, 130
PROBLEMS_SHOWN_PER_KIND = 10  # more go to --report FILE, or all with --verbose


def _fail(message: str, code: int = EXIT_BACKEND):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _backend(backend: str | None, index: str | None):
    try:
        return open_backend(backend, index)
    except BackendError as e:
        _fail(str(e))


def _check_corrections(path: str | None) -> None:
    """A bad corrections file is a usage error, found before any work (not in a worker)."""
    if not path:
        return
    from indexer.extract import load_corrections
    from indexer.extract.corrections import CorrectionsError

    try:
        load_corrections(path)
    except CorrectionsError as e:
        raise click.BadParameter(str(e), param_hint="--corrections") from e


def _index_options(f):
    f = click.option("--backend", envvar="SEARCH_BACKEND", default="tantivy", show_default=True,
                     type=click.Choice(["tantivy", "elasticsearch"]), help="Engine (env SEARCH_BACKEND).")(f)
    return click.option("--index", "index", envvar="SEARCH_INDEX", default=DEFAULT_INDEX, show_default=True,
                        help="Embedded index directory (env SEARCH_INDEX).")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Load Arabic news archives into the search index (tantivy by default, or Elasticsearch)."""


@main.command()
@click.argument("sources", nargs=-1, type=click.Path())
@_index_options
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Worker processes (default: all cores, env INDEXER_WORKERS; 0: none).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) if any input was skipped.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Write the run summary, with every problem, as JSON to this file.")
@click.option("--corrections", envvar="SEARCH_CORRECTIONS", type=click.Path(exists=True, dir_okay=False),
              help="Facet corrections file (alias/merge/ignore), env SEARCH_CORRECTIONS.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--verbose", "-v", is_flag=True, help=f"List every problem (default: {PROBLEMS_SHOWN_PER_KIND} per kind).")
@click.option("--progress-every", type=click.FloatRange(min=0), envvar="INDEXER_PROGRESS_EVERY", default=10.0,
              show_default=True, help="Seconds between progress lines when not on a terminal.")
@click.option("--if-changed", is_flag=True,
              help="Do nothing when the live index was built from the same sources (paths, sizes, "
                   "modification times) with the same indexing code and corrections (`make run`).")
def reindex(sources, index, backend, workers, strict, report_path, corrections, quiet, verbose, progress_every,
            if_changed):
    """Rebuild the index from SOURCES (files, directories, zips; default: seeds/).

    The new index is built beside the live one and switched to atomically; if anything
    fails or is interrupted, the previous index keeps serving.
    """
    from concurrent.futures.process import BrokenProcessPool

    from indexer.fingerprint import fingerprint, unchanged
    from indexer.progress import Progress, estimate_inputs
    from indexer.reindex import reindex as run_reindex

    sources = list(sources) or ["seeds"]
    _check_corrections(corrections)
    be = _backend(backend, index)
    current = fingerprint(sources, backend, corrections)
    if if_changed:
        try:
            live = be.build_info()
        except BackendError as e:
            _fail(str(e))
        if unchanged(live.get("fingerprint"), current):
            click.echo(f"the index is up to date (built {live.get('built_at', '?')} from the same sources and "
                       "indexing code): nothing to do; `indexer reindex` without --if-changed rebuilds")
            return
    progress = Progress(label="indexed", enabled=not quiet, every_s=progress_every)
    try:
        if progress.enabled:
            progress.total = estimate_inputs(sources)
        summary = run_reindex(be, sources, workers=workers, strict=strict, corrections=corrections,
                              progress=progress, fingerprint=current)
    except KeyboardInterrupt:
        progress.close()
        _fail("interrupted: nothing was switched; the previous index is still live", EXIT_INTERRUPTED)
    except BrokenProcessPool as e:
        progress.close()
        _fail(f"a worker process died ({e or 'killed, perhaps out of memory'}); try fewer --workers; "
              "nothing was switched, the previous index is still live", EXIT_FAILED)
    except (BackendError, OSError) as e:
        progress.close()
        _fail(f"cannot build the index: {e}; the previous index is still live")
    finally:
        progress.close()
    _print_problems(summary.problems, verbose)
    click.echo(_summary_text(summary))
    code = EXIT_OK
    if not summary.committed:
        code = EXIT_NO_DOCUMENTS if summary.indexed == 0 else EXIT_SKIPPED_STRICT
    if report_path:
        _write_report(report_path, {**summary.to_dict(), "sources": sources, "backend": backend,
                                    "index": index if backend == "tantivy" else None,
                                    "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                    "exit_code": code})
    if code != EXIT_OK:
        _fail(f"{summary.reason}; nothing was switched, the previous index is still live", code)


def _print_problems(problems, verbose: bool) -> None:
    from indexer.sources import NOTE_KINDS

    shown: dict[str, int] = defaultdict(int)
    for p in problems:
        shown[p.kind] += 1
        if verbose or shown[p.kind] <= PROBLEMS_SHOWN_PER_KIND:
            click.echo(f"{'note' if p.kind in NOTE_KINDS else 'skipped'}: {p}", err=True)
    for kind, n in shown.items():
        if not verbose and n > PROBLEMS_SHOWN_PER_KIND:
            click.echo(f"... and {n - PROBLEMS_SHOWN_PER_KIND:,} more {kind} "
                       f"(all of them: --verbose, or --report FILE)", err=True)


def _counts(counts: dict) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items()) or "none"


def _summary_text(summary) -> str:
    lines = [f"indexed {summary.indexed:,} documents in {summary.seconds:.1f} s "
             f"({summary.docs_per_second:.0f} docs/s, {summary.mb_per_second:.2f} MB/s of text)",
             f"skipped {summary.skipped_total:,} inputs: {_counts(summary.skipped)}",
             f"notes (nothing lost): {_counts(summary.notes)}",
             f"arrival times kept: {summary.arrivals_kept:,} by id, {summary.arrivals_by_content:,} by content "
             f"(renamed files); {max(0, summary.indexed - summary.arrivals_kept - summary.arrivals_by_content):,} "
             "new"]
    return "\n".join(lines)


def _write_report(path: str, data: dict) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
    except OSError as e:
        click.echo(f"warning: cannot write the report {path}: {e}", err=True)


@main.command()
@_index_options
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Values listed per facet.")
def stats(index, backend, as_json, top):
    """Show documents, facet values, size, when and from what the index was built, analyzer version."""
    from search.analysis import speedups

    be = _backend(backend, index)
    try:
        info = be.stats(top=top) if "top" in inspect.signature(be.stats).parameters else be.stats()
    except BackendError as e:
        _fail(str(e))
    info["analysis_core"] = speedups.describe()  # what this installation analyzes with
    click.echo(json.dumps(info, ensure_ascii=False, indent=1) if as_json else _stats_text(info))


def _stats_text(info: dict) -> str:
    if not info.get("exists"):
        return (f"no index at {info.get('index')} ({info.get('backend')}): run `indexer reindex SOURCE...` first\n"
                f"analysis:   {info.get('analysis_core')}")
    build = info.get("build") or {}
    lines = [f"index:      {info['index']} ({info['backend']}, generation {info.get('generation')})",
             f"documents:  {info['documents']:,}" + (f" ({build['documents']:,} when built)"
                                                      if build.get("documents") not in (None, info["documents"]) else "")]
    if info.get("size_bytes") is not None:
        lines.append(f"size:       {info['size_bytes'] / 1e6:,.1f} MB"
                     + (f" in {info['segments']} segment{'s' * (info['segments'] != 1)}" if info.get("segments") else ""))
    if build.get("stories") is not None:
        lines.append(f"stories:    {build['stories']:,} when built (versions of one text grouped: docs/stories.md)")
    if build:
        lines.append(f"built:      {build.get('built_at', '?')} from {', '.join(build.get('sources') or ['?'])}")
        lines.append(f"            skipped {_counts(build.get('skipped') or {})}; "
                     f"notes {_counts(build.get('notes') or ({'duplicate': build['duplicates']} if build.get('duplicates') else {}))}")
    current, built_with = info.get("analyzer_version"), build.get("analyzer_version")
    if built_with and built_with != current:
        lines.append(f"analyzer:   {built_with} - this code analyzes with {current}: "
                     "run `indexer reindex` so that searches match the index")
    else:
        lines.append(f"analyzer:   {current}")
    if info.get("analysis_core"):
        lines.append(f"analysis:   {info['analysis_core']}")
    dates = info.get("dates") or {}
    if dates.get("first"):
        lines.append(f"dates:      {dates['first']} to {dates['last']}")
    arrivals = info.get("arrivals") or {}
    if arrivals.get("first"):
        lines.append(f"arrivals:   {arrivals['first']} to {arrivals['last']} (when documents entered the archive)")
    for name, facet in (info.get("facets") or {}).items():
        head = f"{name} ({facet.get('title', '')}): {facet.get('documents', 0):,} documents"
        if facet.get("distinct"):
            # tantivy's cardinality aggregation is an estimate (HyperLogLog) on large indexes
            head += f", about {facet['distinct']:,} distinct values"
        lines.append(head)
        for v in facet.get("values", []):
            label = v["label"] if v["label"] == v["value"] else f"{v['value']}  {v['label']}"
            lines.append(f"  {v['count']:>9,}  {label}")
    return "\n".join(lines)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@_index_options
@click.option("--corrections", envvar="SEARCH_CORRECTIONS", type=click.Path(exists=True, dir_okay=False))
def add(sources, index, backend, corrections):
    """Add or update documents from SOURCES in the live index, without a rebuild.

    A document whose id is already in the index replaces it. Waits while a reindex runs.
    """
    from indexer.extract import load_corrections
    from indexer.pipeline import to_stored
    from indexer.sources import NOTE_KINDS, iter_documents
    from indexer.stories.incremental import join_stories

    _check_corrections(corrections)
    be = _backend(backend, index)
    problems: list = []
    fixes = load_corrections(corrections) if corrections else None
    docs = [to_stored(d, fixes) for d in iter_documents(list(sources), problems.append, dedupe=True)]
    try:
        # Stories first (docs/stories.md): other versions may take a new story id.
        written = join_stories(be, docs) if docs else []
        n = be.upsert(written)
        relabelled = n - len(docs)
    except KeyboardInterrupt:
        _fail("interrupted: nothing was changed", EXIT_INTERRUPTED)
    except (BackendError, OSError) as e:
        _fail(f"{e}; nothing was changed")
    _print_problems(problems, verbose=True)
    n -= relabelled
    click.echo(f"added or updated {n:,} documents; skipped {sum(p.kind not in NOTE_KINDS for p in problems):,}"
               + (f"; {relabelled:,} other versions took a new story id" if relabelled else ""))
    if n == 0:
        _fail("no readable documents", EXIT_NO_DOCUMENTS)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@_index_options
def delete(ids, index, backend):
    """Remove documents by id from the live index (unknown ids are reported, not an error)."""
    from indexer.stories.incremental import leave_stories

    be = _backend(backend, index)
    ids = list(dict.fromkeys(ids))
    try:
        unknown = [i for i in ids if be.get(i) is None]  # to name them; the count below is the delete's own
        moved = leave_stories(be, ids)  # a story named by a deleted version passes to the next one
        if moved:
            be.upsert(moved)
        found = be.delete(ids)
    except KeyboardInterrupt:
        _fail("interrupted: nothing was changed", EXIT_INTERRUPTED)
    except (BackendError, OSError) as e:
        _fail(f"{e}; nothing was changed")
    click.echo(f"deleted {found:,} of {len(ids):,} documents"
               + (f"; {len(moved):,} other versions took a new story id" if moved else ""))
    if len(ids) - found:
        shown = ", ".join(unknown[:20]) + (", ..." if len(unknown) > 20 else "")
        click.echo(f"warning: {len(ids) - found:,} ids were not in the index: {shown}", err=True)


main.add_command(extract_command)

if __name__ == "__main__":
    main()
