"""Text as the reader sees it: HTML character references decoded, stray markup removed.

Scraped archives carry ``&quot;`` and ``&#8220;`` in titles and bodies, and sometimes tags
(``<br>``, ``<p>``, ``<strong>``). They are cleaned once, at ingestion, so the stored text is
what readers see and extraction offsets point into it.

Conservative on purpose: a tag is removed only when it looks like one (``<name`` with an
ASCII letter right after ``<`` and only ``name=value`` attributes), so text that merely
contains ``<`` (``x < 5 و y > 3``، ``<<بحسب>>``) is kept; a reference is decoded only when it
ends with ``;`` (``AT&T``، ``S&P500`` stay as written).
"""
from __future__ import annotations

import html
import re

_ATTR = r"""\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>=`]+)"""
_TAG = re.compile(rf"</?([A-Za-z][A-Za-z0-9]*)(?:{_ATTR})*\s*/?>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Content that is never text: dropped with its element.
_HIDDEN = re.compile(r"<(script|style)(?:\s[^<>]*)?>.*?</\1\s*>", re.S | re.I)
# Elements that end a paragraph (a line break in a body); other tags simply vanish.
BLOCK = frozenset("""p br div li ul ol tr td th table h1 h2 h3 h4 h5 h6 blockquote hr
section article header footer figure figcaption pre dd dt dl""".split())
_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MAX_PASSES = 3     # "&amp;quot;" (escaped twice by the scraper) is still a quote


def strip_tags(text: str, block: str = "\n") -> str:
    """Remove tags (``block`` in place of paragraph-level ones, nothing for inline ones)."""
    if "<" not in text:
        return text
    text = _COMMENT.sub("", text)
    text = _HIDDEN.sub("", text)

    def replace(m: re.Match) -> str:
        return block if m.group(1).lower() in BLOCK else ""

    return _TAG.sub(replace, text)


def decode_refs(text: str) -> str:
    """Decode ``&quot;``, ``&#8220;``, ``&#x27;`` ... (only references that end with ``;``)."""
    for _ in range(_MAX_PASSES):
        if "&" not in text:
            break
        decoded = _REF.sub(lambda m: html.unescape(m.group()), text)
        if decoded == text:
            break
        text = decoded
    return text


def reader_text(text: str | None, block: str = "\n") -> str | None:
    """Tags stripped, then references decoded (so ``&lt;b&gt;`` stays visible as ``<b>``)."""
    if not text:
        return text
    if "<" in text:
        text = strip_tags(text, block)
    if "&" in text:
        text = decode_refs(text)
    return text
