"""Development-only pages: the mail outbox at /console/dev/outbox, to read every e-mail the application wrote.

They are registered only when APP_ENV is "development" (``make run``); in production the URLs do not exist. Even
then only staff see them: mails carry people's secret links.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from app.accounts.permissions import requires
from app.extensions import db
from app.mail import OutboxMessage

bp = Blueprint("dev", __name__, url_prefix="/console/dev")
# Where the outbox was before it joined the console: the old URLs answer a permanent redirect (development only).
OLD_URLS = [("/dev/outbox", "/console/dev/outbox"),
            ("/dev/outbox/<int:message_id>", "/console/dev/outbox/<message_id>")]


@bp.get("/outbox")
@requires("staff")
def outbox():
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("dev/outbox.html", messages=messages)


@bp.get("/outbox/<int:message_id>")
@requires("staff")
def outbox_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("dev/message.html", message=message)
