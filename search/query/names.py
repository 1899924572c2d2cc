"""Names typed in Latin letters (Mosul, ISIS, Yemen) also search their Arabic forms.

A curated dictionary, not transliteration: CLDR country names in English and French
(Babel, every territory), the English/French names of the organization gazetteer
(``indexer/extract/data/orgs_latin.json`` -> the entity's Arabic aliases in ``orgs.json``)
and the places file (``data/places.json``). ``expand`` rewrites the query tree:
``Word("Mosul")`` -> ``Or(Word("Mosul"), Word("الموصل"))``; the page shows each expansion
("also searched") with a link that switches them off (``expand=0``).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from search.query.tree import TEXT_FIELDS, And, Node, Not, Or, Phrase, Word

MAX_NAME_WORDS = 4  # longest Latin name matched across separate query words ("Deir ez Zor")
MAX_KEY_CHARS = 60  # longer words are never names: no work spent on them
_ARTICLES = {"al", "el", "ad", "ar", "as", "ash", "az", "ez", "an", "at", "ath", "ed", "es", "et", "en", "er",
             "le", "la", "les", "the"}
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A name is Latin letters (and digits, apostrophes, hyphens, dots, spaces) only.
_LATIN_NAME = re.compile(r"[A-Za-z\u00c0-\u024f0-9'’.\- ]+")
_NON_LETTERS = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class Expansion:
    """One Latin name found in the query and the Arabic forms searched with it."""

    latin: str
    arabic: tuple[str, ...]


def latin_key(text: str) -> str:
    """Spelling-insensitive key: Raqqa, Raqqah, ar-Raqqa and RAKKA give the same key."""
    text = unicodedata.normalize("NFKD", text[:MAX_KEY_CHARS].casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = [w for w in _NON_LETTERS.split(text) if w]
    if len(words) > 1:
        words = [w for w in words if w not in _ARTICLES] or words
    key = "".join(words).replace("q", "k").replace("ou", "u").replace("ph", "f").replace("ck", "k")
    key = _DOUBLED.sub(r"\1", key)
    return key[:-1] if len(key) > 3 and key.endswith("h") and key[-2] in "aeiou" else key


def _data(package: str, name: str) -> dict:
    return json.loads(resources.files(package).joinpath("data", name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, ...]]:
    """ISO code -> Arabic forms (CLDR name first), for every CLDR country."""
    from babel import Locale

    extra = _data("indexer.extract", "countries.json")
    excluded = set(extra.get("exclude_codes", []))
    arabic = Locale("ar").territories
    out = {}
    for code, name in arabic.items():
        if len(code) == 2 and code.isalpha() and code not in excluded:
            out[code] = tuple(dict.fromkeys([name, *extra.get("colloquial", {}).get(code, [])]))
    return out


def country_codes():
    """The ISO codes of every CLDR country (the country data's non-countries left out)."""
    return _countries().keys()


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Every English, French and Arabic CLDR country name (by key) -> ISO code."""
    from babel import Locale

    codes = _countries()
    out: dict[str, str] = {}
    for locale in ("en", "fr"):
        for code, name in Locale(locale).territories.items():
            if code in codes:
                out.setdefault(latin_key(name), code)
    for code, forms in codes.items():
        for form in forms:
            out.setdefault(form, code)
    return out


def country_code(value: str) -> str | None:
    """An ISO code for ``country:`` in a query: the code itself or a country's name."""
    if len(value) == 2 and value.isalpha() and value.upper() in _countries():
        return value.upper()
    names = _country_names()
    return names.get(value) or names.get(latin_key(value)) if _LATIN.search(value) or value in names else None


def _minimal(forms: list[str]) -> list[str]:
    """Drop forms that contain another form as whole words: searching the shorter finds them."""
    keep = []
    for f in sorted(dict.fromkeys(forms), key=len):
        if not any(f" {k} " in f" {f} " for k in keep):
            keep.append(f)
    return keep


@lru_cache(maxsize=1)
def dictionary() -> dict[str, tuple[str, ...]]:
    """Latin key -> Arabic forms to search."""
    out: dict[str, list[str]] = {}

    def add(latin: str, arabic) -> None:
        key = latin_key(latin)
        if len(key) >= 2:
            out.setdefault(key, [])
            out[key] = _minimal(out[key] + list(arabic))

    from babel import Locale

    for locale in ("en", "fr"):
        for code, name in Locale(locale).territories.items():
            if code in _countries():
                add(name, _countries()[code])
    orgs = {e["name"]: e for e in _data("indexer.extract", "orgs.json")["entities"]}
    for name, latin in _data("indexer.extract", "orgs_latin.json").items():
        if name in orgs:
            aliases = [a for a in orgs[name].get("aliases", []) if isinstance(a, str)]
            for spelling in latin:
                add(spelling, _minimal(aliases) or [name])
    for place in _data("search.query", "places.json")["places"]:
        for spelling in place["latin"]:
            add(spelling, place["arabic"])
    return {k: tuple(v) for k, v in out.items()}


def expand(tree: Node) -> tuple[Node, list[Expansion]]:
    """``tree`` with every Latin name ORed with its Arabic forms, and the expansions made."""
    found: list[Expansion] = []
    return _expand(tree, found), found


def _lookup(texts: list[str], found: list[Expansion]) -> tuple[str, ...] | None:
    joined = " ".join(texts)
    if len(joined) > MAX_KEY_CHARS or not _LATIN.search(joined) or not _LATIN_NAME.fullmatch(joined):
        return None
    arabic = dictionary().get(latin_key(joined))
    if arabic and all(e.latin != joined for e in found):
        found.append(Expansion(joined, arabic))
    return arabic


def _with_arabic(node: Node, arabic: tuple[str, ...], fields: tuple[str, ...]) -> Node:
    # A multi-word Arabic form as one Word is searched as a phrase on the stemmed fields.
    return Or((node, *(Word(a, fields) for a in arabic)))


def _expand(node: Node, found: list[Expansion]) -> Node:
    if isinstance(node, (Word, Phrase)):
        arabic = _lookup([node.text], found)
        return _with_arabic(node, arabic, node.fields) if arabic else node
    if isinstance(node, Not):
        return Not(_expand(node.child, found))
    if isinstance(node, Or):
        return Or(tuple(_expand(c, found) for c in node.children))
    if isinstance(node, And):
        return _expand_and(node, found)
    return node


def _expand_and(node: And, found: list[Expansion]) -> Node:
    kids = list(node.children)
    out: list[Node] = []
    i = 0
    while i < len(kids):
        done = False
        # The longest run of adjacent words that is a name: "Deir ez Zor", "Islamic State".
        for n in range(min(MAX_NAME_WORDS, len(kids) - i), 1, -1):
            run = kids[i:i + n]
            if all(isinstance(k, Word) and k.fields == TEXT_FIELDS for k in run):
                arabic = _lookup([k.text for k in run], found)
                if arabic:
                    out.append(_with_arabic(And(tuple(run)), arabic, TEXT_FIELDS))
                    i += n
                    done = True
                    break
        if not done:
            out.append(_expand(kids[i], found))
            i += 1
    return out[0] if len(out) == 1 else And(tuple(out))
