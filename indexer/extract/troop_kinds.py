"""Is a troop number a force size or a casualty count (killed, wounded, captured...)?

Cues, nearest first: a casualty word before the number in its sentence (``مقتل 19 مسلحا``،
``واعتقل 171 آخرين``), a strength word right before it (``عددهم لا يتخطى الـ54 عنصرا``: force),
or a casualty word after its noun, before the next number (``102 من المسلحين قتلوا``).
Counts joined by و in one sentence share the kind of the one that has a cue
(``28 عنصرا من الجيش و18 مقاتلا من التنظيم قتلوا``: both killed). No cue: a force size.
"""
from __future__ import annotations

from bisect import bisect_right

from .text_windows import SENTENCE_END, strip_clitic, words_after, words_before

LOOKBACK_WORDS = 9
LOOKAHEAD_WORDS = 8
CHAIN_GAP_WORDS = 10    # words allowed between a count's noun and the next و-joined count
FORCE = ("force", None)


def _lookup(table: dict, word: str):
    """Look a word up with its clitic, article or pronoun suffix removed (وقتلاه -> قتلى)."""
    found = table.get(word)
    if found is None:
        bare = strip_clitic(word)
        found = table.get(bare)
        if found is None and bare.startswith("ال") and len(bare) > 4:
            found = table.get(bare[2:])
        if found is None:
            for suffix in ("هم", "ها", "ه"):
                if bare.endswith(suffix) and len(bare) - len(suffix) >= 3:
                    found = table.get(bare[:-len(suffix)])
                    if found is not None:
                        break
    return found


class Kinds:
    """Kinds of every troop number of one document, chains resolved."""

    def __init__(self, doc, cfg, numbers, heads):
        self.doc, self.cfg, self.numbers, self.heads = doc, cfg, numbers, heads
        self.starts = [n.start for n in numbers]
        troops = [i for i, h in enumerate(heads) if h is not None and h.personnel]
        self.troops = troops
        cues = {i: self._cue(i) for i in troops}
        self.kinds: dict[int, tuple[str, str | None]] = {}
        for chain in self._chains(troops):
            known = [(i, cues[i]) for i in chain if cues[i] is not None]
            for i in chain:
                cue = cues[i]
                if cue is None and known:
                    # the nearest cue before this count in the chain, else the first after it
                    before = [c for j, c in known if j < i]
                    cue = before[-1] if before else known[0][1]
                self.kinds[i] = cue or FORCE

    def of(self, i: int) -> tuple[str, str | None]:
        return self.kinds.get(i, FORCE)

    # ---- cues --------------------------------------------------------------------------------
    def _cue(self, i: int) -> tuple[str, str | None] | None:
        norm, cfg, num = self.doc.norm, self.cfg, self.numbers[i]
        before = words_before(norm, num.start, LOOKBACK_WORDS)
        for k in range(len(before) - 1, -1, -1):
            w, start = before[k]
            j = bisect_right(self.starts, start, 0, i) - 1        # the earlier number this word may be in
            inside = j if j >= 0 and start < self.numbers[j].end else None
            if inside is not None:
                if self.heads[inside] is not None and self.heads[inside].personnel:
                    break       # an earlier count: a joined count takes its kind (chains)
                continue        # a number that counts something else (5 مدنيين): look further back
            distance = len(before) - k
            if w in cfg["clause_breaks"] or (k + 1 < len(before) and f"{w} {before[k + 1][0]}" in cfg["clause_breaks"]):
                break           # فيما / بينما / في حين: another clause
            if distance <= 4 and strip_clitic(w) in cfg["force_before"]:
                return FORCE    # عددهم لا يتخطى الـ54 عنصرا، قوامها 1000 مقاتل
            found = _lookup(cfg["casualty_before"], w)
            if found is None and k + 1 < len(before):
                found = cfg["casualty_before"].get(strip_clitic(w) + " " + before[k + 1][0])
            if found is None and distance <= 2:
                found = _lookup(cfg["casualty_near"], w)
            if found:
                if found == "wounded" and k > 0 and w.startswith("و") and before[k - 1][0] == "مقتل":
                    found = "killed"        # مقتل وجرح ستة: killed first
                return "casualties", found
        head = self.heads[i]
        end = head.end if head is not None else num.end
        k = bisect_right(self.troops, i)
        nxt = self.numbers[self.troops[k]].start if k < len(self.troops) else len(norm)
        after = words_after(norm, end, LOOKAHEAD_WORDS, stop=SENTENCE_END)
        for k, (w, s, _e) in enumerate(after):
            if s >= nxt or w in cfg["clause_breaks"]:
                break           # cues after the next count belong to it
            found = _lookup(cfg["casualty_after"], w)
            if found is None and k + 1 < len(after):
                found = cfg["casualty_after"].get(strip_clitic(w) + " " + after[k + 1][0])
            if found:
                return "casualties", found
        return None

    # ---- chains ------------------------------------------------------------------------------
    def _chains(self, troops: list[int]) -> list[list[int]]:
        chains: list[list[int]] = []
        for i in troops:
            if chains and self._joined(chains[-1][-1], i):
                chains[-1].append(i)
            else:
                chains.append([i])
        return chains

    def _joined(self, a: int, b: int) -> bool:
        """Is count ``b`` coordinated with the earlier count ``a`` (و, same sentence, close)?"""
        norm = self.doc.norm
        start = self.numbers[b].start
        gap_from = self.heads[a].end
        if gap_from > start or SENTENCE_END.search(norm, gap_from, start):
            return False
        gap = norm[gap_from:start]
        joined = gap.rstrip().endswith("و") or norm[start - 1:start] == "و" or gap.strip().endswith(("،", ","))
        if not joined:
            before = words_before(norm, start, 1)
            joined = bool(before) and before[-1][0].startswith("و") and before[-1][1] >= gap_from
        return joined and len(gap.split()) <= CHAIN_GAP_WORDS
