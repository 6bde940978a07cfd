"""E-mail through an outbox table.

A change that causes a mail writes an ``OutboxMessage`` in the same transaction (``queue_mail``), so the mail
exists exactly when the change does. Messages are sent only after the commit (``send_pending``): with REDIS_URL set
(production) by an RQ worker, to which each commit that wrote a message hands a ``send_outbox_job`` (one at a
time is waiting), without it by a background thread started after the commit, and in either case by
``flask --app wsgi outbox send`` from cron; a failing mail server never blocks or loses
a registration: the message stays in the outbox and is retried with back-off.

A message is rendered when it is read, normally by the sender: the row keeps the template, the locale and the
context as references (``{"registration": {"$model": "Registration", "id": 7}}``). Writing it then costs one small
INSERT, which matters because registrations write their mail while they hold the event's lock. A context that
cannot be kept as references (a function, a list of rows) is rendered at once. A message whose rows were deleted
before it was sent (a privacy deletion) is not sent. Once sent, a message keeps its subject, not its text: mails
carry people's secret links, and a copy of the database must open nobody's registration.

Senders claim due messages (``claim_due``) before sending them, so two senders never send one mail twice and
none ignores a message's back-off.

Attachments are not stored: a message names them (``{"kind": "badge", "registration_id": 3}``) and the provider
a feature named for that kind in its ``init_app`` (``add_attachment_provider``) builds the file when the message
is sent. The providers, the template cache and the background sender's lock belong to the application
(``app.extensions["welcomeday.mail"]``), and ``init_app`` attaches the after-commit hook to the application's
database session, not to every session in the process.
"""
from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Callable

from flask import Flask, current_app, has_app_context, render_template
from flask_babel import force_locale
from sqlalchemy import JSON, Integer, String, Text, event, inspect, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app import queue
from app.extensions import UTCDateTime, db, utcnow

log = logging.getLogger("welcomeday.mail")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254), index=True)
    # Empty until rendered: read them through .subject, .body_text and .body_html (see render).
    subject_: Mapped[str] = mapped_column("subject", String(300), default="")
    body_text_: Mapped[str] = mapped_column("body_text", Text, default="")
    body_html_: Mapped[str] = mapped_column("body_html", Text, default="")
    template: Mapped[str] = mapped_column(String(80), default="")
    # {"locale": "de", "values": {...}} while not rendered yet; {} once rendered.
    context: Mapped[dict | None] = mapped_column(JSON, default=dict)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")

    @property
    def failed(self) -> bool:
        return self.sent_at is None and self.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]

    @property
    def subject(self) -> str:
        return self.subject_ or self._quietly()[0]

    @property
    def body_text(self) -> str:
        return self._quietly()[1]

    @property
    def body_html(self) -> str:
        return self._quietly()[2]

    def _quietly(self) -> tuple[str, str, str]:
        try:
            return self.render()
        except MessageGone:
            return "", "", ""  # last_error says why

    def render(self) -> tuple[str, str, str]:
        """(subject, text, html): rendered from the template and the rows the message names, or as written when it
        was rendered at once; raises MessageGone when a row it names was deleted. Nothing is stored: a mail carries
        a person's secret links, and the database keeps no copy of them (see send_pending)."""
        cached = getattr(self, "_rendered", None)
        if cached is not None:
            return cached
        if not self.context:
            rendered = (self.subject_, self.body_text_, self.body_html_)
        else:
            try:
                values = {name: _thaw(value) for name, value in self.context.get("values", {}).items()}
            except MessageGone as exc:
                self.last_error = f"not sent: {exc}"
                raise
            rendered = _render(self.template, self.context.get("locale", "en"), values)
        self._rendered = rendered
        return rendered


class MessageGone(Exception):
    """What a message was about has been deleted before it was sent."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    data: bytes


@dataclass
class MailState:
    """What one application's mail keeps between messages."""
    # kind -> the function that builds that attachment from a message's reference
    attachment_providers: dict[str, Callable[..., Attachment | None]] = field(default_factory=dict)
    # template -> whether it has an HTML part: looked up once, as Jinja does not cache a missing template
    html_parts: dict[str, bool] = field(default_factory=dict)
    # held by the one background sender that runs at a time
    sender_lock: threading.Lock = field(default_factory=threading.Lock)
    # what the memory backend (MAIL_BACKEND=memory, the tests') "sent"
    sent: list[EmailMessage] = field(default_factory=list)


def mail_state(app: Flask) -> MailState:
    if "welcomeday.mail" not in app.extensions:
        app.extensions["welcomeday.mail"] = MailState()
    return app.extensions["welcomeday.mail"]


def add_attachment_provider(app: Flask, kind: str, func: Callable[..., Attachment | None]) -> None:
    """Name the function that builds attachments of ``kind`` (called by each feature's ``init_app``)."""
    mail_state(app).attachment_providers[kind] = func


def attachment_kinds() -> set[str]:
    """The kinds of attachment this application can build (a message names only those)."""
    return set(mail_state(current_app).attachment_providers)


def queue_mail(to: str, template: str, *, locale: str = "en", attachments: list[dict] | None = None,
               **context) -> None:
    """Add ``templates/email/<template>.{subject,txt,html}`` with ``context`` to the outbox (no commit).

    Model instances in ``context`` are kept as references and the mail is rendered when it is read (see the
    module's docstring); ``ModelRef`` names a row by id where the caller has no instance."""
    values = {name: _freeze(value) for name, value in context.items()}
    if any(value is _CANNOT for value in values.values()):
        subject, text, html = _render(template, locale, context)
        row = {"subject": subject, "body_text": text, "body_html": html, "context": {}}
    else:
        row = {"subject": "", "body_text": "", "body_html": "", "context": {"locale": locale, "values": values}}
    # A Core INSERT on the session's transaction: no unit of work for a row nobody reads in it.
    db.session.connection().execute(_ADD_MESSAGE, {"to": to, "template": template,
                                                   "attachments": attachments or [], **row})
    _pending_flag()


_ADD_MESSAGE = OutboxMessage.__table__.insert()


@dataclass(frozen=True)
class ModelRef:
    """A reference to a row for a mail's context, when the caller has its id but no instance."""
    model: str
    id: int


_CANNOT = object()


def _freeze(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, ModelRef):
        return {"$model": value.model, "id": value.id}
    if isinstance(value, db.Model):
        identity = inspect(value).identity
        if identity is None:  # not flushed yet
            db.session.flush()
            identity = inspect(value).identity
        return {"$model": type(value).__name__, "id": identity[0]}
    return _CANNOT


def _thaw(value):
    if isinstance(value, dict) and "$model" in value:
        model = next((m.class_ for m in db.Model.registry.mappers if m.class_.__name__ == value["$model"]), None)
        row = db.session.get(model, value["id"]) if model is not None else None
        if row is None:
            raise MessageGone(f"{value['$model']} {value['id']} no longer exists")
        return row
    return value


def _render(template: str, locale: str, context: dict) -> tuple[str, str, str]:
    with force_locale(locale):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context) if _has_html_part(template) else ""
    return subject[:300], text, html


def _has_html_part(template: str) -> bool:
    # Looked up once per template: a missing template is not cached by Jinja, and this runs under locks.
    html_parts = mail_state(current_app).html_parts
    if template not in html_parts:
        html_parts[template] = f"email/{template}.html" in current_app.jinja_env.list_templates(
            filter_func=lambda name: name.startswith("email/"))
    return html_parts[template]


def _pending_flag():
    db.session.info["welcomeday_mail_queued"] = True


def build_email(message: OutboxMessage) -> EmailMessage:
    subject, text, html = message.render()
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain="welcomeday")
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    for ref in message.attachments or []:
        provider = mail_state(current_app).attachment_providers.get(ref.get("kind", ""))
        if provider is None:
            log.warning("no attachment provider for %r (message %s)", ref, message.id)
            continue
        attachment = provider(**{k: v for k, v in ref.items() if k != "kind"})
        if attachment is None:
            continue
        maintype, subtype = attachment.mimetype.split("/", 1)
        mail.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mail


def memory_outbox(app: Flask | None = None) -> list[EmailMessage]:
    """The messages the memory backend "sent" (MAIL_BACKEND=memory, for tests), kept on the application."""
    return mail_state(app or current_app).sent


def _deliver(mail: EmailMessage) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    cfg = current_app.config
    if backend == "memory":
        memory_outbox().append(mail)
    elif backend == "log":
        log.info("mail to %s: %s", mail["To"], mail["Subject"])
    elif backend == "smtp":
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
            if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(mail)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


# How long a sender holds the messages it claimed: longer than rendering a message's attachments and one SMTP
# conversation take. A sender that dies meanwhile leaves them to be sent again after this (at least once).
CLAIM = timedelta(minutes=10)


def claim_due(limit: int) -> list[int]:
    """Claim up to ``limit`` due messages for this sender, in one short transaction: their next attempt moves
    CLAIM ahead, so no other sender takes them, and none ignores a message's back-off. On PostgreSQL the rows are
    locked with SKIP LOCKED, so senders running at once take different messages; SQLite has one writer anyway."""
    now = utcnow()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if ids:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(next_attempt_at=now + CLAIM))
    db.session.commit()
    return list(ids)


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Send the due messages this sender can claim; returns (sent, failed). Each message is recorded on its own.

    Once sent, a message keeps its subject and the references it was rendered from, not its text: the text
    carries the person's secret links (in development the text is kept, for the outbox page)."""
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    keep_text = current_app.config["APP_ENV"] == "development"
    sent = failed = 0
    for message_id in claim_due(limit):
        message = db.session.get(OutboxMessage, message_id)
        try:
            mail = build_email(message)
        except MessageGone:
            message.context, message.attempts = {}, max_attempts  # nothing to retry: shown as failed
            failed += 1
            db.session.commit()
            continue
        db.session.commit()  # SQLite: no write lock held while the mail server answers
        try:
            _deliver(mail)
        except Exception as exc:  # noqa: BLE001 - any failure of the mail server is retried later
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.next_attempt_at = utcnow() + timedelta(minutes=2 ** min(message.attempts, 10))
            failed += 1
            log.warning("mail %s to %s failed (attempt %s): %s", message.id, message.to, message.attempts, exc)
        else:
            message.attempts += 1
            message.sent_at = utcnow()
            message.subject_ = str(mail["Subject"])[:300]
            if not keep_text:
                message.body_text_ = message.body_html_ = ""
            sent += 1
        db.session.commit()
    return sent, failed


def _send_in_background(app: Flask) -> None:
    lock = mail_state(app).sender_lock
    if not lock.acquire(blocking=False):
        return  # a sender is already running; it picks up the new message

    def run():
        try:
            with app.app_context():
                send_pending()
        except Exception:  # noqa: BLE001
            log.exception("background mail sender failed")
        finally:
            lock.release()

    threading.Thread(target=run, name="outbox-sender", daemon=True).start()


# Set while an RQ job to send the outbox is waiting; the job clears it as it starts, so a mail written while it
# sends gets a job of its own, and a burst of registrations gets one job, not one each.
SEND_JOB_WAITING = "welcomeday:outbox:send-waiting"


def send_outbox_job() -> None:
    """The RQ job that sends the outbox (run by ``flask --app wsgi worker``, in the application's context)."""
    queue.connection().delete(SEND_JOB_WAITING)
    while sum(send_pending()):
        pass


def _send_on_rq(app: Flask) -> None:
    """Ask a worker to send the outbox; with Redis away the mail waits for the next commit or ``outbox send``."""
    try:
        if queue.connection(app).set(SEND_JOB_WAITING, "1", nx=True, ex=60):
            queue.queue(app).enqueue(send_outbox_job, job_timeout=600, result_ttl=0, failure_ttl=86400)
    except Exception:  # noqa: BLE001 - the message is in the outbox either way; never fail the request
        log.warning("could not queue the outbox sender on RQ", exc_info=True)


def _after_commit(session):
    if session.info.pop("welcomeday_mail_queued", False) and has_app_context():
        if current_app.config["MAIL_SEND_AFTER_COMMIT"]:
            app = current_app._get_current_object()
            # Production (REDIS_URL): a worker sends it; the web request only wrote the row. Else a thread here.
            if queue.redis_url(app):
                _send_on_rq(app)
            else:
                _send_in_background(app)


def _after_rollback(session):
    session.info.pop("welcomeday_mail_queued", None)


def init_app(app: Flask) -> None:
    """The application's mail state, and the start of a sender after each commit that wrote a message; the
    hooks go on the session of the application's database (``db.session``), once."""
    mail_state(app)
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
