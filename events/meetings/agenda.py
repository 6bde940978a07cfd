"""1:1 meetings in a person's day (events.agendas.items): the attendee's meetings, an employer's table schedule."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from app.content import localized
from app.text import latin
from events.agendas.items import AgendaItem
from events.meetings.matching.scoring import WEIGHTS
from events.meetings.models import MeetingStatus
from events.meetings.services import meetings_for_organisation, meetings_for_registration, table_number
from events.registration.profile import degree_label, languages_text, seeking_text


def reason_text(meeting) -> str:
    """Why the matcher put this pair together, in the reader's language (the stored texts are the matcher's
    English, for the CLI and the CSV export)."""
    return "; ".join(reason_label(r) for r in meeting.reasons or [] if r.get("code") != "base")


def reason_label(reason: dict) -> str:
    """One of the matcher's reasons ({"code", "points", "text"}) in the reader's language."""
    code = reason.get("code")
    if code == "attendee_wish":
        ranks = WEIGHTS["attendee_wish"]
        points = reason.get("points")
        if points in ranks:
            return _("the attendee's wish no. %(rank)d", rank=ranks.index(points) + 1)
        return _("one of the attendee's wishes")
    labels = {
        "employer_wish": _("the employer's wish"),
        "mutual_wish": _("a wish on both sides"),
        "field_match": _("the field of study fits"),
        "language_fit": _("languages above what is asked for"),
        "job_type_overlap": _("both look for the same kind of position"),
    }
    return labels.get(code, reason.get("text", ""))


def latin_spelling(person) -> str:
    """The name in Latin letters: as the attendee spells it, else a transliteration ("" for a Latin name),
    capitalised where the script has no capitals ("አበበ ከበደ" reads "'Abebe Kebede", not "'abebe kebede")."""
    own = (person.latin_name or "").strip()
    if own:
        return own
    spelled = latin(person.full_name)
    if spelled != spelled.lower():
        return spelled
    return " ".join(re.sub(r"[a-z]", lambda m: m.group(0).upper(), word, count=1) for word in spelled.split())


def profile_lines(registration) -> list[str]:
    """Only what the attendee consented to share: name (with its Latin spelling), university, degree, field,
    languages, what they seek; values in the reader's language."""
    if registration.consent_sharing_at is None:
        return []
    person = registration.attendee
    spelled = latin_spelling(person)
    lines = [person.full_name + (f" ({spelled})" if spelled and spelled != person.full_name else ""),
             person.university,
             " · ".join(x for x in (degree_label(person.degree_level), person.field_of_study) if x),
             languages_text(person.languages), seeking_text(person.seeking)]
    return [line for line in lines if line]


def _status(meeting) -> str:
    return "confirmed" if meeting.status == MeetingStatus.PUBLISHED else "cancelled"


def _location(meeting, number: int) -> str:
    session = meeting.setup.session
    room = localized(session.room, "name") if session.room else localized(session, "title")
    return _("%(room)s, table %(number)d", room=room, number=number)


def attendee_meetings(registration):
    for m in meetings_for_registration(registration):
        number = table_number(m.setup, m.organisation_id, m.table)
        yield AgendaItem(uid=f"meeting-{m.id}@welcomeday", kind="meeting", title=m.organisation.name,
                         starts_at=m.slot.starts_at, ends_at=m.slot.ends_at, location=_location(m, number),
                         status=_status(m), description=reason_text(m), sequence=m.sequence,
                         updated_at=m.updated_at, extra={"reason": reason_text(m), "table": number})


def employer_meetings(user, event):
    if not user.is_employer:
        return
    for m in meetings_for_organisation(user.organisation_id, event):
        number = table_number(m.setup, m.organisation_id, m.table)
        lines = profile_lines(m.registration)
        yield AgendaItem(uid=f"meeting-{m.id}-org@welcomeday", kind="meeting",
                         title=lines[0] if lines else m.registration.attendee.badge_name,
                         starts_at=m.slot.starts_at, ends_at=m.slot.ends_at, location=_location(m, number),
                         status=_status(m), description="\n".join(lines + [reason_text(m)]),
                         sequence=m.sequence, updated_at=m.updated_at,
                         extra={"reason": reason_text(m), "table": number, "profile": lines})
