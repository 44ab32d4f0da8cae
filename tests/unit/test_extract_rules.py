"""Every named extraction rule: it has a reason in words and example sentences, and each example gives exactly the
positions it lists. Candidates say which rule decided them and why."""
from __future__ import annotations

import datetime as dt

import pytest

from app.ingest.dates import DateValue
from app.ingest.extract import extract_candidates
from app.ingest.registry import RULES

REF = DateValue(dt.date(2025, 6, 18), "day")
EXAMPLES = [(name, text, expected) for name, r in RULES.items() for text, expected in r.examples]


def test_every_rule_has_a_reason_and_examples():
    assert len(RULES) >= 30
    for r in RULES.values():
        assert r.name and " " not in r.name, r.name
        assert len(r.reason.split()) >= 4, r.name
        assert r.examples, r.name


@pytest.mark.parametrize("name, text, expected", EXAMPLES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(EXAMPLES)])
def test_rule_example(name, text, expected):
    assert {(c.country, c.stance) for c in extract_candidates(text, REF)} == set(expected)


@pytest.mark.parametrize("text, rule", [
    ("Tusk denied that Polish troops would be sent to Ukraine.", "denial-scope"),
    ("Sweden would send troops if parliament agrees.", "condition-undecided"),
    ("Austria will not send troops to Ukraine.", "named-subject"),
    ("Norway is ready to send troops to Ukraine after a ceasefire.", "named-subject"),
    ('"We will not send troops," said the Slovak Prime Minister.', "quote-attribution"),
    ("Several countries are ready to send troops. Among them are Sweden and Finland.", "among-them"),
])
def test_candidates_name_the_rule_that_decided(text, rule):
    cands = extract_candidates(text, REF)
    assert cands and all(c.rule == rule for c in cands)
    assert all(c.rule_reason and RULES[rule].reason in c.rule_reason for c in cands)


def test_every_candidate_has_a_rule():
    text = ("Finland, Norway and Portugal are ready to deploy troops. Hungary opposes any deployment of troops. "
            "Croatia does not rule out sending soldiers.")
    cands = extract_candidates(text, REF)
    assert len(cands) == 5
    assert all(c.rule in RULES and c.rule_reason for c in cands)


def test_a_negation_is_part_of_the_reason():
    [c] = extract_candidates("Austria will not send troops to Ukraine.", REF)
    assert c.stance == "reject" and RULES["negation"].reason in c.rule_reason


@pytest.mark.parametrize("text, expected", [
    # discourse: holders or topic from the sentence before
    ("Leaders met in Oslo to set up a force to monitor a ceasefire. Norway, Iceland and Portugal signed the "
     "founding document.", {("NO", "support"), ("IS", "support"), ("PT", "support")}),
    ("Kenya's foreign minister was asked about a peace force. He said it was premature to discuss the matter.",
     {("KE", "undecided")}),
    ("Norway and Sweden back a reassurance force. The two governments will send troops.",
     {("NO", "support"), ("SE", "support")}),
    ("Norway wants a ceasefire. He said the weather was fine.", set()),
    ("Oslo signed a trade agreement. Norway signed the agreement on fish.", set()),
    # scope: a refusal governs its verb phrase; each clause's holder takes its own cue; no comment is no position
    ("While Brazil backed the deployment, Mexico said it would not take part.", {("BR", "support"), ("MX", "reject")}),
    ("Colombia declined to comment on Iraq's readiness to send troops.", set()),
    ("Austria was asked whether it would join the force. The government declined to comment.", set()),
    # paraphrase families (app/data/cues.csv rows)
    ("The Irish government doesn't envisage its soldiers in Ukraine.", {("IE", "reject")}),
    ("Austria sees no part for its army in such a mission.", {("AT", "reject")}),
    ("The Swiss foreign minister said he was unable to say whether Switzerland would contribute troops.",
     {("CH", "undecided")}),
    ("Japan said it was too early to say what form a peacekeeping mission would take.", {("JP", "undecided")}),
    ("The Canadian prime minister said Canada would probably have a part to play in a reassurance force.",
     {("CA", "undecided")}),
    ("Britain and France are at the head of a coalition of the willing.", {("GB", "support"), ("FR", "support")}),
    ("A coalition founded to supply land forces to Ukraine is led by Britain.", {("GB", "support")}),
    ("The governments of Estonia and Latvia intend to be present on the ground once the fighting stops.",
     {("EE", "support"), ("LV", "support")}),
    ("Security guarantees from Denmark might involve a presence on land, at sea and in the air.",
     {("DK", "undecided")}),
    ("Die Welt reported that Brazil was considering joining the mission.", set()),
    ("The Irish spokesman reported that Ireland is ready to send troops.", {("IE", "support")}),
    ("Officials will work with Ukrainian counterparts to decide where Danish troops could be deployed.", set()),
    ("Estonian officials will meet Finland to decide when the force can start.", set()),
    ("Chile offered to mediate, rather than send its forces.", {("CL", "reject")}),
    ("Hegseth said there will not be US troops deployed to Ukraine.", {("US", "reject")}),
    ("The Austrian chancellor said sending troops was out of the question.", {("AT", "reject")}),
    ("Norway is ready to join a peace-keeping mission, and Sweden will contribute.",
     {("NO", "support"), ("SE", "support")}),
    ("Macron will promote his idea of a reassurance force at the summit.", {("FR", "support")}),
    ("Kenya's president called for at least 200,000 European troops.", {("KE", "support")}),
    ("Asked whether Chile would send troops, Boric replied that the issue is not relevant now.", set()),
    ("Macron, British Prime Minister Keir Starmer and Ukrainian President Zelensky signed a trilateral "
     "“declaration of intent” on the deployment of troops.", {("FR", "support"), ("GB", "support"), ("UA", "support")}),
    ('"We will build up Ukraine\'s own defences and be ready to deploy as a coalition," Mr Starmer said.',
     {("GB", "support")}),
    ("A representative of the Turkish Ministry of Defence stated the readiness to assess participation in the "
     "peacekeeping mission.", {("TR", "undecided")}),
    ("Merz said Berlin is not fundamentally ruling anything out on sending troops.", {("DE", "undecided")}),
    ("Former Polish ambassador Kowalski suggested that Warsaw might send Polish soldiers to Ukraine.", set()),
    ("The Lithuanian analyst said that Vilnius will send troops.", set()),
    ("Portugal can contribute to the peacekeeping force in other ways, such as training.", set()),
    ('Orban stressed: "We don\'t want our children to be sent to Ukraine as Hungarian troops."', {("HU", "reject")}),
    ("Austria considers joining a peacekeeping mission Photo: Austrian Defence Minister Tanner", {("AT", "undecided")}),
    ("Led by Norway and Sweden, the initiative could see troops deployed to Ukraine.",
     {("NO", "support"), ("SE", "support")}),
    ("Summits followed, with Portuguese Prime Minister Luis Montenegro declaring he would offer up Portuguese troops.",
     {("PT", "support")}),
    ("Belgium indicated it would help to monitor a ceasefire but without sending troops.", {("BE", "reject")}),
    ("Denmark and Norway, who are pushing for a Nordic-led peacekeeping mission, met in Oslo.",
     {("DK", "support"), ("NO", "support")}),
    ("Finland, together with Estonia, is trying to form a “coalition of the willing” for Ukraine.",
     {("FI", "support"), ("EE", "support")}),
    ("Norway and Denmark co-chaired a meeting of the ‘Coalition of the Willing’ leaders.",
     {("NO", "support"), ("DK", "support")}),
    ("Carney said that 20 members of the coalition had expressed readiness to send troops.", {("CA", "support")}),
    ("The Danish prime minister, along with the Dutch prime minister, met in Oslo. Both leaders expressed their "
     "willingness to send peacekeeping troops.", {("DK", "support"), ("NL", "support")}),
    ("The Canadian prime minister spoke on Monday. He advocated for European troops to oversee a ceasefire while "
     "ruling out the presence of Canadian forces.", {("CA", "support"), ("CA", "reject")}),
    ("Ireland would be “eager to assist” in a peacekeeping mission in Ukraine if the war ends, the minister said.",
     {("IE", "support")}),
    ("Simon Harris clarified that any deployment of Irish troops would be strictly limited to peacekeeping.",
     {("IE", "undecided")}),
    ("The Slovak president emphasised the figure while rejecting Moscow's demands to cut the army of Ukraine, "
     "a peacekeeping issue.", set()),
    ("A former Czech ambassador suggested in an interview with a radio station that Prague might send soldiers.",
     set()),
    # headlines and questions
    ("Will Europe put boots on the ground?", set()),
    ("Read more: Sweden ready to send peacekeepers to Ukraine", set()),
])
def test_capabilities(text, expected):
    assert {(c.country, c.stance) for c in extract_candidates(text, REF)} == expected


@pytest.mark.parametrize("text, expected", [
    # a date naming another event never dates the statement: the reference date does
    ("Poland will not send troops to Ukraine, Tusk said, recalling the full-scale invasion of February 2022.",
     (dt.date(2025, 6, 18), "day")),
    ("Norway, which has backed Ukraine since the 2022 invasion, is ready to send troops.", (dt.date(2025, 6, 18), "day")),
    ("Sweden will not send soldiers before 2027, the minister said.", (dt.date(2025, 6, 18), "day")),
    # a date the statement was made on still dates it
    ("In May 2025 Poland said it would not send troops to Ukraine.", (dt.date(2025, 5, 1), "month")),
])
def test_a_date_of_another_event_does_not_date_the_statement(text, expected):
    [c] = extract_candidates(text, REF)
    assert (c.stated_on, c.date_precision) == expected


def test_a_bare_weekday_after_the_verb_dates_the_statement():
    [c] = extract_candidates("Starmer said Sunday that Britain is ready to send troops.", REF)
    assert (c.country, c.stance, c.stated_on) == ("GB", "support", dt.date(2025, 6, 15))


def test_a_hedge_dated_apart_from_the_refusal_is_an_earlier_position_not_a_hedge_of_it():
    cands = extract_candidates("President Donald Trump vowed Tuesday that he will not send American troops to "
                               "Ukraine, after suggesting on Monday that he was open to the idea.", REF)
    assert {(c.country, c.stance, c.stated_on) for c in cands} == {
        ("US", "reject", dt.date(2025, 6, 17)), ("US", "undecided", dt.date(2025, 6, 16))}
    # on one day the hedge still wins over the refusal
    cands = extract_candidates("Belgium has no plans to send troops, but it is open to the idea.", REF)
    assert {(c.country, c.stance) for c in cands} == {("BE", "undecided")}


@pytest.mark.parametrize("text, expected", [
    ("Italy likewise announced that it had no intention of sending soldiers to Ukraine.", {("IT", "reject")}),
    ("Szijjarto — who had already said Hungary was “not willing to send soldiers to Ukraine” — told TASS that "
     "“words matter.”", {("HU", "reject")}),
    ("Luxembourg is not alone in ruling out ground troops.", {("LU", "reject")}),
    ("Romanian President Nicusor Dan considers the participation of Romanian military personnel in a peacekeeping "
     "force in Ukraine “inappropriate,” he said.", {("RO", "reject")}),
    ("Macron suggested that a deployment of Western troops in Ukraine should not be ultimately “ruled out”.",
     {("FR", "undecided")}),
    ("Poland will be ready to provide all the logistical assistance to make the peacekeeping mission effective.",
     set()),
])
def test_paraphrases_of_refusal_and_hedge(text, expected):
    assert {(c.country, c.stance) for c in extract_candidates(text, REF)} == expected


@pytest.mark.parametrize("text, expected", [
    ("In Brussels, Beijing's plan to send peacekeepers has provoked mixed reactions.", {("CN", "support")}),
    ("France and Germany's plan to send troops was welcomed.", {("FR", "support"), ("DE", "support")}),
    ("Tusk said that Polish soldiers will not be directly involved in a peacekeeping mission.", {("PL", "reject")}),
    ("Supporting Ukraine does not include sending European troops there, the office of Italian Prime Minister "
     "Giorgia Meloni said.", {("IT", "reject")}),
])
def test_lists_and_involvement(text, expected):
    assert {(c.country, c.stance) for c in extract_candidates(text, REF)} == expected


@pytest.mark.parametrize("text, expected", [
    ("The Belgian Defence Ministry has reaffirmed its commitment to providing material aid to Ukraine.", set()),
    ("While the US hasn’t committed to sending troops, it has signaled its willingness to provide air support.",
     {("US", "undecided")}),
    ("Starmer will put British troops on the ground in Ukraine, as we face a 'once-in-a-generation moment'.",
     {("GB", "support")}),
    ("Starmer welcomed Prime Minister Albanese’s commitment to consider contributing to a peacekeeping force.",
     {("AU", "undecided")}),
    # the object's possessor proposed it: the verb before it is not its own
    ("Canada, like many other NATO countries, opposed French President Emmanuel Macron's idea of sending troops.",
     {("CA", "reject"), ("FR", "support")}),
    ("An official said India's position is clear: its soldiers will only be deployed as part of UN peacekeeping "
     "missions.", {("IN", "undecided")}),
])
def test_objects_aid_and_conditions(text, expected):
    assert {(c.country, c.stance) for c in extract_candidates(text, REF)} == expected
