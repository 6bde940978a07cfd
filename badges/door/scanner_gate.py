"""The scanner API's own entrance: /api/v1/checkin and /api/v1/checkin/roster, served in front of Flask.

A busy door sends a scan every second or two per device. Through Flask each scan paid for machinery a scanner
never uses: the request context and URL routing, the cookie session, CSRF, the rate limiter before and after the
request, sign-in's cookie, and their teardown; that was about a third of a scan's time in Python. Requests to
these two paths come here instead, with the same application context (configuration, database session,
translations), the same JSON errors and the same views (``badges/door/api.py``); everything else goes on to Flask.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.errors import json_error
from app.extensions import db
from app.security import apply_headers

log = logging.getLogger("welcomeday.checkin")

PREFIX = "/api/v1/checkin"


class ScannerGate:
    """WSGI middleware: the scanner API's paths to ``badges.door.api``, every other request to ``wsgi``."""

    def __init__(self, app, wsgi):
        from badges.door import api
        self.app, self.wsgi = app, wsgi
        self.routes = {PREFIX: ("POST", api.check_in), PREFIX + "/roster": ("GET", api.get_roster)}

    def __call__(self, environ, start_response):
        route = self.routes.get(environ.get("PATH_INFO", ""))
        if route is None:
            return self.wsgi(environ, start_response)
        return self._serve(route, environ, start_response)

    def _serve(self, route, environ, start_response):
        # The test client calls inside the test's application context: use it, as Flask would.
        pushed = None
        if not (has_app_context() and current_app._get_current_object() is self.app):
            pushed = self.app.app_context()
            pushed.push()
        try:
            request = self.app.request_class(environ)
            languages = self.app.config["LANGUAGES"]
            locale = request.accept_languages.best_match(languages) or self.app.config["BABEL_DEFAULT_LOCALE"]
            with force_locale(locale):
                response = self._respond(route, request)
            apply_headers(response, self.app.config)
            return response(environ, start_response)
        finally:
            if pushed is not None:
                pushed.pop()  # Flask-SQLAlchemy's teardown ends the database session

    def _respond(self, route, request):
        method, view = route
        try:
            if request.method not in (method, "HEAD" if method == "GET" else method):
                raise MethodNotAllowed(valid_methods=[method])
            return _response(view(request))
        except HTTPException as exc:  # 405, 413 (MAX_CONTENT_LENGTH)
            reason = (exc.name or "error").lower().replace(" ", "_")
            response = _response(json_error(exc.code or 500, reason, exc.description or exc.name))
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        except Exception:  # a bug: logged with its traceback, answered like every other 500
            log.exception("unhandled error on %s %s", request.method, request.path)
            db.session.rollback()
            return _response(json_error(500, "internal_error", "Something went wrong on our side."))


def _response(result):
    """A view's answer (a response, or a (response, status) pair) as one response."""
    if isinstance(result, tuple):
        response, status = result
        response.status_code = status
        return response
    return result
