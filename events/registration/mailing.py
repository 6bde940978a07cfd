"""E-mail to a segment (everyone, a session's attendees, the waiting list, no-shows) as a background job.

Each message goes through the outbox in the recipient's own language; the job commits in small batches and
reports progress, so a thousand mails neither block a request nor hold one long transaction.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import audit
from app.extensions import db
from app.inputs import db_id
from app.jobs import JobContext, enqueue
from app.mail import queue_mail
from app.security import isolated
from events.registration.models import (
    HOLDS_PLACE,
    Enrolment,
    EnrolmentStatus,
    Registration,
    RegistrationStatus,
)
from events.programme.models import Event, Session
from events.dashboard.figures import no_show_ids

TEMPLATES = {
    "reminder": _l("Reminder: see you soon"),
    "waitlist": _l("Waiting list: still in line"),
    "feedback": _l("Thank you for coming"),
    "custom": _l("My own text"),
}
BATCH = 50


class SegmentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def segment_choices(event: Event, *, no_shows_known: bool) -> list[tuple[str, str]]:
    choices = [("everyone", _("Everyone with a place")), ("waitlisted", _("The waiting list for the day"))]
    if no_shows_known:
        choices.append(("no_shows", _("No-shows (a place, but not checked in)")))
    for s in event.sessions:
        if s.needs_seat and not s.is_cancelled:
            choices.append((f"session:{s.id}", _("Seats in: %(title)s", title=isolated(s.title))))
    return choices


def recipients(event: Event, segment: str) -> list[int]:
    """Registration ids in the segment, in a stable order."""
    base = select(Registration.id).where(Registration.event_id == event.id).order_by(Registration.id)
    if segment == "everyone":
        return list(db.session.scalars(base.where(Registration.status.in_(HOLDS_PLACE))))
    if segment == "waitlisted":
        return list(db.session.scalars(base.where(Registration.status == RegistrationStatus.WAITLISTED)))
    if segment == "no_shows":
        ids = no_show_ids(event)
        if ids is None:
            raise SegmentError(_("There is no check-in data yet."))
        return sorted(ids)
    if segment.startswith("session:") and db_id(segment[8:]):
        session = db.session.get(Session, db_id(segment[8:]))
        if session is None or session.event_id != event.id:
            raise SegmentError(_("Choose a session of this event."))
        return list(db.session.scalars(base.where(Registration.status.in_(HOLDS_PLACE), Registration.id.in_(
            select(Enrolment.registration_id).where(Enrolment.session_id == session.id,
                                                    Enrolment.status == EnrolmentStatus.CONFIRMED)))))
    raise SegmentError(_("Unknown group."))


def start_segment_mail(event: Event, user, *, segment: str, template: str, subject: str = "",
                       body: str = ""):
    if template not in TEMPLATES:
        raise SegmentError(_("Unknown template."))
    ids = recipients(event, segment)
    if not ids:
        raise SegmentError(_("Nobody is in this group."))
    audit("mail.segment", event, None, {"segment": segment, "template": template, "subject": subject,
                                        "recipients": len(ids)}, user=user)
    # enqueue commits the job with the audit entry: one transaction, no entry for mail that was never queued.
    return enqueue("console.segment_mail", event_id=event.id, user_id=user.id, segment=segment,
                   template=template, subject=subject, body=body, registration_ids=ids)


def send_segment_mail(ctx: JobContext, segment: str, template: str, subject: str, body: str,
                      registration_ids: list[int]) -> None:
    total = len(registration_ids)
    sent = 0
    for start in range(0, total, BATCH):
        chunk = registration_ids[start:start + BATCH]
        for registration in db.session.scalars(select(Registration).where(Registration.id.in_(chunk))
                                               .order_by(Registration.id)):
            if registration.status == RegistrationStatus.CANCELLED:
                continue  # cancelled since the job started
            queue_mail(registration.attendee.email, f"segment_{template}", locale=registration.attendee.locale,
                       registration=registration, event=registration.event, subject=subject, body=body)
            sent += 1
        db.session.commit()
        ctx.progress(min(start + BATCH, total), total, _("writing e-mails"))
    ctx.finish_with(sent=sent)
