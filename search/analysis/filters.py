"""Char filters and token filters, one class per concern, as in Lucene's analysis package.

Token filters here work on one term at a time (``__call__(term) -> term or None``, None
meaning "removed, keep the position gap"); the decompounder instead splits a term into
parts. Every filter is a pure function of its input, which is what lets the analyzer
cache whole chains per surface word.
"""
from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

import regex
from pyarabic import araby

from . import resources


class LowerCaseFilter:
    """Lucene ``LowerCaseFilter``: ``Character.toLowerCase`` on each code point."""

    es_type = "lowercase"

    def __call__(self, term: str) -> str:
        if term.isascii() or ("\u0130" not in term and "\u03a3" not in term):
            return term.lower()
        # Per code point, like Java: str.lower() would apply the Greek final-sigma rule and
        # turn U+0130 into two code points, neither of which Lucene does.
        return "".join(["i" if c == "\u0130" else c.lower() for c in term])


class DecimalDigitFilter:
    """Lucene ``DecimalDigitFilter``: any Unicode decimal digit (Nd) to ASCII 0-9."""

    es_type = "decimal_digit"

    _NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")  # re's \d is Unicode Nd

    def __call__(self, term: str) -> str:
        if term.isascii() or self._NON_ASCII_DIGIT.search(term) is None:
            return term
        decimal = unicodedata.decimal
        return "".join([c if (d := decimal(c, None)) is None else chr(48 + d) for c in term])


class StopFilter:
    """Lucene ``StopFilter``: exact, case-sensitive set membership removes the term."""

    es_type = "stop"

    # Elasticsearch's predefined list names that this package ships as data files.
    NAMED_LISTS: ClassVar[dict[str, str]] = {"_arabic_": "lucene_arabic_stopwords.txt"}

    def __init__(self, stopwords: str | list[str]):
        if isinstance(stopwords, str):
            stopwords = resources.word_set(self.NAMED_LISTS[stopwords])
        self.stopwords = frozenset(stopwords)

    def __call__(self, term: str) -> str | None:
        return None if term in self.stopwords else term


class ArabicNormalizationFilter:
    """Lucene ``ArabicNormalizer``: alef seats to bare alef, teh marbuta to heh, alef maksura
    to yeh, and removal of tatweel and the eight harakat."""

    es_type = "arabic_normalization"

    # pyarabic's TASHKEEL is exactly Lucene's list (U+064B..U+0652). Its wider DIACRITICS
    # (Quranic marks, superscript alef U+0670, ...) is NOT used: Lucene keeps those.
    _TABLE = str.maketrans(
        {
            araby.ALEF_MADDA: araby.ALEF,
            araby.ALEF_HAMZA_ABOVE: araby.ALEF,
            araby.ALEF_HAMZA_BELOW: araby.ALEF,
            araby.ALEF_MAKSURA: araby.YEH,
            araby.TEH_MARBUTA: araby.HEH,
            araby.TATWEEL: None,
            **{mark: None for mark in araby.TASHKEEL},
        }
    )

    def __call__(self, term: str) -> str:
        return term.translate(self._TABLE)


def _utf16_length(term: str) -> int:
    # Lucene's length checks count UTF-16 code units.
    return len(term) if term.isascii() else len(term.encode("utf-16-le")) // 2


class ArabicStemFilter:
    """Lucene ``ArabicStemmer`` (light stemming): strip at most one prefix, then try each
    suffix once, in the data file's order, keeping a stem of at least two letters."""

    es_type = "stemmer"

    def __init__(self, affixes_file: str = "lucene_arabic_stemmer.json"):
        rules = resources.json_data(affixes_file)
        self.prefixes = tuple(rules["prefixes"])
        self.suffixes = tuple(rules["suffixes"])
        min_stem = rules["min_stem_length"]
        one_letter = rules["min_length_for_one_letter_prefix"]
        # (affix, its length, the shortest word it may be removed from)
        self._prefix_rules = [(p, len(p), one_letter if len(p) == 1 else len(p) + min_stem) for p in self.prefixes]
        self._suffix_rules = [(x, len(x), len(x) + min_stem) for x in self.suffixes]
        self._suffix_last_letters = frozenset(x[-1] for x in self.suffixes)

    def __call__(self, term: str) -> str:
        length = _utf16_length(term)
        for prefix, n, needed in self._prefix_rules:
            if length >= needed and term.startswith(prefix):
                term = term[n:]
                length -= n
                break
        if term[-1:] not in self._suffix_last_letters:
            return term
        for suffix, n, needed in self._suffix_rules:
            if length >= needed and term.endswith(suffix):
                term = term[:-n]
                length -= n
        return term


class PatternReplaceFilter:
    """Elasticsearch ``pattern_replace`` token filter (all occurrences)."""

    es_type = "pattern_replace"

    def __init__(self, pattern: str, replacement: str = "", only_with_any_of: str | None = None):
        self.pattern = re.compile(pattern)
        self.replacement = replacement
        # Characters every match contains: terms without any of them are left as they are.
        self.trigger = frozenset(only_with_any_of) if only_with_any_of else None

    def __call__(self, term: str) -> str:
        if self.trigger is not None and self.trigger.isdisjoint(term):
            return term
        return self.pattern.sub(self.replacement, term)


_ARABIC_LETTERS = re.compile(r"[\u0621-\u063A\u0641-\u064A]+")


class DictionaryDecompounder:
    """Splits a run-together word (الولاياتالمتحدة) into listed words.

    A term is split only if it is at least ``min_word_size`` long, consists of Arabic
    letters only, is neither listed nor clitics around a listed word (compared after
    Arabic normalization), and can be cut into 2 or 3 listed words where every cut has a
    cue that a space is missing (``data/decompound_rules.json`` explains the rules). Among
    such cuts, the one with the fewest parts wins, then the one whose rarest part is most
    frequent. Parts replace the term, at consecutive positions, with offsets inside the
    original token.

    Compound names come first (``CompoundNames``): a joined name such as عبدربه, عبدالله or
    أبوظبي is cut after its name word (عبد + ربه), so that it indexes like the spaced
    spelling; this applies to listed words too.

    Elasticsearch's ``dictionary_decompounder`` of the same configuration differs: it
    keeps the original token, emits every listed word found inside any token of
    ``min_word_size`` or more (listed words included, no cue needed) at the original
    token's position and offsets, and does not require the parts to cover the token.
    """

    es_type = "dictionary_decompounder"
    max_parts = 3

    def __init__(
        self,
        word_list_file: str,
        min_word_size: int = 5,
        min_subword_size: int = 3,
        max_subword_size: int = 15,
        only_longest_match: bool = True,  # Elasticsearch-side parameter, see class doc
        rules_file: str = "decompound_rules.json",
        counts: dict[str, int] | None = None,
        names_file: str | None = None,
    ):
        self.counts = resources.word_counts(word_list_file) if counts is None else counts
        self.names = CompoundNames(names_file, rules_file) if names_file else None
        self.min_word_size = min_word_size
        self.min_subword_size = min_subword_size
        self.max_subword_size = max_subword_size
        rules = resources.json_data(rules_file)
        self.short_any = frozenset(rules["leading_short_words"])
        self.short_before_article = frozenset(rules["leading_short_words_before_article"])
        self.min_after_short = rules["min_right_after_short_word"]
        self.blocked_next = rules["blocked_next_letters"]
        self.final_only = frozenset(rules["final_only_letters"])
        self.article_starts = tuple(rules["article_starts"])
        self.min_after_article = rules["min_after_article"]
        self.conjunction = rules["conjunction"]
        self.min_after_conjunction = rules["min_after_conjunction"]
        self.min_left = rules["min_left_part_before_cue"]
        self._normalize = normalize = ArabicNormalizationFilter()
        self._proclitic_set = frozenset(map(normalize, rules["proclitics"]))
        self._enclitic_set = frozenset(map(normalize, rules["enclitics"]))
        self._proclitic_lengths = sorted({0, *map(len, self._proclitic_set)})
        self._enclitic_lengths = sorted({0, *map(len, self._enclitic_set)})
        self._normalized: frozenset[str] | None = None

    def normalized_words(self) -> frozenset[str]:
        """The listed words after Arabic normalization (built on first use)."""
        if self._normalized is None:
            self._normalized = frozenset(map(self._normalize, self.counts))
        return self._normalized

    def split(self, term: str, counts=None, known=None) -> list[tuple[str, int, int]] | None:
        """Parts ``(word, start, end)`` of ``term``, or None to leave it whole.

        ``counts`` and ``known`` (normalized words) replace the word list; the list builder
        uses them to test listed words against the rest of the list."""
        if len(term) < self.min_word_size or _ARABIC_LETTERS.fullmatch(term) is None:
            return None
        if counts is None:
            if self.names is not None and (name := self.names.split(term)) is not None:
                return name
            counts = self.counts
        if known is None:
            known = self.normalized_words()
        if term in counts or self._known_form(term, known):
            return None
        for parts in range(2, self.max_parts + 1):
            cuts = list(self._cuts(term, 0, parts, counts))
            if cuts:
                best = max(cuts, key=lambda cut: min(counts.get(term[a:b], 0) for a, b in cut))
                return [(term[a:b], a, b) for a, b in best]
        return None

    def _known_form(self, term: str, known) -> bool:
        # Another spelling of a listed word, or clitics around one: not two words.
        word = self._normalize(term)
        n = len(word)
        for p in self._proclitic_lengths:
            if p and word[:p] not in self._proclitic_set:
                continue
            for e in self._enclitic_lengths:
                if n - p - e < 2 or (e and word[n - e :] not in self._enclitic_set):
                    continue
                if word[p : n - e] in known:
                    return True
        return False

    def _cue(self, left: str, right: str, first: bool, counts: dict[str, int]) -> bool:
        article = right.startswith(self.article_starts) and any(
            right.startswith(a) and len(right) - len(a) >= self.min_after_article for a in self.article_starts
        )
        if first and left in self.short_any:
            return len(right) >= self.min_after_short and right[0] not in self.blocked_next.get(left, "")
        if first and left in self.short_before_article:
            return article
        if len(left) < self.min_left:
            return False
        if left[-1] in self.final_only or article:
            return True
        rest = right[len(self.conjunction):]
        return right.startswith(self.conjunction) and len(rest) >= self.min_after_conjunction and rest in counts

    def _cuts(self, term: str, start: int, parts: int, counts: dict[str, int]):
        n = len(term)
        lo, hi = self.min_subword_size, self.max_subword_size
        if parts == 1:
            if lo <= n - start <= hi and term[start:] in counts:
                yield [(start, n)]
            return
        ends = list(range(min(n - lo * (parts - 1), start + hi), start + lo - 1, -1))
        if start == 0:
            ends += [len(w) for w in (*self.short_any, *self.short_before_article) if len(w) < lo and term.startswith(w)]
        for end in ends:
            left = term[start:end]
            if len(left) >= lo and left not in counts:
                continue
            for rest in self._cuts(term, end, parts - 1, counts):
                if self._cue(left, term[end : rest[0][1]], start == 0, counts):
                    yield [(start, end), *rest]


class CompoundNames:
    """Joined compound names (عبدربه, عبدالله, أبوبكر, أبوظبي, بنعمر) cut after the name word.

    Arabic writes these names both joined and spaced (عبدربه / عبد ربه), and the two
    spellings must index alike. A word is cut when, after an optional proclitic (و ف ب ل
    ك ...), it starts with a name word (عبد أبو أبي أبا ابن بن آل ذو ذي ذا) and the rest
    is a name attested both joined and spaced in the corpus (``decompound_names.tsv``,
    built by ``build_wordlist.py``) or, after عبد, any word with the article (عبدالرحيم).
    Prefix and rest are compared with the rest normalized; a few joined words that are
    not names (بنزين, بنغازي) are listed as exclusions in ``decompound_rules.json``.
    """

    def __init__(self, names_file: str, rules_file: str = "decompound_rules.json"):
        rules = resources.json_data(rules_file)
        self._normalize = normalize = ArabicNormalizationFilter()
        self.prefixes: dict[str, str] = dict(rules["name_prefixes"])  # written form -> canonical
        self.before_article = frozenset(rules["name_prefixes_before_article"])
        self.min_rest = rules["min_name_rest"]
        self.min_after_article = rules["min_name_after_article"]
        self.proclitics = frozenset(rules["name_proclitics"])
        self.exclusions = frozenset(map(normalize, rules["name_exclusions"]))
        self.pairs = resources.name_pairs(names_file)  # (canonical prefix, normalized rest)
        self._first = frozenset(p[0] for p in self.prefixes)
        self._proclitic_lengths = sorted({0, *map(len, self.proclitics)})

    def split(self, term: str) -> list[tuple[str, int, int]] | None:
        """``[(proclitic + name word, 0, k), (rest, k, len)]`` for a joined name, else None."""
        for p in self._proclitic_lengths:
            if p >= len(term) or (p and term[:p] not in self.proclitics) or term[p] not in self._first:
                continue
            for written, canonical in self.prefixes.items():
                if not term.startswith(written, p):
                    continue
                cut = p + len(written)
                rest = self._normalize(term[cut:])
                if len(rest) < self.min_rest or self._normalize(term[p:]) in self.exclusions:
                    continue
                if (canonical, rest) in self.pairs or (
                        canonical in self.before_article and rest.startswith("ال")
                        and len(rest) - 2 >= self.min_after_article):
                    return [(term[:cut], 0, cut), (term[cut:], cut, len(term))]
        return None

    def is_name_word(self, word: str) -> bool:
        """Whether ``word`` (as written) is one of the name words (عبد, أبو, بن ...)."""
        return word in self.prefixes


class ProcliticFilter:
    """Strips a leading conjunction/preposition (و ب ل, and ف ك before the article: لل فال
    كال ...) when what remains is a corpus word at least as frequent as the whole:
    بمسجد -> مسجد, للحرس -> الحرس, والانتخابات -> الانتخابات, but لبنان, فرنسا, وزير stay.

    Works on normalized terms (after ``arabic_normalization``); the article is kept (للحرس
    becomes الحرس, as written without the preposition). Article forms are tried first,
    then the plain proclitics shortest first, at most ``max_strips`` times
    (وبالحرس -> بالحرس -> الحرس). ف and ك alone are not stripped: before a noun they are
    rare in news, and as first letters common (فكرة, فعال, كلها). Frequent words
    whose stripped form is another word (فكرة/كرة, بعيد/عيد) are listed in the exceptions
    file. Elasticsearch has no such filter: its analyzers leave it out (docs/analysis.md).
    """

    es_type = None  # Python only

    def __init__(self, word_list_file: str, proclitics: list[str], article_proclitics: list[str],
                 exceptions_file: str, min_rest: int = 3, max_strips: int = 2):
        normalize = ArabicNormalizationFilter()
        counts: dict[str, int] = {}
        for word, n in resources.word_counts(word_list_file).items():
            key = normalize(word)
            counts[key] = counts.get(key, 0) + n
        self.counts = counts
        self.exceptions = frozenset(map(normalize, resources.word_set(exceptions_file)))
        # (proclitic, what replaces it): لل -> ال first (للحج is ل + الحج, not ل + لحج),
        # longest first; then the plain ones, shortest first (فكانت: ف + كانت).
        self.rules = [(normalize(p), "ال") for p in sorted(article_proclitics, key=len, reverse=True)]
        self.rules += [(normalize(p), "") for p in sorted(proclitics, key=len)]
        self.min_rest = min_rest
        self.max_strips = max_strips
        self._first = frozenset(p[0] for p, _ in self.rules)

    def __call__(self, term: str) -> str:
        for _ in range(self.max_strips):
            stripped = self._strip_once(term)
            if stripped is None:
                break
            term = stripped
        return term

    def _strip_once(self, term: str) -> str | None:
        if term[:1] not in self._first or term in self.exceptions:
            return None
        need = max(self.counts.get(term, 0), 1)
        for prefix, replacement in self.rules:
            if not term.startswith(prefix):
                continue
            rest = term[len(prefix):]
            # the word itself, without the article, must keep min_rest letters
            core = rest if replacement or not rest.startswith("ال") else rest[2:]
            if len(core) < self.min_rest:
                continue
            candidate = replacement + rest
            if self.counts.get(candidate, 0) >= need:
                return candidate
        return None


class MappingCharFilter:
    """Elasticsearch ``mapping`` char filter: at each position the longest matching key is
    replaced, scanning left to right.

    Applied per token in Python. That equals applying it to the raw text (as Elasticsearch
    does) because every key and value consists of letters, each optionally followed by
    marks: replacing such a string by another never moves a UAX#29 word boundary. The
    constructor enforces this.
    """

    es_type = "mapping"
    _SAFE = regex.compile(r"(?:[\p{WB=ALetter}][\p{WB=Extend}]*)+")

    def __init__(self, mappings_files: list[str]):
        table: dict[str, str] = {}
        for name in mappings_files:
            for key, value in resources.mapping_pairs(name):
                if not (self._SAFE.fullmatch(key) and self._SAFE.fullmatch(value)):
                    raise ValueError(f"{name}: mapping {key!r} -> {value!r} could move word boundaries")
                table.setdefault(key, value)
        self.table = table
        keys = sorted(table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, keys)))
        self._first_chars = frozenset(k[0] for k in keys)
        # Fast case: one-character keys with one-character values need no offset tracking
        # and can be done by str.translate, unless a longer key could match at the same
        # place (it would win) - those texts take the general path.
        self._char_table = str.maketrans({k: v for k, v in table.items() if len(k) == 1 and len(v) == 1})
        self._general = re.compile(
            "|".join(map(re.escape, [k for k in keys if len(k) > 1]))
            + "|["
            + "".join(re.escape(k) for k, v in table.items() if len(k) == 1 and len(v) != 1)
            + "]"
        )

    def apply(self, text: str) -> tuple[str, list[int] | None]:
        """``(mapped, index_map)``; ``index_map[i]`` is the index in ``text`` of mapped
        index ``i`` (``len(mapped) + 1`` entries), or None when no length changed."""
        if self._first_chars.isdisjoint(text):
            return text, None
        if self._general.search(text) is None:
            return text.translate(self._char_table), None
        pieces: list[str] = []
        index_map: list[int] | None = None
        last = 0
        table = self.table
        for m in self._pattern.finditer(text):
            start, end = m.span()
            value = table[m.group()]
            if index_map is None:
                if len(value) != end - start:
                    # Up to here every replacement kept its length: indices coincide.
                    index_map = list(range(start))
            elif start > last:
                index_map.extend(range(last, start))
            if index_map is not None:
                index_map.extend(start + min(k, end - start) for k in range(len(value)))
            pieces.append(text[last:start])
            pieces.append(value)
            last = end
        pieces.append(text[last:])
        if index_map is not None:
            index_map.extend(range(last, len(text) + 1))
        return "".join(pieces), index_map
