"""The programme feature: its public pages and the console's programme pages, for the composition root
(app/__init__.py)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import lookups
from app.console import NavEntry, navigation
from app.extensions import db
from events.programme import staff, views
from events.programme.models import Event


def event_by_slug(slug: str) -> Event | None:
    return db.session.scalars(select(Event).where(Event.slug == slug)).first()


def slug_of_event(event_id: int) -> str | None:
    return db.session.scalar(select(Event.slug).where(Event.id == event_id))


def console_events(user: User) -> list[Event]:
    """The events a person may open in the console (all for administrators), newest first."""
    query = select(Event).order_by(Event.starts_at.desc())
    if not user.is_admin:
        ids = {r.event_id for r in user.event_roles}
        query = query.where(Event.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("programme_staff.sessions", _l("Programme"), order=30),
            NavEntry("programme_staff.edit_event", _l("Details"), order=40),
            NavEntry("programme_staff.roles", _l("Team"), role="admin", order=140)]


def init_app(app: Flask) -> None:
    found = lookups(app)
    found.event_by_slug, found.slug_of_event, found.events_for = event_by_slug, slug_of_event, console_events
    app.register_blueprint(views.bp)
    app.register_blueprint(staff.bp)
    navigation.connect(console_entries, app)
