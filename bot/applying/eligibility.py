"""Who may apply for a badge: the rules, and what to tell someone who may not (yet)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.applying.catalogue import Badge


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reason: str = ""
    next_step: str = ""

    @property
    def message(self) -> str:
        return f"{self.reason} {self.next_step}".strip()


ELIGIBLE = Verdict(eligible=True)


def badge_open(badge: Badge) -> Verdict:
    if badge.is_open:
        return ELIGIBLE
    return Verdict(
        eligible=False,
        reason=f"The {badge.name} are not open for applications yet: the SIG is still developing them, "
        "and they will be released once they are complete.",
        next_step="Until then I'm happy to answer your questions about badges and Credly.",
    )


def training_completed(badge: Badge, completed: bool) -> Verdict:
    if completed:
        return ELIGIBLE
    names = " or ".join(t.name for t in badge.trainings)
    return Verdict(
        eligible=False,
        reason=f"The {badge.name} badge recognises learning you have already completed, "
        f"so you need to have finished a qualifying training first ({names}).",
        next_step="Once you have completed it, come back and apply: I'll keep nothing from this conversation.",
    )


def training_qualifies(badge: Badge, training_id: str | None) -> Verdict:
    if badge.training(training_id) is not None:
        return ELIGIBLE
    names = "; ".join(t.name for t in badge.trainings)
    return Verdict(
        eligible=False,
        reason=f"Only these trainings qualify for the {badge.name} badge: {names}.",
        next_step="If you believe another training should count, please contact {contact} before applying.",
    )
