"""Result types of :func:`indexer.extract.extract_facets`."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Mention:
    start: int      # offsets into the original text: text[start:end] == self.text
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(slots=True)
class CountryFacet:
    code: str
    name: str
    mentions: list[Mention] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name,
                "mentions": [m.to_dict() for m in self.mentions]}


@dataclass(slots=True)
class OrgFacet:
    name: str
    mentions: list[Mention] = field(default_factory=list)
    entity_id: str | None = None    # gazetteer id; None for discovered names
    discovered: bool = False

    def to_dict(self) -> dict:
        return {"name": self.name, "mentions": [m.to_dict() for m in self.mentions]}


@dataclass(slots=True)
class Troop:
    value: int
    text: str
    start: int
    end: int
    approximate: bool = False
    bound: str | None = None        # "lower" (أكثر من), "upper" (أقل من), "range" (بين ... و ...)
    kind: str = "force"             # "force" or "casualties"
    casualty: str | None = None     # with kind "casualties": killed, wounded, captured, arrested,
                                    # executed or missing
    country: str | None = None      # ISO code when the text says whose (جندي بريطاني)
    org: str | None = None          # organization when the text says whose (مسلحا من تنظيم داعش)
    noun: str | None = None         # class of the noun used: soldiers, fighters, militants, police...
    word: str | None = None         # the personnel noun as listed in troops.json (جندي، مقاتل، عنصر)
    upper: int | None = None        # upper end of a range (or vague quantity); value is the lower end
    flags: list[str] = field(default_factory=list)  # "implausible", "rhetorical": kept out of facets
    corrected: bool = False         # kind set by the corrections file

    @property
    def size(self) -> int:
        """The number a facet, a range filter or a sort uses: a range's upper end, a vague
        quantity's lower end (مئات: 200), else the value."""
        return self.value if self.bound == "vague" else (self.upper or self.value)

    @property
    def countable(self) -> bool:
        """Not flagged: used by the facets, range filters and sorts."""
        return not self.flags

    def to_dict(self) -> dict:
        out = {"value": self.value, "text": self.text, "start": self.start, "end": self.end,
               "approximate": self.approximate, "bound": self.bound, "kind": self.kind,
               "casualty": self.casualty, "country": self.country, "org": self.org,
               "noun": self.noun, "word": self.word, "upper": self.upper, "flags": list(self.flags)}
        if self.corrected:
            out["corrected"] = True
        return out


@dataclass(slots=True)
class Extraction:
    countries: list[CountryFacet] = field(default_factory=list)
    organizations: list[OrgFacet] = field(default_factory=list)
    troops: list[Troop] = field(default_factory=list)

    @property
    def country_codes(self) -> list[str]:
        return sorted({c.code for c in self.countries})

    @property
    def org_names(self) -> list[str]:
        return [o.name for o in self.organizations]

    @property
    def troop_values(self) -> list[int]:
        return [t.value for t in self.troops]

    @property
    def force_values(self) -> list[int]:
        """Force sizes usable by facets and sorts (flagged mentions left out)."""
        return [t.size for t in self.troops if t.kind == "force" and t.countable]

    @property
    def casualty_values(self) -> list[int]:
        return [t.size for t in self.troops if t.kind == "casualties" and t.countable]

    @property
    def max_troops(self) -> int | None:
        """Largest force size in the article (casualty counts and flagged values left out)."""
        sizes = self.force_values
        return max(sizes) if sizes else None

    @property
    def max_casualties(self) -> int | None:
        sizes = self.casualty_values
        return max(sizes) if sizes else None

    def to_dict(self) -> dict:
        return {"countries": [c.to_dict() for c in self.countries],
                "organizations": [o.to_dict() for o in self.organizations],
                "troops": [t.to_dict() for t in self.troops]}
