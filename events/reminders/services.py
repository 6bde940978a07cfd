"""Reminders: which are due, sending each once per person in their language, the event's setting, a preview.

A reminder "d days before" is due from d days before the day starts until it starts. A person gets the reminder
of the window they are in (the smallest d already due): someone who registers three days before a day with
reminders "7,1" gets the 7-day one at the next run and the 1-day one the day before, never a late 7-day one after
the 1-day one. A ReminderSent row is written with the mail, in one transaction per event, under a unique key
(INSERT … ON CONFLICT DO NOTHING): a rerun, or two runs at once, send nothing twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.audit import audit
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.programme.models import Event, EventStatus
from events.registration.models import Registration, RegistrationStatus
from events.registration.services import confirmation_attachments
from events.reminders.models import ReminderSent

MAX_DAYS = 60
TEMPLATE = "reminder"
_CLAIM = {dialect: module.insert(ReminderSent.__table__).on_conflict_do_nothing(
    index_elements=["registration_id", "days_before"]).returning(ReminderSent.id) for dialect, module in (("postgresql", postgresql),
                                                                               ("sqlite", sqlite))}


class SettingError(ValueError):
    """The days given cannot be a reminder setting; the message says why."""


def parse_days(text: str | None) -> list[int]:
    """ "7, 1" → [7, 1]: whole days before the day, each once, largest first; "" → none."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or not 1 <= int(part) <= MAX_DAYS:
            raise SettingError(part[:10])
        days.add(int(part))
    return sorted(days, reverse=True)


def due_window(event: Event, now: datetime) -> int | None:
    """The reminder whose window ``now`` is in (see the module's docstring), or None."""
    if event.starts_at <= now:
        return None
    due = [d for d in parse_days(event.reminder_days) if event.starts_at - timedelta(days=d) <= now]
    return min(due) if due else None


def _recipients(event: Event, days: int) -> list[Registration]:
    sent = select(ReminderSent.registration_id).where(ReminderSent.days_before == days)
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.id.not_in(sent)).order_by(Registration.id)))


def send_event_reminders(event: Event, now: datetime) -> int:
    """Write the due reminder of ``event`` to the outbox for everyone who has not had it; one transaction."""
    days = due_window(event, now)
    if days is None:
        return 0
    conn = db.session.connection()
    count = 0
    for registration in _recipients(event, days):
        claimed = conn.execute(_CLAIM[conn.dialect.name], {
            "registration_id": registration.id, "days_before": days, "sent_at": now}).first()
        if claimed is None:  # RETURNING gives no row when the key was there (psycopg's rowcount here is -1)
            continue  # another run sent it meanwhile
        attendee = registration.attendee
        queue_mail(attendee.email, TEMPLATE, locale=attendee.locale or "en", registration=registration,
                   event=event, attachments=confirmation_attachments(registration.id))
        count += 1
    db.session.commit()
    return count


def send_due(now: datetime | None = None) -> int:
    """Send every published event's due reminders (the scheduled command); returns how many were written."""
    now = now or utcnow()
    horizon = now + timedelta(days=MAX_DAYS)
    events = list(db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.starts_at > now, Event.starts_at <= horizon,
        Event.reminder_days != "").order_by(Event.starts_at)))
    return sum(send_event_reminders(event, now) for event in events)


def sent_counts(event: Event) -> dict[int, int]:
    rows = db.session.execute(
        select(ReminderSent.days_before, func.count()).join(Registration)
        .where(Registration.event_id == event.id).group_by(ReminderSent.days_before))
    return {days: count for days, count in rows}


def save_setting(event: Event, days: list[int]) -> None:
    """Staff set the days; the change and its audit entry commit together."""
    before = event.reminder_days
    event.reminder_days = ",".join(str(d) for d in days)
    audit("reminders.settings", event, before={"days": before}, after={"days": event.reminder_days})
    db.session.commit()


def preview(event: Event, locale: str) -> dict:
    """The reminder as a sample person would get it in ``locale``: subject, text and attachments. A stand-in
    person, not a real one: a preview must not show anyone's secret link."""
    sessions = [s for s in event.sessions if not s.is_cancelled][:2]
    sample = SimpleNamespace(
        token="PREVIEW", attendee=SimpleNamespace(badge_name="Ana", full_name="Ana Pérez"),
        active_enrolments=[SimpleNamespace(session=s, status=RegistrationStatus.CONFIRMED) for s in sessions])
    with force_locale(locale):
        subject = render_template(f"email/{TEMPLATE}.subject.txt", event=event, registration=sample).strip()
        text = render_template(f"email/{TEMPLATE}.txt", event=event, registration=sample)
    return {"subject": subject, "text": text, "attachments": [f"badge-{event.slug}.pdf",
                                                              f"{event.slug}-agenda.pdf", f"{event.slug}-agenda.ics"]}
