"""The mail that tells a web learner of a decision on their application: what it is for, who sent it,
the reference and where the application stands (the reviewer's reason included); nothing else: no
name, organisation or ORCID iD. Learner-supplied text (a reason quoting them) is HTML-escaped."""

from __future__ import annotations

from html import escape

from bot.answers.faq import load_faq
from bot.mail.sending import Mail
from bot.reviewing.status import explain
from bot.store.models import Application

APPROVED, REJECTED, REVOKED = "approved", "rejected", "revoked"
SUBJECTS = {
    APPROVED: "Your ACTS badge application {reference} is approved",
    REJECTED: "Your ACTS badge application {reference} was not approved",
    REVOKED: "The badge of your ACTS application {reference} was revoked",
}
SIGNATURE = "ACTS Digital Badges (Association for Clinical and Translational Science)"


def news_of(application: Application) -> str | None:
    """The decision a learner is mailed about, from the application as it is now; None for changes
    that are no decision (received, under review, the learner accepting their badge in Credly)."""
    if application.status == REVOKED or (application.status == APPROVED and application.credly_state == REVOKED):
        return REVOKED
    if application.status in (APPROVED, REJECTED):
        return application.status
    return None


def decision_mail(to: str, application: Application, news: str) -> Mail:
    """`news` names the decision (the subject); the body says where the application stands when the
    mail is sent, in the same words as a status question gets (the Credly claim step included)."""
    reference = application.reference
    where = explain(application)
    why = (
        f"You get this mail because this address was given with ACTS digital badge application {reference}. "
        "It was sent by the ACTS badge assistant; please don't reply to it. To ask where your application "
        "stands, tell the assistant your reference and this email address. Questions about the decision: "
        f"{load_faq().contact()}."
    )
    opening = f"Hello,\n\nthere is news about your ACTS digital badge application {reference}."
    text = f"{opening}\n\n{where}\n\n{why}\n\n{SIGNATURE}\n"
    html = (
        f"<p>Hello,</p><p>there is news about your ACTS digital badge application <strong>{escape(reference)}"
        f"</strong>.</p><p>{escape(where)}</p><p>{escape(why)}</p><p>{escape(SIGNATURE)}</p>"
    )
    return Mail(to=to, subject=SUBJECTS[news].format(reference=reference), text=text, html=html)
