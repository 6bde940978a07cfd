"""What goes into a person's day, from every feature that adds to it.

The agenda PDF, the calendar feeds and "My registration" read a person's day from here; each feature registers
a provider: the programme adds the sessions a registration holds, matching adds 1:1 meetings. Items carry what a
calendar needs: a stable UID, a SEQUENCE that grows when the item changes, and a status (CANCELLED items stay
in the feed with their UID so that calendar apps remove them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable


@dataclass(frozen=True)
class AgendaItem:
    uid: str                 # stable for the item's life, e.g. "session-12-reg-40@welcomeday"
    kind: str                # "session" | "meeting" | anything a provider adds
    title: str
    starts_at: datetime      # aware, UTC
    ends_at: datetime
    location: str = ""       # room (and table), without the venue
    status: str = "confirmed"  # "confirmed" | "waitlisted" | "cancelled"
    description: str = ""
    url: str | None = None
    sequence: int = 0
    updated_at: datetime | None = None
    extra: dict = field(default_factory=dict)  # e.g. {"waitlist_position": 3} or {"reason": "…", "table": 3}


RegistrationProvider = Callable[["Registration"], Iterable[AgendaItem]]  # noqa: F821
UserProvider = Callable[["User", "Event"], Iterable[AgendaItem]]  # noqa: F821

_registration_providers: list[RegistrationProvider] = []
_user_providers: list[UserProvider] = []


def registration_provider(func: RegistrationProvider) -> RegistrationProvider:
    if func not in _registration_providers:
        _registration_providers.append(func)
    return func


def user_provider(func: UserProvider) -> UserProvider:
    if func not in _user_providers:
        _user_providers.append(func)
    return func


def _sorted(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    return sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.uid))


def items_for_registration(registration, *, include_cancelled: bool = False) -> list[AgendaItem]:
    items = [item for provider in _registration_providers for item in provider(registration)]
    return _sorted(i for i in items if include_cancelled or i.status != "cancelled")


def items_for_user(user, event, *, include_cancelled: bool = False) -> list[AgendaItem]:
    """An employer contact's or staff member's own day (their workshops, their table's meetings)."""
    items = [item for provider in _user_providers for item in provider(user, event)]
    return _sorted(i for i in items if include_cancelled or i.status != "cancelled")
