from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import EventRole, EventRoleKind, User
from app.extensions import db, utcnow


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
    if len(password) < 10:
        raise AccountError("The password needs at least 10 characters.", field="password")
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
    user = user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def grant_role_by_email(email: str, event, role: EventRoleKind) -> EventRole:
    """Give an existing account a role for one event (audited)."""
    from flask_babel import gettext as _

    from app.audit import audit
    user = user_by_email(email)
    if user is None:
        raise AccountError(_("There is no account with this e-mail address; create it first "
                             "(flask --app wsgi user create)."), field="email")
    if user.is_employer:
        raise AccountError(_("Employer contacts cannot be event staff."), field="email")
    if role in user.roles_for(event.id):
        raise AccountError(_("This account already has this role."), field="role")
    granted = EventRole(user=user, event_id=event.id, role=role)
    db.session.add(granted)
    db.session.flush()
    audit("role.grant", granted, None, {"user": user.email, "role": role.value}, event_id=event.id)
    db.session.commit()
    return granted


def revoke_role(role: EventRole) -> None:
    from app.audit import audit
    audit("role.revoke", role, {"user": role.user.email, "role": role.role.value}, None, event_id=role.event_id)
    db.session.delete(role)
    db.session.commit()


# ------------------------------------------------------------------------------------------- two-step login


def new_totp_secret() -> str:
    import pyotp
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    import pyotp
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="welcomeday")


def verify_totp(secret: str, code: str) -> bool:
    import pyotp
    code = (code or "").replace(" ", "")
    return code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable_totp(user: User, secret: str, code: str) -> bool:
    from app.audit import audit
    if not verify_totp(secret, code):
        return False
    user.totp_secret = secret
    audit("totp.enable", user, None, {"user": user.email})
    db.session.commit()
    return True


def disable_totp(user: User) -> None:
    from app.audit import audit
    user.totp_secret = None
    audit("totp.disable", user, None, {"user": user.email})
    db.session.commit()
