"""One name per organization: variants of a discovered name merged (``data/org_variants.json``).

Discovered names are written as the text has them; the same organization then shows up as
``وزاره الداخلية`` and ``وزارة الداخلية``، ``وزارة الدفاع الامريكي`` and ``وزارة الدفاع
الأميركية``، ``حزب سيريزا اليساري`` and ``حزب سيريزا``. ``canonical`` rewrites a name into a
single form, and maps it onto a gazetteer entity when it is one of its forms. It is a pure
function of the name: every article gets the same facet value for the same organization.
"""
from __future__ import annotations

from functools import lru_cache

from .normalize import fold_display, normalize_key
from .resources import load_json

_HAMZA = str.maketrans({"ئ": "ء", "ؤ": "ء"})


def merge_key(name: str) -> str:
    """Comparison key: letters folded (alef, ta marbuta, hamza seats), ال ignored on each word."""
    words = []
    for w in normalize_key(name).translate(_HAMZA).split():
        if w.startswith("ال") and len(w) > 4:
            w = w[2:]
        words.append(w)
    return " ".join(words)


@lru_cache(maxsize=1)
def _data():
    data = load_json("org_variants.json")
    heads = {normalize_key(k): v for k, v in data["head_spellings"].items()}
    spellings = {normalize_key(k): v for k, v in data["word_spellings"].items()}
    descriptive = frozenset(normalize_key(w) for w in data["descriptive_adjectives"])
    feminine = frozenset(normalize_key(w) for w in data["feminine_heads"])
    aliases = {merge_key(k): v for k, v in data["aliases"].items()}
    return heads, spellings, descriptive, feminine, aliases


@lru_cache(maxsize=1)
def _nationality_spelling() -> dict[str, tuple[str, str]]:
    """Normalized nationality adjective -> (code, the country's first listed stem)."""
    from .resources import load_tsv

    out = {}
    for row in load_tsv("nationalities.tsv"):
        code, stems = row[0], [s.strip() for s in row[1].split(",")]
        for stem in stems:
            key = normalize_key(stem)
            for form in (key, key + "ه", "ال" + key, "ال" + key + "ه"):
                out.setdefault(form, (code, fold_display(stems[0])))
    return out


@lru_cache(maxsize=1)
def _entity_keys() -> dict[str, object]:
    from .orgs import _gazetteer_data

    entities, forms, _rules = _gazetteer_data()
    keys = {}
    for form, value in forms.items():
        if value in entities:
            keys.setdefault(merge_key(form), entities[value])
    for entity in entities.values():
        keys.setdefault(merge_key(entity.name), entity)
    return keys


@lru_cache(maxsize=65536)
def canonical(name: str):
    """``(display name, gazetteer entity or None)`` for a discovered organization name."""
    heads, spellings, descriptive, feminine, aliases = _data()
    words = fold_display(name).split()
    if not words:
        return name, None
    words[0] = heads.get(normalize_key(words[0]), words[0])
    words = [words[0]] + [_respell(w, spellings) for w in words[1:]]
    while len(words) > 2 and normalize_key(words[-1]) in descriptive:
        words.pop()
    nat = _nationality_spelling().get(normalize_key(words[-1])) if len(words) > 1 else None
    if nat is not None and words[-1].startswith("ال"):
        feminine_head = normalize_key(words[0]) in feminine
        words[-1] = "ال" + nat[1] + ("ة" if feminine_head else "")
    display = " ".join(words)
    display = aliases.get(merge_key(display), display)
    entity = _entity_keys().get(merge_key(display))
    if entity is not None:
        return entity.name, entity
    return display, None


def _respell(word: str, spellings: dict) -> str:
    key = normalize_key(word)
    if key in spellings:
        return spellings[key]
    if key.startswith("و") and key[1:] in spellings:
        return "و" + spellings[key[1:]]
    return word
