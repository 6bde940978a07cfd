"""welcomeday: the application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, send_from_directory, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_login import current_user

from app import (audit, cli, console, content, dev, errors, formatting, health, inputs, job_pages, jobs, keys,  # noqa: F401
                 logs, mail, metrics, paths, pool, security, storage)
from app.accounts import views as accounts_views
from app.config import Config
from app.extensions import babel, csrf, db, init_engines, init_limiter, login_manager, migrate
from app.urls import external_url
# The features, each with init_app(app): the only place where app/ names them (the composition root).
from badges import feature as badges
from events import demo
from events.aftercare import feature as aftercare
from events.agendas import feature as agendas
from events.dashboard import feature as dashboard
from events.employers import feature as employers
from events.feedback import feature as feedback
from events.leads import feature as leads
from events.meetings import feature as meetings
from events.programme import feature as programme
from events.registration import feature as registration
from events.reminders import feature as reminders

FEATURES = (programme, registration, employers, meetings, agendas, dashboard, badges, reminders, feedback, aftercare,
            leads, demo)


def select_locale() -> str:
    if not has_request_context():  # background jobs and the CLI: force_locale() decides, else the default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


class _CookieSessionOnDemand(SecureCookieSessionInterface):
    """Flask's signed-cookie session, which builds its signer only for a request that brings a session cookie
    (API calls and scanners bring none, and this ran on every scan)."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the icon itself, not a 404 in every log."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 86400)


def _floor_pages(app: Flask) -> None:
    """The floor's own pages: sign-in, jobs, health, the icon, and (in development only) the mail outbox."""
    accounts_views.init_app(app)
    if app.config["APP_ENV"] == "development":  # in production the development pages do not exist at all
        app.register_blueprint(dev.bp)
        console.redirect_old_urls(app, dev.OLD_URLS)
    app.register_blueprint(job_pages.bp)
    health.init_app(app)
    console.redirect_old_urls(app, job_pages.OLD_URLS)
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(paths.TEMPLATES), static_folder=str(paths.STATIC),
                instance_path=str(paths.VAR_DIR))
    app.config.from_object(Config)
    app.session_interface = _CookieSessionOnDemand()
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    keys.refuse_default_secret(app.config)
    # Cookies: never readable by scripts, not sent along by other sites' requests, HTTPS-only on an HTTPS site.
    secure = app.config["BASE_URL"].lower().startswith("https://")
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure)
    os.makedirs(app.config["CACHE_DIR"], exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and ":memory:" not in \
            app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    logs.init_app(app)  # first: every later hook, and every line logged in a request, has the request's id
    metrics.init_app(app)

    db.init_app(app)
    init_engines(app)
    with app.app_context():
        pool.ping_idle_connections(db.engine)
    migrate.init_app(app, db, directory=str(paths.MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(paths.TRANSLATIONS))
    init_limiter(app)
    errors.init_app(app)
    security.init_app(app)
    formatting.init_app(app)
    content.init_app(app)
    inputs.init_app(app)
    mail.init_app(app)
    storage.init_app(app)

    # The floor's own pages, then every feature: the one list of what the application is made of.
    _floor_pages(app)
    for feature in FEATURES:
        feature.init_app(app)
    console.init_app(app)  # the staff console's shell; the features connect their menu entries to it
    cli.register_commands(app)
    jobs.register_worker_command(app)

    app.jinja_env.globals.update(external_url=external_url,
                                 has_endpoint=lambda name: name in app.view_functions)

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale() or "en"), "languages": app.config["LANGUAGES"]}

    return app
