"""The dashboard's staff pages, at /console/e/<slug>/: the figures and charts of one event."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.accounts.permissions import requires
from events.dashboard import charts, figures
from events.dashboard.panels import render_charts

bp = Blueprint("dashboard", __name__, url_prefix="/console/e/<slug>")


def _dashboard_context(event) -> dict:
    numbers = figures.build(event)
    return {"d": numbers, "charts": render_charts(event, numbers, charts)}


@bp.get("/")
@requires("staff", event_from="slug")
def dashboard_page(event):
    return render_template("dashboard/dashboard.html", event=event, **_dashboard_context(event))


@bp.get("/dashboard/panels")
@requires("staff", event_from="slug")
def dashboard_panels(event):
    """The charts alone: the dashboard page swaps them in every 30 seconds."""
    return render_template("dashboard/_panels.html", event=event, **_dashboard_context(event))
