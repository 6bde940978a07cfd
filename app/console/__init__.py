"""The staff console's shell: its layout, its navigation and its front page, at /console.

Every feature owns its staff pages (a blueprint under /console/… in its own folder) and tells the shell what to
show in the menu through the ``navigation`` signal, connected in the feature's ``init_app``:

    def console_entries(app, event):
        return [NavEntry("registration_staff.registrations", _l("Registrations"), order=20)]

    navigation.connect(console_entries, app)

So the shell never imports a feature and lists exactly what the application is made of.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, urlencode

from blinker import Namespace
from flask import Blueprint, Flask, abort, current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.permissions import has_role, lookups, requires, staff_events
from app.console import audit

bp = Blueprint("console", __name__, url_prefix="/console")

signals = Namespace()
navigation = signals.signal("console-navigation")
"""Sent by the app with ``event=``; each receiver returns the ``NavEntry`` list its feature offers for it."""


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: Any  # a lazy_gettext string: translated when the menu is drawn
    role: str = "staff"  # who sees the entry (see app/accounts/permissions.py)
    order: int = 50  # the menu's order, low first
    url_args: Callable[[Any], dict] | None = None  # the endpoint's arguments; by default the event's slug

    def url(self, event) -> str:
        return url_for(self.endpoint, **(self.url_args(event) if self.url_args else {"slug": event.slug}))


def navigation_for(event) -> list[NavEntry]:
    """The entries of an event's menu that the current user may open, in order."""
    app = current_app._get_current_object()
    entries = [entry for _receiver, offered in navigation.send(app, event=event) for entry in offered or ()]
    return sorted((e for e in entries if e.endpoint in app.view_functions
                   and has_role(current_user, e.role, event.id)), key=lambda e: e.order)


@bp.app_template_global()
def console_navigation(event) -> list[NavEntry]:
    return navigation_for(event)


@bp.get("/")
@requires("user")
def index():
    events = staff_events(current_user)
    if not events and not current_user.is_admin:
        abort(403)  # employer contacts and accounts without a role have no console
    return render_template("console/index.html", events=events)


def redirect_old_urls(app: Flask, table: list[tuple[str, str]]) -> None:
    """Old staff URLs answer a permanent redirect (308: the method and body stay) to where the page lives now.

    ``table`` holds (old rule, new rule) pairs in Werkzeug's rule syntax, e.g.
    ("/staff/events/<slug>/partners", "/console/e/<slug>/partners"). An old URL that named the event by id
    (``<int:event_id>``) may lead to a new one with ``<slug>``: the event's slug is looked up (404 when there is
    no such event)."""
    for old, new in table:
        app.url_map.add(app.url_rule_class(old, endpoint=f"legacy:{old}", redirect_to=_keeping_query(new),
                                           methods=["GET", "POST"]))


def _keeping_query(new: str) -> Callable:
    """The new address with the old one's query string (a door page's ?station=, a list's ?page=): Werkzeug's
    redirect rules drop it."""
    def target(adapter, **values) -> str:
        if "slug" not in values and "event_id" in values:
            values["slug"] = lookups().slug_of_event(values["event_id"])
            if values["slug"] is None:
                abort(404)
        url = re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: quote(str(values[m.group(1)]), safe=""), new)
        query = adapter.query_args if isinstance(adapter.query_args, str) else urlencode(adapter.query_args or {}, doseq=True)
        return f"{url}?{query}" if query else url
    return target


def _audit_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("audit.event_entries", _l("Log"), order=110)]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(audit.bp)
    navigation.connect(_audit_entries, app)
