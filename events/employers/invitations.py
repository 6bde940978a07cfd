"""Employer contacts: invitations by e-mail (a secret link, stored only as its hash) and accepting them."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.employers.errors import refuse
from events.employers.models import EmployerInvitation, Organisation

INVITATION_DAYS = 14


def user_with_email(email: str) -> User | None:
    """The account with this e-mail address, if there is one."""
    return db.session.scalars(select(User).where(User.email == email.strip().lower())).first()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(organisation: Organisation, email: str, name: str, invited_by: User | None,
                      locale: str = "en") -> EmployerInvitation:
    """A new invitation, mailed with its secret link; the caller commits."""
    token = secrets.token_urlsafe(32)
    invitation = EmployerInvitation(organisation=organisation, email=email.strip().lower(), name=name,
                                    token_hash=_token_hash(token), invited_by_id=invited_by.id if invited_by else None,
                                    expires_at=utcnow() + timedelta(days=INVITATION_DAYS), locale=locale)
    db.session.add(invitation)
    queue_mail(invitation.email, "employer_invitation", invitation=invitation, organisation=organisation,
               token=token, days=INVITATION_DAYS, locale=locale)
    return invitation


def invite_contact(organisation: Organisation, email: str, name: str, invited_by: User) -> EmployerInvitation:
    """Invite another contact person (staff, or a contact of the same organisation)."""
    if not (invited_by.organisation_id == organisation.id or invited_by.is_admin or _staff_of(invited_by,
                                                                                              organisation)):
        refuse("forbidden", _("You cannot invite contacts for this organisation."), status=403)
    if user_with_email(email):
        refuse("email_taken", _("This e-mail address has an account already."), field="email")
    invitation = create_invitation(organisation, email, name, invited_by, locale=invited_by.locale or "en")
    db.session.commit()
    return invitation


def _staff_of(user: User, organisation: Organisation) -> bool:
    return any(user.is_staff_for(p.event_id) for p in organisation.partnerships)


def invitation_by_token(token: str) -> EmployerInvitation | None:
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalars(
        select(EmployerInvitation).where(EmployerInvitation.token_hash == _token_hash(token))).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(token: str, name: str, password: str) -> User:
    invitation = invitation_by_token(token)
    if invitation is None:
        refuse("invitation_invalid", _("This invitation is not valid any more. Ask for a new one."), status=410)
    if len(password) < 10:
        refuse("password_short", _("The password needs at least 10 characters."), field="password", status=422)
    if user_with_email(invitation.email):
        refuse("email_taken", _("This e-mail address has an account already: log in instead."), field="password")
    user = User(email=invitation.email, name=name or invitation.name, organisation_id=invitation.organisation_id,
                locale=invitation.locale)
    user.set_password(password)  # werkzeug's default: scrypt
    db.session.add(user)
    db.session.flush()
    invitation.accepted_at, invitation.user_id = utcnow(), user.id
    try:
        db.session.commit()
    except IntegrityError:
        refuse("email_taken", _("This e-mail address has an account already: log in instead."), field="password")
    return user
