"""``indexer extract``: print the facets of text files as JSON."""
from __future__ import annotations

import json
import sys

import click

from .corrections import CorrectionsError, load_corrections
from .pipeline import extract_facets


def _read(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as fh:
            data = fh.read()
    return data.decode("utf-8-sig")


def as_text(record: dict) -> str:
    """A readable summary: each troop mention on its own line, tab-separated:
    value (or low-high), kind[/casualty type], noun class, flags, side, evidence."""
    lines = [f"== {record['source']}"]
    for t in record["troops"]:
        value = f"{t['value']}-{t['upper']}" if t.get("upper") else str(t["value"])
        kind = t["kind"] + (f"/{t['casualty']}" if t.get("casualty") else "")
        side = t.get("org") or t.get("country") or ""
        lines.append("\t".join(("troops", value, kind, t.get("noun") or "-", ",".join(t.get("flags") or ()) or "-",
                                side or "-", t["text"])))
    for c in record["countries"]:
        lines.append(f"country\t{c['code']}\t{c['name']}\t{len(c['mentions'])}")
    for o in record["organizations"]:
        lines.append(f"org\t{o['name']}\t{len(o['mentions'])}")
    return "\n".join(lines)


@click.command("extract")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json",
              show_default=True, help="json: one object (one file) or an array; jsonl: one line per file; "
                                      "text: one line per troop mention (value, kind, noun, evidence), then "
                                      "the countries and organizations.")
@click.option("--corrections", "corrections_path", envvar="SEARCH_CORRECTIONS",
              type=click.Path(dir_okay=False), default=None,
              help="Journalists' corrections file (TSV or JSON). Default: $SEARCH_CORRECTIONS.")
def extract_command(files, fmt, corrections_path):
    """Extract countries, organizations and troop numbers from FILE... ('-' reads stdin)."""
    corrections = None
    if corrections_path:
        try:
            corrections = load_corrections(corrections_path)
        except CorrectionsError as exc:
            raise click.ClickException(str(exc)) from exc
    results, failed = [], False
    for path in files:
        try:
            text = _read(path)
        except FileNotFoundError:
            failed = True
            click.echo(f"error: {path}: no such file", err=True)
            continue
        except UnicodeDecodeError as exc:
            failed = True
            click.echo(f"error: {path}: not valid UTF-8 (byte {exc.start}: {exc.reason})", err=True)
            continue
        except OSError as exc:
            failed = True
            click.echo(f"error: {path}: {exc.strerror or exc}", err=True)
            continue
        record = {"source": path, **extract_facets(text, corrections).to_dict()}
        if fmt == "text":
            click.echo(as_text(record))
            continue
        if fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            results.append(record)
    if fmt == "json" and results:
        payload = results[0] if len(files) == 1 else results
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)


if __name__ == "__main__":      # python -m indexer.extract.cli FILE...
    extract_command()
