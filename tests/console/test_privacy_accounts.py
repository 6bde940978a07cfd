"""Privacy (notice, data download, deletion, purge) and accounts (two-step login, roles, audit page)."""
from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import select

from app.audit import AuditEntry
from app.mail import OutboxMessage
from events.registration.privacy import purge
from events.registration.models import Attendee, EnrolmentStatus, RegistrationStatus
from tests.factories import make_event, make_session, register
from tests.roles import PASSWORD, login


def test_privacy_notice_and_link_from_the_form(client, event):
    assert "Privacy notice" in client.get(f"/e/{event.slug}/privacy").get_data(as_text=True)
    assert f"/e/{event.slug}/privacy" in client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    event.privacy_notice = "Our own words.\n\nSecond paragraph."
    from app.extensions import db
    db.session.commit()
    assert "Our own words." in client.get(f"/e/{event.slug}/privacy").get_data(as_text=True)


def test_download_my_data(client, event):
    r = register(event, "ana@example.org", sessions=[event.sessions[0]], name="Ana Pérez")
    response = client.get(f"/r/{r.token}/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.get_json()
    assert data["profile"]["full_name"] == "Ana Pérez"
    consent = data["registrations"][0]["consents"]["processing"]
    assert consent["given_at"] and consent["wording_version"] == "2026-1"
    assert data["registrations"][0]["sessions"][0]["title"] == "CV clinic"
    assert {m["subject"] for m in data["emails"]}


def test_delete_my_data_keeps_counts_and_frees_the_seat(client, event, db):
    workshop = event.sessions[0]
    leaver = register(event, "leaver@example.org", sessions=[workshop], name="Leaving Person")
    register(event, sessions=[workshop])
    waiting = register(event, sessions=[workshop])
    token = leaver.token
    assert "Delete my data" in client.get(f"/r/{token}").get_data(as_text=True)
    assert client.post(f"/r/{token}/delete").status_code == 303
    db.session.expire_all()
    attendee = db.session.get(Attendee, leaver.attendee_id)
    assert attendee.full_name == "" and "leaver" not in attendee.email and attendee.country == "NG"
    assert leaver.status == RegistrationStatus.CANCELLED  # the row stays: counts are kept
    assert waiting.enrolments[0].status == EnrolmentStatus.CONFIRMED  # the seat went to the next person
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "leaver@example.org")).all()
    assert client.get(f"/r/{token}").status_code == 404  # the old link is dead


def test_purge_after_the_configured_days(app, db):
    past = make_event()
    make_session(past)
    old = register(past, "old@example.org")
    both = register(past, "both@example.org")
    future = make_event()
    register(future, "both@example.org")
    past.starts_at -= timedelta(days=400)
    past.ends_at -= timedelta(days=400)
    db.session.commit()
    assert purge(180, dry_run=True) == 1
    assert purge(180) == 1
    db.session.expire_all()
    assert old.attendee.email.endswith("@erased.invalid") and old.attendee.full_name == ""
    assert both.attendee.email == "both@example.org"  # still coming to a later day
    assert purge(180) == 0  # idempotent
    result = app.test_cli_runner().invoke(args=["purge", "--days", "180"])
    assert result.exit_code == 0 and "erased 0" in result.output


def test_two_step_login_for_administrators(client, team, db):
    admin = team["admin"]
    login(client, admin)
    page = client.get("/account/security").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as s:
        secret = s["totp_setup"]
    assert client.post("/account/security", data={"code": "000000"}).status_code == 422
    assert client.post("/account/security", data={"code": pyotp.TOTP(secret).now()}).status_code == 303
    db.session.expire_all()
    assert admin.totp_secret == secret
    client.post("/account/logout")
    response = client.post("/account/login", data={"email": admin.email, "password": PASSWORD})
    assert response.location.endswith("/account/login/code")
    assert client.get("/console/").status_code == 302  # not logged in until the code is right
    assert client.post("/account/login/code", data={"code": "123456"}).status_code == 422
    ok = client.post("/account/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302 and client.get("/console/").status_code == 200
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "totp.enable" in actions


def test_roles_are_given_and_taken_with_audit(admin_client, event, team, db):
    response = admin_client.post(f"/console/e/{event.slug}/roles",
                                 data={"email": team["other_staff"].email, "role": "door"})
    assert response.status_code == 303
    assert admin_client.post(f"/console/e/{event.slug}/roles", data={"email": "nobody@example.org",
                                                                    "role": "staff"}).status_code == 422
    assert admin_client.post(f"/console/e/{event.slug}/roles", data={"email": team["employer"].email,
                                                                    "role": "staff"}).status_code == 422
    db.session.expire_all()
    role = next(r for r in team["other_staff"].event_roles if r.event_id == event.id)
    admin_client.post(f"/console/e/{event.slug}/roles/{role.id}/revoke")
    html = admin_client.get(f"/console/e/{event.slug}/audit").get_data(as_text=True)
    assert "Gave a role" in html and "Took a role away" in html
    assert admin_client.get("/console/audit?action=role.grant&page=2").status_code == 200
    assert admin_client.get("/console/audit?action=nonsense&page=-1").status_code == 200
