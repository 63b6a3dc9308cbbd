"""The sliding-window limit: a burst up to the limit passes, the next is refused, and the window slides."""

from __future__ import annotations

from bot.channels.limits import SlidingWindow


def test_a_key_gets_its_limit_per_window_and_others_are_unaffected():
    now = [0.0]
    window = SlidingWindow(3, window=60, clock=lambda: now[0])
    assert [window.allow("a") for _ in range(4)] == [True, True, True, False]
    assert window.allow("b")
    now[0] += 59.9
    assert not window.allow("a")
    now[0] += 0.2  # the first three are now more than a minute old
    assert window.allow("a")
