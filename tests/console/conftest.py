from __future__ import annotations

import pytest

from tests.factories import make_event, make_session
from tests.roles import login, team_for


@pytest.fixture
def event(db):
    event = make_event()
    make_session(event, capacity=2, title="CV clinic", room="Room A")
    make_session(event, offset_minutes=90, capacity=None, title="Opening talk")
    return event


@pytest.fixture
def team(event):
    return team_for(event)


@pytest.fixture
def staff_client(client, team):
    login(client, team["staff"])
    return client


@pytest.fixture
def admin_client(client, team):
    login(client, team["admin"])
    return client
