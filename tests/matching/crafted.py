"""A crafted instance whose coverage is limited by one employer's tables, by filters and by busy slots."""
from __future__ import annotations

from events.meetings.matching.instance import Attendee, Employer, Instance, Slot


def crafted() -> Instance:
    """Henkel has one table for six slots; 20 attendees may meet only Henkel (the other employer needs German
    nobody has); two of them said "not interested" in Henkel; one more may meet only Solo but is busy all day."""
    slots = [Slot(f"s{k + 1}") for k in range(6)]
    emps = [Employer(id="e1", name="Henkel", tables=1),
            Employer(id="e2", name="Nobody", tables=2, required_languages={"de": "C2"}),
            Employer(id="e3", name="Solo", tables=1, exclusions=tuple(f"a{i:02d}" for i in range(22)))]
    atts = [Attendee(id=f"a{i:02d}", languages={"en": "C1"}, not_interested=("e3",) if i < 20 else ("e1", "e3"))
            for i in range(22)]
    atts.append(Attendee(id="a99", languages={"en": "C1"}, not_interested=("e1",),
                         busy_slots=tuple(s.id for s in slots)))
    return Instance(slots, emps, atts)
