"""The forms of the contact scanner: a scanned or typed badge code, and the lead (rating and note)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form, strip_filter
from events.leads.services import NOTE_LENGTH, RATINGS


class ScanForm(Form):
    code = StringField(_l("Badge code"), filters=[strip_filter], validators=[DataRequired(), Length(max=64)])


class LeadForm(Form):
    rating = RadioField(_l("Rating"), choices=[(r, str(r)) for r in RATINGS], coerce=int, validate_choice=False,
                        validators=[Optional()])  # 1 to 5 or none: the service checks it
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_LENGTH)])
