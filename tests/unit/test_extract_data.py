"""The extractor's data files: well-formed, every row reviewable, every code a real country."""
from __future__ import annotations

import csv
import datetime as dt
import re

import pytest

from app.ingest.lexicon import DATA_DIR, load_lexicon

ISO = {r["iso2"] for r in csv.DictReader((DATA_DIR / "countries.csv").open(encoding="utf-8"))}
INSTITUTIONS = {r["code"] for r in csv.DictReader((DATA_DIR / "institutions.csv").open(encoding="utf-8"))}


def rows(name):
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["country_names.csv", "people.csv", "groups.csv", "institutions.csv", "cues.csv"])
def test_every_file_has_a_note_column(name):
    assert "note" in rows(name)[0]


def test_country_names_use_real_codes():
    assert {r["iso2"] for r in rows("country_names.csv")} <= ISO


def test_groups_members_are_countries():
    for r in rows("groups.csv"):
        assert set(r["members"].split("|")) <= ISO, r


def test_people_have_a_country_or_institution_and_ordered_dates():
    for r in rows("people.csv"):
        assert r["country"] in ISO | INSTITUTIONS, r
        start = dt.date.fromisoformat(r["from"])
        if r["to"]:
            assert start < dt.date.fromisoformat(r["to"]), r


def test_cues_compile_with_a_known_stance():
    for r in rows("cues.csv"):
        assert r["stance"] in {"support", "reject", "undecided"} and r["negatable"] in {"yes", "no"}, r
        re.compile(r["pattern"])


def test_lexicon_loads_every_surface():
    lex = load_lexicon()
    assert lex.surfaces["Baltic nations"].countries == ("EE", "LV", "LT")
    assert lex.surfaces["Kyiv"].countries == ("UA",)
    assert lex.surfaces["Polish"].kind == "adjective"
    assert lex.excluded.keys() == {"RU"}
    assert lex.person_country("Tusk", dt.date(2025, 1, 1)) == "PL"
    assert lex.person_country("Rutte", dt.date(2024, 1, 1)) == "NL"
    assert lex.person_country("Rutte", None) == "NATO"
    # names are also found without their diacritics, as English copy often writes them
    assert lex.person_country("Szijjarto", dt.date(2025, 1, 1)) == "HU"


def test_indexed_cue_scan_finds_what_every_pattern_finds():
    from app.ingest.extract import raw_cue_hits

    lex = load_lexicon()
    text = ("Norway does not rule out sending troops; Greece is ready. \"We won't deploy,\" Athens said. "
            "It is highly premature, and Italy's plan is under a UN mandate, as Kyiv hopes; officials are divided.")
    brute = sorted((m.start(), m.end(), c.text) for c in lex.cues for m in c.pattern.finditer(text))
    fast = sorted((a, b, c.text) for a, b, c in raw_cue_hits(text, lex))
    assert set(brute) <= set(fast) and brute
