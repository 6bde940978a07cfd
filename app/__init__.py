"""welcomeday: the application factory."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface

from app.config import BASE_DIR, Config

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    from flask_login import current_user

    from flask import current_app, has_request_context
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


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(BASE_DIR / "var"))
    app.config.from_object(Config)
    app.session_interface = _CookieSessionOnDemand()
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    # Cookies: never readable by scripts, not sent along by other sites' requests, HTTPS-only on an HTTPS site.
    secure = app.config["BASE_URL"].lower().startswith("https://")
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure)
    os.makedirs(app.config["CACHE_DIR"], exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and ":memory:" not in \
            app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from app import errors, formatting, inputs, mail, security  # noqa: F401  (mail registers its commit hooks)
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    limiter.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    formatting.init_app(app)
    inputs.init_app(app)

    _import_models()
    _register_blueprints(app)

    from app.cli import register_commands
    register_commands(app)
    from app.jobs import register_worker_command
    register_worker_command(app)

    from app.urls import external_url
    app.jinja_env.globals.update(external_url=external_url,
                                 has_endpoint=lambda name: name in app.view_functions)

    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale
        return {"current_locale": str(get_locale() or "en"), "languages": app.config["LANGUAGES"]}

    return app


def _import_models() -> None:
    """Import every model module so that metadata (and Alembic autogenerate) sees every table."""
    import app.accounts.models  # noqa: F401
    import app.audit  # noqa: F401
    import app.jobs  # noqa: F401
    import app.mail  # noqa: F401
    import badges.models  # noqa: F401
    import events.agendas.models  # noqa: F401
    import events.programme.models  # noqa: F401
    import events.registration.models  # noqa: F401
    import events.employers.models  # noqa: F401
    import events.meetings.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as accounts_bp
    from app.dev import bp as dev_bp
    from app.jobs import bp as jobs_bp
    from badges.views import console_link as checkin_link_bp
    from badges.views import public as badges_bp, staff as badges_staff_bp  # also registers jobs + mail provider
    from events.agendas.views import bp as agendas_bp
    from events.registration.api import bp as api_bp
    from events.employers.views import bp as employers_bp
    from events.employers.views import staff_bp as employers_staff_bp
    from events.meetings.views import bp as meetings_bp
    from events.registration.views import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(accounts_bp)
    if app.config["APP_ENV"] == "development":  # in production the development pages do not exist at all
        app.register_blueprint(dev_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(employers_bp)
    app.register_blueprint(employers_staff_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(agendas_bp)
    from app.audit import bp as audit_bp
    from app.console import bp as console_bp
    from events.registration.privacy import bp as privacy_bp
    app.register_blueprint(console_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(badges_bp)
    app.register_blueprint(badges_staff_bp)
    from badges.door.scanner_gate import ScannerGate
    app.wsgi_app = ScannerGate(app, app.wsgi_app)  # the scanner API, in front of Flask
    app.register_blueprint(checkin_link_bp)
