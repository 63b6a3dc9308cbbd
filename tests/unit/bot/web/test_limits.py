"""The sliding-window limit: a burst up to the limit passes, the next is refused, and the window slides; limits from the
environment."""

from __future__ import annotations

from bot.web.limits import MESSAGES_PER_SOURCE_PER_MINUTE, SlidingWindow, conversation_limit, source_limit


def test_a_key_gets_its_limit_per_window_and_others_are_unaffected():
    now = [0.0]
    window = SlidingWindow(3, window=60, clock=lambda: now[0])
    assert [window.allow("a") for _ in range(4)] == [True, True, True, False]
    assert window.allow("b")
    now[0] += 59.9
    assert not window.allow("a")
    now[0] += 0.2  # the first three are now more than a minute old
    assert window.allow("a")


def test_limits_come_from_the_environment_and_a_typo_keeps_the_default(monkeypatch):
    monkeypatch.delenv("ACTS_MESSAGES_PER_SOURCE_PER_MINUTE", raising=False)
    assert source_limit() == MESSAGES_PER_SOURCE_PER_MINUTE
    monkeypatch.setenv("ACTS_MESSAGES_PER_SOURCE_PER_MINUTE", "5000")
    assert source_limit() == 5000
    for typo in ("", "lots", "-1", "0", "3.5"):
        monkeypatch.setenv("ACTS_MESSAGES_PER_SOURCE_PER_MINUTE", typo)
        assert source_limit() == MESSAGES_PER_SOURCE_PER_MINUTE
    monkeypatch.setenv("ACTS_MESSAGES_PER_CONVERSATION_PER_MINUTE", "12")
    assert conversation_limit() == 12
