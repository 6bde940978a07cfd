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
