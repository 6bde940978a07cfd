"""The staff console: events, programme, registrations, imports, exports, mail and the dashboard."""
from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")

