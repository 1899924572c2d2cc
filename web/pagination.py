"""Page links for a result list: first/prev/next/last and a window of numbers, capped at MAX_PAGE."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from search.model import MAX_PAGE

WINDOW = 2  # page numbers shown on each side of the current page


@dataclass(frozen=True)
class PageLink:
    page: int | None  # None: a gap ("…")
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    page: int
    page_size: int
    total: int
    max_page: int = MAX_PAGE

    @property
    def pages(self) -> int:
        """Pages that exist in the results (may exceed what can be browsed)."""
        return max(1, ceil(self.total / self.page_size))

    @property
    def last(self) -> int:
        """Last page a user may browse to."""
        return min(self.pages, self.max_page)

    @property
    def capped(self) -> bool:
        """The results go deeper than MAX_PAGE: say so, and point to the CSV export."""
        return self.pages > self.max_page

    @property
    def beyond(self) -> bool:
        """The requested page is past the last page of results."""
        return self.total > 0 and self.page > self.last

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def prev(self) -> int | None:
        return min(self.page - 1, self.last) if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.last else None

    def links(self) -> list[PageLink]:
        """1 … 7 8 [9] 10 11 … last: the ends plus a window around the current page."""
        if self.last <= 1:
            return []
        wanted = {1, self.last} | set(range(max(1, self.page - WINDOW), min(self.last, self.page + WINDOW) + 1))
        # A gap of one page is shown as that page: "…" should save space, not hide a neighbour.
        wanted |= {p + 1 for p in wanted if p + 2 in wanted and p + 1 not in wanted}
        out: list[PageLink] = []
        prev = 0
        for p in sorted(wanted):
            if p - prev > 1:
                out.append(PageLink(None))
            out.append(PageLink(p, p == self.page))
            prev = p
        return out

    def to_json(self) -> dict:
        return {"page": self.page, "page_size": self.page_size, "pages": self.pages, "last": self.last,
                "capped": self.capped, "max_page": self.max_page, "prev": self.prev, "next": self.next}
