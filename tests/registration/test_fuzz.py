"""Property tests: whatever arrives, the answer is never a 5xx, API errors carry a reason, and a refused
request writes nothing (no half-written rows)."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.mail import OutboxMessage
from events.registration.models import Attendee, Enrolment, Registration
from tests.factories import make_event, make_session, register, registration_form

FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Any code point, lone surrogates included, and the troublemakers often enough to matter.
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
nasty = st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "\u200f", "\ufeff", "👩🏽‍🔬", "İ", "ß", "\r\n",
                         "%00", "' OR 1=1 --", "<script>", "../", "٣", "²", "1e400", "-1", "2147483648"])
text = st.one_of(
    st.text(any_char, max_size=40),
    st.lists(st.one_of(nasty, st.text(any_char, max_size=3)), max_size=8).map("".join),
    st.sampled_from(["x" * 201, "é" * 255, "a@" + "b" * 300 + ".org", "字" * 5000]),
)
FORM_FIELDS = list(registration_form()) + ["sessions", "languages-7-code", "languages-9-level", "csrf_token",
                                           "unknown"]
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), text)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)), max_leaves=12)


def counts(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Attendee, Registration, Enrolment, OutboxMessage))


def _form_body(fields: dict[str, list[str]]) -> bytes:
    """URL-encode by hand: lone surrogates go out as the invalid UTF-8 a broken client would send."""
    return "&".join(f"{quote(k.encode('utf-8', 'surrogatepass'))}={quote(v.encode('utf-8', 'surrogatepass'))}"
                    for k, values in fields.items() for v in values).encode("ascii")


def _check(response, db, before, ok_statuses):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert counts(db) == before
        if response.mimetype == "application/json":
            assert response.get_json()["error"]["reason"]
    else:
        assert response.status_code in ok_statuses


@pytest.fixture
def programme(db):
    event = make_event()
    sessions = [make_session(event, offset_minutes=60 * i, capacity=2) for i in range(3)]
    make_session(event, offset_minutes=30, capacity=1)  # overlaps two of them
    return event, sessions


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FORM_FIELDS), st.lists(text, max_size=3), max_size=6),
       keep_valid=st.booleans())
def test_registration_form_never_fails(client, db, programme, changes, keep_valid):
    event, sessions = programme
    valid = registration_form(sessions=sessions[:2]) if keep_valid else {}
    fields = {k: (v if isinstance(v, list) else [v]) for k, v in valid.items()}
    fields.update(changes)
    before = counts(db)
    response = client.post(f"/e/{event.slug}/register", data=_form_body(fields),
                           content_type="application/x-www-form-urlencoded")
    _check(response, db, before, {302})


@FUZZ
@given(payload=json_values)
def test_registration_api_never_fails_on_any_json(client, db, programme, payload):
    event, _ = programme
    before = counts(db)
    response = client.post(f"/api/v1/events/{event.slug}/registrations", data=json.dumps(payload),
                           content_type="application/json")
    _check(response, db, before, {202})
    assert response.mimetype == "application/json"


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(["email", "full_name", "badge_name", "country", "university",
                                                "degree_level", "field_of_study", "graduation_date", "languages",
                                                "seeking", "locale", "consent_processing", "consent_sharing",
                                                "sessions"]), json_values, max_size=5))
def test_registration_api_never_fails_on_odd_fields(client, db, programme, changes):
    event, sessions = programme
    payload = {"email": "fuzz@example.org", "full_name": "Lý Thường Kiệt", "country": "VN",
               "university": "TU Delft", "degree_level": "phd", "field_of_study": "Materials",
               "consent_processing": True, "sessions": [s.id for s in sessions[:2]], **changes}
    before = counts(db)
    response = client.post(f"/api/v1/events/{event.slug}/registrations", data=json.dumps(payload),
                           content_type="application/json")
    _check(response, db, before, {202})


@FUZZ
@given(payload=json_values, session_id=st.one_of(st.integers(), text))
def test_enrolment_api_never_fails(client, db, programme, payload, session_id):
    event, sessions = programme
    registration = register(event, email="enrolled@example.org", sessions=sessions[:1])
    before = counts(db)
    url = f"/api/v1/registrations/{registration.token}/enrolments"
    response = client.post(url, data=json.dumps({"session_id": session_id} if payload is None else payload),
                           content_type="application/json")
    _check(response, db, before, {201})
    response = client.delete(f"{url}/{quote(str(session_id).encode('utf-8', 'surrogatepass'))}")
    assert response.status_code in (204, 400, 404, 405)  # 400: NUL in the path


@FUZZ
@given(segment=text, query=text)
def test_any_url_segment_is_a_clean_4xx(client, db, programme, segment, query):
    event, _ = programme
    part = quote(segment.encode("utf-8", "surrogatepass"), safe="")
    q = quote(query.encode("utf-8", "surrogatepass"), safe="")
    for path in (f"/e/{part}/", f"/e/{event.slug}/?kind={q}&language={q}", f"/e/{event.slug}/s/{part}",
                 f"/e/{event.slug}/register?session={q}", f"/r/{part}", f"/r/{part}/confirm",
                 f"/api/v1/events/{part}", f"/api/v1/events/{event.slug}/sessions?kind={q}&language={q}",
                 f"/api/v1/sessions/{part}", f"/api/v1/registrations/{part}"):
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code >= 400 and path.startswith("/api/"):
            assert response.get_json()["error"]["reason"]
