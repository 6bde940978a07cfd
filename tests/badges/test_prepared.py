"""The scan's prepared statements (badges/door/prepared.py) bind what SQLAlchemy itself would bind."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from badges.door import store
from badges.door.prepared import Prepared
from badges.models import ScanResult

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)
VALUES = {"token_hash": "h", "event_id": 1, "door": "main", "scope": "d1", "nonce": "n", "badge_id": 3, "holder": "r1",
          "station": "Hall", "checked_in_at": NOW, "user_id": None, "device_id": 2, "received_at": NOW,
          "offline": False, "maybe_conflict": True, "log_id": 4, "check_in_id": 5, "now": NOW, "undone_at": None,
          "result": ScanResult.OK, "reason": "", "conflict": False, "scanned_at": NOW}


def _statements():
    for name, value in vars(store).items():
        if isinstance(value, Prepared):
            yield name, value, ("postgresql", "sqlite")
        elif isinstance(value, dict) and value and all(isinstance(v, Prepared) for v in value.values()):
            for dialect_name, prepared in value.items():  # spelled per dialect
                yield f"{name}[{dialect_name}]", prepared, (dialect_name,)


@pytest.mark.no_database
def test_parameters_are_sqlalchemys():
    dialects = {"postgresql": postgresql.psycopg.dialect(), "sqlite": sqlite.pysqlite.dialect()}
    checked = 0
    for name, prepared, dialect_names in _statements():
        for dialect_name in dialect_names:
            if name == "ADMIT_AND_LOG" and dialect_name == "sqlite":
                continue  # data-modifying CTEs: PostgreSQL only (store.admit_and_log)
            dialect = dialects[dialect_name]
            compiled = prepared.statement.compile(dialect=dialect)
            raw = compiled.construct_params(VALUES)
            expected = dict(raw)
            for bind, bind_name in compiled.bind_names.items():  # a name bound twice is processed once
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if processor is not None:
                    expected[bind_name] = processor(raw[bind_name])
            if dialect.positional:
                expected = tuple(expected[bind_name] for bind_name in compiled.positiontup)
            assert prepared.parameters(dialect, VALUES) == expected, (name, dialect_name)
            checked += 1
    assert checked >= 19  # every statement of the scan, on each dialect it runs on
