"""The outbox's senders: each due mail is claimed by one sender, sent once, and retried only after its back-off."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db as _db
from app.extensions import utcnow
from app.mail import OutboxMessage, claim_due, memory_outbox, send_pending
from tests.factories import make_event, register


def _write(n: int) -> None:
    """n confirmation mails, one per registration."""
    event = make_event()
    for i in range(n):
        register(event, f"person{i}@example.org", confirm=False)
    _db.session.close()  # SQLite: an open read holds the write lock other senders need


def test_senders_running_at_once_claim_disjoint_messages(app, db):
    _write(40)
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def sender():
        with app.app_context():
            barrier.wait()
            claimed.append(claim_due(15))
            _db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every = [i for ids in claimed for i in ids]
    assert len(every) == len(set(every)) == 40  # nobody claimed a message twice, none was left out
    assert send_pending() == (0, 0)  # all claimed: another sender now finds nothing due


def test_a_claimed_message_is_not_sent_by_another_sender(app, db):
    _write(3)
    first = claim_due(2)  # a sender took two and is still busy with them
    assert send_pending() == (1, 0)  # the other sender sends only the third
    assert [m["To"] for m in memory_outbox()] == ["person2@example.org"]
    assert len(first) == 2


def test_a_failed_message_waits_for_its_back_off_even_if_a_sender_had_seen_it_due(app, db):
    _write(1)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=2)
    try:
        assert send_pending() == (0, 1)
        assert send_pending() == (0, 0)  # within its back-off: not tried again
    finally:
        app.config.update(MAIL_BACKEND="memory")
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.attempts == 1 and message.next_attempt_at > utcnow() + timedelta(minutes=1)
    message.next_attempt_at = utcnow()
    db.session.commit()
    assert send_pending() == (1, 0)
