"""Organizations missing from the gazetteer, found by reliable patterns.

``HEAD + name`` where HEAD is حزب/كتائب/وزارة/مجلس/... and the name is a
short definite phrase. Precision over recall: anything unusual is skipped
(see ``data/org_discovery.json``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .context import QUOTES, in_vocab, prev_words
from .gazetteer import PREFIXES
from .normalize import fold_display, normalize_key
from .resources import load_json

_NAME_WORD = re.compile(r"[ ]+([^\W\d_]+)")
_MAX_NAME_WORDS = 3
# Later name words must look like adjectives (الإسلامية، السعودي، العامة): a following
# definite noun is usually the next phrase ("وزارة الداخلية اللواء ...").
_ADJECTIVE_ENDINGS = ("ي", "يه", "ه", "يين", "يون")


@lru_cache(maxsize=1)
def _config():
    data = load_json("org_discovery.json")
    heads = {normalize_key(h): bool(opts.get("needs_context")) for h, opts in data["heads"].items()}
    alternation = "|".join(sorted(heads, key=len, reverse=True))
    rx = re.compile(r"(?P<p>[وف]?[بلك]?)(?P<h>" + alternation + r")(?!\w)")
    triggers = frozenset(p + h for h in heads for p in PREFIXES)

    def vocab(name):
        return frozenset(normalize_key(w) for w in data[name])

    allowed = {normalize_key(h): frozenset(normalize_key(w) for w in words)
               for h, words in data["generic_allowed_after"].items()}
    return (rx, triggers, heads, vocab("context_words"), vocab("reject_prev"),
            vocab("generic_first_words"), allowed, vocab("stop_words"))


def triggers() -> frozenset:
    """Words (head nouns with clitics) where a discovered name can start."""
    return _config()[1]


def _definite(word: str) -> bool:
    return word.startswith("ال") and len(word) > 3


def discover(doc, taken: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """``(display name, start, end)`` of pattern-found organizations.

    ``taken`` are normalized spans already claimed by the gazetteer.
    """
    rx, triggers, heads, context, reject_prev, generic, allowed, stop = _config()
    norm = doc.norm
    found = []
    present = doc.cache.get("present", doc.words)
    starts = sorted(p for w in present & triggers for p in doc.positions(w))
    for p in starts:
        m = rx.match(norm, p)
        if m is None:
            continue
        head_start = m.start("h")
        if any(s <= head_start < e for s, e in taken):
            continue
        head = m.group("h")
        words, ends = [], []
        pos = m.end()
        while len(words) < _MAX_NAME_WORDS + 1:
            w = _NAME_WORD.match(norm, pos)
            if w is None:
                break
            words.append(w.group(1))
            ends.append(w.end())
            pos = w.end()
        name = _name_words(words, head, generic, allowed, stop)
        if not name:
            continue
        end = ends[len(name) - 1]
        if any(head_start < e and s < end for s, e in taken):
            continue
        before = prev_words(norm, m.start(), 1)
        if before and in_vocab(before[-1], reject_prev):
            continue
        if heads[head]:
            quoted = m.start() > 0 and norm[m.start() - 1] in QUOTES
            if not quoted and not (before and in_vocab(before[-1], context)):
                continue
        start_o, end_o = doc.span(head_start, end)
        found.append((fold_display(doc.text[start_o:end_o]), head_start, end))
    return found


def _name_words(words, head, generic, allowed, stop) -> list[str]:
    """The name part after a head: a definite phrase or an idafa, 1-3 words."""
    if not words:
        return []
    first = words[0]
    if first in stop or len(first) < 2:
        return []
    if first in generic and first not in allowed.get(head, ()):
        return []
    if _definite(first):
        name = [first]
    elif len(words) > 1 and _definite(words[1]) and words[1] not in stop:
        name = [first, words[1]]        # idafa: أحرار الشام، رجال الطريقة
    else:
        return []
    for word in words[len(name):]:
        if len(name) == _MAX_NAME_WORDS:
            break
        if word.startswith("لل") and len(word) > 4 and len(name) >= 2:
            name.append(word)          # genitive: منظمة الدول المصدرة للنفط
            break
        bare = word[1:] if word.startswith("و") and _definite(word[1:]) else word
        if not _definite(bare) or bare in stop or not bare.endswith(_ADJECTIVE_ENDINGS):
            break
        name.append(word)
    return name
