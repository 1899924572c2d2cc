"""Progress for long runs: a tqdm bar on a terminal, plain periodic lines otherwise."""
from __future__ import annotations

import sys
import time

from tqdm import tqdm


class Progress:
    def __init__(self, total: int | None = None, label: str = "indexed", every_s: float = 10.0,
                 stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.count = 0
        self.label = label
        self.every_s = every_s
        self.started = time.perf_counter()
        self._last = self.started
        self.bar = tqdm(total=total, unit="doc", file=self.stream, dynamic_ncols=True,
                        desc=label) if self.tty else None

    def update(self, n: int = 1) -> None:
        self.count += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.perf_counter()
        if self.enabled and now - self._last >= self.every_s:
            self._last = now
            rate = self.count / max(now - self.started, 1e-9)
            print(f"{self.label}: {self.count} documents, {rate:.0f} docs/s", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
