"""The reminders' setting, as staff enter it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from app.forms import Form, strip_filter
from events.reminders.services import MAX_DAYS, SettingError, parse_days


class ReminderSettingForm(Form):
    days = StringField(_l("Days before the day"), filters=[strip_filter], validators=[Length(max=40)],
                       description=_l("Whole days, separated by commas, e.g. 7,1. Empty: no reminders."))

    def validate_days(self, field):
        try:
            parse_days(field.data)
        except SettingError as exc:
            raise ValidationError(_l("“%(value)s” is not a number of days from 1 to %(max)d.",
                                     value=str(exc), max=MAX_DAYS)) from None

    def parsed(self) -> list[int]:
        return parse_days(self.days.data)
