"""The extraction rules, one behaviour per case, on short sentences written for these tests."""
from __future__ import annotations

import datetime as dt

import pytest

from app.ingest.dates import DateValue
from app.ingest.extract import RULES_VERSION, RuleExtractor, extract_candidates, split_sentences
from app.ingest.types import ArticleInput

REF = DateValue(dt.date(2025, 6, 18), "day")


def pairs(text: str, ref: DateValue = REF) -> set[tuple[str, str]]:
    return {(c.country, c.stance) for c in extract_candidates(text, ref)}


@pytest.mark.parametrize("text, expected", [
    # plain stances
    ("Norway is ready to send troops to Ukraine after a ceasefire.", {("NO", "support")}),
    ("Portugal will contribute soldiers to a reassurance force.", {("PT", "support")}),
    ("Greece rejected the idea of a peacekeeping force.", {("GR", "reject")}),
    ("Hungary opposes any deployment of troops.", {("HU", "reject")}),
    ("Finland is considering sending peacekeepers.", {("FI", "undecided")}),
    # negation and double negation
    ("Austria will not send troops to Ukraine.", {("AT", "reject")}),
    ("Slovakia has no plans to join a peacekeeping mission.", {("SK", "reject")}),
    ("Croatia does not rule out sending soldiers.", {("HR", "undecided")}),
    ("Latvia rules out sending troops.", {("LV", "reject")}),
    ("Norway excludes no option on peacekeepers.", {("NO", "undecided")}),
    ("The Netherlands is not willing to deploy troops.", {("NL", "reject")}),
    ("Slovenia does not support the deployment of peacekeepers.", {("SI", "reject")}),
    ("Luxembourg said sending troops is not a good idea.", {("LU", "reject")}),
    # lists share the position
    ("Hungary, Slovakia and Austria opposed the peacekeeping mission.",
     {("HU", "reject"), ("SK", "reject"), ("AT", "reject")}),
    ("Finland, Norway, and Portugal are ready to deploy troops.",
     {("FI", "support"), ("NO", "support"), ("PT", "support")}),
    ("Spain considered sending troops, as did Portugal.", {("ES", "undecided"), ("PT", "undecided")}),
    # groups
    ("The Baltic states are ready to send soldiers.", {("EE", "support"), ("LV", "support"), ("LT", "support")}),
    ("Scandinavia is considering a contribution of troops.",
     {("DK", "undecided"), ("NO", "undecided"), ("SE", "undecided")}),
    ("The Benelux countries will send peacekeepers.", {("BE", "support"), ("NL", "support"), ("LU", "support")}),
    # capitals standing for governments
    ("Rome and Madrid are considering deploying peacekeepers.", {("IT", "undecided"), ("ES", "undecided")}),
    ("Officials said it would be logical for Copenhagen to send troops.", {("DK", "support")}),
    # adjectives with a noun for the state
    ("The Dutch government is ready to send troops.", {("NL", "support")}),
    ("The Greek parliament rejected sending soldiers.", {("GR", "reject")}),
    ("Finnish officials have expressed interest in peacekeeping.", {("FI", "undecided")}),
    # people stand for their country on the article's date
    ("Frederiksen said Denmark is ready to deploy troops.", {("DK", "support")}),
    ("Fico said his country will not send soldiers to Ukraine.", {("SK", "reject")}),
    ("Kristersson said he could send troops if parliament agrees.", {("SE", "undecided")}),
    # reported speech: the that-clause holds the position
    ("Pistorius stated that sending German troops is not a good idea.", {("DE", "reject")}),
    ("Merz said that Western allies might not rule out a deployment.", set()),
    # possessive with a noun for the state
    ("Spain's Foreign Minister said it was too early to talk about sending troops.", {("ES", "undecided")}),
    ("Ukraine's security depends on peacekeepers, Poland's economy said.", set()),
    # a state's own troops as the subject
    ("Fico said Slovak soldiers would not be deployed to Ukraine.", {("SK", "reject")}),
    ("Officials are deploying Greek troops to the border.", set()),
    # more cue families
    ("Scholz called talk of peacekeepers highly premature.", {("DE", "undecided")}),
    ("Meloni voiced scepticism about sending troops.", {("IT", "reject")}),
    ("Canada is open to sending troops, Carney said.", {("CA", "undecided")}),
    ("Norway has not decided whether to contribute troops.", {("NO", "undecided")}),
    ("France and Britain have offered to send troops after a ceasefire.", {("FR", "support"), ("GB", "support")}),
    ("Lithuania's president said his country was ready to send troops.", {("LT", "support")}),
    # a pronoun opening a clause is its subject, even when the clause names someone later
    ("On Tuesday, Austria said it would not take part in any peacekeeping force, Chancellor Stocker said.",
     {("AT", "reject")}),
    ("Germany and Poland said they would not send troops, while France said it was ready.",
     {("DE", "reject"), ("PL", "reject"), ("FR", "support")}),
    # an indirect question states nothing
    ("Asked whether Greece would send soldiers, officials said it was too early to say.", set()),
    # leading the force, wanting troops, reluctance, bare verbs
    ("Italy and Spain are leading plans for a European peacekeeping force.", {("IT", "support"), ("ES", "support")}),
    ("Greece leads efforts to boost defence aid. Officials met about troops.", set()),
    ("Ukraine wants 50,000 foreign troops as part of any deal.", {("UA", "support")}),
    ("Vienna has so far been reluctant to commit soldiers.", {("AT", "reject")}),
    ("Croatia will not deploy troops in Ukraine, but will host allied forces.", {("HR", "reject")}),
    # a relative aside names places, not the holder
    ("Finland, which borders Russia, will not send troops.", {("FI", "reject")}),
    # quotes and attributions after them
    ('"We are ready to send troops," Frederiksen said.', {("DK", "support")}),
    ('"We will not send soldiers," said Greek Prime Minister Kyriakos Mitsotakis.', {("GR", "reject")}),
    ("No option is off the table when it comes to troops, Stubb said.", {("FI", "undecided")}),
    ("According to Frederiksen, Norway will not send troops.", {("NO", "reject")}),
    ("Merz said a deployment of German troops was not on the agenda.", {("DE", "reject")}),
    ("The Czech government said it was ready to consider sending troops.", {("CZ", "undecided")}),
    ("Germany said it would contribute to security guarantees.", set()),
    ("Turkey offered to host talks and said it could contribute troops.", {("TR", "undecided")}),
    ("Sweden does not rule out troops, and Norway is ready to send soldiers.", {("SE", "undecided"), ("NO", "support")}),
    ("Talks between Russia and Ukraine on troops stalled, and Hungary rejected a deployment.", {("HU", "reject")}),
    # the proposer
    ("Spain's proposal of a peacekeeping mission was discussed.", {("ES", "support")}),
    ("Sánchez was asked about the Dutch proposal for a peacekeeping force.", {("NL", "support")}),
    ("The mission, led by the Italian government, would monitor the ceasefire.", {("IT", "support")}),
    ("Portugal refused Spain's offer to join a reassurance force.", {("PT", "reject"), ("ES", "support")}),
    ("Estonia floated the idea of a Nordic-Baltic peacekeeping force.", {("EE", "support")}),
    # wire copy: a dateline's dash before the holder, a headline's gerund
    ("OSLO (Reuters) -Norway would consider contributing to a peacekeeping force, the prime minister said.",
     {("NO", "undecided")}),
    ("Portugal sending soldiers to Ukraine 'a possibility', minister says", {("PT", "undecided")}),
    # nouns of refusal and of will, denials, dismissals
    ("Greece has signalled reluctance to send troops to Ukraine.", {("GR", "reject")}),
    ("Lisbon has declared its willingness to deploy troops after a ceasefire.", {("PT", "support")}),
    ("Bulgaria's president denied any involvement of Bulgarian troops in Ukraine.", {("BG", "reject")}),
    ("Denmark calls for more flexible funding rules and dismisses talk of deploying troops.", {("DK", "reject")}),
    # options kept open
    ("Romania said it would not discard any option on sending troops.", {("RO", "undecided")}),
    ("Finland said all options remain on the table on peacekeepers.", {("FI", "undecided")}),
    ("Sweden sees sending peacekeepers as absolutely a possibility.", {("SE", "undecided")}),
    ("Croatia does not rule out such a possibility for its soldiers.", {("HR", "undecided")}),
    # "no <country> troops", the passive with an army as subject, attribution after the clause
    ("There will be no Austrian soldiers on Ukrainian soil, the chancellor said.", {("AT", "reject")}),
    ("Trump gave his assurance that no US ground troops would be deployed.", {("US", "reject")}),
    ("The Slovenian army will not be sent to Ukraine, the president wrote.", {("SI", "reject")}),
    ("Troops will not be sent to Ukraine, the Slovenian president wrote.", {("SI", "reject")}),
    # a reported clause without a holder of its own is its speaker's
    ("Macron said the idea of sending troops was still premature.", {("FR", "undecided")}),
    ("At least 100,000 peacekeepers would be needed, Zelensky said.", {("UA", "support")}),
    # ready, willing or prepared with a condition stays support (the condition is recorded)
    ("Croatia is willing to send troops if the mission has a UN mandate.", {("HR", "support")}),
    ("Britain is prepared to put its own troops on the ground if necessary.", {("GB", "support")}),
    # a deployment named just before: "do so"
    ("Several states are willing to send troops. Belgium and the Netherlands confirmed they would do so.",
     {("BE", "support"), ("NL", "support")}),
    # a place's modifier does not hide its preposition
    ("Estonia sending troops to post-war Ukraine 'a possibility', minister says", {("EE", "undecided")}),
    # a condition on a refusal leaves it open; "even if" does not
    ("As long as the fighting continues, there will be no Dutch soldiers in Ukraine.", {("NL", "undecided")}),
    ("Poland will not send troops, even if asked by its allies.", {("PL", "reject")}),
    # not considering is a refusal; ruling out a discussion now is "too early"
    ("The Japanese government is not considering sending troops to Ukraine.", {("JP", "reject")}),
    ("Portugal has ruled out any immediate discussion of deploying troops.", {("PT", "undecided")}),
    ("Italy and Spain have expressed reservations about a European peacekeeping force.",
     {("IT", "undecided"), ("ES", "undecided")}),
    ("Portugal has not yet made a final decision on sending peacekeepers.", {("PT", "undecided")}),
    ("Sweden's participation in a peacekeeping force would depend on the mandate, Kristersson said.",
     {("SE", "undecided")}),
    ("Greece has voiced openness to deploying peacekeepers.", {("GR", "undecided")}),
    ("Austria and Ireland both said they might consider the idea of peacekeepers.",
     {("AT", "undecided"), ("IE", "undecided")}),
    ("Ireland has not ruled out taking part in possible forces.", {("IE", "undecided")}),
    ("Canada and Australia have declared their readiness to send troops, but only if the US provides support.",
     {("CA", "support"), ("AU", "support")}),
    ("Finland takes part in the talks without providing its own forces.", {("FI", "reject")}),
    ("Hungary called the peacekeeping plan unrealistic and ineffective.", {("HU", "reject")}),
    ("Paris and London revealed plans for a reassurance force in Ukraine.", {("FR", "support"), ("GB", "support")}),
    # scraped text without a space after the full stop
    ("Talks ended late.Norway and Finland are ready to send troops.", {("NO", "support"), ("FI", "support")}),
    # the object of "provide" is not a holder; an outlet named after a country is not its government
    ("Trump refused to provide US air cover for the peacekeeping force.", {("US", "reject")}),
    ("Sources cited by RBC Ukraine said a willingness by Germany to send troops would help.", set()),
    # the speaker carries to the next sentence: a "Title Name:" header, a quote's attribution, "Among them"
    ("Slovak Prime Minister Robert Fico: We consider it a risky idea. We will never send Slovak soldiers to Ukraine.",
     {("SK", "reject")}),
    ('"The situation is difficult," said Greek Prime Minister Kyriakos Mitsotakis. "We will not send soldiers."',
     {("GR", "reject")}),
    ("Five countries are ready to send troops to Ukraine. Among them are Denmark, Norway and Portugal.",
     {("DK", "support"), ("NO", "support"), ("PT", "support")}),
    # contractions, with either apostrophe, are negations like "not"
    ("Germany doesn't rule out sending troops.", {("DE", "undecided")}),
    ("Germany doesn’t rule out sending troops.", {("DE", "undecided")}),
    ("Austria won’t send troops to Ukraine.", {("AT", "reject")}),
    ("Norway hasn't decided whether to send troops.", {("NO", "undecided")}),
    # the passive double negation
    ("Macron said that nothing should be ruled out on sending troops.", {("FR", "undecided")}),
    ("Macron declared that sending Western troops to Ukraine “cannot be ruled out.”", {("FR", "undecided")}),
    ("London and Paris plan to form a peacekeeping force of up to 30,000 troops.", {("FR", "support"), ("GB", "support")}),
    # a list after the cue, introduced by "including"; membership of those who are (not) ready
    ("Most NATO members have ruled out sending troops – including Spain, Italy and Portugal – but Estonia said on "
     "Friday that it welcomed the debate.", {("ES", "reject"), ("IT", "reject"), ("PT", "reject")}),
    ("Greece is not one of the countries that are ready to send troops to Ukraine.", {("GR", "reject")}),
    ("Turkey is among the countries that are ready to contribute troops.", {("TR", "support")}),
    # a closing dash does not extend a list to the next speaker; "who said" is speech, not an aside
    ("Most states have ruled out sending troops – including Spain – Slovak Foreign Minister Juraj Blanar said on "
     "Monday that he disliked the debate.", {("ES", "reject")}),
    ("That view was shared by Hungarian Foreign Minister Peter Szijjarto, who said the country was not ready to send "
     "troops.", {("HU", "reject")}),
    # a host's role, and judging a deployment effective
    ("Bulgaria offered to serve as a transit hub for peacekeeping forces.", {("BG", "undecided")}),
    ("Zelenskyy said that deploying European partners' forces in Ukraine could be one of the most effective means "
     "of pressure.", {("UA", "support")}),
    ("However, Spain, Greece and Portugal distanced themselves on Monday from any suggestion they might commit "
     "ground troops.", {("ES", "reject"), ("GR", "reject"), ("PT", "reject")}),
    # "after X said" is a conjunction; "said late on Monday that" is one reporting phrase
    ("Statements came after French President Emmanuel Macron said late on Monday that the idea of troops could not "
     "be ruled out.", {("FR", "undecided")}),
    ("Leaders from Norway, Denmark and Ukraine signed a declaration committing to deploy a multinational force.",
     {("NO", "support"), ("DK", "support"), ("UA", "support")}),
    ("Some countries, such as Hungary, which have said they do not want their troops in Ukraine, stayed away.",
     {("HU", "reject")}),
    ('"To be honest, yes," Zelensky said. "I believe the presence of international forces would be a real security '
     'guarantee."', {("UA", "support")}),
    ("Berlin said it would only decide on a military commitment once conditions were clear.", {("DE", "undecided")}),
    ("Macron was non-committal on the troops.", {("FR", "undecided")}),
    ("Norway hinted at the possibility of sending peacekeepers.", {("NO", "undecided")}),
    # a preposition governs a whole titled name
    ("Leaders throughout NATO have broken ranks with French President Emmanuel Macron, rejecting his talk of "
     "sending troops.", set()),
    ("By Tuesday, leaders of Portugal and Italy indicated they would not be volunteering their countries' troops.",
     {("PT", "reject"), ("IT", "reject")}),
    ("Officials from Malta said sending troops was not on their agenda.", {("MT", "reject")}),
    ("Malta said sending troops was not on its agenda.", {("MT", "reject")}),
    ("Polish military personnel will not be part of the peacekeeping contingent, Tusk said.", {("PL", "reject")}),
    ("Vienna has so far been reluctant to commit soldiers to a reassurance force.", {("AT", "reject")}),
    # "without US support" is a condition: hesitancy on it is undecided
    ("Many countries, including Belgium, are hesitant to deploy troops without U.S. support.", {("BE", "undecided")}),
    ("France is creating an alliance of states that are ready to send their troops to Ukraine.", {("FR", "support")}),
    # names as English copy writes them; the presence of NATO forces is on topic; "not unthinkable"
    ('"The presence of NATO forces in Ukraine is not unthinkable," Foreign Minister Radoslaw Sikorski said.',
     {("PL", "undecided")}),
    ("Danish Foreign Minister Lars Lokke Rasmussen said Denmark is ready to send troops.", {("DK", "support")}),
    # a quote's attribution after its closing quote names the speaker of the next sentence
    ('"Kyiv did not ask for troops. It asks for ammunition," the French minister Stephane Sejourne said. '
     '"We do not exclude anything for the coming months."', {("FR", "undecided")}),
    # what is denied is refused
    ("Polish Prime Minister Donald Tusk denied that Polish troops would be sent to Ukraine after the ceasefire.",
     {("PL", "reject")}),
    ("Germany denied reports that it would send troops to Ukraine.", {("DE", "reject")}),
    ("Norway denied that it was opposed to sending troops.", {("NO", "undecided")}),
    # datelines of two capitals; a condition without a mandate; agents after the cue; a stranded "support for"
    ("Ljubljana/Zagreb – Slovenia will seriously consider participating in peacekeeping in Ukraine.",
     {("SI", "undecided")}),
    ("Slovenia does not participate in any coalition whose purpose is to send soldiers to war zones without a "
     "mandate from the United Nations.", {("SI", "undecided")}),
    ("The idea of a peacekeeping force originated with French President Emmanuel Macron.", {("FR", "support")}),
    ("Robles' caution mirrors the approach on the deployment of troops, a move that France, the United Kingdom, "
     "and Canada have already shown support for.", {("FR", "support"), ("GB", "support"), ("CA", "support")}),
    ("Greece reiterated the need for further strengthening of the Ukrainian Armed Forces.", set()),
    ('"I think it is the signal we send to Russia, that nothing is off the table for troops," Frederiksen said.',
     {("DK", "undecided")}),
    # a cue after another country in a quote is that country's
    ('"Russia is not even ready to keep the ceasefire, so troops are needed later," Nauseda added.', set()),
    # "These include ..." takes the cue of the sentence before it
    ("Several countries have stated that they will not send their troops to Ukraine. These include Malta and Cyprus.",
     {("MT", "reject"), ("CY", "reject")}),
    ("A team from Norway and Finland will travel to Kyiv to advance the deployment of peacekeeping troops.",
     {("NO", "support"), ("FI", "support")}),
    ("Only Estonia and Latvia have committed actual soldiers.", {("EE", "support"), ("LV", "support")}),
    ('"It is their military presence that is mandatory," Zelenskyy told journalists about the troops.',
     {("UA", "support")}),
    ("Merz said a ceasefire is an essential precondition for deploying international troops.", {("DE", "undecided")}),
    ("Meloni reiterated the Italian government's positions, in particular the exclusion of the deployment of Italian "
     "troops on the ground.", {("IT", "reject")}),
    # a pronoun after a nearer adversary subject is the adversary's
    ("Paris and London signed a declaration to deploy forces, despite Russia stating that it rejected any Western "
     "troops.", {("FR", "support"), ("GB", "support")}),
    ("Macron warned Western powers not to show weakness to Russia as he reiterated his position that sending troops "
     "should not be ruled out.", {("FR", "undecided")}),
    # a quote, then its attribution on a line of its own
    ('"There is no consensus on sending ground troops. But nothing can be ruled out,"\n\nEmmanuel Macron said.',
     {("FR", "undecided")}),
    # leading the effort; the proposal by; counterparts from; signing a declaration on a presence
    ("Britain and France are spearheading this effort to send troops.", {("GB", "support"), ("FR", "support")}),
    ("Macron and Starmer, who lead the coalition of the willing, met in Paris about troops.",
     {("FR", "support"), ("GB", "support")}),
    ("Meloni opposes the proposal by Britain and France to deploy troops in Ukraine.",
     {("IT", "reject"), ("GB", "support"), ("FR", "support")}),
    ("Ministers from Norway, alongside their counterparts from Germany and Poland, expressed a shared openness to "
     "deploying peacekeeping forces.", {("NO", "undecided"), ("DE", "undecided"), ("PL", "undecided")}),
    ("Ukraine, France and the United Kingdom have signed a declaration laying the foundations for a Western presence "
     "in Ukraine.", {("UA", "support"), ("FR", "support"), ("GB", "support")}),
    # negations read before the cue; a refusal left open after "but"; a promise with a condition
    ("Western leaders discussed sending troops to Ukraine. Fico said such plans risked escalating the war, and "
     "stressed that Slovakia would not participate.", {("SK", "reject")}),
    ("The Czech Republic certainly is not preparing to send any soldiers to Ukraine.", {("CZ", "reject")}),
    ("Sweden's defence minister said sending troops wasn't off the table.", {("SE", "undecided")}),
    ("Macron said that there are no concrete plans to send Western forces to Ukraine, but this cannot be ruled out.",
     {("FR", "undecided")}),
    ("Poland has stated that it is not ready to send soldiers, but is willing to serve as a logistical hub.",
     {("PL", "reject")}),
    ("France and the U.K. have promised to put boots on the ground if a ceasefire takes effect and the US agrees.",
     {("FR", "support"), ("GB", "support")}),
    ("Sweden has ruled nothing out on troops, Italy has been unenthusiastic and Hungary appears dead against troops.",
     {("SE", "undecided"), ("IT", "reject"), ("HU", "reject")}),
    ("Germany has not yet taken a definitive position on sending troops.", {("DE", "undecided")}),
    # a parenthesis is background; "proposed by" names its agent after it; doubts lean to no
    ("Chief Cabinet Secretary Yoshimasa Hayashi (and Japan initially also declared itself ready to provide Kyiv with "
     "security guarantees) stated that Japan will not send its military to Ukraine.", {("JP", "reject")}),
    ("Meloni has expressed doubts about the idea of sending peacekeepers to Ukraine, proposed by France and the "
     "United Kingdom, and confirmed that Italy will not send its military.",
     {("IT", "reject"), ("FR", "support"), ("GB", "support")}),
    # what is only not ruled out is undecided, up to the next subject
    ("Carney does not rule out Canada sending its troops to Ukraine.", {("CA", "undecided")}),
    ("Prime Minister of Canada Mark Carney does not rule out that his country will send troops to Ukraine.",
     {("CA", "undecided")}),
    # an aside between dashes; a modal passive of a country's own soldiers; a headline's adjective predicate
    ('"We have 26 countries who have committed – some others have not yet taken a position – to deploy troops," '
     'Macron told reporters.', {("FR", "support")}),
    ("Baerbock suggested that German soldiers could be deployed to help ensure peace.", {("DE", "undecided")}),
    ("Macron said that the force could be deployed in strategic cities.", {("FR", "support")}),
    ("UK and France reluctant to send troops to Ukraine without US backing", {("GB", "undecided"), ("FR", "undecided")}),
    # the country's deployment as subject; dispatching; being on the ground; open-minded; contemplating
    # a procedure to follow (a vote, an approval) is no stance: annotators read such sentences as neither doubt nor refusal
    ("Merz said any German deployment would require Bundestag approval.", set()),
    ("Romania will not dispatch troops to Ukraine, the president said.", {("RO", "reject")}),
    ("Trump said on Aug. 19 that U.S. soldiers will not be on the ground in Ukraine.", {("US", "reject")}),
    ("Frederiksen said her government remains open-minded about deploying troops.", {("DK", "undecided")}),
    ("Meloni said her government does not contemplate authorizing the deployment of Italian troops.",
     {("IT", "reject")}),
    ("France’s Emmanuel Macron and Britain’s Keir Starmer have publicly backed the concept of European troops.",
     {("FR", "support"), ("GB", "support")}),
    ("The speaker of the Duma warned Macron against sending troops to Ukraine.", set()),
    ("The prospect of sending troops was rejected by Germany, but not dismissed by Estonia and Lithuania.",
     {("DE", "reject"), ("EE", "undecided"), ("LT", "undecided")}),
    ("Macron has stated that 26 of Ukraine's allies have pledged to deploy troops as a reassurance force.",
     {("FR", "support")}),
    # "U.S." ends a sentence when one plainly starts after it
    ("Leaders agreed to present a plan on troops to the U.S. However, Russia's Kremlin accused Europe, rejecting any "
     "troops.", set()),
    # rules-3.0: paraphrases and roles written for this round (sentences of my own)
    ("Belgium and Portugal have voiced opposition to deploying soldiers in Ukraine.",
     {("BE", "reject"), ("PT", "reject")}),
    ("Austria sees no reason to send troops while the fighting goes on.", {("AT", "reject")}),
    ("Croatian officials have refrained from ruling out a role in a peacekeeping force.", {("HR", "undecided")}),
    ("Japan would give serious consideration to joining a monitoring mission with its troops.",
     {("JP", "undecided")}),
    ("There is Norwegian readiness to send peacekeepers, the minister said.", {("NO", "support")}),
    ("The Nordic and Baltic countries are ready to deploy troops.",
     {(c, "support") for c in ("DK", "FI", "IS", "NO", "SE", "EE", "LV", "LT")}),
    ("A plan for a reassurance force, developed by Belgium, was presented.", {("BE", "support")}),
    ("Chile could become part of a stabilisation force in Ukraine.", {("CL", "undecided")}),
    ("Spain will take part in the next coalition meeting, though it has not decided on sending troops.",
     {("ES", "undecided")}),
    ("Slovenia will not send soldiers, nor will Croatia send any troops to Ukraine.",
     {("SI", "reject"), ("HR", "reject")}),
    ("Greece said that the deployment of its troops would be possible only under a UN mandate.",
     {("GR", "undecided")}),
    ("Estonia has urged caution on sending troops.", {("EE", "undecided")}),
    ("Latvia has not yet committed to a peacekeeping force.", {("LV", "undecided")}),
    ("A headquarters for the multinational force, led jointly by Belgium and the Netherlands, opened.",
     {("BE", "support"), ("NL", "support")}),
    ("Analysts praised Prime Minister Kristersson's openness to sending troops.", {("SE", "undecided")}),
    ("Leaders discussed a peacekeeping force for Ukraine. Portugal has left the door open to Portuguese "
     "participation.", {("PT", "undecided")}),
    ("Leaders discussed a peacekeeping force for Ukraine. Portugal welcomed Portuguese participation in the talks.",
     set()),
    ("The Danish prime minister is not moving away from the idea of sending troops.", {("DK", "support")}),
    ("Rutte said a European military presence in Ukraine is necessary, and Frederiksen said the same.",
     {("DK", "support")}),
])
def test_stances(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text", [
    # third parties' projections
    "Analysts say Spain, Italy and Greece are likely to form the core of a peacekeeping force.",
    "Norway and Finland are expected to send troops, according to analysts.",
    # meetings and visits
    "The defence ministers of Spain and Portugal will meet in Lisbon to discuss sending troops.",
    "Meloni will visit Portugal to discuss a potential peacekeeping mission.",
    # places and destinations
    "Troops would be deployed to Moldova and Romania, officials said.",
    "The force would be stationed in Ukraine near the line of contact.",
    # the adversary and institutions
    "Russia rejected any deployment of Western troops.",
    "The Kremlin opposes peacekeepers in Ukraine.",
    "NATO is ready to support a peacekeeping mission.",
    "The EU rejected the idea of sending troops.",
    # a newspaper is not its country's government
    "The Washington Post reported that it had seen plans to send troops.",
    "The Kyiv Independent said it would not send reporters with the troops.",
    "The Spanish newspaper El Mundo reported that troops are ready.",
    # no troops or force in sight: out of scope
    "Greece is ready to increase its defence budget.",
    # Ukraine's own forces, and EU training missions for them, are not the multinational force
    "Slovenia is participating in a European Union mission aimed at training Ukrainian soldiers.",
    # a quoted paragraph after an attributed one carries its speaker only for the force, not for tanks
    '"Send more weapons," the German economy minister Robert Habeck said of troops.\n"Give Ukraine the tanks that '
    'can be sent right now."',
    # "essential" must be said of the force
    "Asked about peacekeepers, Carney emphasized reinforcing Ukraine's army, saying more support would be essential.",
    # help and aid are not the force; a reluctance about something else is not a refusal
    "Romania is ready to continue to support Ukraine, because this also protects its troops.",
    "The leader explained why the reluctance over a direct military confrontation with Russia may change for troops.",
    # the object of "sending" is not its subject
    "The minister ruled out the possibility of sending the Dutch military to Ukraine.",
    # sending weapons is aid, not the force
    '"If I can make a suggestion, send more weapons," the German economy minister said of troops.',
    "Austria will send more ammunition and air defence to Ukraine, not troops.",
    # an opposition leader or a former office-holder does not speak for the state
    "Opposition leader Andrej Babis said he was against sending troops.",
    "Former Prime Minister Mark Rutte said he was ready to send troops.",
    # conditions: a country in a condition states nothing
    "Europe could send troops even if Hungary does not support the idea.",
    # generic verbs without the force: aid, funding, training
    "Germany intends to contribute to Ukraine's air defence and the training of its troops.",
    "Austria calls for more flexible budget rules, officials said of the troops debate.",
    # a header or quote names its speaker only for the sentences of its own paragraph
    "Slovak Prime Minister Robert Fico: We consider it a risky idea.\nWe will never send soldiers to Ukraine.",
])
def test_not_positions(text):
    assert pairs(text) == set()


def test_noun_modifier_is_not_a_subject():
    assert pairs("The US position on sending peacekeepers affects Europe.") == set()


def test_conditions_make_support_undecided_and_are_recorded():
    [c] = extract_candidates("Norway would send troops if the United States provides a backstop.", REF)
    assert (c.country, c.stance) == ("NO", "undecided")
    assert c.conditions == "if the United States provides a backstop"


def test_a_condition_opening_the_sentence_applies_to_all():
    got = {(c.country, c.stance, c.conditions) for c in
           extract_candidates("If the US provides a backstop, Norway and Finland would send troops.", REF)}
    assert got == {("NO", "undecided", "If the US provides a backstop"),
                   ("FI", "undecided", "If the US provides a backstop")}


def test_a_ceasefire_is_the_premise_of_the_force_not_a_condition():
    # the force is for after a ceasefire: saying so does not weaken support (it is still recorded) ...
    got = {(c.country, c.stance, c.conditions) for c in
           extract_candidates("If a ceasefire holds, Norway and Finland would send troops.", REF)}
    assert got == {("NO", "support", "If a ceasefire holds"), ("FI", "support", "If a ceasefire holds")}
    # ... but "not while the war goes on" leaves a refusal open
    assert pairs("As long as the war is not over, there will be no Dutch soldiers in Ukraine.") == {("NL", "undecided")}


def test_a_condition_after_but_with_the_same_subject_is_still_its_own():
    [c] = extract_candidates("Turkey could deploy peacekeeping forces in Ukraine, but will not do so unless it is "
                             "involved in all consultations.", REF)
    assert (c.country, c.stance, c.conditions) == ("TR", "undecided", "unless it is involved in all consultations")


def test_a_condition_past_a_contrast_belongs_to_that_clause():
    got = {(c.country, c.stance) for c in extract_candidates(
        "Greece is not planning to send troops, but it discussed placing forces there if the US provides a backstop.",
        REF)}
    assert got == {("GR", "reject")}


def test_a_condition_belongs_to_the_holder_before_it():
    got = {(c.country, c.stance, c.conditions) for c in extract_candidates(
        "Austria said it would not send troops, while Ireland said it would send troops if asked.", REF)}
    assert got == {("AT", "reject", None), ("IE", "undecided", "if asked")}


def test_a_condition_opening_the_holders_clause_is_its_own():
    [c] = extract_candidates("Stubb said that, in the event of a request, Finland could send troops.", REF)
    assert (c.country, c.stance, c.conditions) == ("FI", "undecided", "in the event of a request")


def test_un_mandate_is_undecided_with_its_condition():
    [c] = extract_candidates("Austria would only deploy peacekeepers under a UN mandate.", REF)
    assert (c.country, c.stance) == ("AT", "undecided")
    assert "UN mandate" in c.conditions


def test_pronoun_refers_to_the_speaker():
    [c] = extract_candidates("Estonian Prime Minister Kristen Michal said his country is ready to send soldiers.", REF)
    assert (c.country, c.stance, c.speaker) == ("EE", "support", "Kristen Michal")


@pytest.mark.parametrize("text, speaker", [
    # the body that spoke, not the troops it would send
    ("The Greek parliament adopted a declaration that the Greek Armed Forces will not take part in any peacekeeping "
     "force.", "Greek parliament"),
    # a title with its post before the name
    ("Norway is ready to send troops, the Norwegian Ambassador to NATO, Kari Nordmann, said.",
     "Norwegian Ambassador Kari Nordmann"),
    # nobody who speaks: no speaker
    ("Croatian officials said Croatia will not send troops.", None),
])
def test_speaker_is_who_spoke(text, speaker):
    assert {c.speaker for c in extract_candidates(text, REF)} == {speaker}


def test_speaker_from_title_when_the_person_is_unknown():
    [c] = extract_candidates("Maltese Foreign Minister Joan Doe said Malta will not send troops.", REF)
    assert c.country == "MT" and c.speaker == "Maltese Foreign Minister Joan Doe"


def test_person_country_follows_the_article_date():
    text = "Rutte said the Netherlands will contribute troops to a peacekeeping force."
    early = extract_candidates(text, DateValue(dt.date(2023, 5, 1), "day"))
    assert {c.country for c in early} == {"NL"}
    late = extract_candidates("Rutte said he is ready to send a peacekeeping force.", REF)
    assert late == []  # by 2025 Rutte speaks for NATO, not a state


def test_offsets_point_at_the_reference_and_the_cue():
    body = "Intro line about the war.\nThe Czech government does not rule out sending soldiers."
    [c] = extract_candidates(body, REF)
    assert body[c.quote_start:c.quote_end] == c.quote
    assert c.quote[c.mention_start:c.mention_end] == "Czech"
    assert c.quote[c.cue_start:c.cue_end] == "not rule out"
    assert c.rules_version == RULES_VERSION
    assert 0 < c.confidence <= 1


@pytest.mark.parametrize("text, stated_on, precision", [
    ("On 3 June, Norway said it is ready to send troops.", dt.date(2025, 6, 3), "day"),
    ("In May, Norway said it is ready to send troops.", dt.date(2025, 5, 1), "month"),
    ("Last month Norway said it is ready to send troops.", dt.date(2025, 5, 1), "month"),
    ("Norway said in February 2024 it is ready to send troops.", dt.date(2024, 2, 1), "month"),
    ("In November Norway said it is ready to send troops.", dt.date(2024, 11, 1), "month"),  # before June: last year
    ("Norway is ready to send troops.", dt.date(2025, 6, 18), "day"),  # the article's date
])
def test_dates_resolve_against_the_article(text, stated_on, precision):
    [c] = extract_candidates(text, REF)
    assert (c.stated_on, c.date_precision) == (stated_on, precision)


def test_meanwhile_keeps_the_previous_sentence_date():
    text = "In April, Austria said it will not send troops. Meanwhile, Ireland said it is ready to send peacekeepers."
    got = {c.country: c.stated_on for c in extract_candidates(text, REF)}
    assert got == {"AT": dt.date(2025, 4, 1), "IE": dt.date(2025, 4, 1)}


def test_unknown_article_date_stays_unknown():
    [c] = extract_candidates("On 3 June, Norway said it is ready to send troops.", DateValue.unknown())
    assert (c.stated_on, c.date_precision) == (None, "unknown")


def test_topic_carries_from_the_previous_sentence():
    text = "Ireland is ready to send peacekeepers to Ukraine. Malta is also ready for this."
    assert pairs(text) == {("IE", "support"), ("MT", "support")}


def test_topic_from_the_previous_sentence_needs_a_pointer_back():
    text = "Ireland is ready to send peacekeepers to Ukraine. Finland joined NATO in 2023. Norway pledged more aid."
    assert pairs(text) == {("IE", "support")}


@pytest.mark.parametrize("text", [
    "Rutte urged caution about troops.",
    "Greece will participate in the talks on troops in Geneva.",
    "Portugal pledged more money for the troops of Ukraine.",
])
def test_generic_verbs_need_the_force(text):
    assert pairs(text) == set()


def test_proposer_considering_its_own_proposal_is_support():
    text = ("Greece proposed a peacekeeping mission in May. "
            "Greece and Cyprus are considering options for deploying troops.")
    assert pairs(text) == {("GR", "support"), ("CY", "undecided")}


def test_headline_names_its_holder():
    assert pairs("Latvia: we will not send soldiers") == {("LV", "reject")}


def test_a_glued_full_stop_ends_a_sentence_but_not_a_name():
    assert [s.text for s in split_sentences("Talks ended late.Norway is ready.")] == ["Talks ended late.", "Norway is ready."]
    assert len(split_sentences("Japan is not among them, Caliber.Az reports via foreign media.")) == 1


def test_sentence_split_keeps_abbreviations():
    sents = split_sentences("The U.S. will not send troops. Mr. Smith agreed.\nA headline\nNext one.")
    assert [s.text for s in sents] == ["The U.S. will not send troops.", "Mr. Smith agreed.", "A headline",
                                       "Next one."]


def test_extractor_interface_reads_the_article_date():
    art = ArticleInput(body="Norway is ready to send troops.", published_on=dt.date(2025, 1, 5), date_precision="day")
    [c] = RuleExtractor().extract(art)
    assert c.stated_on == dt.date(2025, 1, 5)
