"""Who came and to which sessions, read from the door's check-ins through the console figure "checkin_rows"
(badges/door names it; events do not import the door): a holder "r<registration id>" at door "main" came, at
"session-<id>" attended that session. Checked in anywhere counts as came."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.console.plugins import figure


@dataclass
class Attendance:
    came: set[int] = field(default_factory=set)                  # registration ids
    sessions: dict[int, set[int]] = field(default_factory=dict)  # registration id -> session ids

    def sessions_of(self, registration_id: int) -> set[int]:
        return self.sessions.get(registration_id, set())


def attendance(event) -> Attendance:
    provider = figure("checkin_rows")
    result = Attendance()
    if provider is None:
        return result
    _header, rows = provider(event)
    for holder, door, *_rest in rows:
        if not holder.startswith("r") or not holder[1:].isdigit():
            continue  # staff and employers ("u<id>") get no certificate
        registration_id = int(holder[1:])
        result.came.add(registration_id)
        if door.startswith("session-") and door[8:].isdigit():
            result.sessions.setdefault(registration_id, set()).add(int(door[8:]))
    return result
