"""Whitespace clean-up shared by every format, so equal articles compare equal."""
from __future__ import annotations

import re

_BLANK_RUNS = re.compile(r"\n{3,}")


def clean_body(text: str | None) -> str:
    """Trim lines, unify line ends, keep at most one blank line between paragraphs."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join([line.strip() for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def clean_line(text: str | None) -> str | None:
    """One-line fields (title, author, ...): single spaces, None when blank."""
    if not text:
        return None
    return " ".join(text.split()) or None

