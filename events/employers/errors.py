"""How the employers feature says no: ``EmployerError``, raised by ``refuse`` after rolling the call back."""
from __future__ import annotations

from app.extensions import db


class EmployerError(Exception):
    """A rule said no; ``field`` names the form field the message belongs to."""

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status


def refuse(code: str, message: str, field: str | None = None, status: int = 409):
    """A rule said no: nothing of the call is kept, the caller gets an EmployerError."""
    db.session.rollback()
    raise EmployerError(code, message, field, status)
