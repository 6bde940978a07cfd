"""The staff desk's forms: registering a person by hand, a seat beyond the capacity, e-mail to a group."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from app.forms import Form, MultiCheckboxField, SelectField, strip_filter
from events.registration.forms import (LOCALE_LABELS, country_choices, profile_select_field,
                                       profile_text_field)
from events.registration.profile import BY_NAME


class SeatForm(Form):
    """Give a seat; in a full session only with the explicit override and a reason (kept in the audit log)."""
    session_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    override = BooleanField(_l("Beyond the capacity"))
    reason = StringField(_l("Why?"), filters=[strip_filter], validators=[Optional(), Length(max=300)])


class HandRegistrationForm(Form):
    email = EmailField(_l("E-mail"), filters=[strip_filter],
                       validators=[DataRequired(_l("Please give an e-mail address.")), Email(), Length(max=254)])
    # The profile's own declarations (events/registration/profile.py), worded for staff; only the name is needed.
    full_name = profile_text_field("full_name", description="")
    badge_name = profile_text_field("badge_name", label=BY_NAME["badge_name"].column_label, description="")
    country = profile_select_field("country", optional=True, label=BY_NAME["country"].column_label)
    university = profile_text_field("university", optional=True, description="")
    locale = profile_select_field("locale", choices=LOCALE_LABELS, default="en")
    sessions = MultiCheckboxField(_l("Sessions"), choices=[], coerce=int)
    consent = BooleanField(_l("The person has read the privacy notice and agrees to it."),
                           validators=[DataRequired(_l("Registration needs the person's consent."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class SegmentMailForm(Form):
    segment = SelectField(_l("Send to"), choices=[])
    template = SelectField(_l("Template"), choices=[])
    subject = StringField(_l("Subject"), filters=[strip_filter],
                          validators=[Optional(), Length(max=200)],
                          description=_l("For your own text; the templates bring their own subject."))
    body = TextAreaField(_l("Message"), filters=[strip_filter],
                         validators=[Optional(), Length(max=10000)],
                         description=_l("For your own text. Greeting, personal link and footer are added in "
                                        "each person's language."))

    def validate_body(self, field):
        if self.template.data == "custom" and not (field.data and self.subject.data):
            raise ValidationError(_l("Your own text needs a subject and a message."))
