"""The staff console: events, programme, registrations, imports, exports, mail and the dashboard."""
from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")

from events.registration import mailing, staff as views_registrations
from events.programme import staff as views  # noqa: E402,F401  (routes and job handlers)
