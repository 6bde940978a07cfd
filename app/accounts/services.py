from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pyotp
from flask_babel import gettext
from sqlalchemy import delete, select, update

from app.accounts.models import EventRole, EventRoleKind, PasswordReset, User, UserSession, check_against_dummy
from app.audit import audit
from app.extensions import db, utcnow
from app.mail import queue_mail

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200  # what the login form accepts
PASSWORD_RESET_MINUTES = 60
# How often a signed-in session's last_seen_at is written: not on every request, which would cost a write.
SESSION_SEEN_EVERY = timedelta(minutes=5)
# Ended sessions are kept this long (when and how a session ended), then deleted at the user's next login.
ENDED_SESSIONS_KEPT = timedelta(days=30)


class AccountError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email.strip().lower())).first()


def create_user(email: str, password: str, *, name: str = "", is_admin: bool = False,
                organisation_id: int | None = None) -> User:
    email = email.strip().lower()
    if user_by_email(email):
        raise AccountError("A user with this e-mail address exists already.", field="email")
    check_new_password(password)
    user = User(email=email, name=name, is_admin=is_admin, organisation_id=organisation_id)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def grant_event_role(user: User, event_id: int, role: EventRoleKind) -> None:
    if role not in user.roles_for(event_id):
        db.session.add(EventRole(user=user, event_id=event_id, role=role))
        db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The account for this address and password, or None. Exactly one password check on every path, so that
    the answer takes as long for an unknown or inactive address as for a wrong password."""
    user = user_by_email(email)
    if user is None or not user.active:
        check_against_dummy(password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def check_new_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(gettext("The password needs at least 10 characters."), field="password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(gettext("Between 10 and 200 characters, please."), field="password")


def set_new_password(user: User, password: str, *, how: str = "link") -> None:
    """A new password ends every signed-in session of the user (and every unused reset link); audited."""
    check_new_password(password)
    user.set_password(password)
    audit("password.reset", user, None, {"user": user.email, "by": how}, user=user if how == "link" else None)
    end_all_sessions(user.id)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                   PasswordReset.used_at.is_(None)).values(used_at=utcnow()))
    db.session.commit()


# ------------------------------------------------------------------------------------------- signed-in sessions


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """A new server-side session for ``user``; returns the token for the session cookie (committed). Every
    login_user() starts one (views.keep_server_side_session)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(user_id=user.id, token_hash=_hash(token), created_at=now, last_seen_at=now)
    db.session.add(record)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.ended_at < now - ENDED_SESSIONS_KEPT))
    db.session.commit()
    user.current_session_id, user.current_session_seen_at = record.id, now
    return token


def user_for_session(token: str) -> User | None:
    """The user of a live session, by the cookie's token: one lookup by the unique token hash. None for an ended
    session, an unknown token, an inactive account."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(
        select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None), User.active.is_(True))
    ).first()
    if row is None:
        return None
    user = row[0]
    user.current_session_id, user.current_session_seen_at = row[1], row[2]
    return user


def note_session_seen(user: User) -> None:
    """Write last_seen_at when the stored one is older than SESSION_SEEN_EVERY (commits; call before a view
    has changed anything)."""
    now = utcnow()
    if user.current_session_id is None or (user.current_session_seen_at or now) > now - SESSION_SEEN_EVERY:
        return
    db.session.execute(update(UserSession).where(UserSession.id == user.current_session_id)
                       .values(last_seen_at=now))
    db.session.commit()
    user.current_session_seen_at = now


def end_session(session_id: int | None) -> None:
    if session_id is None:
        return
    db.session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))
    db.session.commit()


def end_all_sessions(user_id: int) -> None:
    """End every live session of the user (no commit: the caller's change carries it)."""
    db.session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))


# ------------------------------------------------------------------------------------------- password reset


def request_password_reset(email: str) -> None:
    """E-mail a reset link when an active account has this address; nothing otherwise. The caller answers the
    same either way."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(PasswordReset(user_id=user.id, token_hash=_hash(token), created_at=now,
                                 expires_at=now + timedelta(minutes=PASSWORD_RESET_MINUTES)))
    queue_mail(user.email, "password_reset", locale=user.locale or "en", user=user, token=token,
               minutes=PASSWORD_RESET_MINUTES)
    db.session.commit()


def password_reset_by_token(token: str) -> PasswordReset | None:
    """The reset a link stands for while it can be used: unknown, used, expired links and inactive accounts
    give None."""
    if not token or len(token) > 100:
        return None
    reset = db.session.scalars(select(PasswordReset).where(PasswordReset.token_hash == _hash(token))).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow() or not reset.user.active:
        return None
    return reset


def reset_password(token: str, password: str) -> User:
    """Set the new password through a reset link, once: the link is claimed by one UPDATE, so two submissions
    of the same link cannot both succeed."""
    check_new_password(password)
    reset = password_reset_by_token(token)
    if reset is None:
        raise AccountError(gettext("This link is not valid any more."))
    claimed = db.session.execute(
        update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow()))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise AccountError(gettext("This link is not valid any more."))
    user = reset.user
    set_new_password(user, password)
    return user


def grant_role_by_email(email: str, event, role: EventRoleKind) -> EventRole:
    """Give an existing account a role for one event (audited)."""
    user = user_by_email(email)
    if user is None:
        raise AccountError(gettext("There is no account with this e-mail address; create it first "
                                   "(flask --app wsgi user create)."), field="email")
    if user.is_employer:
        raise AccountError(gettext("Employer contacts cannot be event staff."), field="email")
    if role in user.roles_for(event.id):
        raise AccountError(gettext("This account already has this role."), field="role")
    granted = EventRole(user=user, event_id=event.id, role=role)
    db.session.add(granted)
    db.session.flush()
    audit("role.grant", granted, None, {"user": user.email, "role": role.value}, event_id=event.id)
    db.session.commit()
    return granted


def revoke_role(role: EventRole) -> None:
    audit("role.revoke", role, {"user": role.user.email, "role": role.role.value}, None, event_id=role.event_id)
    db.session.delete(role)
    db.session.commit()


# ------------------------------------------------------------------------------------------- two-step login


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="welcomeday")


def verify_totp(secret: str, code: str) -> bool:
    code = (code or "").replace(" ", "")
    return code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable_totp(user: User, secret: str, code: str) -> bool:
    if not verify_totp(secret, code):
        return False
    user.totp_secret = secret
    audit("totp.enable", user, None, {"user": user.email})
    db.session.commit()
    return True


def disable_totp(user: User) -> None:
    user.totp_secret = None
    audit("totp.disable", user, None, {"user": user.email})
    db.session.commit()
