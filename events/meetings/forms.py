"""Forms of the meeting pages (the wish lists are parsed from dynamic field names in the views)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.forms import Form, SelectField


class ConfigureForm(Form):
    slot_minutes = IntegerField(_l("Meeting length (minutes)"), default=10,
                                validators=[InputRequired(), NumberRange(min=3, max=120)])
    changeover_minutes = IntegerField(_l("Changeover (minutes)"), default=5,
                                      validators=[InputRequired(), NumberRange(min=0, max=60)])
    max_meetings = IntegerField(_l("Most meetings per attendee"), default=2,
                                validators=[InputRequired(), NumberRange(min=1, max=20)])
    max_wishes = IntegerField(_l("Employers an attendee may rank"), default=5,
                              validators=[InputRequired(), NumberRange(min=1, max=20)])


class TablesForm(Form):
    organisation_id = SelectField(_l("Employer"), coerce=int, choices=[])
    tables = IntegerField(_l("Tables (0 removes)"), default=1, validators=[InputRequired(),
                                                                          NumberRange(min=0, max=50)])
    max_meetings = IntegerField(_l("Most meetings (optional)"), validators=[Optional(), NumberRange(min=1,
                                                                                                  max=10000)])


class RunForm(Form):
    mode = SelectField(_l("Goal"), choices=[("fair", _l("Fair: as many attendees as possible get a meeting")),
                                            ("best_total", _l("Best total score"))])


class RuleForm(Form):
    registration_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    organisation_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    kind = SelectField(choices=[("pin", "pin"), ("forbid", "forbid"), ("clear", "clear")])
    slot_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    table = IntegerField(validators=[Optional(), NumberRange(min=0, max=49)])


class RegistrationPickForm(Form):
    registration_id = IntegerField(_l("Attendee"), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
