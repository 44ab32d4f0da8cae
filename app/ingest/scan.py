"""Finds where any of a set of patterns matches by trying each only at the word starts whose first letters it can
begin with (a prefix index read from the patterns' text): one big alternation tried everywhere is slower.

The prefixes come from a small reader of the regular-expression syntax of its own (no private module of CPython's
re). It is conservative by construction: whatever it does not follow (a class such as \\s or \\w, a range, a dot,
a back-reference, any syntax it does not know) ends the prefix there, and a shorter prefix stands for more text, so
an index built from it never misses a match (tests/unit/test_scan.py checks this against trying every pattern at
every position)."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

PREFIX = 3  # patterns are filed under the first three letters they can start with

_CUT = "\x00"  # marks where a path met something the reader cannot follow: nothing may be appended after it


class _Unknown(Exception):
    """The reader met syntax it does not follow: the whole pattern is filed under the empty prefix."""


# A parsed pattern is a list of items: ("lit", chars) for one character out of a set of literal characters,
# ("cut",) for anything not followed, ("empty",) for an assertion, ("alt", [branches]) for a group,
# ("rep", low, item) for a repeated item.

def _parse(p: str) -> list:
    items, pos = _parse_branches(p, 0)
    if pos != len(p):
        raise _Unknown(p)
    return [items]


def _parse_branches(p: str, i: int) -> tuple[tuple, int]:
    """Branches separated by "|" up to a closing ")" or the end; returns ("alt", branches) and the position."""
    branches: list[list[tuple]] = []
    seq: list[tuple] = []
    while i < len(p) and p[i] != ")":
        if p[i] == "|":
            branches.append(seq)
            seq, i = [], i + 1
            continue
        item, i = _parse_atom(p, i)
        item, i = _parse_quantifier(p, i, item)
        seq.append(item)
    branches.append(seq)
    return ("alt", branches), i


_CLASS_ESCAPES = set("sSwWdD")
_ASSERT_ESCAPES = set("bBAZ")


def _parse_atom(p: str, i: int) -> tuple[tuple, int]:
    ch = p[i]
    if ch == "(":
        return _parse_group(p, i)
    if ch == "[":
        return _parse_class(p, i)
    if ch in "^$":
        return ("empty",), i + 1
    if ch == ".":
        return ("cut",), i + 1
    if ch == "\\":
        if i + 1 >= len(p):
            raise _Unknown(p)
        e = p[i + 1]
        if e in _ASSERT_ESCAPES:
            return ("empty",), i + 2
        if e in _CLASS_ESCAPES or e.isalnum():  # a class, a back-reference, \n, \x..: not followed
            return ("cut",), i + 2
        return ("lit", {e}), i + 2
    if ch in "*+?{":
        raise _Unknown(p)
    return ("lit", {ch}), i + 1


def _parse_group(p: str, i: int) -> tuple[tuple, int]:
    j = i + 1
    kind = "group"
    if p.startswith("?:", j):
        j += 2
    elif p.startswith(("?=", "?!"), j):
        kind, j = "assert", j + 2
    elif p.startswith(("?<=", "?<!"), j):
        kind, j = "assert", j + 3
    elif p.startswith("?P<", j):
        j = p.index(">", j) + 1
    elif p.startswith("?", j):
        m = re.match(r"\?[aiLmsux]+(?:-[imsx]+)?:", p[j:])
        if not m:
            raise _Unknown(p)  # (?P=name), (?#...), (?(1)...), global flags
        j += m.end()
    alt, j = _parse_branches(p, j)
    if j >= len(p) or p[j] != ")":
        raise _Unknown(p)
    return (("empty",) if kind == "assert" else alt), j + 1


def _parse_class(p: str, i: int) -> tuple[tuple, int]:
    j = i + 1
    negated = p.startswith("^", j)
    chars, literal = set(), not negated
    j += 1 if negated else 0
    first = True
    while j < len(p) and (p[j] != "]" or first):
        first = False
        if p[j] == "\\" and j + 1 < len(p):
            if p[j + 1].isalnum():
                literal = False
            chars.add(p[j + 1])
            j += 2
        elif j + 2 < len(p) and p[j + 1] == "-" and p[j + 2] != "]":
            literal, j = False, j + 3  # a range
        else:
            chars.add(p[j])
            j += 1
    if j >= len(p):
        raise _Unknown(p)
    return (("lit", chars) if literal and chars else ("cut",)), j + 1


def _parse_quantifier(p: str, i: int, item: tuple) -> tuple[tuple, int]:
    if i >= len(p) or p[i] not in "*+?{":
        return item, i
    if p[i] == "{":
        m = re.match(r"\{(\d*)(,?)(\d*)\}", p[i:])
        if not m:
            return item, i  # a literal "{"
        low, end = int(m.group(1) or 0), i + m.end()
    else:
        low, end = (0 if p[i] in "*?" else 1), i + 1
    if end < len(p) and p[end] in "?+":  # lazy or possessive
        end += 1
    return ("rep", low, item), end


def prefixes(pattern: str, n: int = PREFIX) -> set[str]:
    """The strings of up to n lower-case characters a pattern can start with. A path the reader cannot follow
    ends its prefix there: a shorter prefix stands for more text. {""} when the syntax is not followed at all."""
    try:
        items = _parse(pattern)
    except (_Unknown, ValueError, IndexError):
        return {""}
    return {p.replace(_CUT, "") for p in _seq_prefixes(items, n)}


def _done(p: str, n: int) -> bool:
    return _CUT in p or len(p) >= n


def _seq_prefixes(items: list, n: int) -> set[str]:
    out = {""}
    for item in items:
        grown: set[str] = set()
        for p in out:
            if _done(p, n):
                grown.add(p)
                continue
            ext = _item_prefixes(item, n - len(p))
            grown |= {p + _CUT} if ext is None else {p + e for e in ext}
        out = grown
        if all(_done(p, n) for p in out):
            break
    return out


def _item_prefixes(item: tuple, n: int) -> set[str] | None:
    kind = item[0]
    if kind == "empty":
        return {""}
    if kind == "lit":
        return {c.lower() for c in item[1]}
    if kind == "alt":
        return set().union(*(_seq_prefixes(branch, n) for branch in item[1]))
    if kind == "rep":
        low, sub = item[1], item[2]
        # the first repetition (if any): a second one may follow it, so its prefix is cut there
        first = {p if _done(p, n) else p + _CUT for p in _seq_prefixes([sub], n)}
        return first | {""} if low == 0 else first
    return None


Tag = TypeVar("Tag")


class WordStartScan(Generic[Tag]):
    """Every match of some patterns in a text, each tried only where a word starts with letters it can begin with.

    Patterns must only match at a word start (they begin with a look-behind such as (?<![\\w]) or \\b).
    tags[i] goes with patterns[i] in the results (the caller's own object for the pattern, such as its Cue)."""

    def __init__(self, patterns: Sequence[re.Pattern[str]], tags: Sequence[Tag]):
        self.index: dict[str, list[tuple[re.Pattern[str], Tag]]] = {}
        for pattern, tag in zip(patterns, tags, strict=True):
            starts = prefixes(pattern.pattern)
            # a shorter prefix already covers the longer ones it starts: each pattern is tried once per word
            for p in sorted(p for p in starts if not any(p != q and p.startswith(q) for q in starts)):
                self.index.setdefault(p, []).append((pattern, tag))
        # the word starts worth a look, found in one pass: those beginning with some pattern's prefix
        # (a look-ahead: a prefix such as "a p" must not swallow the next word's start; shaped as a trie, so a
        # word start tries one branch per letter, not every prefix in turn)
        self._starts = re.compile(r"(?<!\w)" + ("(?=" + _trie(list(self.index)) + ")" if "" not in self.index
                                               else r"(?=\w)"))
        self._lengths = sorted({len(k) for k in self.index}, reverse=True)
        self._width = self._lengths[0] if self._lengths else 0
        # the patterns to try at a word start, by its first letters (the index's entries for each length, longest
        # first), each list with one pattern of all of them that says whether any can match there (compiled here,
        # one per set of prefixes a word start can meet); the table is filled as word starts are met (a dispatch
        # table over the patterns, never over the texts scanned)
        sets = {self._keys(k) for k in self.index}
        self._gates = {s: _any_of([p for k in s for p, _ in self.index[k]]) for s in sets}
        self._table: dict[str, tuple[re.Pattern[str] | None, list[tuple[re.Pattern[str], Tag]]]] = {}

    def _keys(self, text: str) -> frozenset[str]:
        return frozenset(k for k in (text[:n] for n in self._lengths) if k in self.index)

    def _entry(self, key: str) -> tuple[re.Pattern[str] | None, list[tuple[re.Pattern[str], Tag]]]:
        tried = [pt for k in self._lengths for pt in self.index.get(key[:k], ())]
        entry = (self._gates.get(self._keys(key)), tried)
        if len(self._table) < _TABLE_MAX:
            self._table[key] = entry
        return entry

    def _word_starts(self, text: str, start: int, end: int, lower: str | None):
        """Each word start in text[start:end] with what is filed under its first letters: (pos, gate, tried)."""
        lower = text.lower() if lower is None else lower
        table, width = self._table, self._width
        for w in self._starts.finditer(lower, start):
            pos = w.start()
            if pos >= end:
                return
            key = lower[pos:pos + width]
            gate, tried = table.get(key) or self._entry(key)
            yield pos, gate, tried

    def matches(self, text: str, start: int = 0, end: int | None = None,
                lower: str | None = None) -> list[tuple[int, int, Tag]]:
        """(start, end, tag) of every match at a word start, in text order; with start and end, only the matches
        starting in text[start:end] (each tried on the whole text, so they are the same as in a scan of all of
        it). `lower`: text.lower(), when the caller has it (its offsets must be the text's)."""
        hits: list[tuple[int, int, Tag]] = []
        for pos, gate, tried in self._word_starts(text, start, len(text) if end is None else end, lower):
            if gate is not None and not gate.match(text, pos):
                continue
            for pattern, tag in tried:
                if m := pattern.match(text, pos):
                    hits.append((m.start(), m.end(), tag))
        return hits

    def first(self, text: str, start: int, end: int, accept: Callable[[int], bool],
              lower: str | None = None) -> int | None:
        """Where the first match in text[start:end] that accept(its start) takes starts (each tried on the whole text,
        as in matches); None when there is none. Only whether a pattern matches is asked, so a word start whose
        combined pattern matches needs no more trying."""
        for pos, gate, tried in self._word_starts(text, start, end, lower):
            if gate is not None:
                if gate.match(text, pos) and accept(pos):
                    return pos
            elif any(pattern.match(text, pos) for pattern, _ in tried) and accept(pos):
                return pos
        return None


def _trie(keys: list[str]) -> str:
    """A pattern matching where any of the (non-empty) keys starts, one branch per letter: a key that ends at a
    node matches there, whatever follows."""
    root: dict = {}
    for key in keys:
        node = root
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node:
            return ""
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return build(root)


_TABLE_MAX = 50_000  # entries of a scan's dispatch table (one per distinct word start met: a few thousand)


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that matches at a position where any of the patterns does (None when there are fewer than two,
    their flags differ or they do not combine): where it fails, none of them needs trying."""
    if len(patterns) < 2 or len({p.flags for p in patterns}) != 1:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except (re.error, OverflowError, RecursionError):
        return None
