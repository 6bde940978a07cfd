"""The development mail outbox at /dev/outbox: see every e-mail the application wrote (SHOW_DEV_OUTBOX)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from app.extensions import db
from app.mail import OutboxMessage

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.before_request
def only_when_enabled():
    if not current_app.config["SHOW_DEV_OUTBOX"]:
        abort(404)


@bp.get("/outbox")
def outbox():
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("dev/outbox.html", messages=messages)


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("dev/message.html", message=message)
