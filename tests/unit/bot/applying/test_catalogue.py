from bot.applying.catalogue import load_catalogue
from bot.applying.eligibility import badge_open, training_completed, training_qualifies

CATALOGUE = load_catalogue()
TSF = CATALOGUE.get("team-science-fundamentals")
COMPLEMENTARY = CATALOGUE.get("complementary-team-science")


def test_team_science_fundamentals_is_open_with_a_template_and_trainings():
    assert TSF.is_open and TSF.credly_template_id
    assert TSF.trainings and TSF.documents


def test_the_complementary_badges_are_listed_but_not_open():
    assert COMPLEMENTARY is not None and not COMPLEMENTARY.is_open
    assert CATALOGUE.open_badges == (TSF,)


def test_badges_are_found_by_how_learners_name_them():
    assert CATALOGUE.match("I'd like to apply for the Team Science badge") is TSF
    assert CATALOGUE.match("TSF please") is TSF
    assert CATALOGUE.match("one of the complementary team science badges") is COMPLEMENTARY
    assert CATALOGUE.match("the quantum badge") is None


def test_trainings_are_found_by_name_or_alias():
    assert TSF.match_training("I did the digital badging pilot last year").id == "digital-badging-pilot"
    assert TSF.match_training("ACTS Team Science Fundamentals training").id == "tsf-training"
    assert TSF.match_training("a coursera course on teamwork") is None


def test_a_closed_badge_is_not_eligible_and_says_what_to_do_instead():
    verdict = badge_open(COMPLEMENTARY)
    assert not verdict.eligible and "not open" in verdict.reason and "questions" in verdict.next_step
    assert badge_open(TSF).eligible


def test_no_completed_training_is_not_eligible():
    verdict = training_completed(TSF, False)
    assert not verdict.eligible and "qualifying training" in verdict.reason
    assert training_completed(TSF, True).eligible


def test_only_listed_trainings_qualify():
    assert training_qualifies(TSF, "tsf-training").eligible
    verdict = training_qualifies(TSF, None)
    assert not verdict.eligible and "{contact}" in verdict.next_step
