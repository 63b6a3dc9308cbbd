"""The FAQ content is complete, faithful to the seed FAQ, and wired into the domain."""
from __future__ import annotations

import yaml

from bot.faq import load_faq
from tests.conftest import ROOT

SEED_TOPICS = {
    "faq_what_is_badge", "faq_available_badges", "faq_prior_training", "faq_badge_display",
    "faq_benefits", "faq_who_is_credly", "faq_earned_notification", "faq_privacy", "faq_fee",
    "faq_copy_protection", "faq_sharing", "faq_export", "faq_import", "faq_credly_support",
}

# Facts the issue names explicitly; each must survive in the answer of its topic.
KEY_FACTS = {
    "faq_available_badges": ["Team Science Fundamentals", "three complementary team science badges"],
    "faq_prior_training": ["no need to retake"],
    "faq_badge_display": ["Credly", "1EdTech", "IMS Global", "Open Badge"],
    "faq_benefits": ["metadata", "employers"],
    "faq_who_is_credly": ["digital credentials"],
    "faq_earned_notification": ["admin@credly.com"],
    "faq_privacy": ["privacy settings"],
    "faq_fee": ["no cost"],
    "faq_copy_protection": ["uniquely linked"],
    "faq_sharing": ["LinkedIn", "X", "Facebook", "email", "website", "email signature"],
    "faq_export": ["download", "Open Badge Infrastructure", "Badgr Backpack"],
    "faq_import": ["Accredible"],
    "faq_credly_support": ["support.credly.com"],
}


def test_every_seed_topic_has_one_answer():
    assert SEED_TOPICS <= set(load_faq().topics)


def test_answers_keep_their_listed_facts():
    for topic in load_faq().topics.values():
        assert topic.facts, f"{topic.intent} lists no facts to check"
        for fact in topic.facts:
            assert fact.lower() in topic.answer.lower(), f"{topic.intent} lost the fact {fact!r}"


def test_answers_keep_the_facts_the_issue_names():
    faq = load_faq()
    for intent, facts in KEY_FACTS.items():
        for fact in facts:
            assert fact.lower() in faq.topic(intent).answer.lower(), f"{intent} lost {fact!r}"


def test_the_fee_answer_says_no():
    assert load_faq().topic("faq_fee").answer.startswith("No.")


def test_account_questions_point_to_credly_support():
    faq = load_faq()
    for intent in ("credly_account", "credly_missing_email"):
        assert "support.credly.com" in faq.topic(intent).answer


def test_contact_comes_from_the_content_file_or_the_environment(monkeypatch):
    faq = load_faq()
    monkeypatch.delenv("ACTS_CONTACT", raising=False)
    assert "actscts.org" in faq.message("cant_help")
    monkeypatch.setenv("ACTS_CONTACT", "badges@example.org")
    assert "badges@example.org" in faq.message("cant_help")
    assert "badges@example.org" in faq.message("contact")


def test_every_topic_is_an_intent_with_a_rule_and_training_data():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    rules = yaml.safe_load((ROOT / "data/rules/faq.yml").read_text())["rules"]
    ruled = {step["intent"] for rule in rules for step in rule["steps"] if "intent" in step}
    nlu = yaml.safe_load((ROOT / "data/nlu/faq.yml").read_text())["nlu"]
    trained = {block["intent"] for block in nlu}
    for intent in load_faq().topics:
        assert intent in domain["intents"], intent
        assert intent in ruled, intent
        assert intent in trained, intent
