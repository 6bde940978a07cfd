from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user, user_logged_in
from markupsafe import Markup

from app.accounts import services, throttle
from app.accounts.forms import ForgotPasswordForm, LoginForm, NewPasswordForm, TotpForm
from app.accounts.models import User
from app.accounts.permissions import requires
from app.accounts.services import authenticate
from app.extensions import db, login_manager
from app.pdf import qr_svg

bp = Blueprint("accounts", __name__, url_prefix="/account")

# How long the code step of two-step login waits after the right password.
TOTP_STEP_SECONDS = 10 * 60


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    login_manager.login_view = "accounts.login"
    # Lazy: Flask-Login's own message is English on every page; this one is read in the page's language.
    login_manager.login_message = _l("Please log in to access this page.")
    login_manager.user_loader(services.user_for_session)
    user_logged_in.connect(keep_server_side_session, app)


def keep_server_side_session(sender, user) -> None:
    """Whoever calls login_user() (the login pages, an employer's invitation), the cookie keeps the token of a new
    server-side session, which the user loader checks on every request and logging out ends; not the user's id,
    which login_user() wrote a moment before."""
    session["_user_id"] = services.start_session(user)


@bp.before_app_request
def _check_signed_in_session():
    """Load the signed-in user before the view runs (one lookup of the session record), so that noting the
    session as seen can commit without committing anything of the view's."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    if current_user.is_authenticated:
        services.note_session_seen(current_user._get_current_object())
    else:  # ended (logged out elsewhere, new password) or unknown: drop it from the cookie too
        for key in ("_user_id", "_fresh", "_id"):
            session.pop(key, None)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


def _locked(template: str, attempt: throttle.Attempt, message: str, **context):
    """429 with Retry-After, and the form again with the reason and how long to wait."""
    response = make_response(render_template(template, locked=message, **context), 429)
    response.headers["Retry-After"] = str(attempt.retry_after)
    return response


def _wait_minutes(attempt: throttle.Attempt) -> int:
    return math.ceil(attempt.retry_after / 60)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        attempt = throttle.begin(throttle.login_counters(form.email.data, request.remote_addr))
        if attempt.refused:
            return _locked("accounts/login.html", attempt, _failures_message(attempt), form=form)
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            attempt.succeeded()
        if user is not None and user.totp_secret:
            # Password right; the second step decides. Nothing is logged in until the code is right too.
            session["totp_user"] = user.id
            session["totp_until"] = int(time.time()) + TOTP_STEP_SECONDS
            session["totp_next"] = _safe_next(request.args.get("next"))
            return redirect(url_for("accounts.totp"), 303)
        if user is not None:
            _sign_in(user)
            return redirect(_safe_next(request.args.get("next")) or _home(user))
        form.password.errors.append(_("E-mail address or password is wrong."))
    return render_template("accounts/login.html", form=form)


def _sign_in(user: User) -> None:
    if current_user.is_authenticated:  # logging in again in this browser: the session it had ends
        services.end_session(current_user.current_session_id)
    login_user(user)  # starts a server-side session (keep_server_side_session)


def _failures_message(attempt: throttle.Attempt) -> str:
    return ngettext("Too many failed attempts. Please wait %(num)d minute, then try again.",
                    "Too many failed attempts. Please wait %(num)d minutes, then try again.",
                    _wait_minutes(attempt))


def _home(user: User) -> str:
    if user.is_admin or user.event_roles:
        return url_for("console.index")
    return url_for("programme.index")


def _pending_totp_user() -> User | None:
    """The account whose password was right a moment ago and whose code is awaited."""
    if int(session.get("totp_until") or 0) < time.time():
        return None
    user = db.session.get(User, session.get("totp_user") or 0)
    return user if user is not None and user.active and user.totp_secret else None


@bp.route("/login/code", methods=["GET", "POST"])
def totp():
    user = _pending_totp_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = TotpForm()
    if form.validate_on_submit():
        attempt = throttle.begin(throttle.code_counters(user.id, request.remote_addr))
        if attempt.refused:
            return _locked("accounts/totp.html", attempt, _failures_message(attempt), form=form)
        if services.verify_totp(user.totp_secret, form.code.data):
            attempt.succeeded()
            target = session.pop("totp_next", None)
            session.pop("totp_user", None)
            session.pop("totp_until", None)
            _sign_in(user)
            return redirect(target or _home(user))
        form.code.errors.append(_("This code is not right. Type the code your app shows now."))
    return render_template("accounts/totp.html", form=form), 422 if form.errors else 200


@bp.route("/security", methods=["GET", "POST"])
@requires("admin")
def security():
    """Administrators turn on two-step login: scan the QR code, type a code to prove it works."""
    form = TotpForm()
    if request.method == "POST" and request.form.get("action") == "disable":
        if form.validate_on_submit() and services.verify_totp(current_user.totp_secret or "", form.code.data):
            services.disable_totp(current_user)
            flash(_("Two-step login is off."), "info")
            return redirect(url_for("accounts.security"), 303)
        form.code.errors.append(_("This code is not right. Type the code your app shows now."))
    elif request.method == "POST":
        secret = session.get("totp_setup") or ""
        if form.validate_on_submit() and secret and services.enable_totp(current_user, secret, form.code.data):
            session.pop("totp_setup", None)
            flash(_("Two-step login is on. From now on you need a code from your app to log in."), "success")
            return redirect(url_for("accounts.security"), 303)
        form.code.errors.append(_("This code is not right. Type the code your app shows now."))
    qr = secret = None
    if not current_user.totp_secret:
        secret = session.get("totp_setup") or services.new_totp_secret()
        session["totp_setup"] = secret
        qr = Markup(qr_svg(services.totp_uri(current_user, secret), error_correction="M"))
    return render_template("accounts/security.html", form=form, qr=qr, secret=secret), \
        422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@requires("user")
def logout():
    services.end_session(current_user.current_session_id)  # this session only, on the server too
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("programme.index"))


# ------------------------------------------------------------------------------------------- password reset


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        attempt = throttle.begin(throttle.reset_counters(form.email.data, request.remote_addr))
        if attempt.refused:
            message = ngettext("Too many requests for a new password. Please wait %(num)d minute, then try again.",
                               "Too many requests for a new password. Please wait %(num)d minutes, then try "
                               "again.", _wait_minutes(attempt))
            return _locked("accounts/forgot_password.html", attempt, message, form=form)
        services.request_password_reset(form.email.data)
        # The same page whether or not the address has an account.
        return render_template("accounts/forgot_password_sent.html", email=form.email.data.strip())
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = services.password_reset_by_token(token)
    if reset is None:
        return _no_referrer(make_response(render_template("accounts/reset_invalid.html"), 410))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError as exc:
            if exc.field != "password":
                return _no_referrer(make_response(render_template("accounts/reset_invalid.html"), 410))
            form.password.errors.append(exc.message)
        else:
            flash(_("Your new password is set, and you are logged out everywhere. Log in with the new password."),
                  "success")
            return redirect(url_for("accounts.login"), 303)
    response = make_response(render_template("accounts/reset_password.html", form=form, email=reset.user.email),
                             422 if form.errors else 200)
    return _no_referrer(response)


def _no_referrer(response):
    # The page's address is the secret link: never send it on to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
