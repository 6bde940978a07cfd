"""The demo: two welcome days modelled on "Düsseldorf meets International Talents" and Limburg's programme for
young foreign STEM talent, with partners, a programme and a few hundred attendees from many countries."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.accounts.models import EventRole, EventRoleKind, User
from app.extensions import db, utcnow
from events.demo_texts import EVENT_TEXTS, ORGANISATION_TEXTS, ROOM_TEXTS, SESSION_TEXTS
from events.registration import locking, services, store
from events.registration.models import Attendee, DegreeLevel, Registration, RegistrationStatus
from events.programme.models import Event, EventStatus, Room, Session, SessionKind
from events.employers.models import (EmployerProfile, EventPartner, Organisation, OrganisationKind, PartnerRole,
                                     WorkshopSlot)
from events.employers.profiles import ProfileData, save_profile
from events.employers.services import create_slot
from events.meetings import services as meetings

DEMO_ADMIN = ("admin@welcomeday.local", "welcome-admin-2026")
DEMO_STAFF = ("staff@welcomeday.local", "welcome-staff-2026")
DEMO_DOOR = ("door@welcomeday.local", "welcome-door-2026")
DEMO_EMPLOYER = ("recruiting@henkel.example", "welcome-henkel-2026")

ORGANISATIONS = [
    ("Henkel AG & Co. KGaA", OrganisationKind.COMPANY, "https://www.henkel.com",
     "Adhesives, laundry and home care, beauty: a chemicals company at home in Düsseldorf-Holthausen."),
    ("Max-Planck-Institut für Eisenforschung", OrganisationKind.RESEARCH_INSTITUTE, "https://www.mpie.de",
     "Research on steels, alloys and the materials of a sustainable economy."),
    ("IHK Düsseldorf", OrganisationKind.CHAMBER, "https://www.ihk.de/duesseldorf",
     "The chamber of industry and commerce: 80,000 member companies, advice on careers and founding."),
    ("Heinrich-Heine-Universität Düsseldorf", OrganisationKind.UNIVERSITY, "https://www.hhu.de",
     "The university's career service and international office."),
    ("Welcome Center Düsseldorf", OrganisationKind.WELCOME_OFFICE, "",
     "Residence permits, recognition of degrees, first steps in the city."),
    ("Wissensregion Düsseldorf", OrganisationKind.PUBLIC_BODY, "",
     "The knowledge region's network of universities, research institutes and city."),
    ("UHasselt", OrganisationKind.UNIVERSITY, "https://www.uhasselt.be", "Hasselt University, Diepenbeek campus."),
    ("VOKA Limburg", OrganisationKind.CHAMBER, "https://www.voka.be/limburg", "Chamber of commerce of Limburg."),
    ("POM Limburg", OrganisationKind.PUBLIC_BODY, "https://www.pomlimburg.be",
     "The provincial development agency."),
    ("Maasland Materials NV", OrganisationKind.COMPANY, "",
     "Composite materials for the energy transition; 400 engineers in Genk."),
    ("Onthaalbureau Limburg", OrganisationKind.WELCOME_OFFICE, "",
     "Welcome office: mentoring and matching with Limburg companies."),
]

GIVEN = {
    "latin": ["José", "Zoë", "Łukasz", "Ana", "Matías", "Chiara", "Ngozi", "Thabo", "Kagiso", "Chipo", "Tendai",
              "Anouk", "João", "Søren", "Ayşe", "Emre", "Mateus", "Valentina", "Dương", "Nguyễn Thị"],
    "arabic": ["محمد", "فاطمة", "أحمد", "ليلى", "يوسف"],
    "persian": ["سارا", "علی", "مریم"],
    "hebrew": ["נועה", "יונתן"],
    "cyrillic": ["Алексей", "Ольга", "Дмитро", "Наталія"],
    "greek": ["Ελένη", "Γιώργος"],
    "devanagari": ["अनन्या", "राहुल", "प्रिया"],
    "bengali": ["তানভীর", "সুমাইয়া"],
    "han": ["王", "李", "张", "陈"],
    "japanese": ["佐藤", "鈴木"],
    "hangul": ["김", "박", "이"],
    "thai": ["สมชาย", "มาลี"],
    "ethiopic": ["አበበ", "ሰላም"],
}
FAMILY = {
    "latin": ["Pérez", "Müller", "Wiśniewski", "Okafor", "Mokoena", "Dlamini", "Banda", "Moyo", "de Vries",
              "Gonçalves", "Jørgensen", "Yılmaz", "Silva", "Rossi", "Minh Anh", "Văn Hùng"],
    "arabic": ["الأحمد", "حسن", "الزهراني"],
    "persian": ["رضایی", "محمدی"],
    "hebrew": ["כהן", "לוי"],
    "cyrillic": ["Иванов", "Петрова", "Шевченко"],
    "greek": ["Παπαδοπούλου", "Νικολάου"],
    "devanagari": ["शर्मा", "वर्मा", "पटेल"],
    "bengali": ["হাসান", "রহমান"],
    "han": ["芳", "伟", "静", "明"],
    "japanese": ["花子", "太郎"],
    "hangul": ["민준", "서연", "지우"],
    "thai": ["ใจดี", "ศรีสุข"],
    "ethiopic": ["ከበደ", "ተስፋዬ"],
}
COUNTRIES = {"latin": ["MX", "DE", "PL", "NG", "ZA", "BW", "ZM", "ZW", "NA", "BR", "IT", "TR", "VN", "DK", "CO"],
             "arabic": ["EG", "SA", "MA", "SY"], "persian": ["IR"], "hebrew": ["IL"], "cyrillic": ["RU", "UA"],
             "greek": ["GR"], "devanagari": ["IN", "NP"], "bengali": ["BD"], "han": ["CN", "TW"],
             "japanese": ["JP"], "hangul": ["KR"], "thai": ["TH"], "ethiopic": ["ET"]}
NO_SPACE = {"han", "japanese", "hangul"}
UNIVERSITIES = ["Heinrich-Heine-Universität Düsseldorf", "Hochschule Düsseldorf", "Universität Duisburg-Essen",
                "Bergische Universität Wuppertal", "UHasselt", "KU Leuven", "Maastricht University",
                "RWTH Aachen University", "Ruhr-Universität Bochum"]
FIELDS = ["Chemistry", "Materials science", "Computer science", "Mechanical engineering", "Biology",
          "Economics", "Electrical engineering", "Physics", "Data science", "Pharmacy"]
LANGS = [{"en": "C1"}, {"en": "C1", "de": "B2"}, {"en": "B2", "de": "A2"}, {"en": "C2", "nl": "B1"},
         {"en": "C1", "de": "C1"}, {"en": "B2", "af": "native", "nl": "A2"}]
SEEKING = [["job"], ["job", "internship"], ["phd"], ["job", "mentoring"], ["innovation_project", "mentoring"],
           ["internship"]]



def _name(rng: random.Random, script: str) -> tuple[str, str]:
    given, family = rng.choice(GIVEN[script]), rng.choice(FAMILY[script])
    if script in NO_SPACE:
        return given + family, given + family
    return f"{given} {family}", given


def _at(tz: ZoneInfo, day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def _org(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def _build_event(slug, title, description, venue, address, tzname, day, capacity, languages, rooms, programme,
                 partners) -> Event:
    tz = ZoneInfo(tzname)
    event = Event(slug=slug, title=title, description=description, venue=venue, address=address,
                  main_language="en", translations=EVENT_TEXTS.get(slug, {}),
                  timezone=tzname, starts_at=_at(tz, day, "09:00"), ends_at=_at(tz, day, "17:30"),
                  registration_opens_at=datetime(2026, 10, 1, tzinfo=tz),
                  registration_closes_at=_at(tz, day - timedelta(days=3), "23:59"), capacity=capacity,
                  status=EventStatus.PUBLISHED, languages=languages, contact_email="team@welcomeday.local")
    db.session.add(event)
    room_by_name = {}
    for name, cap in rooms:
        room_by_name[name] = Room(event=event, name=name, capacity=cap, translations=ROOM_TEXTS.get(name, {}))
        db.session.add(room_by_name[name])
    for start, end, kind, title_, room, cap, lang, host, speakers, abstract in programme:
        db.session.add(Session(
            event=event, kind=kind, title=title_, abstract=abstract, translations=SESSION_TEXTS.get(title_, {}),
            starts_at=_at(tz, day, start),
            ends_at=_at(tz, day, end), room=room_by_name.get(room), capacity=cap, language=lang,
            host=_org(host) if host else None, speakers=speakers,
            needs_seat=kind not in (SessionKind.BREAK, SessionKind.INFO_STAND) and cap is not None))
    for name, role in partners:
        db.session.add(EventPartner(event=event, organisation=_org(name), role=role))
    db.session.flush()
    return event


def _duesseldorf() -> Event:
    W, T, P, N, B, I = (SessionKind.WORKSHOP, SessionKind.TALK, SessionKind.PANEL, SessionKind.NETWORKING,
                        SessionKind.BREAK, SessionKind.INFO_STAND)
    programme = [
        ("09:00", "09:30", T, "Welcome to the knowledge region Düsseldorf", "Plenarsaal", 300, "en",
         "Wissensregion Düsseldorf", "Lord Mayor's office", "Why Düsseldorf wants you to stay, and what the day "
         "holds."),
        ("09:45", "10:45", W, "Applying for jobs in Germany: CV, cover letter, interview", "Raum A", 25, "en",
         "IHK Düsseldorf", "Sabine Krüger", "What German employers expect from an application, with feedback on "
         "your own CV."),
        ("09:45", "10:45", W, "Your residence permit after graduation (§ 20 AufenthG, EU Blue Card)", "Raum B",
         30, "en", "Welcome Center Düsseldorf", "Welcome Center team",
         "18 months to find a job, the EU Blue Card, and how to change your permit without losing a day."),
        ("09:45", "10:45", W, "Research careers at the Max Planck Institute", "Raum C", 20, "en",
         "Max-Planck-Institut für Eisenforschung", "Dr. Aiko Tanaka", "PhD and postdoc positions, and how "
         "research careers work in Germany."),
        ("11:00", "12:00", T, "Henkel: careers in adhesive technologies", "Plenarsaal", 120, "en",
         "Henkel AG & Co. KGaA", "Henkel Talent Acquisition", "Graduate programmes, internships and how Henkel "
         "hires international talent."),
        ("11:00", "12:00", W, "Deutsch im Beruf: von B1 zu B2", "Raum A", 20, "de", "IHK Düsseldorf",
         "Katrin Vogel", "Wie man im Büro, am Telefon und in Bewerbungsgesprächen sicher auftritt."),
        ("11:00", "12:00", W, "Recognition of foreign degrees", "Raum B", 25, "en", "Welcome Center Düsseldorf",
         "", "Which degrees need recognition, where to apply, how long it takes."),
        ("12:00", "13:00", B, "Lunch", "Foyer", None, "en", None, "", ""),
        ("13:00", "14:30", N, "Meet the employers: 1:1 meetings", "Foyer", 200, "en", "Wissensregion Düsseldorf",
         "", "Short 1:1 meetings with employers that fit your profile, matched in advance."),
        ("14:45", "15:45", P, "Staying in Düsseldorf: graduates tell their story", "Plenarsaal", 150, "en",
         "Heinrich-Heine-Universität Düsseldorf", "Alumni panel", "Five former international students on "
         "finding work, a flat and friends."),
        ("14:45", "15:45", W, "Founding a start-up as an international graduate", "Raum C", 10, "en",
         "IHK Düsseldorf", "Gründungsberatung", "Residence rules for founders, funding and the first steps."),
        ("16:00", "17:30", I, "Information stands of all partners", "Foyer", None, "en", None, "", ""),
    ]
    return _build_event(
        "duesseldorf-meets-international-talents-2027", "Düsseldorf meets International Talents 2027",
        "A day for international students and researchers finishing their studies in the region: workshops, "
        "talks and 1:1 meetings with employers such as Henkel, the Max Planck Institute for Iron Research and "
        "the IHK Düsseldorf – so that you find work here and stay.",
        "Haus der Universität", "Schadowplatz 14, 40212 Düsseldorf, Germany", "Europe/Berlin", date(2027, 3, 25),
        400, ["en", "de"], [("Plenarsaal", 300), ("Raum A", 30), ("Raum B", 30), ("Raum C", 24), ("Foyer", 250)],
        programme,
        [("Henkel AG & Co. KGaA", PartnerRole.LEAD), ("Max-Planck-Institut für Eisenforschung", PartnerRole.LEAD),
         ("IHK Düsseldorf", PartnerRole.CONTRIBUTING), ("Heinrich-Heine-Universität Düsseldorf",
                                                         PartnerRole.CONTRIBUTING),
         ("Welcome Center Düsseldorf", PartnerRole.EXHIBITOR), ("Wissensregion Düsseldorf", PartnerRole.LEAD)])


def _limburg() -> Event:
    W, T, N, B = SessionKind.WORKSHOP, SessionKind.TALK, SessionKind.NETWORKING, SessionKind.BREAK
    programme = [
        ("09:00", "09:30", T, "Limburg needs STEM talent: welcome", "Aula", 250, "en", "POM Limburg", "",
         "How Limburg companies and the region work together to attract and keep young STEM talent."),
        ("09:45", "11:00", W, "Taalbad Nederlands: in drie maanden aan de slag", "Lokaal 1", 20, "nl",
         "UHasselt", "Taalcentrum", "Het taalbad van drie maanden: Nederlands leren zonder een jaar te verliezen."),
        ("09:45", "11:00", W, "Innovation projects with Limburg companies", "Lokaal 2", 25, "en",
         "Maasland Materials NV", "R&D team", "Work on a real innovation challenge from a Limburg company."),
        ("11:15", "12:15", T, "From South Africa, Namibia and Zimbabwe to Limburg", "Aula", 200, "en",
         "Onthaalbureau Limburg", "Alumni", "Graduates from Afrikaans-speaking countries on their first year."),
        ("11:15", "12:15", W, "Mentoring programme: find your company", "Lokaal 1", 20, "en",
         "Onthaalbureau Limburg", "Mentors", "How the welcome office matches you with a mentor and a company."),
        ("12:15", "13:15", B, "Lunch", "Hal", None, "en", None, "", ""),
        ("13:15", "14:45", N, "Speed meetings with employers", "Hal", 150, "en", "VOKA Limburg", "",
         "1:1 meetings with Limburg employers matched to your profile."),
        ("15:00", "16:00", T, "Kandidaat partner? Lead and contributing partners", "Aula", 100, "nl",
         "POM Limburg", "", "Voor organisaties: stel je vrijblijvend kandidaat als lead partner of meewerkende "
         "partner."),
    ]
    return _build_event(
        "limburg-stem-talent-day-2027", "Limburg STEM Talent Day 2027",
        "Young foreign STEM talent meets established Limburg companies: mentoring, innovation projects, a "
        "three-month Dutch language bath, and partners who sign up without obligation as lead or contributing "
        "partners.",
        "UHasselt, campus Diepenbeek", "Agoralaan, 3590 Diepenbeek, Belgium", "Europe/Brussels",
        date(2027, 4, 22), 250, ["en", "nl"], [("Aula", 250), ("Lokaal 1", 24), ("Lokaal 2", 30), ("Hal", 200)],
        programme,
        [("POM Limburg", PartnerRole.LEAD), ("VOKA Limburg", PartnerRole.CONTRIBUTING),
         ("UHasselt", PartnerRole.CONTRIBUTING), ("Maasland Materials NV", PartnerRole.LEAD),
         ("Onthaalbureau Limburg", PartnerRole.EXHIBITOR)])


def _attendees(event: Event, count: int, rng: random.Random, offset: int) -> int:
    now = utcnow()
    scripts = list(GIVEN)
    sessions = [s for s in event.sessions if s.needs_seat]
    made = 0
    for i in range(count):
        email = f"attendee{offset + i:04d}@example.org"
        if db.session.scalar(select(func.count()).select_from(Attendee).where(Attendee.email == email)):
            continue
        script = scripts[i % len(scripts)] if i % 3 else "latin"
        full_name, badge = _name(rng, script)
        conn = db.session.connection()
        attendee_id = store.add_attendee(conn, email, dict(
            full_name=full_name, badge_name=badge[:80], country=rng.choice(COUNTRIES[script]),
            university=rng.choice(UNIVERSITIES),
            degree_level=rng.choice([DegreeLevel.BACHELOR, DegreeLevel.MASTER, DegreeLevel.MASTER, DegreeLevel.PHD]),
            field_of_study=rng.choice(FIELDS), graduation_date=date(2027, rng.randint(1, 9), 28),
            languages=dict(rng.choice(LANGS)), seeking=list(rng.choice(SEEKING)),
            locale=rng.choice(["en", "en", "de", "nl"])), now)
        registration_id = store.write_registration(
            conn, event.id, attendee_id, None, [], {}, now=now, status=RegistrationStatus.CONFIRMED,
            created_at=now - timedelta(days=rng.randint(0, 40)), email_confirmed_at=now, consent_processing_at=now,
            consent_processing_version=services.CONSENT_VERSION,
            consent_sharing_at=now if rng.random() < 0.8 else None, consent_sharing_version=services.CONSENT_VERSION)
        registration = db.session.get(Registration, registration_id)
        chosen: list[Session] = []
        for session in rng.sample(sessions, k=min(len(sessions), rng.randint(1, 3))):
            if all(not session.overlaps(other) for other in chosen):
                chosen.append(session)
                locking.place_in_session(registration, session, now)
        made += 1
    return made


def _ensure_user(email: str, password: str, **fields) -> User:
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        user = User(email=email, **fields)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    return user


EMPLOYER_PROFILES = {
    "Henkel AG & Co. KGaA": dict(sectors=["Chemicals", "Consumer goods"], locations=["Düsseldorf"],
                                 offers=["job", "internship"], fields_of_study=["Chemistry", "Materials science",
                                                                                "Economics", "Data science"],
                                 degree_levels=["bachelor", "master", "phd"], required_languages={"en": "C1"},
                                 visa_support=True, blue_card_support=True),
    "Max-Planck-Institut für Eisenforschung": dict(sectors=["Research"], locations=["Düsseldorf"],
                                                   offers=["phd", "job"],
                                                   fields_of_study=["Materials science", "Physics", "Chemistry"],
                                                   degree_levels=["master", "phd"], required_languages={"en": "B2"},
                                                   visa_support=True),
    "IHK Düsseldorf": dict(sectors=["Chamber of commerce"], locations=["Düsseldorf"],
                           offers=["mentoring", "internship"], degree_levels=["bachelor", "master", "phd"]),
    "Heinrich-Heine-Universität Düsseldorf": dict(sectors=["University"], locations=["Düsseldorf"],
                                                  offers=["phd", "mentoring"], degree_levels=["master", "phd"]),
}
MEETING_TABLES = {"Henkel AG & Co. KGaA": 3, "Max-Planck-Institut für Eisenforschung": 2, "IHK Düsseldorf": 2,
                  "Heinrich-Heine-Universität Düsseldorf": 1}


def _meetings_and_slots(event: Event, rng: random.Random) -> None:
    """Employers with profiles and tables in the networking session, attendees' wishes, and two free workshop
    slots that employers can book: staff can run the matching straight away."""
    for name, profile in EMPLOYER_PROFILES.items():
        organisation = _org(name)
        if not db.session.scalars(select(EmployerProfile).where(
                EmployerProfile.organisation_id == organisation.id)).first():
            # The profile form saves the partner text too: keep the organisation's (every language).
            save_profile(organisation.id, ProfileData(**profile, description=organisation.description,
                                                      translations=dict(organisation.translations or {})))
    networking = next(s for s in event.sessions if s.kind == SessionKind.NETWORKING)
    if meetings.setup_for_session(networking) is None:
        setup = meetings.configure(networking, slot_minutes=10, changeover_minutes=5, max_meetings=2,
                                   max_wishes=3)
        for name, tables in MEETING_TABLES.items():
            meetings.set_employer(setup, _org(name).id, tables)
        employers = [_org(name).id for name in MEETING_TABLES]
        for registration in sorted(event_registrations(event), key=lambda r: r.id):
            if meetings.can_wish(setup, registration) and rng.random() < 0.7:
                meetings.save_attendee_wishes(setup, registration, rng.sample(employers, k=rng.randint(1, 3)), [])
    if not db.session.scalars(select(WorkshopSlot).where(WorkshopSlot.event_id == event.id)).first():
        room = next(r for r in event.rooms if r.name == "Raum A")
        for start, end in (("14:45", "15:45"), ("16:00", "17:00")):
            day = event.starts_at.astimezone(event.tz).date()
            create_slot(event, room.id, _at(event.tz, day, start), _at(event.tz, day, end),
                        _at(event.tz, day - timedelta(days=7), "18:00"))


def event_registrations(event: Event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)))


def load_demo(attendees: int = 300) -> str:
    """Create what is missing of the demo; running it again changes nothing."""
    for name, kind, website, description in ORGANISATIONS:
        if not db.session.scalars(select(Organisation).where(Organisation.name == name)).first():
            db.session.add(Organisation(name=name, kind=kind, website=website, description=description,
                                        translations=ORGANISATION_TEXTS.get(name, {})))
    db.session.flush()
    events = []
    for slug, builder in (("duesseldorf-meets-international-talents-2027", _duesseldorf),
                          ("limburg-stem-talent-day-2027", _limburg)):
        event = db.session.scalars(select(Event).where(Event.slug == slug)).first()
        events.append(event or builder())
    rng = random.Random(2027)
    made = _attendees(events[0], attendees * 2 // 3, rng, 0)
    made += _attendees(events[1], attendees - attendees * 2 // 3, rng, 5000)
    admin = _ensure_user(*DEMO_ADMIN, name="Demo administrator", is_admin=True)
    staff = _ensure_user(*DEMO_STAFF, name="Demo event staff")
    door = _ensure_user(*DEMO_DOOR, name="Demo door staff")
    _ensure_user(*DEMO_EMPLOYER, name="Henkel recruiting", organisation_id=_org("Henkel AG & Co. KGaA").id)
    for event in events:
        for user, role in ((staff, EventRoleKind.STAFF), (door, EventRoleKind.DOOR)):
            if role not in user.roles_for(event.id):
                db.session.add(EventRole(user=user, event_id=event.id, role=role))
    db.session.commit()
    _meetings_and_slots(events[0], random.Random(2028))
    del admin
    return (f"demo ready: {len(events)} welcome days, {made} new attendees; log in as {DEMO_ADMIN[0]} / "
            f"{DEMO_ADMIN[1]} (staff {DEMO_STAFF[0]}, door {DEMO_DOOR[0]}, employer {DEMO_EMPLOYER[0]}; "
            f"passwords in events/demo.py)")


@click.command()
@click.option("--attendees", default=300, show_default=True, help="How many attendees to create.")
@with_appcontext
def demo(attendees: int) -> None:
    """Load the demo welcome days (idempotent). Development only: the demo accounts have published passwords."""
    if current_app.config["APP_ENV"] != "development":
        raise click.ClickException("The demo creates accounts whose passwords are published in the README; it runs "
                                   "only in development (APP_ENV=development, as `make run` sets it).")
    summary = load_demo(attendees=attendees)
    click.echo(summary)


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)
