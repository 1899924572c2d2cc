"""Journalists' corrections (alias / merge / ignore), applied at the next reindex.

File format (TSV, or JSON with the same fields) is documented in
``docs/extraction.md``::

    # action  facet    value                 target
    alias     org      قسد                   قوات سوريا الديمقراطية
    alias     country  بلاد الرافدين          IQ
    merge     org      جيش الفتح             تحالف جيش الفتح
    ignore    org      مجلس العزاء
    ignore    country  OM
    ignore    form     المملكة
    kind      troops   مقتل 42 من عناصر      casualties
    kind      troops   أرسلت 500 جندي        force
    ignore    troops   فنحن 20 مليون جندي
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .gazetteer import Gazetteer
from .normalize import normalize_key

ACTIONS = ("alias", "merge", "ignore", "kind")
FACETS = ("org", "country", "form", "troops")
CASUALTY_TYPES = ("killed", "wounded", "captured", "arrested", "executed", "missing")
TROOP_KINDS = ("force", "casualties", *CASUALTY_TYPES)


class CorrectionsError(ValueError):
    """A corrections file that cannot be read; the message names file and line."""


@dataclass
class Corrections:
    org_aliases: dict[str, str] = field(default_factory=dict)      # form key -> display name
    country_aliases: dict[str, str] = field(default_factory=dict)  # form key -> ISO code
    org_merge: dict[str, str] = field(default_factory=dict)        # name key -> display name
    country_merge: dict[str, str] = field(default_factory=dict)    # code -> code
    ignore_orgs: set[str] = field(default_factory=set)             # name keys
    ignore_countries: set[str] = field(default_factory=set)        # codes
    ignore_forms: set[str] = field(default_factory=set)            # form keys, any facet
    troop_kinds: dict[str, str] = field(default_factory=dict)      # phrase key -> kind (or "ignore")
    _troop_rx: list | None = field(default=None, repr=False, compare=False)
    _org_gaz: Gazetteer | None = field(default=None, repr=False, compare=False)
    _country_gaz: Gazetteer | None = field(default=None, repr=False, compare=False)

    def add(self, action: str, facet: str, value: str, target: str = "") -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r} (expected one of {', '.join(ACTIONS)})")
        if facet not in FACETS or (facet == "form" and action != "ignore") \
                or ((facet == "troops") != (action == "kind") and not (facet == "troops" and action == "ignore")):
            raise ValueError(f"unknown facet {facet!r} for {action}")
        if not value:
            raise ValueError("empty value")
        if action in ("alias", "merge", "kind") and not target:
            raise ValueError(f"{action} needs a target")
        key = normalize_key(value)
        if facet == "troops":
            if action == "kind" and target.strip() not in TROOP_KINDS:
                raise ValueError(f"unknown troop kind {target!r} (expected one of {', '.join(TROOP_KINDS)})")
            self.troop_kinds[key] = target.strip() if action == "kind" else "ignore"
            self._troop_rx = None
        elif action == "alias" and facet == "org":
            self.org_aliases[key] = target.strip()
        elif action == "alias":
            self.country_aliases[key] = _code(target)
        elif action == "merge" and facet == "org":
            self.org_merge[key] = target.strip()
        elif action == "merge":
            self.country_merge[_code(value)] = _code(target)
        elif facet == "org":
            self.ignore_orgs.add(key)
        elif facet == "country":
            self.ignore_countries.add(_code(value))
        else:
            self.ignore_forms.add(key)
        self._org_gaz = self._country_gaz = None

    def org_gazetteer(self) -> Gazetteer:
        if self._org_gaz is None:
            from .orgs import entities
            by_name = {normalize_key(e.name): e.id for e in entities().values()}
            self._org_gaz = Gazetteer({form: by_name.get(normalize_key(name), name)
                                       for form, name in self.org_aliases.items()})
        return self._org_gaz

    def country_gazetteer(self) -> Gazetteer:
        if self._country_gaz is None:
            from .countries import NAME
            self._country_gaz = Gazetteer({form: (code, NAME)
                                           for form, code in self.country_aliases.items()})
        return self._country_gaz

    def triggers(self) -> frozenset:
        """Words that can open an alias added by these corrections."""
        out = frozenset()
        if self.org_aliases:
            out |= self.org_gazetteer().triggers
        if self.country_aliases:
            out |= self.country_gazetteer().triggers
        return out

    def org_name(self, name: str) -> str | None:
        """Final display name after merge; None when the organization is ignored."""
        key = normalize_key(name)
        seen = set()
        while key in self.org_merge and key not in seen:
            seen.add(key)
            name = self.org_merge[key]
            key = normalize_key(name)
        return None if key in self.ignore_orgs else name


    def apply_troops(self, doc, troops: list) -> list:
        """Troop mentions with their kind overridden (or dropped) where a phrase covers them.

        A phrase applies to every mention it overlaps in the text (matched like the other
        forms: normalized, spaces flexible), so ``مقتل 42 من عناصر`` fixes that mention only.
        """
        if not self.troop_kinds:
            return troops
        if self._troop_rx is None:
            self._troop_rx = [(re.compile(re.escape(key).replace(r"\ ", "[ ]+")), kind)
                              for key, kind in self.troop_kinds.items()]
        # every phrase found once per document, then each mention checked against them
        found = [(*doc.span(m.start(), m.end()), k) for rx, k in self._troop_rx for m in rx.finditer(doc.norm)]
        out = []
        for t in troops:
            kind = next((k for start, end, k in found if start < t.end and t.start < end), None)
            if kind == "ignore":
                continue
            if kind == "force":
                t = replace(t, kind="force", casualty=None, corrected=True)
            elif kind == "casualties":
                t = replace(t, kind="casualties", casualty=t.casualty, corrected=True)
            elif kind:
                t = replace(t, kind="casualties", casualty=kind, corrected=True)
            out.append(t)
        return out


def _code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {value!r}")
    return code


def load_corrections(path) -> Corrections:
    """Read a corrections file: ``.json`` (list of records) or TSV (any other name)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionsError(f"{path}: cannot read corrections file: {exc}") from exc
    corrections = Corrections()
    if path.suffix.lower() == ".json":
        try:
            records = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CorrectionsError(f"{path}: invalid JSON: {exc}") from exc
        if isinstance(records, dict):
            records = records.get("corrections", [])
        for n, rec in enumerate(records, 1):
            try:
                corrections.add(str(rec.get("action", "")).strip(), str(rec.get("facet", "")).strip(),
                                str(rec.get("value", "")).strip(), str(rec.get("target", "") or "").strip())
            except (ValueError, AttributeError) as exc:
                raise CorrectionsError(f"{path}: record {n}: {exc}") from exc
        return corrections
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        cells += [""] * (4 - len(cells))
        try:
            corrections.add(*cells[:4])
        except ValueError as exc:
            raise CorrectionsError(f"{path}:{n}: {exc}") from exc
    return corrections
