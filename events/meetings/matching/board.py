"""Placement board shared by the solver and the greedy baseline.

The board is a proper edge colouring of the bipartite graph attendees x tables
(an employer with t tables is t "table" vertices; colours are slots). It keeps
per-attendee and per-employer meeting counts, busy slots and fixed meetings
(pinned/existing), and can insert a pair directly or via a Kempe-chain swap
(alternating alpha/beta path), which never moves fixed meetings and never puts
an attendee into a busy slot. Without busy slots and fixed meetings a pair can
always be inserted while both endpoints are below their degree limits (Koenig).
"""
from __future__ import annotations

from .instance import Instance, Meeting


class Board:
    def __init__(self, inst: Instance, max_path: int = 5000):
        self.inst = inst
        self.nslots = len(inst.slots)
        self.max_path = max_path
        self.tables = {e.id: e.tables for e in inst.employers}
        self.emp_cap = {e.id: inst.employer_cap(e) for e in inst.employers}
        self.att_cap = {a.id: a.max_meetings for a in inst.attendees}
        self.busy = {a.id: frozenset(inst.slot_index[s] for s in a.busy_slots) for a in inst.attendees}
        self.at: dict[str, dict[int, tuple[str, int]]] = {a.id: {} for a in inst.attendees}
        self.tb: dict[tuple[str, int], dict[int, str]] = {
            (e.id, t): {} for e in inst.employers for t in range(e.tables)}
        self.count_e = {e.id: 0 for e in inst.employers}
        self.pairs: set[tuple[str, str]] = set()
        self.fixed: set[tuple[str, int]] = set()          # (attendee, slot index)
        self.kind: dict[tuple[str, str], str] = {}
        for m in list(inst.pinned) + list(inst.existing):
            s = inst.slot_index[m.slot]
            self._add(m.attendee, m.employer, s, m.table)
            self.fixed.add((m.attendee, s))
            self.kind[(m.attendee, m.employer)] = m.kind

    # -------------------------------------------------------------- primitives
    def _add(self, a, e, s, t):
        self.at[a][s] = (e, t)
        self.tb[(e, t)][s] = a
        self.count_e[e] += 1
        self.pairs.add((a, e))

    def _remove(self, a, e, s, t):
        del self.at[a][s]
        del self.tb[(e, t)][s]
        self.count_e[e] -= 1
        self.pairs.discard((a, e))

    def place_at(self, a, e, s, t) -> None:
        """Put a meeting the caller has checked (exact solvers) at slot ``s``, table ``t``."""
        self._add(a, e, s, t)

    def count_a(self, a) -> int:
        return len(self.at[a])

    def free_slots(self, a) -> list[int]:
        at, busy = self.at[a], self.busy[a]
        return [s for s in range(self.nslots) if s not in at and s not in busy]

    def has_room(self, a, e) -> bool:
        return ((a, e) not in self.pairs and len(self.at[a]) < self.att_cap[a]
                and self.count_e[e] < self.emp_cap[e])

    # -------------------------------------------------------------- insertion
    def find_direct(self, a, e):
        at, busy, tb = self.at[a], self.busy[a], self.tb
        for s in range(self.nslots):
            if s in at or s in busy:
                continue
            for t in range(self.tables[e]):
                if s not in tb[(e, t)]:
                    return s, t
        return None

    def place_direct(self, a, e) -> bool:
        if not self.has_room(a, e):
            return False
        st = self.find_direct(a, e)
        if st is None:
            return False
        self._add(a, e, *st)
        return True

    def try_place(self, a, e, max_attempts: int = 64) -> bool:
        """Insert pair (a, e): directly if a common free slot exists, else by one
        Kempe-chain swap. Returns False (board unchanged) if neither works."""
        if not self.has_room(a, e):
            return False
        st = self.find_direct(a, e)
        if st is not None:
            self._add(a, e, *st)
            return True
        attempts = 0
        alphas = self.free_slots(a)
        for t in range(self.tables[e]):
            row = self.tb[(e, t)]
            betas = [s for s in range(self.nslots) if s not in row]
            if not betas:
                continue
            for alpha in alphas:            # alpha is free at a, used at (e, t)
                for beta in betas:          # beta is free at (e, t)
                    attempts += 1
                    if attempts > max_attempts:
                        return False
                    if self._kempe(e, t, alpha, beta):
                        self._add(a, e, alpha, t)
                        return True
        return False

    def _kempe(self, e, t, alpha, beta) -> bool:
        """Swap alpha/beta on the alternating path starting at table (e, t) with
        its alpha edge. Afterwards alpha is free at (e, t). Fails (no change) if the
        path touches a fixed meeting, is too long, or would put an attendee into a
        busy slot."""
        path = []
        v = (e, t)
        while True:
            a1 = self.tb[v].get(alpha)
            if a1 is None:
                break
            if (a1, alpha) in self.fixed or beta in self.busy[a1]:
                return False
            path.append((a1, v, alpha))
            nxt = self.at[a1].get(beta)
            if nxt is None:
                break
            if (a1, beta) in self.fixed or alpha in self.busy[a1]:
                return False
            path.append((a1, nxt, beta))
            v = nxt
            if len(path) > self.max_path:
                return False
        for a1, (e1, t1), c in path:
            self._remove(a1, e1, c, t1)
        for a1, (e1, t1), c in path:
            self._add(a1, e1, beta if c == alpha else alpha, t1)
        return True

    # -------------------------------------------------------------- output
    def meetings(self) -> list[Meeting]:
        """Unscored meetings, sorted by (slot index, employer, table)."""
        out = []
        for a, row in self.at.items():
            for s, (e, t) in row.items():
                out.append((s, e, t, a))
        out.sort()
        ids = [x.id for x in self.inst.slots]
        return [Meeting(a, e, ids[s], t, kind=self.kind.get((a, e), "new")) for s, e, t, a in out]
