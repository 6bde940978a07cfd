from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from app.accounts import services
from app.accounts.forms import LoginForm, TotpForm
from app.accounts.models import User
from app.accounts.permissions import requires
from app.accounts.services import authenticate
from app.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__, url_prefix="/account")

login_manager.login_view = "accounts.login"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and user.totp_secret:
            # Password right; the second step decides. Nothing is logged in until the code is right too.
            session["totp_user"] = user.id
            session["totp_next"] = _safe_next(request.args.get("next"))
            return redirect(url_for("accounts.totp"), 303)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or _home(user))
        form.password.errors.append(_("E-mail address or password is wrong."))
    return render_template("accounts/login.html", form=form)


def _home(user: User) -> str:
    if user.is_admin or user.event_roles:
        return url_for("console.index")
    return url_for("public.index")


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def totp():
    user = db.session.get(User, session.get("totp_user") or 0)
    if user is None or not user.totp_secret:
        return redirect(url_for("accounts.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if services.verify_totp(user.totp_secret, form.code.data):
            target = session.pop("totp_next", None)
            session.pop("totp_user", None)
            login_user(user)
            return redirect(target or _home(user))
        form.code.errors.append(_("This code is not right. Type the code your app shows now."))
    return render_template("accounts/totp.html", form=form), 422 if form.errors else 200


@bp.route("/security", methods=["GET", "POST"])
@requires("admin")
def security():
    """Administrators turn on two-step login: scan the QR code, type a code to prove it works."""
    from app.pdf import qr_svg
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
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"))
