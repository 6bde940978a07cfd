"""The public HTML pages through the Flask test client: programme, registration, the secret-link pages."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import utcnow
from app.mail import OutboxMessage
from events.registration.models import Attendee, Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from events.programme.models import EventStatus, SessionKind
from tests.factories import make_event, make_session, register, registration_form

NAMES = {
    "arabic": "محمد عبد الله",
    "chinese": "王小明",
    "devanagari": "प्रिया शर्मा",
    "vietnamese": "Nguyễn Thị Minh Khai",
}


def counts(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Attendee, Registration, Enrolment, OutboxMessage))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_errors(response, field_id: str) -> list[str]:
    """The error messages shown right after the field ``field_id``, inside the same ``div.field``."""
    page = response.get_data(as_text=True)
    match = re.search(r'<div class="field invalid">((?:(?!<div class="field).)*?id="%s"(?:(?!<div class="field).)*?)'
                      r'<ul class="error"[^>]*>(.*?)</ul>' % re.escape(field_id), page, re.S)
    if match is None:
        return []
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", match.group(2), re.S)]


# ------------------------------------------------------------------------------------------ public pages


def test_event_list_shows_published_upcoming_days_only(client, db):
    shown = make_event(title="Düsseldorf meets International Talents")
    make_event(title="A draft day", status=EventStatus.DRAFT)
    past = utcnow() - timedelta(days=10)
    make_event(title="Last year's day", starts_at=past, registration_closes_at=past)
    page = text_of(client.get("/"))
    assert shown.title in page
    assert "A draft day" not in page and "Last year's day" not in page


def test_event_page_filters_and_seats_left(client, db):
    event = make_event()
    workshop = make_session(event, capacity=3, title="Job applications in Germany", language="en")
    talk = make_session(event, offset_minutes=120, capacity=None, kind=SessionKind.TALK,
                        title="Residence permit after graduation", language="de")
    full = make_session(event, offset_minutes=240, capacity=1, title="Meet the chamber of commerce")
    register(event, sessions=[workshop, full])
    register(event, sessions=[full])

    page = text_of(client.get(f"/e/{event.slug}/"))
    assert all(s.title in page for s in (workshop, talk, full))
    assert "2 seats left" in page
    assert "Open to all" in page
    assert "Full · 1 on the waiting list" in page

    talks = text_of(client.get(f"/e/{event.slug}/?kind=talk"))
    assert talk.title in talks and workshop.title not in talks
    german = text_of(client.get(f"/e/{event.slug}/?language=de"))
    assert talk.title in german and workshop.title not in german
    nothing = text_of(client.get(f"/e/{event.slug}/?kind=panel"))
    assert "Nothing matches this filter." in nothing
    # Unknown filter values are ignored, not errors.
    assert client.get(f"/e/{event.slug}/?kind=<script>&language=xx").status_code == 200


def test_session_page(client, db):
    event = make_event()
    session = make_session(event, capacity=5, title="CV clinic", speakers="Dr. Aylin Demir", room="Room 2")
    page = text_of(client.get(f"/e/{event.slug}/s/{session.id}"))
    assert "CV clinic" in page and "Dr. Aylin Demir" in page and "Room 2" in page and "5 seats left" in page
    assert f"/e/{event.slug}/register?session={session.id}" in page


@pytest.mark.parametrize("path", [
    "/e/no-such-day/", "/e/no-such-day/register", "/e/{slug}/s/999999", "/e/{slug}/s/{other}",
    "/e/{slug}/s/99999999999999999999999", "/e/{draft}/", "/r/not-a-token", "/r/not-a-token/confirm",
    "/r/not-a-token/profile", "/r/not-a-token/cancel", "/r/" + "x" * 300,
])
def test_unknown_things_give_a_404_page(client, db, path):
    event = make_event()
    other = make_session(make_event(), capacity=2)
    draft = make_event(status=EventStatus.DRAFT)
    response = client.get(path.format(slug=event.slug, other=other.id, draft=draft.slug))
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert response.mimetype == "text/html"


def test_register_page_preselects_a_session_and_ignores_junk(client, db):
    event = make_event()
    session = make_session(event, capacity=5)
    page = client.get(f"/e/{event.slug}/register?session={session.id}&session=²&session=abc&session=9" * 3)
    assert page.status_code == 200
    assert re.search(r'<input checked[^>]*value="%d"' % session.id, page.get_data(as_text=True))


# ------------------------------------------------------------------------------------------ registering


def test_register_happy_path_redirects_to_check_your_email(client, db):
    event = make_event()
    session = make_session(event, capacity=5)
    response = client.post(f"/e/{event.slug}/register", data=registration_form("ana@example.org", [session]))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/e/{event.slug}/registered")
    page = text_of(client.get(response.headers["Location"]))
    assert "Check your e-mail" in page and "ana@example.org" in page
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status == RegistrationStatus.PENDING
    assert registration.attendee.full_name == "Ana Pérez"
    assert registration.attendee.languages == {"en": "C1"}
    assert [e.status for e in registration.enrolments] == [EnrolmentStatus.CONFIRMED]
    (mail,) = db.session.scalars(select(OutboxMessage)).all()
    assert mail.template == "confirm_registration" and f"/r/{registration.token}/confirm" in mail.body_text


INVALID = [
    ("email", "", "Please give your e-mail address."),
    ("email", "not-an-address", "This does not look like an e-mail address."),
    ("email", "a@" + "b" * 260 + ".org", "Field cannot be longer than 254 characters."),
    ("full_name", "   ", "Please tell us your name."),
    ("full_name", "N" * 201, "Field cannot be longer than 200 characters."),
    ("full_name", "Ana\x00Pérez", "This contains a character we cannot store (U+0000)."),
    ("badge_name", "B" * 81, "Field cannot be longer than 80 characters."),
    ("badge_name", "Ana\u202e\x07", "This contains a character we cannot store (U+0007)."),
    ("country", "", "Please choose a country."),
    ("country", "XX", "Not a valid choice."),
    ("university", "", "Please name your university."),
    ("degree_level", "", "Please choose your degree."),
    ("degree_level", "wizard", "Not a valid choice."),
    ("field_of_study", "", "Please name your field of study."),
    ("graduation_date", "next summer", "Not a valid date value."),
    ("graduation_date", "1900-01-01", "Please give a date between 1950 and 2100."),
    ("languages-0-level", "", "Choose a level for this language."),
    ("languages-0-level", "Z9", "Not a valid choice."),
    ("locale", "xx", "Not a valid choice."),
]


@pytest.mark.parametrize("name,value,message", INVALID, ids=[f"{n}={v[:12]!r}" for n, v, _ in INVALID])
def test_every_field_error_is_shown_beside_its_field(client, db, name, value, message):
    event = make_event()
    before = counts(db)
    response = client.post(f"/e/{event.slug}/register", data=registration_form(**{name: value}))
    assert response.status_code == 422
    assert message in field_errors(response, name)
    assert "Please check the fields marked below." in text_of(response)
    assert counts(db) == before


@pytest.mark.parametrize("data,message", [
    ({"consent_processing": ""}, "We cannot register you without this consent."),
    ({"seeking": ["job", "money"]}, "'money' is not a valid choice for this field."),
    ({"sessions": ["12345"]}, "'12345' is not a valid choice for this field."),
    ({"sessions": ["lots"]}, "Invalid choice(s): one or more data inputs could not be coerced."),
    ({"languages-1-code": "en", "languages-1-level": "B2"}, "Each language only once, please."),
])
def test_other_field_errors_are_shown(client, db, data, message):
    event = make_event()
    before = counts(db)
    response = client.post(f"/e/{event.slug}/register", data={**registration_form(), **data})
    assert response.status_code == 422
    assert message in text_of(response)
    assert counts(db) == before


def test_overlapping_sessions_are_an_error_on_the_sessions_field(client, db):
    event = make_event()
    a = make_session(event, title="CV clinic")
    b = make_session(event, offset_minutes=30, title="Interview training")
    before = counts(db)
    response = client.post(f"/e/{event.slug}/register", data=registration_form(sessions=[a, b]))
    assert response.status_code == 422
    page = text_of(response)
    # People's text in a message is isolated (FSI … PDI), so a right-to-left override cannot reverse it.
    assert "“\u2068CV clinic\u2069” and “\u2068Interview training\u2069” take place at the same time; choose one." in page
    assert counts(db) == before


def test_closed_registration_says_so(client, db):
    event = make_event(registration_closes_at=utcnow() - timedelta(minutes=1))
    assert "Registration for this welcome day is not open." in text_of(client.get(f"/e/{event.slug}/register"))
    response = client.post(f"/e/{event.slug}/register", data=registration_form())
    assert response.status_code == 422
    assert "Registration for this welcome day has closed." in text_of(response)
    assert counts(db) == (0, 0, 0, 0)


def test_same_email_again_sends_the_link_and_creates_nothing(client, db):
    event = make_event()
    client.post(f"/e/{event.slug}/register", data=registration_form("ana@example.org"))
    response = client.post(f"/e/{event.slug}/register",
                           data=registration_form(" ANA@example.org", full_name="Someone Else"))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert db.session.scalars(select(Attendee.full_name)).one() == "Ana Pérez"
    templates = db.session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)).all()
    assert templates == ["confirm_registration", "registration_link"]


@pytest.mark.parametrize("script", sorted(NAMES))
def test_names_in_any_script_round_trip_unchanged(client, db, script):
    event = make_event()
    name = NAMES[script]
    response = client.post(f"/e/{event.slug}/register",
                           data=registration_form(f"{script}@example.org", full_name=name, badge_name=name,
                                                  university=name, field_of_study=name))
    assert response.status_code == 302
    attendee = db.session.scalars(select(Attendee)).one()
    assert attendee.full_name == attendee.badge_name == attendee.university == attendee.field_of_study == name
    token = db.session.scalars(select(Registration)).one().token
    assert f"Hello, <bdi>{name}</bdi>" in text_of(client.get(f"/r/{token}"))  # isolated: see app/security.py
    assert name in text_of(client.get(f"/r/{token}/profile"))


def test_oversize_body_is_413(client, db, app):
    event = make_event()
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/e/{event.slug}/register", data=registration_form(full_name=big))
    assert response.status_code == 413
    assert "Too large" in text_of(response)
    assert counts(db) == (0, 0, 0, 0)


# ------------------------------------------------------------------------------------------ the secret link


def test_confirm_link_and_my_registration_page(client, db):
    event = make_event()
    full = make_session(event, capacity=1, title="Meet the chemicals company")
    register(event, sessions=[full])
    registration = register(event, sessions=[full], confirm=False)
    token = registration.token
    page = text_of(client.get(f"/r/{token}"))
    assert "Waiting for your confirmation" in page
    assert "Waiting list: number 1" in page

    response = client.get(f"/r/{token}/confirm")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/r/{token}")
    page = text_of(client.get(f"/r/{token}"))
    assert "Thank you, your e-mail address is confirmed." in page
    assert "Confirmed" in page
    assert response.headers["Referrer-Policy"] == "same-origin"
    # Opening the link again is harmless.
    assert client.get(f"/r/{token}/confirm").status_code == 302


def test_event_waiting_list_position_is_shown(client, db):
    event = make_event(capacity=1)
    register(event)
    waiting = register(event, confirm=False)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert "You are number 1 on the waiting list" in text_of(client.get(f"/r/{waiting.token}"))


def test_add_and_drop_sessions(client, db):
    event = make_event()
    a = make_session(event, capacity=1, title="CV clinic")
    b = make_session(event, offset_minutes=30, capacity=5, title="Interview training")
    holder = register(event, sessions=[a])
    registration = register(event)
    token = registration.token
    assert "CV clinic" in text_of(client.get(f"/r/{token}"))  # offered in "Add a session"

    response = client.post(f"/r/{token}/sessions", data={"session_id": a.id})
    assert response.status_code == 303
    # The title between Unicode isolates (U+2068 … U+2069): a right-to-left override in it ends there.
    assert "“\u2068CV clinic\u2069” is full: you are on its waiting list, number 1." in text_of(client.get(f"/r/{token}"))

    response = client.post(f"/r/{token}/sessions", data={"session_id": b.id}, follow_redirects=True)
    assert "overlaps with “\u2068CV clinic\u2069”" in text_of(response)
    response = client.post(f"/r/{token}/sessions", data={"session_id": "abc"}, follow_redirects=True)
    assert "Please choose a session." in text_of(response)
    response = client.post(f"/r/{token}/sessions", data={"session_id": a.id}, follow_redirects=True)
    assert "You are already down for “\u2068CV clinic\u2069”." in text_of(response)

    # Dropping asks first and says what is lost: the seat (it goes to the one waiting), or the place in line.
    page = text_of(client.get(f"/r/{holder.token}"))
    assert f'href="/r/{holder.token}/sessions/{a.id}/drop"' in page  # a link to the question, not a one-click form
    asked = text_of(client.get(f"/r/{holder.token}/sessions/{a.id}/drop"))
    assert "You give up your seat." in asked and "goes at once to the person waiting for it" in asked
    asked = text_of(client.get(f"/r/{token}/sessions/{a.id}/drop"))
    assert "You give up number 1 on the waiting list." in asked and "Yes, drop it" in asked
    assert client.get(f"/r/{token}/sessions/{b.id}/drop").status_code == 303  # not down for it: nothing to ask
    db.session.expire_all()
    assert [e.status for e in registration.enrolments] == [EnrolmentStatus.WAITLISTED]  # asking changed nothing

    # The holder drops: our registration moves up into the seat.
    response = client.post(f"/r/{holder.token}/sessions/{a.id}/drop")
    assert response.status_code == 303
    db.session.expire_all()
    assert [e.status for e in registration.enrolments] == [EnrolmentStatus.CONFIRMED]
    response = client.post(f"/r/{holder.token}/sessions/{a.id}/drop", follow_redirects=True)
    assert "You are not down for this session." in text_of(response)

    response = client.post(f"/r/{token}/sessions/{a.id}/drop", follow_redirects=True)
    assert "Done: the session is no longer in your day." in text_of(response)
    response = client.post(f"/r/{token}/sessions", data={"session_id": b.id}, follow_redirects=True)
    assert "You have a seat in “\u2068Interview training\u2069”." in text_of(response)


def test_profile_edit(client, db):
    event = make_event()
    registration = register(event)
    token = registration.token
    page = text_of(client.get(f"/r/{token}/profile"))
    assert 'value="Ngozi Okafor"' in page

    form = {k: v for k, v in registration_form(full_name="Ngozi Adaeze Okafor", badge_name="Adaeze").items()
            if k not in ("email", "consent_processing", "sessions")}
    form["consent_sharing"] = ""
    response = client.post(f"/r/{token}/profile", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    assert registration.attendee.full_name == "Ngozi Adaeze Okafor"
    assert registration.attendee.badge_name == "Adaeze"
    assert registration.consent_sharing_at is None

    response = client.post(f"/r/{token}/profile", data={**form, "full_name": "", "country": "XX"})
    assert response.status_code == 422
    assert "Please tell us your name." in field_errors(response, "full_name")
    assert "Not a valid choice." in field_errors(response, "country")
    db.session.expire_all()
    assert registration.attendee.full_name == "Ngozi Adaeze Okafor"


def test_cancel(client, db):
    event = make_event()
    seat = make_session(event, capacity=1)
    registration = register(event, sessions=[seat])
    waiting = register(event, sessions=[seat])
    token = registration.token
    assert "Cancel my registration?" in text_of(client.get(f"/r/{token}/cancel"))
    response = client.post(f"/r/{token}/cancel")
    assert response.status_code == 303
    page = text_of(client.get(f"/r/{token}"))
    assert "Your registration is cancelled." in page and "Register again" in page
    db.session.expire_all()
    assert registration.status == RegistrationStatus.CANCELLED
    assert waiting.enrolments[0].status == EnrolmentStatus.CONFIRMED
    assert client.post(f"/r/{token}/cancel").status_code == 303  # twice is harmless
