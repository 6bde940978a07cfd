"""The audit log (rule 8 of issue 11): an entry joins the action's transaction and commits with it, or not at all."""
from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User
from app.audit import AuditEntry, audit
from events.registration import desk
from events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event, make_session, register


def entries(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_an_action_that_fails_leaves_no_audit_entry(db, monkeypatch):
    user = accounts.create_user("staff@example.org", "a long password")

    def database_gone(user_id):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(accounts, "end_all_sessions", database_gone)  # after the entry is recorded
    with pytest.raises(RuntimeError):
        accounts.set_new_password(user, "another long password", how="command line")
    db.session.rollback()
    assert entries(db, "password.reset") == []
    assert db.session.get(User, user.id).check_password("a long password")


def test_a_staff_cancel_and_its_audit_entry_land_in_one_commit(db):
    event = make_event()
    registration = register(event, "ana@example.org", sessions=[make_session(event, capacity=2)])
    commits = []

    def count(session):
        commits.append(session)

    sa_event.listen(db.session, "after_commit", count)
    try:
        desk.cancel(registration)
    finally:
        sa_event.remove(db.session, "after_commit", count)
    assert len(commits) == 1
    (entry,) = entries(db, "registration.cancel")
    assert entry.event_id == event.id and entry.target_id == registration.id
    assert entry.before["status"] == "confirmed" and entry.after["status"] == "cancelled"
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CANCELLED


def test_a_cancel_whose_entry_cannot_be_written_is_not_done(db, monkeypatch):
    event = make_event()
    registration = register(event, "ana@example.org")

    def entry_fails(*args, **kwargs):
        raise RuntimeError("no entry")

    monkeypatch.setattr(desk, "audit", entry_fails)
    with pytest.raises(RuntimeError):
        desk.cancel(registration)
    db.session.rollback()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED


def test_an_entry_names_the_event_of_its_target(db):
    event = make_event()
    session = make_session(event)
    assert audit("event.edit", event).event_id == event.id
    assert audit("session.edit", session).event_id == event.id
    user = accounts.create_user("staff@example.org", "a long password")
    assert audit("password.reset", user).event_id is None
    db.session.rollback()
