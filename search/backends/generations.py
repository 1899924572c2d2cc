"""Index generations on disk: build beside the live index, switch with one atomic rename.

Layout under the index root::

    CURRENT                 name of the live generation (replaced atomically)
    generations/<name>/     one complete index per generation, with build.json
    generations/<name>.tmp-<pid>/   a build in progress (removed if its process is gone)
    .write.lock             held by whoever writes (reindex, add, delete)
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from pathlib import Path

KEEP_PREVIOUS = 1  # generations kept after a switch, so a reader still on the old one finishes


class Generations:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.dir = self.root / "generations"

    def current_name(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def current_path(self) -> Path | None:
        name = self.current_name()
        return self.dir / name if name else None

    def build_info(self, name: str | None = None) -> dict:
        name = name or self.current_name()
        if not name:
            return {}
        try:
            return json.loads((self.dir / name / "build.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    @contextlib.contextmanager
    def write_lock(self):
        """Exclusive lock for writers; a second reindex waits rather than corrupting the first."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".write.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def new_tmp(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.remove_stale()
        name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 10**9:09d}"
        path = self.dir / f"{name}.tmp-{os.getpid()}"
        path.mkdir()
        return path

    def publish(self, tmp: Path, info: dict) -> str:
        """Rename a finished build into place and point CURRENT at it, atomically."""
        name = tmp.name.split(".tmp-")[0]
        final = self.dir / name
        (tmp / "build.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync_dir(tmp)
        os.rename(tmp, final)
        _fsync_dir(self.dir)
        pointer = self.root / f"CURRENT.tmp-{os.getpid()}"
        with open(pointer, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(pointer, self.root / "CURRENT")
        _fsync_dir(self.root)
        self.prune()
        return name

    def prune(self) -> None:
        """Drop generations older than the live one and the KEEP_PREVIOUS before it."""
        current = self.current_name()
        done = sorted(p.name for p in self.dir.iterdir() if p.is_dir() and ".tmp-" not in p.name)
        if current not in done:
            return
        keep = set(done[max(0, done.index(current) - KEEP_PREVIOUS): done.index(current) + 1])
        for name in done:
            if name not in keep:
                shutil.rmtree(self.dir / name, ignore_errors=True)

    def remove_stale(self) -> list[str]:
        """Delete builds left by processes that died (Ctrl-C, crash, kill -9)."""
        removed = []
        if not self.dir.exists():
            return removed
        for p in self.dir.iterdir():
            if ".tmp-" in p.name:
                pid = p.name.rsplit(".tmp-", 1)[1]
                if not pid.isdigit() or not _alive(int(pid)):
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p.name)
        for p in self.root.glob("CURRENT.tmp-*"):
            p.unlink(missing_ok=True)
        return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
