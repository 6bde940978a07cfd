"""validate_schedule: list every violated hard constraint of a schedule."""
from __future__ import annotations

from .instance import Instance, Schedule
from .scoring import is_allowed


def validate_schedule(inst: Instance, schedule: Schedule) -> list[str]:
    """Return human-readable violations (empty list = schedule is valid).

    Checks: known ids; table index in range; attendee not busy; no attendee twice in
    a slot; no table twice in a slot; no pair twice; attendee and employer caps; pair
    allowed (hard filters, forbidden, exclusions, not interested); every pinned and
    existing meeting present unchanged."""
    errs: list[str] = []
    att_slot, table_slot, pair_seen = {}, {}, {}
    a_cnt: dict[str, int] = {}
    e_cnt: dict[str, int] = {}
    keys = set()
    for i, m in enumerate(schedule.meetings):
        p = f"meetings[{i}] ({m.attendee}, {m.employer}, {m.slot}, table {m.table})"
        att, emp = inst.att.get(m.attendee), inst.emp.get(m.employer)
        if att is None:
            errs.append(f"{p}: unknown attendee")
        if emp is None:
            errs.append(f"{p}: unknown employer")
        if m.slot not in inst.slot_index:
            errs.append(f"{p}: unknown slot")
        if att is None or emp is None or m.slot not in inst.slot_index:
            continue
        keys.add(m.key())
        if not (0 <= m.table < emp.tables):
            errs.append(f"{p}: table index out of range (employer has {emp.tables} tables)")
        if m.slot in att.busy_slots:
            errs.append(f"{p}: attendee is busy in this slot")
        ok, why = is_allowed(inst, att, emp)
        if not ok:
            errs.append(f"{p}: pair not allowed ({why})")
        for dct, key, what in ((att_slot, (m.attendee, m.slot), "attendee has two meetings in one slot"),
                               (table_slot, (m.employer, m.table, m.slot), "table used twice in one slot"),
                               (pair_seen, (m.attendee, m.employer), "pair meets twice")):
            if key in dct:
                errs.append(f"{p}: {what} (also meetings[{dct[key]}])")
            else:
                dct[key] = i
        a_cnt[m.attendee] = a_cnt.get(m.attendee, 0) + 1
        e_cnt[m.employer] = e_cnt.get(m.employer, 0) + 1
    for a_id, c in sorted(a_cnt.items()):
        if c > inst.att[a_id].max_meetings:
            errs.append(f"attendee {a_id}: {c} meetings > max_meetings {inst.att[a_id].max_meetings}")
    for e_id, c in sorted(e_cnt.items()):
        cap = inst.employer_cap(inst.emp[e_id])
        if c > cap:
            errs.append(f"employer {e_id}: {c} meetings > cap {cap}")
    for name, ms in (("pinned", inst.pinned), ("existing", inst.existing)):
        for i, m in enumerate(ms):
            if m.key() not in keys:
                errs.append(f"{name}[{i}] ({m.attendee}, {m.employer}, {m.slot}, table {m.table}): missing")
    return errs
