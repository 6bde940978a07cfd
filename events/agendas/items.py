"""What goes into a person's day, from every feature that adds to it.

The agenda PDF, the calendar feeds and "My registration" read a person's day from here; each feature adds a
provider in its init_app (events.agendas.signals): the programme adds the sessions a registration holds, meetings
add 1:1 meetings. Items carry what a calendar needs: a stable UID, a SEQUENCE that grows when the item changes,
and a status (CANCELLED items stay in the feed with their UID so that calendar apps remove them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from flask import Flask

from events.agendas.signals import answers, registration_items, user_items


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


def add_registration_provider(app: Flask, provider: RegistrationProvider) -> None:
    """``provider(registration)`` adds items to every attendee's day in this app (call it in init_app)."""
    registration_items.connect(lambda _app, registration: list(provider(registration)), sender=app, weak=False)


def add_user_provider(app: Flask, provider: UserProvider) -> None:
    """``provider(user, event)`` adds items to an employer contact's or staff member's day in this app."""
    user_items.connect(lambda _app, user, event: list(provider(user, event)), sender=app, weak=False)


def _sorted(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    return sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.uid))


def items_for_registration(registration, *, include_cancelled: bool = False) -> list[AgendaItem]:
    items = [item for found in answers(registration_items, registration=registration) for item in found]
    return _sorted(i for i in items if include_cancelled or i.status != "cancelled")


def items_for_user(user, event, *, include_cancelled: bool = False) -> list[AgendaItem]:
    """An employer contact's or staff member's own day (their workshops, their table's meetings)."""
    items = [item for found in answers(user_items, user=user, event=event) for item in found]
    return _sorted(i for i in items if include_cancelled or i.status != "cancelled")
