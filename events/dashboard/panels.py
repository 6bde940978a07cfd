"""The dashboard's figures as SVG charts, with translated titles and descriptions."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from events.dashboard.figures import Dashboard


def render_charts(event, d: Dashboard, charts) -> dict:
    out = {}
    series = [charts.Series(event.title, [(-days, n) for days, n in d.this_year], "c1")]
    if d.last_year_event is not None:
        series.append(charts.Series(d.last_year_event.title, [(-days, n) for days, n in d.last_year], "c3",
                                    dashed=True))
    if any(s.points for s in series):
        lo = min([x for s in series for x, _y in s.points] + [0])
        step = next((n for n in (1, 2, 7, 14, 30, 60, 90, 180, 365) if -lo / n <= 8), 365)
        ticks = [(x, str(x)) for x in range(0, lo - 1, -step)]
        now_total = d.this_year[-1][1] if d.this_year else 0
        description = _("%(n)d registrations so far.", n=now_total)
        if d.last_year:
            today = d.this_year[-1][0] if d.this_year else 0
            at_same = next((n for days, n in reversed(d.last_year) if days >= today), 0)
            description += " " + _("Last year at the same point: %(n)d.", n=at_same)
        out["registrations"] = charts.line_chart(
            _("Registrations per day, added up"), description, series,
            x_label=_("Days before the welcome day"), y_label=_("Registrations"), x_ticks=ticks)
    if d.sessions:
        # Relative to each session's capacity: a 300-seat hall and a 10-seat workshop read alike.
        bars = []
        for s in d.sessions:
            cap = s.session.capacity if s.session.limited else None
            scale = 100 / cap if cap else 0
            taken = ngettext("%(num)d seat taken", "%(num)d seats taken", s.taken)
            segments = [charts.Segment((s.taken - s.over) * scale if cap else 0, "c1", taken)]
            if s.over:
                segments.append(charts.Segment(s.over * scale, "over", ngettext(
                    "%(num)d seat beyond the capacity", "%(num)d seats beyond the capacity", s.over)))
            if s.waiting and cap:
                segments.append(charts.Segment(s.waiting * scale, "warn", ngettext(
                    "%(num)d on the waiting list", "%(num)d on the waiting list", s.waiting)))
            note = f"{s.taken}/{cap}" if cap else _("%(n)d, no limit", n=s.taken)
            if s.over:
                note += " · " + _("overbooked")
            if s.waiting:
                note += " · " + _("+%(n)d waiting", n=s.waiting)
            bars.append(charts.Bar(s.session.title, segments, marker=100 if cap else None, note=note))
        full = sum(1 for s in d.sessions if s.full)
        out["sessions"] = charts.hbar_chart(
            _("Seats taken and waiting lists"),
            _("%(full)d of %(n)d sessions are full. Bars are relative to each session's capacity (the line, "
              "100 %%); the waiting list continues beyond it.", full=full, n=len(d.sessions)), bars, unit=" %",
            label_width=230, note_width=140)
    for key, title, rows in (("countries", _("Countries"), d.countries),
                             ("universities", _("Universities"), d.universities)):
        if rows:
            bars = [charts.Bar(label, [charts.Segment(n, "c2", str(n))], note=str(n)) for label, n in rows]
            out[key] = charts.hbar_chart(title, _("The ten most frequent, people with a place."), bars,
                                         width=420, label_width=170, note_width=40, label_chars=24)
    if d.arrivals:
        peak = max(d.arrivals, key=lambda item: item[1])
        out["arrivals"] = charts.column_chart(
            _("Arrivals per 10 minutes"), _("Busiest: %(n)d arrivals from %(time)s.", n=peak[1], time=peak[0]),
            d.arrivals, y_label=_("Arrivals"), every=max(1, len(d.arrivals) // 8))
    return out
