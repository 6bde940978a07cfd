"""The audit log's pages in the console: every entry (administrators) and one event's (its staff)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from app.accounts.permissions import requires
from app.audit import ACTION_LABELS, entries

bp = Blueprint("audit", __name__, url_prefix="/console")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def _render(event=None):
    action = request.args.get("action", "")
    action = action if action in ACTION_LABELS else ""
    page = _page()
    rows, more = entries(event.id if event else None, action, page)
    return render_template("console/audit.html", rows=rows, more=more, page=page, action=action, event=event,
                           labels=ACTION_LABELS)


@bp.get("/audit")
@requires("admin")
def all_entries():
    return _render()


@bp.get("/e/<slug>/audit")
@requires("staff", event_from="slug")
def event_entries(event):
    return _render(event)
