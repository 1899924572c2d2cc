"""How query words and phrases are scored: the ranking parameters of the planner.

The values of ``RANKING`` were chosen on 104 development needs of the relevance set in
``bench/relevance/ranking/`` and checked on 60 fresh needs written and judged before any
figure of them was computed (bench/relevance/README.md, "The third check"); with loosened
phrases (``relax_phrases``, ``phrase_lack``, chosen on the 164 needs then known) the ranking
was checked again on 80 more ("The fourth check"; docs/analysis.md, "Scoring"). The
benchmark builds other ``Ranking`` values to compare variants; the product uses ``RANKING``
only. Recency is never part of the score: it is a sort (``sort=date``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from search.fields import text_field


@dataclass(frozen=True)
class Ranking:
    # Each query word matches in title and body, in Lucene's chain and in the lenient plus
    # chain. "dismax": the word scores its best (field, chain) match plus tie_breaker times
    # the others; "sum": every match adds up (the scoring before issue 16).
    combine: str = "dismax"
    title: float = 1.0  # a title match relative to a body match
    plus: float = 0.8  # a plus-chain match relative to a Lucene-chain match
    tie_breaker: float = 0.3
    # A quoted phrase also matches as a phrase in the plus chain at this weight (0: exact only).
    phrase_plus: float = 0.7
    # Adjacent query words found together (plus chain, within proximity_slop) add this much.
    proximity: float = 1.0
    proximity_slop: int = 0
    # Whether the proximity bonus also applies in titles (a headline naming the words
    # together) or only in bodies.
    proximity_title: bool = False
    # A quoted phrase of n words is weighted n ** -phrase_norm: Lucene scores a phrase with
    # the sum of its words' idf, so a phrase of two common words can outweigh a rare word.
    phrase_norm: float = 1.0
    # Each query word found in the article's lead (headline and first lines, search/lead.py)
    # adds that match's score times this (0: no lead bonus).
    lead: float = 1.0
    # Compound names typed spaced (عبد ربه) are one phrase-like unit matching both spellings.
    name_pairs: bool = True
    # With name_pairs: a lone ال before a word is آل typed without its madda (ال جابر).
    bare_al: bool = True
    # A given name before بن + name (محمد بن سلمان) belongs to the same unit (one person).
    name_chains: bool = False
    # From this many plain words on, an article may lack one of them (0: every word required).
    relax_from: int = 2
    # With relax_from: a query of quoted phrase(s) and a single plain word also continues
    # with the articles that have the phrase(s) but lack the word.
    relax_beside_phrase: bool = True
    # With relax_from: a quoted phrase of two or more words may be loosened in the
    # continuation: the articles with all its words, not as the phrase.
    relax_phrases: bool = True
    # With relax_phrases: a quoted phrase of at least this many words, loosened, may also
    # lack one of its words (a slogan or title remembered with one word wrong); those with
    # every word come first. 0: a loosened phrase keeps all its words.
    phrase_lack: int = 3
    # With relax_from: an article with every word gets its words' score again times this.
    coverage: float = 2.0
    # With relax_from: the proximity bonus only for articles that have every word.
    proximity_complete: bool = True
    # Analysis chains and index field names (the benchmark points them at other fields).
    base_chain: str = "arabic"
    plus_chain: str = "arabic_plus"
    exact_chain: str = "arabic_exact"
    field: Callable[[str, str], str] = field(default=text_field, compare=False, repr=False)

    @property
    def word_chains(self) -> tuple[str, str]:
        return (self.base_chain, self.plus_chain)

    def scope_weight(self, scope: str) -> float:
        return self.title if scope == "title" else 1.0

    def chain_weight(self, chain: str) -> float:
        return self.plus if chain == self.plus_chain else 1.0


RANKING = Ranking()
