"""The database or Redis out of reach (a restart) is a 503 with Retry-After that asks to try again, page or JSON;
a wrong statement stays a 500. bench/restarts.py measures the real thing (README, "Production")."""
from __future__ import annotations

import psycopg
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from events.registration import queries
from tests.factories import make_event


def _refused(*args, **kwargs):
    raise OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))


def _redis_gone(*args, **kwargs):
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")


@pytest.mark.parametrize("failure", [_refused, _redis_gone])
def test_out_of_reach_is_a_503_that_asks_to_try_again(client, monkeypatch, failure):
    event = make_event()
    monkeypatch.setattr(queries, "places_taken", failure)
    monkeypatch.setattr(queries, "session_seats", failure)

    page = client.get(f"/e/{event.slug}/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "briefly unavailable" in page.get_data(as_text=True)

    api = client.get(f"/api/v1/events/{event.slug}")
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["error"]["reason"] == "service_unavailable"


def test_a_wrong_statement_is_still_a_500(client, monkeypatch):
    event = make_event()

    def wrong(*args, **kwargs):
        raise OperationalError("SELECT nothing", {}, Exception("no such table: nothing"))

    monkeypatch.setattr(queries, "places_taken", wrong)
    assert client.get(f"/api/v1/events/{event.slug}").status_code == 500
