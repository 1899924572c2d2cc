"""Progress for long runs: a tqdm bar on a terminal, plain periodic lines otherwise.

On a terminal the bar shows documents, rate and, when the number of inputs could be
counted cheaply beforehand (``estimate_inputs``), percentage and ETA. Elsewhere (a pipe,
a log file, cron) one line is printed every ``every_s`` seconds, so logs stay readable.
"""
from __future__ import annotations

import os
import stat
import sys
import time
import zipfile

from tqdm import tqdm

DEFAULT_EVERY_S = 10.0
# Names whose content may hold many documents: their count cannot be known without reading.
_MULTI_RECORD = (".json", ".jsonl", ".ndjson", ".sgml", ".sgm", ".xml")


def every_from_env(default: float = DEFAULT_EVERY_S) -> float:
    """Seconds between plain progress lines (env ``INDEXER_PROGRESS_EVERY``)."""
    try:
        return max(0.0, float(os.environ.get("INDEXER_PROGRESS_EVERY", default)))
    except ValueError:
        return default


class Progress:
    """Counts indexed documents and skipped inputs; displays them on ``stream`` (stderr)."""

    def __init__(self, total: int | None = None, label: str = "indexed", every_s: float | None = None,
                 stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.total = total
        self.count = 0     # documents indexed
        self.skipped = 0   # inputs skipped
        self.notes = 0     # inputs noted (duplicates...): nothing lost
        self.label = label
        self.every_s = every_from_env() if every_s is None else every_s
        self.started = time.perf_counter()
        self._last = self.started
        self._closed = False
        self.bar = None

    def start(self, total: int | None = None) -> None:
        """Begin timing (and show the bar); ``total`` is the expected number of inputs."""
        if total is not None:
            self.total = total
        self.started = self._last = time.perf_counter()
        if self.tty and self.bar is None:
            # A terminal that reports no width (some ptys, `docker exec -t`) would get an
            # empty bar from tqdm: give it a fixed one.
            width = {"dynamic_ncols": True} if _columns(self.stream) else {"ncols": 100, "nrows": 24}
            self.bar = tqdm(total=self.total, unit=" docs", file=self.stream, desc=self.label,
                            mininterval=0.5, smoothing=0.05, **width)

    def update(self, n: int = 1) -> None:
        """``n`` more documents indexed."""
        self.count += n
        self._advance(n)

    def skip(self, n: int = 1, note: bool = False) -> None:
        """``n`` more inputs skipped (or, with ``note``, reported with nothing lost, such as
        a duplicate): they still count towards the total."""
        if note:
            self.notes += n
        else:
            self.skipped += n
        if self.bar is not None:
            self.bar.set_postfix_str(self._problems(), refresh=False)
        # Without a total the bar counts documents only, and skips are just shown.
        self._advance(n if self.total else 0)

    @property
    def done(self) -> int:
        return self.count + (self.skipped + self.notes if self.total else 0)

    def _advance(self, n: int) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            if n:
                self.bar.update(n)
            return
        now = time.perf_counter()
        if now - self._last >= self.every_s:
            self._last = now
            print(self.line(now), file=self.stream, flush=True)

    def line(self, now: float | None = None) -> str:
        """The plain progress line (also used for the final line)."""
        elapsed = max((now or time.perf_counter()) - self.started, 1e-9)
        rate = self.count / elapsed
        text = (f"{self.label} {self.count:,} documents, {self._problems()}, "
                f"{rate:.0f} docs/s, {_duration(elapsed)} elapsed")
        if self.total:
            left = max(self.total - self.done, 0)
            done_rate = self.done / elapsed
            eta = f", about {_duration(left / done_rate)} left" if done_rate > 0 and left else ""
            text += f", {min(self.done / self.total, 1):.0%} of {self.total:,} inputs{eta}"
        return text

    def _problems(self) -> str:
        return f"skipped {self.skipped:,}" + (f", notes {self.notes:,}" if self.notes else "")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.bar is not None:
            self.bar.close()


def _columns(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def estimate_inputs(paths, budget_s: float = 2.0) -> int | None:
    """How many documents-or-problems the sources will give, if that is cheap to know.

    Directories of one-article files (and zips of them, from their central directory)
    give one document or one reported problem per file. Anything holding many records
    (JSON, JSON Lines, SGML) cannot be counted without reading it: then None, and the
    progress shows no ETA. Also None when walking takes longer than ``budget_s``.
    """
    deadline = time.monotonic() + budget_s
    seen: set[tuple[int, int]] = set()
    total = 0
    stack = [os.fspath(p) for p in reversed(list(paths))]
    while stack:
        if time.monotonic() > deadline:
            return None
        path = stack.pop()
        try:
            info = os.stat(path)
        except OSError:
            total += 1  # reported as one problem
            continue
        if stat.S_ISDIR(info.st_mode):
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            try:
                names = sorted(n for n in os.listdir(path) if not n.startswith("."))
            except OSError:
                total += 1
                continue
            stack.extend(os.path.join(path, n) for n in reversed(names))
            continue
        n = _count_file(path)
        if n is None:
            return None
        total += n
    return total


def _count_file(path: str) -> int | None:
    name = os.path.basename(path).lower()
    if name.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as zf:
                members = [m.filename for m in zf.infolist() if not m.is_dir()]
        except (OSError, zipfile.BadZipFile):
            return 1
        visible = [m for m in members if not any(p.startswith(".") or p == "__MACOSX" for p in m.split("/"))]
        if any(_multi_record(m.rsplit("/", 1)[-1].lower()) for m in visible):
            return None
        return len(visible) or 1
    return None if _multi_record(name) else 1


def _multi_record(name: str) -> bool:
    return name.removesuffix(".gz").endswith(_MULTI_RECORD) or (
        name.endswith(".gz") and "." not in name.removesuffix(".gz"))  # a Gigaword file, gzipped SGML
