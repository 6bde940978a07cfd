"""Staff, door and employer pages, every PDF, the Excel headers, a job's progress and the mails staff actions send,
read in German and Dutch: no English message, no English word of ours, no raw enum code, no snake_case name (the
checks of tests/i18n.py).

The pages are found in the URL map, like tests/test_permissions.py and tests/test_inputs.py walk it: every GET rule
whose view declares a role is rendered with real ids of one welcome day that happened (a programme, registrations
in every state, check-ins, a matching run and its published meetings, a decided workshop booking, a survey with an
answer, staff actions in the audit log), so a new page is read in both languages without being listed here. The
attendee's PDFs (programme booklet, agenda, certificate) are added by hand: their routes are public. Every form of
a declared role is then sent empty, and its answer read (in German).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import product
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.accounts.models import EventRoleKind
from app.accounts.services import grant_role_by_email
from app.extensions import db as _db
from app.jobs import LOST, Job, JobStatus
from app.mail import OutboxMessage
from events.employers import services as employers
from events.employers.models import EventPartner, Organisation, PartnerRole, PartnerStatus
from events.employers.profiles import ProfileData, save_profile
from events.feedback import services as feedback
from events.meetings import services as meetings
from events.programme import services as programme
from events.programme.models import Room, SessionKind
from events.registration import desk
from events.registration import services as registration
from events.registration.exports import DATASETS
from events.registration.walkins import WalkIn, register_walk_in
from tests.badges.helpers import live_event
from tests.factories import make_session, profile
from tests.feedback.helpers import move_into_past, scan
from tests.i18n import LANGUAGES, pdf_text, untranslated, visible_text, xlsx_headers
from tests.roles import login, team_for
from tests.test_inputs import _url

# Who reads each declared role's pages (employers' pages as the employer: an administrator first chooses for whom).
READER = {"admin": "admin", "staff": "staff", "door": "door", "employer": "employer", "user": "admin"}
# Not for reading: a service worker's script and JSON for programs.
NOT_TEXT = {"door.service_worker", "door.roster_json", "meetings_staff.instance"}
# Forms are sent as an administrator (an empty form may take the event's staff their role), or as the employer.
SENDER = {"staff": "admin", "door": "admin", "user": "admin"}
# Signing out would end the walk's session.
NOT_SENT = {"accounts.logout"}


def _person(event, email: str, name: str, locale: str, sessions=()):
    result = registration.register_attendee(event.slug, registration.RegistrationRequest(
        email=email, profile=profile(name, locale=locale, field_of_study="Chemie"), consent_processing=True,
        consent_sharing=True, session_ids=[s.id for s in sessions]))
    return registration.confirm_email(result.registration)


def _day(lang: str = "de"):
    """A welcome day that happened, with something on every page: the event, the team (its employer contact reads
    ``lang``), the values of the URLs' arguments (a tuple: each is tried) and the German and the Dutch attendee."""
    event = live_event(title="Tag der Talente", description="Für alle.", venue="Haus 1", languages=["de", "nl"])
    workshop = make_session(event, offset_minutes=120, title="CV-Werkstatt", room="Raum 1", capacity=1,
                            speakers="Dr. Ada Lovelace")
    talk = make_session(event, offset_minutes=60, title="Karriere-Café", kind=SessionKind.TALK, capacity=None)
    networking = make_session(event, offset_minutes=240, minutes=45, capacity=None, kind=SessionKind.NETWORKING,
                              title="Arbeitgeber treffen")
    networking.room = Room(event=event, name="Foyer", capacity=200)
    team = team_for(event)
    team["employer"].locale = lang
    organisation = _db.session.get(Organisation, team["employer"].organisation_id)
    organisation.name = "Beispiel GmbH"
    _db.session.get(Organisation, team["other_employer"].organisation_id).name = "Andere GmbH"
    _db.session.add(EventPartner(event=event, organisation=organisation, role=PartnerRole.LEAD,
                                 status=PartnerStatus.ACCEPTED))
    _db.session.add(EventPartner(event=event, organisation=Organisation(name="Neue GmbH"),
                                 role=PartnerRole.CONTRIBUTING, status=PartnerStatus.APPLIED))
    _db.session.commit()
    save_profile(organisation.id, ProfileData(offers=["job", "internship"], fields_of_study=["Chemie"],
                                              degree_levels=["master"]))
    lea = _person(event, "lea@example.org", "Lea Kim", "de", [workshop, talk])
    pieter = _person(event, "pieter@example.org", "Pieter de Vries", "nl", [workshop, talk])  # waiting list
    registration.register_attendee(event.slug, registration.RegistrationRequest(  # not confirmed yet
        email="ola@example.org", profile=profile("Ola Nowak", locale="de"), consent_processing=True))
    gone = _person(event, "jan@example.org", "Jan Jansen", "nl")
    registration.cancel_registration(gone)
    walk_in = register_walk_in(event, WalkIn(email="mo@example.org", full_name="Mo Salah", consent_processing=True,
                                             locale="de")).registration
    # what the audit log then shows: an edited day, a seat beyond the capacity, a mail sent again, a role given
    programme.update_event(event, replace(programme.event_data_from(event), venue="Haus 2", capacity=50))
    desk.give_seat(pieter, workshop.id, override=True, reason="Zweiter Raum")
    desk.resend(lea, "registration_confirmed")
    grant_role_by_email(team["other_staff"].email, event, EventRoleKind.DOOR)
    room = networking.room
    start = event.starts_at + timedelta(hours=6)
    slot = employers.create_slot(event, room.id, start, start + timedelta(hours=1), start - timedelta(minutes=30))
    booking = employers.book_slot(team["employer"], event, slot.id, employers.WorkshopRequest(
        title="Bewerben in Deutschland", abstract="Wie es geht.", language="de", capacity=20))
    employers.decide_booking(event, booking.id, True, "Gern.", team["staff"])
    setup = meetings.configure(networking, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=3)
    meetings.set_employer(setup, organisation.id, 1)
    for someone in (lea, pieter):
        meetings.save_attendee_wishes(setup, someone, [organisation.id], [])
    job = meetings.start_run(setup, "fair", team["admin"])
    assert job.status.value == "done", job.error
    meetings.publish(meetings.setups_of(event)[0])
    for door in ("main", f"session-{talk.id}"):
        scan(event, lea, door, station="Tür 1")
    scan(event, pieter, station="Tür 1")
    move_into_past(event)
    feedback.save_survey(event, ask_overall=True, ask_sessions=True, ask_comment=True, anonymous=False, closed=False)
    feedback.submit_answer(lea, overall=5, session_ratings={talk.id: 4}, comment="Sehr gut.")
    values = {"slug": event.slug, "session_id": networking.id, "registration_id": (walk_in.id, pieter.id),
              "slot_id": slot.id, "job_id": job.id, "door": ("main", f"session-{workshop.id}"),
              "name": "registrations", "fmt": "xlsx", "upload": "x" * 24}
    return event, team, values, {"de": lea, "nl": pieter}


def _urls(rule, values):
    """The rule's URL for each combination of its arguments' values."""
    names = [name for name in rule.arguments if name in values]
    choices = [values[name] if isinstance(values[name], tuple) else (values[name],) for name in names]
    for chosen in product(*choices):
        yield _url(rule, {**values, **dict(zip(names, chosen))})


def _signed_in(app, team) -> dict:
    """A client signed in for each reader, and one for nobody. Each request gets an application context of its own
    (the test's would carry the last request's language and signed-in user into the next), and the test's session
    holds nothing open while the requests write."""
    emails = {who: user.email for who, user in team.items()}
    _db.session.commit()
    _db.session.close()
    clients = {"anonymous": app.test_client()}
    for who in set(READER.values()):
        clients[who] = app.test_client()
        with app.app_context():
            login(clients[who], SimpleNamespace(email=emails[who]))
    return clients


def _text(response) -> str | None:
    """What a reader reads in a response: a page's visible text, a PDF's text, an Excel sheet's headers, the
    message a script shows from JSON (a job's progress)."""
    if response.is_json and isinstance(response.get_json(), dict) and "message" in response.get_json():
        return response.get_json()["message"]
    if response.mimetype == "application/pdf":
        return pdf_text(response.data)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        return xlsx_headers(response.data)
    if response.mimetype == "text/html":
        return visible_text(response.get_data(as_text=True))
    return None


def _pages(app, event, team, values, people, lang):
    """(where, text) of every page, document and export this language's readers get."""
    slug, token, readers = event.slug, people[lang].token, [people[lang].attendee.email, team["employer"].email]
    for message in _db.session.scalars(select(OutboxMessage).where(OutboxMessage.to.in_(readers))):
        yield f"mail {message.template}", f"{message.subject}\n{message.body_text}"
    clients = _signed_in(app, team)
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.redirect_to is not None or "GET" not in rule.methods or rule.endpoint in NOT_TEXT:
            continue
        role = getattr(app.view_functions[rule.endpoint], "required_role", None)
        if role:
            urls += [(READER[role], url) for url in _urls(rule, values)]
    urls += [("staff", f"/console/e/{slug}/export/{name}.xlsx") for name in DATASETS if name != "registrations"]
    urls += [("anonymous", f"/e/{slug}/programme.pdf"), ("anonymous", f"/r/{token}/agenda.pdf"),
             ("anonymous", f"/r/{token}/certificate.pdf")]
    for who, url in urls:
        with app.app_context():
            response = clients[who].get(url, query_string={"lang": lang})
        text = _text(response) if response.status_code not in (301, 302, 303) else None
        if text is not None:
            yield f"{response.status_code} {url}", text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_and_employer_pages_and_documents_are_translated(app, db, monkeypatch, lang):
    monkeypatch.setitem(app.config, "JOBS_EAGER", True)  # the matching job runs at once, in this session
    event, team, values, people = _day(lang)
    pages = dict(_pages(app, event, team, values, people, lang))
    assert len(pages) > 50
    problems = {where: found for where, text in pages.items() if (found := untranslated(text, lang))}
    report = "\n".join(f"  {where}: {found}" for where, found in sorted(problems.items()))
    assert not problems, f"{len(problems)} pages untranslated in {lang}:\n{report}"


def test_staff_forms_sent_empty_answer_in_german(app, db, monkeypatch):
    """Every form of a declared role, sent empty: its errors, refusals and flashed messages (after the redirect) are
    read like the pages. In German only: what this finds is text left unwrapped, the same in every language (the
    catalogue test checks each message's Dutch)."""
    monkeypatch.setitem(app.config, "JOBS_EAGER", True)
    _event, team, values, _people = _day()
    clients = _signed_in(app, team)
    answers, errors = {}, []
    for rule in app.url_map.iter_rules():
        role = getattr(app.view_functions.get(rule.endpoint), "required_role", None)
        if rule.redirect_to is not None or "POST" not in rule.methods or not role or rule.endpoint in NOT_SENT:
            continue
        for url in _urls(rule, values):
            with app.app_context():
                response = clients[SENDER.get(role, role)].post(url, query_string={"lang": "de"},
                                                                follow_redirects=True)
            if response.status_code >= 500:
                errors.append(url)
            text = _text(response)
            if text is not None:
                answers[f"{response.status_code} POST {url}"] = text
    assert not errors, f"answered 500: {errors}"
    assert len(answers) > 30
    problems = {where: found for where, text in answers.items() if (found := untranslated(text, "de"))}
    report = "\n".join(f"  {where}: {found}" for where, found in sorted(problems.items()))
    assert not problems, f"{len(problems)} answers untranslated in de:\n{report}"


def test_a_jobs_progress_and_loss_are_said_in_the_readers_language(client, db):
    """A job writes its progress in English (a worker has no reader); its JSON says it in the reader's language,
    and a job without a message yet its status in words."""
    event = live_event()
    team = team_for(event)
    jobs = [Job(kind="meetings.solve", status=status, message=message, error=error, event_id=event.id,
                user_id=team["admin"].id) for status, message, error in (
        (JobStatus.RUNNING, "saving the draft", ""), (JobStatus.QUEUED, "", ""), (JobStatus.FAILED, "", LOST))]
    _db.session.add_all(jobs)
    _db.session.commit()
    login(client, team["admin"])
    answers = [client.get(f"/console/jobs/{job.id}?lang=de").get_json() for job in jobs]
    assert [a["message"] for a in answers] == ["Entwurf wird gespeichert", "In der Warteschlange", "Fehlgeschlagen"]
    assert answers[2]["error"].startswith("verloren:")
