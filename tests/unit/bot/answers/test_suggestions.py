from bot.answers.suggestions import Closest, closest_answers, only_thanks

ANSWERABLE = {"faq_fee", "faq_privacy", "faq_sharing", "faq_export"}


def rank(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def test_the_best_answerable_topics_in_order_at_most_three():
    ranking = rank(("faq_privacy", 0.2), ("faq_fee", 0.25), ("faq_sharing", 0.1), ("faq_export", 0.09))
    closest = closest_answers(ranking, ANSWERABLE)
    assert closest.answered + closest.offered == ("faq_fee", "faq_privacy", "faq_sharing")


def test_never_answers_or_offers_what_it_cannot_answer():
    ranking = rank(("out_of_scope", 0.4), ("nlu_fallback", 0.3), ("greet", 0.2), ("faq_fee", 0.1))
    assert closest_answers(ranking, ANSWERABLE) == Closest(("faq_fee",), ())


def test_noise_is_not_a_reading():
    assert closest_answers(rank(("faq_fee", 0.02), ("faq_privacy", 0.01)), ANSWERABLE) == Closest((), ())


def test_empty_ranking():
    assert closest_answers([], ANSWERABLE) == Closest((), ())


def test_the_closest_reading_is_answered_and_a_real_contender_too():
    ranking = rank(("nlu_fallback", 0.5), ("faq_fee", 0.4), ("faq_privacy", 0.25), ("faq_sharing", 0.1))
    closest = closest_answers(ranking, ANSWERABLE)
    assert closest.answered == ("faq_fee", "faq_privacy")
    assert closest.offered == ("faq_sharing",)


def test_a_far_second_reading_is_only_offered():
    closest = closest_answers(rank(("faq_fee", 0.4), ("faq_privacy", 0.15), ("faq_sharing", 0.1)), ANSWERABLE)
    assert closest.answered == ("faq_fee",)
    assert closest.offered == ("faq_privacy", "faq_sharing")


def test_nothing_plausible_is_neither_answered_nor_offered():
    closest = closest_answers(rank(("out_of_scope", 0.6), ("faq_fee", 0.05)), ANSWERABLE)
    assert closest.answered == () and closest.offered == ()


def test_a_thank_you_read_unsurely_is_still_a_thank_you():
    assert only_thanks(rank(("nlu_fallback", 0.5), ("thanks", 0.45), ("affirm", 0.42)))
    assert not only_thanks(rank(("nlu_fallback", 0.5), ("affirm", 0.47), ("thanks", 0.09)))
    assert not only_thanks([])
