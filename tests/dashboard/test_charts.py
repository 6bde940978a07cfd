"""The dashboard's pure parts: arrivals per ten minutes and the SVG chart helper. No database."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from events.dashboard import charts
from events.dashboard.figures import arrivals_per_10_minutes
from events.programme.models import Event

START = datetime(2027, 5, 10, 7, 0, tzinfo=timezone.utc)  # 09:00 in Berlin


def _event() -> Event:
    return Event(timezone="Europe/Berlin", starts_at=START, ends_at=START + timedelta(hours=8))


def test_arrivals_bucket_per_10_minutes_in_local_time():
    times = [START + timedelta(minutes=m) for m in (-31, -29, 0, 1, 9, 10, 45)]
    buckets = arrivals_per_10_minutes(_event(), times)
    assert sum(n for _l, n in buckets) == len(times)
    assert buckets[0] == ("08:20", 1)  # 31 minutes before 09:00, rounded down to ten
    assert dict(buckets)["09:00"] == 3 and dict(buckets)["09:10"] == 1 and buckets[-1] == ("09:40", 1)
    assert arrivals_per_10_minutes(_event(), []) == []


def test_arrivals_start_half_an_hour_before_the_doors_open_when_people_come_late():
    buckets = arrivals_per_10_minutes(_event(), [START + timedelta(minutes=12)])
    assert buckets[0] == ("08:30", 0) and buckets[-1] == ("09:10", 1) and len(buckets) == 5


def test_chart_helper_escapes_and_labels():
    svg = charts.hbar_chart("Fill <script>", "desc & more",
                            [charts.Bar("<b>Room</b>", [charts.Segment(3, "c1", "3 seats")], marker=5, note="3/5")])
    assert "<script>" not in svg and "&lt;b&gt;Room&lt;/b&gt;" in svg
    assert 'role="img"' in svg and "<desc" in svg
    line = charts.line_chart("Reg", "d", [charts.Series("2027", [(-3, 1), (-2, 4), (0, 9)])],
                             x_label="days", x_ticks=[(-3, "-3"), (0, "0"), (-10, "-10")])
    assert "polyline" in line and ">-10<" not in line  # ticks outside the data are left out
    assert "<rect" in charts.column_chart("A", "d", [("09:00", 0), ("09:10", 4)])


def test_axes_read_in_whole_numbers():
    # 250 used to give ticks of 62.5 and 187.5 registrations.
    for top in (1, 3, 5, 7, 9, 33, 101, 202, 250, 999):
        svg = charts.column_chart("A", "d", [("09:00", top)])
        ticks = [t for t in re.findall(r'class="tick"[^>]*>([^<]*)<', svg) if t != "09:00"]
        assert ticks and all(t.isdigit() for t in ticks), (top, ticks)
        assert int(ticks[-1]) >= top and len(ticks) <= 5
    line = charts.line_chart("R", "d", [charts.Series("2027", [(-3, 0), (0, 250)])])
    assert re.findall(r'class="tick"[^>]*>([^<]*)<', line) == ["0", "100", "200", "300"]
    bars = charts.hbar_chart("F", "d", [charts.Bar("CV", [charts.Segment(105, "c1", "21")], marker=100)], unit=" %")
    assert re.findall(r'class="tick"[^>]*>([^<]*)<', bars) == ["0 %", "50 %", "100 %", "150 %"]
