"""Dates and times in the event's time zone and the reader's locale (Jinja filters)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates
from flask_babel import get_locale


def _tz(tz) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(getattr(tz, "timezone", tz) or "UTC")


def _repeats(local: datetime) -> bool:
    """Whether this wall-clock time happens twice (the hour when the clocks go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def fmt_time(moment: datetime | None, tz) -> str:
    """The local time, with its UTC offset when the clocks show it twice that night ("02:30 (GMT+01:00)")."""
    if moment is None:
        return ""
    text = dates.format_time(moment, "short", tzinfo=_tz(tz), locale=get_locale())
    local = moment.astimezone(_tz(tz))
    if _repeats(local):
        text += f" ({dates.get_timezone_gmt(local, 'long', locale=get_locale())})"
    return text


def fmt_date(moment: datetime | None, tz, form: str = "full") -> str:
    if moment is None:
        return ""
    return dates.format_date(moment.astimezone(_tz(tz)).date(), form, locale=get_locale())


def fmt_datetime(moment: datetime | None, tz, form: str = "medium") -> str:
    if moment is None:
        return ""
    return dates.format_datetime(moment, form, tzinfo=_tz(tz), locale=get_locale())


def fmt_range(start: datetime, end: datetime, tz) -> str:
    return f"{fmt_time(start, tz)}–{fmt_time(end, tz)}"


def init_app(app) -> None:
    app.jinja_env.filters.update(time=fmt_time, date=fmt_date, datetime=fmt_datetime)
    app.jinja_env.globals.update(time_range=fmt_range)
