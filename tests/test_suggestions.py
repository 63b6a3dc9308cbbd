from bot.answers.suggestions import pick_suggestions

ANSWERABLE = {"faq_fee", "faq_privacy", "faq_sharing", "faq_export"}


def rank(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def test_offers_the_best_answerable_topics_in_order():
    ranking = rank(("faq_privacy", 0.2), ("faq_fee", 0.25), ("faq_sharing", 0.1), ("faq_export", 0.09))
    assert pick_suggestions(ranking, ANSWERABLE) == ["faq_fee", "faq_privacy", "faq_sharing"]


def test_never_offers_what_it_cannot_answer():
    ranking = rank(("out_of_scope", 0.4), ("nlu_fallback", 0.3), ("greet", 0.2), ("faq_fee", 0.1))
    assert pick_suggestions(ranking, ANSWERABLE) == ["faq_fee"]


def test_noise_is_not_a_suggestion():
    assert pick_suggestions(rank(("faq_fee", 0.02), ("faq_privacy", 0.01)), ANSWERABLE) == []


def test_empty_ranking():
    assert pick_suggestions([], ANSWERABLE) == []
