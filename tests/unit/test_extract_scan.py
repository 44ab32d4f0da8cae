"""scan.py's own reader of pattern prefixes: what it follows, where it stops, and that the index it builds never
misses a match (against trying every pattern at every position)."""
from __future__ import annotations

import re
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.lexicon import load_lexicon
from app.ingest.scan import prefixes


def test_literals_groups_and_alternations():
    assert prefixes("send troops") == {"sen"}
    assert prefixes("(?:is|are|was) ready") == {"is ", "are", "was"}
    assert prefixes("[Rr]ule out") == {"rul"}
    assert prefixes("(?<![\\w])no plans?") == {"no "}


def test_optional_and_repeated_items_shorten_the_prefix():
    assert prefixes("(?:also )?ready") == {"als", "rea"}
    assert prefixes("a+b") == {"a"}  # a second "a" may follow the first: cut there
    assert prefixes("x{0,2}yz") == {"x", "yz"}


def test_what_it_does_not_follow_ends_the_prefix():
    assert prefixes("de\\w+") == {"de"}
    assert prefixes("[a-z]bc") == {""}
    assert prefixes("[^x]bc") == {""}
    assert prefixes("(?P=name)x") == {""}  # syntax it does not know: tried everywhere
    assert prefixes("ab.cd") == {"ab"}
    assert prefixes("n['’]t") == {"n't", "n’t"}


WORDS = ["send", "sending", "troops", "not", "ready", "rule", "out", "won't", "Norway", "is", "are", "deploy",
         "peacekeepers", "plan", "no", "idea", "premature", "willing", "the", ",", ".", "\"", "reject", "consider",
         "table", "off", "nothing", "opposes", "any", "to", "boots", "on", "ground", "ruled", "excludes", "option"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
def test_the_index_finds_every_match_of_every_cue(words):
    lex = load_lexicon()
    text = " ".join(words)
    brute = {(m.start(), m.end(), c.text) for c in lex.cues for m in c.pattern.finditer(text)}
    fast = {(a, b, c.text) for a, b, c in lex.cue_scan.matches(text)}
    assert brute <= fast


@given(st.text(alphabet="ab(?:)|*+[]\\{}1,-^$.", max_size=20))
def test_any_pattern_text_gives_prefixes_or_none(p):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pattern = re.compile(p)
    except re.error:
        return
    out = prefixes(p)
    assert all(len(x) <= 3 for x in out)
    # a match at a position must start with one of the prefixes
    for text in ("ab", "ba a", "aab b", "a"):
        starts = {m.start() for m in (pattern.match(text, i) for i in range(len(text) + 1)) if m}
        for s in starts:
            assert any(text.lower().startswith(x, s) for x in out), (p, text, s, out)
