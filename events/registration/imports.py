"""Import attendees from a CSV file (university lists): preview, column mapping, per-row errors, all or nothing.

The upload is kept in the document store (app/storage.py: ``imports/<random id>.csv``, for a day) between the
preview and the import, so the browser sends the file only once, and the import may reach another node than the
preview; the id is random and checked against a strict pattern.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import storage
from app.audit import audit
from app.extensions import db
from app.forms import unstorable_character
from app.security import isolated
from events.programme.models import Event
from events.registration.desk import HandRegistration, StaffError, register_by_hand
from events.registration.models import Attendee, Registration, RegistrationStatus
from events.registration.profile import FIELDS

MAX_ROWS = 5000
# The columns: the address, and the profile fields declared importable (events/registration/profile.py).
TARGETS = {"email": _l("E-mail"), **{f.name: f.column_label for f in FIELDS if f.importable}}
REQUIRED = ("email", "full_name")
TEXT_COLUMNS = [f for f in FIELDS if f.importable and f.kind == "text"]
# Header names we recognise, lower-case, in the three languages and the usual export spellings.
GUESSES = {
    "email": ("email", "e-mail", "mail", "e-mail address", "email address", "e-mailadres", "e-mail-adresse"),
    "full_name": ("name", "full name", "full_name", "naam", "volledige naam", "vollständiger name"),
    "badge_name": ("badge name", "badge_name", "first name", "vorname", "voornaam", "given name"),
    "country": ("country", "land", "nationality", "staatsangehörigkeit", "nationaliteit", "herkunftsland"),
    "university": ("university", "universität", "universiteit", "hochschule", "institution"),
    "locale": ("language", "locale", "sprache", "taal"),
}
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class ImportError_(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Parsed:
    header: list[str]
    rows: list[list[str]]


@dataclass
class RowProblem:
    line: int  # as in the file, header = 1
    messages: list[str] = field(default_factory=list)


UPLOAD_LIFETIME = timedelta(days=1)


def _key(upload_id: str) -> str:
    return f"imports/{upload_id}.csv"


def store_upload(data: bytes) -> str:
    if not data.strip():
        raise ImportError_(_("The file is empty."))
    upload_id = secrets.token_urlsafe(18)
    storage.put(_key(upload_id), data, "text/csv", lifetime=UPLOAD_LIFETIME)
    parse(upload_id)  # say now, not after the mapping, when the file cannot be read
    return upload_id


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(_("The file is not a text file (UTF-8 or Windows-1252)."))


def parse(upload_id: str) -> Parsed:
    if not _ID_RE.match(upload_id or ""):
        raise ImportError_(_("This upload has expired; please upload the file again."))
    upload = storage.get(_key(upload_id))
    if upload is None:
        raise ImportError_(_("This upload has expired; please upload the file again."))
    text = _decode(upload.data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise ImportError_(_("The file is not valid CSV: %(error)s", error=str(exc))) from exc
    if len(lines) < 2:
        raise ImportError_(_("The file needs a header line and at least one person."))
    if len(lines) - 1 > MAX_ROWS:
        raise ImportError_(_("At most %(n)d people per file, please.", n=MAX_ROWS))
    header = [h.strip() for h in lines[0]]
    return Parsed(header, [[c.strip() for c in row] for row in lines[1:]])


def guess_mapping(header: list[str]) -> dict[str, int | None]:
    lowered = [h.lower() for h in header]
    mapping: dict[str, int | None] = {}
    for target, names in GUESSES.items():
        mapping[target] = next((i for i, h in enumerate(lowered) if h in names), None)
    return mapping


def _country_codes() -> dict[str, str]:
    """Codes and country names (English, German, Dutch) to ISO codes."""
    known: dict[str, str] = {}
    for lang in ("en", "de", "nl"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                known[name.lower()] = code
                known[code.lower()] = code
    return known


def validate(parsed: Parsed, mapping: dict[str, int | None], event: Event) -> tuple[list[dict], list[RowProblem]]:
    """Every row checked; returns the people to import and the problems (import only when there are none)."""
    for target in REQUIRED:
        if mapping.get(target) is None:
            raise ImportError_(_("Choose the column for “%(what)s”.", what=TARGETS[target]))
    used = [i for i in mapping.values() if i is not None]
    if len(used) != len(set(used)):
        raise ImportError_(_("Each column can be used only once."))
    countries = _country_codes()
    registered = set(db.session.scalars(
        select(Attendee.email).join(Registration, Registration.attendee_id == Attendee.id)
        .where(Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)))
    people, problems, seen = [], [], {}
    for n, row in enumerate(parsed.rows, start=2):
        def cell(target: str) -> str:
            index = mapping.get(target)
            return row[index] if index is not None and index < len(row) else ""
        problem = RowProblem(n)
        person = {t: cell(t) for t in TARGETS}
        try:
            person["email"] = validate_email(person["email"], check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problem.messages.append(_("“%(value)s” is not an e-mail address.", value=isolated(person["email"][:80])))
        if not person["full_name"]:
            problem.messages.append(_("The name is missing."))
        for declared in TEXT_COLUMNS:
            if len(person[declared.name]) > declared.max_length:
                problem.messages.append(_("“%(what)s” is longer than %(n)d characters.",
                                          what=TARGETS[declared.name], n=declared.max_length))
        for target in TARGETS:
            char = unstorable_character(person[target])
            if char is not None:
                problem.messages.append(_("“%(what)s” contains a character we cannot store (U+%(code)04X).",
                                          what=TARGETS[target], code=ord(char)))
        if person["country"]:
            code = countries.get(person["country"].lower())
            if code is None:
                problem.messages.append(_("Unknown country “%(value)s”.", value=person["country"][:80]))
            person["country"] = code or ""
        locale = (person["locale"] or "en").lower()[:2]
        if locale not in current_app.config["LANGUAGES"]:
            problem.messages.append(_("Language “%(value)s”: use en, de or nl.", value=person["locale"][:20]))
        person["locale"] = locale
        email = person["email"]
        if email in seen:
            problem.messages.append(_("The same e-mail address as line %(n)d.", n=seen[email]))
        seen.setdefault(email, n)
        if email in registered:
            problem.messages.append(_("Already registered for this day."))
        if problem.messages:
            problems.append(problem)
        else:
            people.append(person)
    return people, problems


def run_import(event: Event, upload_id: str, mapping: dict[str, int | None]) -> tuple[int, list[RowProblem]]:
    """Import everyone or no one. Returns (count imported, problems)."""
    parsed = parse(upload_id)
    people, problems = validate(parsed, mapping, event)
    if problems:
        return 0, problems
    try:
        for person in people:
            register_by_hand(event, HandRegistration(
                email=person["email"], full_name=person["full_name"], badge_name=person["badge_name"],
                country=person["country"], university=person["university"], locale=person["locale"]),
                confirmed=False)
        # One entry for the import rather than one per person: the list is what staff decided on.
        audit("import", event, None, {"count": len(people), "columns": {k: parsed.header[v] for k, v in
                                                                        mapping.items() if v is not None}})
        db.session.commit()
    except StaffError as exc:  # a registration that arrived between the check and the import
        db.session.rollback()
        return 0, [RowProblem(0, [exc.message])]
    storage.delete_document(_key(upload_id))
    return len(people), []
