"""Loads the extractor's knowledge (app/data/*.csv: names, adjectives, capitals, people, groups, cues) once."""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.ingest.scan import WordStartScan
from app.models import STANCES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Surface:
    """One way of writing a reference: the text, what it refers to, and how (name, adjective, capital...)."""

    text: str
    kind: str  # name | adjective | capital | group | person | institution
    countries: tuple[str, ...]  # ISO alpha-2 codes; empty for institutions
    person: str | None = None  # the full name, for people


@dataclass(frozen=True)
class PersonRole:
    name: str
    country: str  # ISO alpha-2, or an institution code (NATO, EU, UN) when the office is not a state's
    role: str
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern
    stance: str
    negatable: bool
    text: str


@dataclass(frozen=True)
class Question:
    """The question being tracked, from app/data/question.csv: what puts a sentence on the topic, whose forces
    are not the question (the warring parties' own), the conditions a position may carry, and the premise of the
    whole force (a ceasefire), which is no condition on supporting it."""

    topic: re.Pattern
    topic_scan: WordStartScan[re.Pattern[str]]  # topic's alternatives one by one (a position may come twice)
    own_forces: re.Pattern  # ends at the topic word's start: "Ukrainian troops", "Russia's own forces"
    condition: re.Pattern  # "if", "unless", "as long as", "Should X decide"
    condition_phrase: re.Pattern  # "under a UN mandate", "with a US backstop"
    premise: re.Pattern

    def names_topic_at(self, text: str, at: int) -> bool:
        """Whether the topic word starting at `at` is the question's, not the warring parties' own forces."""
        return not self.own_forces.search(text, max(0, at - 30), at)


def load_question(rows: list[dict]) -> Question:
    kinds = ("topic", "own_forces", "condition", "condition_cased", "condition_phrase", "premise")
    by: dict[str, list[str]] = {k: [] for k in kinds}
    for n, r in enumerate(rows, 2):
        if r["kind"] not in by:
            raise ValueError(f"question.csv line {n}: kind must be one of {', '.join(kinds)}")
        by[r["kind"]].append(r["pattern"])
    try:
        topic = re.compile(r"\b(?:" + "|".join(by["topic"]) + ")", re.I)
        # the scan tries each topic pattern on its own, only where a word starts as it can (the alternation of
        # all of them matches where one of them does)
        parts = [re.compile(r"\b(?:" + p + ")", re.I) for p in by["topic"]]
        cased = "".join("|" + p for p in by["condition_cased"])
        return Question(
            topic=topic, topic_scan=WordStartScan(parts, [topic] * len(parts)),
            own_forces=re.compile("(?:" + "|".join(by["own_forces"]) + r")\s+(?:own\s+)?$"),
            condition=re.compile(r"\b(?:(?i:" + "|".join(by["condition"]) + ")" + cased + r")\b"),
            condition_phrase=re.compile("|".join(by["condition_phrase"])),
            premise=re.compile(r"\b(?:" + "|".join(by["premise"]) + r")\b", re.I))
    except re.error as e:
        raise ValueError(f"question.csv: a pattern is not a valid regular expression: {e}") from None


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything the extractor knows, built in one step by load_lexicon (no part is ever missing)."""

    country_names: dict[str, str]  # iso2 -> canonical name (countries.csv)
    excluded: dict[str, str]  # iso2 -> reason (the adversary)
    surfaces: dict[str, Surface]
    roles: dict[str, list[PersonRole]]  # surface text -> roles of the person(s) written that way
    cues: list[Cue]
    institutions: dict[str, str]  # name -> code (NATO, EU, UN)
    mention_re: re.Pattern[str]  # any surface, as a word
    cue_scan: WordStartScan[Cue]  # finds every cue's matches in a text
    question: Question  # the question being tracked (question.csv)

    def person_country(self, surface: str, on: dt.date | None) -> str | None:
        """The country a person spoke for on a date; with no date, their most recent office."""
        roles = self.roles.get(surface, [])
        if not roles:
            return None
        if on is not None:
            current = [r for r in roles if (r.start is None or r.start <= on) and (r.end is None or on < r.end)]
            if current:
                return current[-1].country
        latest = max(roles, key=lambda r: (r.end or dt.date.max, r.start or dt.date.min))
        return latest.country


# letters that carry no combining mark to strip, written as English copy writes them
_PLAIN_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "đ": "d",
                                "Đ": "D", "ı": "i", "œ": "oe"})


def fold_accents(text: str) -> str:
    """The text as English copy often writes it: "Szijjártó" -> "Szijjarto", "Radosław" -> "Radoslaw",
    "Løkke" -> "Lokke"."""
    text = text.translate(_PLAIN_LETTERS)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _rows(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _trie(texts: list[str]) -> str:
    """One pattern matching any of the texts, shaped as a trie so each position tries one branch per letter;
    a greedy optional tail keeps the longest ("United States of America" over "United States")."""
    root: dict = {}
    for t in texts:
        node = root
        for ch in t:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


def _word_pattern(texts: list[str]) -> re.Pattern:
    # Case-sensitive so "us" and "turkey" are not countries. The end guard makes the trie back off to a shorter
    # name when a longer one runs into a word ("Ukrainian" is not "Ukraine"). A hyphen glued to a word
    # ("pro-Russian") joins it; one after a space is a wire dateline's dash ("STOCKHOLM (Reuters) -Sweden").
    return re.compile(r"(?<![\w.])(?<!\w-)(?:" + _trie(sorted(set(texts))) + r")(?![\w-]|\.\w)")


_CONTRACTED = r"(?:do|does|did|is|are|was|were|has|have|had|would|could|should|ca|wo|must|need)n['’]t"


def _contractions(pattern: str) -> str:
    """A cue's "n't": an alternative that starts with it matches the whole word ("doesn't", which the cue's
    word-start guard would otherwise refuse), and every "n't" also takes the typographic apostrophe."""
    pattern = re.sub(r"(?<=[|:(])n't", "\x00", pattern)
    return pattern.replace("n't", "n['’]t").replace("\x00", _CONTRACTED)


@lru_cache
def load_lexicon() -> Lexicon:
    country_names = {r["iso2"]: r["name"] for r in _rows("countries.csv")}
    surfaces: dict[str, Surface] = {}
    excluded: dict[str, str] = {}

    def add(text: str, kind: str, countries: tuple[str, ...], person: str | None = None) -> None:
        # The first definition of a surface wins; the data files are read most specific first.
        surfaces.setdefault(text, Surface(text, kind, countries, person))

    for r in _rows("groups.csv"):
        add(r["name"], "group", tuple(_split(r["members"])))
    for r in _rows("institutions.csv"):
        add(r["name"], "institution", ())
    named = _rows("country_names.csv")
    for r in named:
        iso = r["iso2"]
        if r.get("exclude"):
            excluded[iso] = r["exclude"]
        for n in _split(r["names"]):
            add(n, "name", (iso,))
        for a in _split(r["adjectives"]):
            add(a, "adjective", (iso,))
        for c in _split(r["capitals"]):
            add(c, "capital", (iso,))
    for iso, name in country_names.items():
        # Every ISO name is a name even without a row in country_names.csv; "Korea, Republic of" style
        # names are not how news writes them, so only simple ones are added.
        if "," not in name and "(" not in name:
            add(name, "name", (iso,))
    roles: dict[str, list[PersonRole]] = {}
    for r in _rows("people.csv"):
        role = PersonRole(r["name"], r["country"], r["role"], _date(r["from"]), _date(r["to"]))
        keys = [r["name"]] + ([r["surname"]] if r.get("surname") else [])
        # English copy often drops diacritics: "Szijjarto" is "Szijjártó"
        keys += [f for k in keys if (f := fold_accents(k)) != k]
        for key in keys:
            roles.setdefault(key, []).append(role)
            add(key, "person", (), r["name"])
    cues = []
    for line, r in enumerate(_rows("cues.csv"), 2):
        if r["stance"] not in STANCES or r["negatable"] not in ("yes", "no"):
            raise ValueError(f"cues.csv line {line}: stance must be {'|'.join(STANCES)}, negatable yes|no")
        r["pattern"] = _contractions(r["pattern"])
        try:
            pattern = re.compile(r"(?<![\w])" + r["pattern"], re.IGNORECASE)
        except re.error as e:
            raise ValueError(f"cues.csv line {line}: pattern {r['pattern']!r} is not a valid regular expression: "
                             f"{e}") from None
        cues.append(Cue(pattern, r["stance"], r["negatable"] == "yes", r["pattern"]))
    return Lexicon(country_names, excluded, surfaces, roles, cues,
                   institutions={r["name"]: r["code"] for r in _rows("institutions.csv")},
                   mention_re=_word_pattern(list(surfaces)), cue_scan=WordStartScan([c.pattern for c in cues], cues),
                   question=load_question(_rows("question.csv")))
