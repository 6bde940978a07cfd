"""The staff console: events, programme, registrations, imports, exports, mail and the dashboard."""
from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")

from app.console import mailing, views, views_registrations  # noqa: E402,F401  (routes and job handlers)
