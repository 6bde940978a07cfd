"""Attendee downloads, the confirmation mail's badge, batch printing as a job, the CLI and the API document."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.accounts.models import EventRoleKind
from app.mail import build_email
from badges import documents, services
from badges.models import Badge
from tests.badges.helpers import decode_pdf_qr, live_event, staff_user
from tests.factories import register


@pytest.fixture
def eager_jobs(app):
    app.config["JOBS_EAGER"] = True
    yield
    app.config["JOBS_EAGER"] = False


@pytest.mark.slow
def test_my_registration_serves_cached_badge_or_prepares_it(client, db, eager_jobs):
    event = live_event()
    registration = register(event, name="王小明")
    page = client.get(f"/r/{registration.token}")
    assert f"/r/{registration.token}/badge.pdf" in page.text and f"/r/{registration.token}/badge.png" in page.text
    first = client.get(f"/r/{registration.token}/badge.pdf")
    assert first.status_code == 202 and "being prepared" in first.text  # never rendered inside the request
    ready = client.get(f"/r/{registration.token}/badge.pdf")  # the (eager) job rendered it meanwhile
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    badge = services.badge_for_registration(registration)
    from badges.tokens import token_for
    assert decode_pdf_qr(ready.data) == [token_for(badge)]
    png = client.get(f"/r/{registration.token}/badge.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    import zxingcpp
    from PIL import Image
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))] == [token_for(badge)]
    assert client.get("/r/not-a-token/badge.pdf").status_code == 404


def test_cancelled_registration_has_no_badge_download(client, db):
    from events.registration.services import cancel_registration
    event = live_event()
    registration = register(event)
    cancel_registration(registration)
    assert client.get(f"/r/{registration.token}/badge.pdf").status_code == 404


@pytest.mark.slow
def test_confirmation_mail_carries_the_badge(client, db):
    from sqlalchemy import select

    from app.mail import OutboxMessage
    event = live_event()
    register(event, name="Ngozi Okafor")
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "registration_confirmed")).one()
    assert {"kind": "badge", "registration_id": message.attachments[0]["registration_id"]} in message.attachments
    mail = build_email(message)
    pdfs = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"
            and part.get_filename().startswith("badge-")]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")
    # the same render is now cached for "My registration"
    badge = db.session.scalars(select(Badge)).one()
    assert documents.cached_single(badge) is not None


@pytest.mark.slow
def test_batch_printing_job_and_filters(client, db, eager_jobs):
    event = live_event()
    for name in ("Zara Zed", "Adam Alpha", "Mia Middle"):
        register(event, name=name)
    staff_user(event, "boss@example.org", EventRoleKind.STAFF, password="boss-password-123")
    client.post("/account/login", data={"email": "boss@example.org", "password": "boss-password-123"})
    response = client.post(f"/console/e/{event.slug}/badges",
                           data={"layout": "2x4", "role": "attendee", "mark_printed": "1"})
    assert response.status_code == 303
    job_id = int(response.headers["Location"].split("job=")[1])
    status = client.get(f"/console/jobs/{job_id}").json
    assert status["status"] == "done" and status["result"]["count"] == 3
    pdf = client.get(status["result_url"]).data
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    names = [services.card_for(b).full_name for b in services.select_badges(event, role="attendee")]
    assert sorted(names) == ["Adam Alpha", "Mia Middle", "Zara Zed"]
    assert services.select_badges(event, not_printed=True, role="attendee") == []  # marked printed
    page = client.get(f"/console/e/{event.slug}/badges?job={job_id}&q=mia")
    assert page.status_code == 200 and "Mia Middle" in page.text
    assert client.post(f"/console/e/{event.slug}/badges", data={"layout": "9x9"}).status_code == 400
    # re-issue from the staff page: a new badge, the old one revoked
    badge = services.select_badges(event, attendee_email=None, role="attendee")[0]
    client.post(f"/console/e/{event.slug}/badges/{badge.id}/reissue", data={"role": "speaker"})
    db.session.expire_all()
    assert db.session.get(Badge, badge.id).status.value == "revoked"


@pytest.mark.slow
def test_cli_writes_a_sheet(app, db, tmp_path):
    event = live_event()
    register(event, name="Ana Pérez", email="ana@example.org")
    register(event, name="Bo Berg")
    out = tmp_path / "badges.pdf"
    result = app.test_cli_runner().invoke(args=["badges", event.slug, "--out", str(out), "--layout", "2x5",
                                                "--attendee", "ana@example.org", "--mark-printed"])
    assert result.exit_code == 0, result.output
    assert len(decode_pdf_qr(out.read_bytes())) == 1
    missing = app.test_cli_runner().invoke(args=["badges", "no-such-event", "--out", str(out)])
    assert missing.exit_code != 0 and "No event" in missing.output


def test_openapi_lists_the_checkin_api(client, db):
    document = client.get("/api/openapi.json").json
    operation = document["paths"]["/api/v1/checkin"]["post"]
    assert operation["operationId"] == "checkIn"
    assert "deviceToken" in document["components"]["securitySchemes"]
    assert "CheckinResult" in document["components"]["schemas"]
