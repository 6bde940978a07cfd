"""The employers feature: partner applications, employer pages and staff decisions."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts.permissions import lookups
from app.console import NavEntry, navigation, redirect_old_urls
from events.employers import views


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("employers_staff.partners", _l("Partners"), order=80),
            NavEntry("employers_staff.slots", _l("Workshop slots"), order=90)]


def init_app(app: Flask) -> None:
    found = lookups(app)
    found.takes_part, found.choose_organisation = views.takes_part, views.choose_organisation_first
    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp)
    redirect_old_urls(app, views.OLD_STAFF_URLS)
    navigation.connect(console_entries, app)
