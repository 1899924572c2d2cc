"""Python analyzers built from the declarative chain definitions.

Speed: every filter after the tokenizer is a pure function of one surface word, so each
chain keeps a cache from surface word to its final term(s). Per token, the hot path is a
dict lookup; the filters only run for words not seen before, and chains that start with
the same steps (plus and exact, up to their decompounder) compute those once per word.
The token spans of the last text are kept too, since the indexer runs all chains over the
same text.

With the compiled core (``speedups``), the tokenizer's fast path, runs of filters and the
indexer's lookup-and-join loop run in C; the chains themselves are still composed here,
and any filter the core does not know runs as the Python callable it is.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import compress, count, repeat
from operator import is_not
from typing import NamedTuple

from . import definition, speedups
from .filters import (
    ArabicNormalizationFilter,
    ArabicStemFilter,
    DecimalDigitFilter,
    DictionaryDecompounder,
    LowerCaseFilter,
    MappingCharFilter,
    PatternReplaceFilter,
    ProcliticFilter,
    StopFilter,
)
from .tokenizer import StandardTokenizer


class Token(NamedTuple):
    term: str
    start: int  # offsets are str indices into the original text
    end: int
    position: int  # removed stopwords leave gaps, as Lucene position increments do


_new_token = tuple.__new__  # skips NamedTuple's Python-level __new__ in the hot loop

# One tokenizer shared by all chains (they all declare "standard").
_TOKENIZER = StandardTokenizer()
_last: tuple[str, tuple[list[str], list[int], list[int]]] = ("", ([], [], []))


def tokenize(text: str) -> tuple[list[str], list[int], list[int]]:
    """``(surfaces, starts, ends)`` of the tokens of ``text``; the previous call's result
    is reused for the same text (the indexer runs every chain over each text)."""
    global _last
    last_text, result = _last
    if text is not last_text and text != last_text:
        result = _TOKENIZER.tokenize(text)
        _last = (text, result)
    return result


def _words(text: str) -> list[str]:
    """The token surfaces of ``text`` (the last text's tokens when it is the same text)."""
    last_text, result = _last
    if text is last_text or text == last_text:
        return result[0]
    return _TOKENIZER.words(text)


def _term_filter(name: str) -> Callable:
    """A token filter from a name in a chain: an Elasticsearch built-in or a declared one."""
    builtins = {
        "lowercase": LowerCaseFilter,
        "decimal_digit": DecimalDigitFilter,
        "arabic_normalization": ArabicNormalizationFilter,
    }
    if name in builtins:
        return builtins[name]()
    spec = dict(definition.TOKEN_FILTERS[name])
    kind = spec.pop("type")
    if kind == "stop":
        return StopFilter(spec["stopwords"])
    if kind == "stemmer":
        if spec.get("language") != "arabic":
            raise ValueError(f"filter {name}: only the arabic stemmer is implemented")
        return ArabicStemFilter()
    if kind == "pattern_replace":
        return PatternReplaceFilter(spec["pattern"], spec.get("replacement", ""), **spec.get("python", {}))
    if kind == "dictionary_decompounder":
        return DictionaryDecompounder(**spec.pop("python", {}), **spec)
    if kind == "arabic_proclitics":
        spec.pop("python_only", None)
        return ProcliticFilter(**spec)
    raise ValueError(f"filter {name}: unsupported type {kind!r}")


def _run(filters: list[Callable]) -> Callable[[str], str | None]:
    """The filters applied in turn to one term, stopping at None (a removed term)."""
    core = speedups.core
    if core is not None:
        return core.Pipeline([_compiled_step(core, f) for f in filters])

    def run(term):
        for f in filters:
            term = f(term)
            if term is None:
                return None
        return term

    return run


def _compiled_step(core, f) -> tuple:
    """The compiled core's step for a filter: its own version of the filters it knows
    (their data handed over), the Python callable for any other."""
    kind = type(f)  # exact types: a subclass may behave differently
    if kind is LowerCaseFilter:
        return ("lowercase",)
    if kind is DecimalDigitFilter:
        return ("decimal_digit",)
    if kind is StopFilter:
        return ("stop", f.stopwords)
    if kind is ArabicNormalizationFilter:
        return ("map", core.CharMap(f._TABLE))
    if kind is ArabicStemFilter:
        return ("stem", f._prefix_rules, f._suffix_rules)
    if kind is PatternReplaceFilter and f.trigger is not None:
        return ("guarded", "".join(sorted(f.trigger)), f)
    return ("call", f)


def _char_filter(name: str) -> MappingCharFilter:
    spec = dict(definition.CHAR_FILTERS[name])
    if spec.pop("type") != "mapping":
        raise ValueError(f"char filter {name}: only mapping char filters are implemented")
    return MappingCharFilter(**spec)


class _SurfaceCache(dict):
    """surface word -> chain result, computed on first sight (bounded by the Analyzer)."""

    __slots__ = ("compute",)

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, surface):
        result = self[surface] = self.compute(surface)
        return result


CACHE_LIMIT = 250_000  # surface words per chain before the cache starts afresh


class _Parts(tuple):
    """A decompounded word: ``(term or None, start, end)`` per part."""

    __slots__ = ()


class Analyzer:
    """One analysis chain: char filters and token filters over StandardTokenizer tokens.

    Per surface word the chain yields a term, None (removed: the position stays as a gap),
    or, after decompounding, a tuple of ``(term or None, start, end)`` parts with offsets
    relative to the surface word, one position each.
    """

    def __init__(self, name: str):
        spec = definition.CHAIN_DEFINITIONS[name]
        if spec["tokenizer"] != _TOKENIZER.name:
            raise ValueError(f"chain {name}: only the standard tokenizer is implemented")
        self.name = name
        self.char_filters = [_char_filter(n) for n in spec["char_filter"]]
        self.filters = [_term_filter(n) for n in spec["filter"]]
        # Surface words this chain splits (few); a text without any takes the fast path.
        self._split_surfaces: set[str] = set()
        self.cache = _SurfaceCache(self.analyze_word)
        splitters = [i for i, f in enumerate(self.filters) if isinstance(f, DictionaryDecompounder)]
        if len(splitters) > 1:
            raise ValueError(f"chain {name}: at most one decompounder is supported")
        cut = splitters[0] if splitters else len(self.filters)
        self._before = self.filters[:cut]
        self._splitter = self.filters[cut] if splitters else None
        self._after = self.filters[cut + 1 :]
        self._single = self._splitter is None
        self._run_before = _run(self._before)
        self._run_after = _run(self._after)
        # Chains with the same char filters and filters up to the decompounder share
        # split_word's result (filters are pure functions of their names' definitions).
        self.prefix_key = (tuple(spec["char_filter"]), tuple(spec["filter"][: cut + 1]))

    def analyze_word(self, surface: str):
        """The chain's result for one token's surface text (see class doc)."""
        return self.finish_word(surface, self.split_word(surface))

    def split_word(self, surface: str):
        """The chain up to its decompounder: None (removed) or ``(term, index_map, pieces)``."""
        term, index_map = surface, None
        for char_filter in self.char_filters:
            term, inner = char_filter.apply(term)
            if inner is not None:
                index_map = inner if index_map is None else [index_map[i] for i in inner]
        term = self._run_before(term)
        if term is None:
            return None
        pieces = self._splitter.split(term) if self._splitter is not None else None
        return term, index_map, pieces

    def finish_word(self, surface: str, split):
        """The rest of the chain after ``split_word``: the chain's result (see class doc)."""
        if split is None:
            return None
        term, index_map, pieces = split
        if not pieces:
            return self._run_after(term)
        # The filters before the decompounder keep the length of the words it can split
        # (pure Arabic letters), so part offsets in the term are offsets in the surface
        # after char filtering; index_map takes them back to the original surface.
        parts = []
        run_after = self._run_after
        for piece, a, b in pieces:
            piece = run_after(piece)
            if index_map is not None:
                a, b = index_map[a], index_map[b]
            parts.append((piece, a, b))
        self._split_surfaces.add(surface)
        return _Parts(parts)

    def _bound(self) -> None:
        # Checked between texts, never mid-text, so the split-word set always describes
        # every cached result; both start afresh together on a long run.
        if len(self.cache) >= CACHE_LIMIT:
            self.cache.clear()
            self._split_surfaces.clear()

    def tokens(self, text: str) -> list[Token]:
        """Analyze ``text`` into tokens."""
        self._bound()
        words, starts, ends = tokenize(text)
        results = list(map(self.cache.__getitem__, words))
        if self._single or self._split_surfaces.isdisjoint(words):
            # One position per token: build all tokens with C-level iterators.
            kept = compress(zip(results, starts, ends, count()), map(is_not, results, repeat(None)))
            return list(map(_new_token, repeat(Token), kept))
        out: list[Token] = []
        append = out.append
        pos = 0
        for r, s, e in zip(results, starts, ends):
            if r.__class__ is _Parts:
                for t, a, b in r:
                    if t is not None:
                        append(_new_token(Token, (t, s + a, s + b, pos)))
                    pos += 1
            else:
                if r is not None:
                    append(_new_token(Token, (r, s, e, pos)))
                pos += 1
        return out


    def matching_spans(self, text: str, wanted) -> list[tuple[int, int]]:
        """(start, end) in ``text`` of every token whose term satisfies ``wanted(term)``.

        The highlighter's fast path: no Token is built for the words that do not match.
        """
        self._bound()
        words, starts, ends = tokenize(text)
        results = list(map(self.cache.__getitem__, words))
        out = []
        for r, s, e in zip(results, starts, ends):
            if r is None:
                continue
            if r.__class__ is _Parts:
                out.extend((s + a, s + b) for t, a, b in r if t is not None and wanted(t))
            elif wanted(r):
                out.append((s, e))
        return out

    def joined_terms(self, text: str, gap: str) -> str:
        """The terms of ``text`` separated by spaces, ``gap`` standing for each empty position.

        The same terms and positions as ``tokens`` without building a Token per word: the
        indexer's fast path into engines that split on whitespace.
        """
        self._bound()
        joined = _TOKENIZER.compiled_join(text, self.cache, gap, 0)
        if joined is not None:
            return joined
        words = _words(text)
        results = list(map(self.cache.__getitem__, words))
        may_split = not (self._single or self._split_surfaces.isdisjoint(words))
        return _join(results, gap, may_split)


class _CombinedCache(dict):
    """surface word -> the results of several chains at once (one lookup per word)."""

    __slots__ = ("analyzers", "split", "_plan")

    def __init__(self, analyzers: list[Analyzer]):
        super().__init__()
        self.analyzers = analyzers
        self.split: set[str] = set()  # surfaces some chain decompounds
        # Per chain, the earlier chain whose split_word result it reuses (same first
        # steps), or -1: plus and exact split each word once between them.
        keys = [a.prefix_key for a in analyzers]
        self._plan = [(a, keys.index(key) if keys.index(key) < i else -1) for i, (a, key) in enumerate(zip(analyzers, keys))]

    def __missing__(self, surface):
        splits = []
        results = []
        for a, earlier in self._plan:
            split = splits[earlier] if earlier >= 0 else a.split_word(surface)
            splits.append(split)
            results.append(a.finish_word(surface, split))
        result = self[surface] = tuple(results)
        for r in result:
            if r.__class__ is _Parts:
                self.split.add(surface)
                break
        return result


_COMBINED: dict[tuple[str, ...], _CombinedCache] = {}


def joined_terms_all(chains: tuple[str, ...], text: str, gap: str) -> list[str]:
    """``Analyzer.joined_terms`` for several chains over one text, looking each word up once."""
    cache = _COMBINED.get(chains)
    if cache is None or len(cache) >= CACHE_LIMIT:
        cache = _COMBINED[chains] = _CombinedCache([get_analyzer(c) for c in chains])
    joined = _TOKENIZER.compiled_join(text, cache, gap, len(chains))
    if joined is not None:
        return joined
    words = _words(text)
    columns = list(zip(*map(cache.__getitem__, words))) or [() for _ in chains]
    may_split = not cache.split.isdisjoint(words)
    return [_join(column, gap, may_split) for column in columns]


def _join(results, gap: str, may_split: bool) -> str:
    """Per-word chain results as space-joined terms, ``gap`` for each empty position."""
    if not may_split:
        return " ".join([r or gap for r in results])
    terms: list[str] = []
    for r in results:
        if r.__class__ is _Parts:
            terms.extend([t or gap for t, _, _ in r])
        else:
            terms.append(r or gap)
    return " ".join(terms)


_ANALYZERS: dict[str, Analyzer] = {}


@speedups.on_switch
def _drop_analyzers() -> None:
    """Analyzers and caches are rebuilt for the implementation switched to."""
    global _last
    _ANALYZERS.clear()
    _COMBINED.clear()
    _last = ("", ([], [], []))


def get_analyzer(chain: str) -> Analyzer:
    """The (lazily built, shared) analyzer of a chain."""
    analyzer = _ANALYZERS.get(chain)
    if analyzer is None:
        if chain not in definition.CHAIN_DEFINITIONS:
            raise ValueError(f"unknown analysis chain {chain!r}")
        analyzer = _ANALYZERS[chain] = Analyzer(chain)
    return analyzer


def prefix_function(chain: str, before_filter: str) -> Callable[[str], str | None]:
    """The chain's char filters and token filters up to (excluding) ``before_filter``, as a
    function of one surface word: the form in which that filter sees words."""
    spec = definition.CHAIN_DEFINITIONS[chain]
    names = spec["filter"]
    char_filters = [_char_filter(n) for n in spec["char_filter"]]
    filters = [_term_filter(n) for n in names[: names.index(before_filter)]]

    def apply(surface: str) -> str | None:
        term: str | None = surface
        for char_filter in char_filters:
            term = char_filter.apply(term)[0]
        for f in filters:
            if term is None:
                break
            term = f(term)
        return term

    return apply


def _names():
    """The plus chain's compound-name rules and its form of a word before decompounding."""
    global _NAMES
    if _NAMES is None:
        splitter = get_analyzer("arabic_plus")._splitter
        names = splitter.names if splitter is not None else None
        _NAMES = (names, prefix_function("arabic_plus", "arabic_decompounder"))
    return _NAMES


_NAMES = None


def compound_name_parts(word: str) -> tuple[str, str] | None:
    """``(name word, rest)`` as written, if the plus chain cuts ``word`` as a joined
    compound name (عبدربه -> (عبد, ربه)); None otherwise."""
    names, fold = _names()
    if names is None or " " in word:
        return None
    term = fold(word)
    parts = names.split(term) if term else None
    if not parts:
        return None
    cut = parts[0][2]
    written = word if len(word) == len(term) else term  # folding kept the length: cut the word
    return written[:cut], written[cut:]


def is_name_word(word: str) -> bool:
    """Whether ``word`` is one of the words that start compound names (عبد, أبو, بن, آل ...)."""
    names, _ = _names()
    return names is not None and names.is_name_word(word)
