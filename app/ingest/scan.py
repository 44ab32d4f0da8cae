"""Finds where any of a set of patterns matches by trying each only at the word starts whose first letters it can
begin with (a prefix index built from the patterns' parse trees): one big alternation tried everywhere is slower."""
from __future__ import annotations

import re
from collections.abc import Sequence
from re import _constants as C
from re import _parser

PREFIX = 3  # patterns are filed under the first three letters they can start with


_CUT = "\x00"  # marks where a path met something the parse cannot follow: nothing may be appended after it


def prefixes(items, n: int = PREFIX) -> set[str]:
    """The strings of up to n lower-case characters a parsed pattern can start with. A path the parse cannot follow
    (a class like \\s or \\w, a back-reference) ends its prefix there: a shorter prefix stands for more text."""
    return {p.replace(_CUT, "") for p in _prefixes(items, n)}


def _done(p: str, n: int) -> bool:
    return _CUT in p or len(p) >= n


def _prefixes(items, n: int) -> set[str]:
    out = {""}
    for op, av in items:
        grown: set[str] = set()
        for p in out:
            if _done(p, n):
                grown.add(p)
                continue
            ext = _item_prefixes(op, av, n - len(p))
            grown |= {p + _CUT} if ext is None else {p + e for e in ext}
        out = grown
        if all(_done(p, n) for p in out):
            break
    return out


def _item_prefixes(op, av, n: int) -> set[str] | None:
    if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
        return {""}
    if op is C.LITERAL:
        return {chr(av).lower()}
    if op is C.IN and all(o is C.LITERAL for o, _ in av):
        return {chr(a).lower() for _, a in av}
    if op is C.SUBPATTERN:
        return _prefixes(av[3], n)
    if op is C.BRANCH:
        return set().union(*(_prefixes(branch, n) for branch in av[1]))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, _high, sub = av
        # the first repetition (if any): a second one may follow it, so its prefix is cut there
        first = {p if _done(p, n) else p + _CUT for p in _prefixes(sub, n)}
        return first | {""} if low == 0 else first
    return None


class WordStartScan:
    """Every match of some patterns in a text, each tried only where a word starts with letters it can begin with.

    Patterns must only match at a word start (they begin with a look-behind such as (?<![\\w]) or \\b).
    tags[i] goes with patterns[i] in the results (the caller's own object for the pattern)."""

    def __init__(self, patterns: Sequence[re.Pattern], tags: Sequence | None = None):
        tags = list(tags) if tags is not None else list(patterns)
        self.index: dict[str, list[tuple[re.Pattern, object]]] = {}
        for pattern, tag in zip(patterns, tags):
            try:
                starts = prefixes(_parser.parse(pattern.pattern, pattern.flags))
            except Exception:
                starts = {""}
            # a shorter prefix already covers the longer ones it starts: each pattern is tried once per word
            for p in sorted(p for p in starts if not any(p != q and p.startswith(q) for q in starts)):
                self.index.setdefault(p, []).append((pattern, tag))
        # the word starts worth a look, found in one pass: those beginning with some pattern's prefix
        keys = sorted((k for k in self.index if k), key=len, reverse=True)
        # (a look-ahead: a prefix such as "a p" must not swallow the next word's start)
        self._starts = re.compile(r"(?<!\w)" + ("(?=" + "|".join(map(re.escape, keys)) + ")" if "" not in self.index
                                               else r"(?=\w)"))
        self._lengths = sorted({len(k) for k in self.index}, reverse=True)

    def matches(self, text: str) -> list[tuple[int, int, object]]:
        """(start, end, tag) of every match at a word start, in text order."""
        lower, index, lengths, hits = text.lower(), self.index, self._lengths, []
        for w in self._starts.finditer(lower):
            pos = w.start()
            for k in lengths:
                for pattern, tag in index.get(lower[pos:pos + k], ()):
                    if m := pattern.match(text, pos):
                        hits.append((m.start(), m.end(), tag))
        return hits
