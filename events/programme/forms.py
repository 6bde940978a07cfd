"""Staff console forms. Times are typed in the event's own time zone; services store them in UTC."""
from __future__ import annotations

import re
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, EmailField, IntegerField, RadioField,
                     StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.forms import ContactAddress, Form, MultiCheckboxField, SelectField, TranslatedTexts, strip_filter

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EVENT_LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands"), ("fr", "Français")]
OCCURRENCES = [("0", _l("The first time (before the clocks go back)")),
               ("1", _l("The second time (after the clocks go back)"))]
SESSION_KINDS = [("workshop", _l("Workshop")), ("talk", _l("Talk")), ("panel", _l("Panel")),
                 ("networking", _l("Networking")), ("info_stand", _l("Info stand")), ("break", _l("Break"))]


def _slug(form, field):
    if field.data and not SLUG_RE.match(field.data):
        raise ValidationError(_l("Use lower-case letters, digits and hyphens only, e.g. welcome-day-2027."))


class EventForm(TranslatedTexts, Form):
    """Title and description in the main language here; the other languages' copies are added per request by
    app.forms.with_translations (``title_de``, ``description_nl``…)."""

    translated_fields = ("title", "description")
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(_l("Please give a title.")), Length(max=200)])
    slug = StringField(_l("Address (slug)"), filters=[strip_filter],
                       validators=[DataRequired(_l("Please give an address.")), Length(max=80), _slug],
                       description=_l("Lower-case letters, digits and hyphens, e.g. welcome-day-2027."))
    description = TextAreaField(_l("Description"), filters=[strip_filter],
                                validators=[Optional(), Length(max=5000)])
    venue = StringField(_l("Venue"), filters=[strip_filter], validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), filters=[strip_filter],
                          validators=[Optional(), Length(max=300)])
    timezone = StringField(_l("Time zone"), filters=[strip_filter], default="Europe/Berlin",
                           validators=[DataRequired(), Length(max=64)],
                           description=_l("As in the IANA list, e.g. Europe/Berlin or Europe/Brussels."))
    day = DateField(_l("Date"), validators=[DataRequired(_l("Please give the date."))])
    starts = TimeField(_l("Starts at"), validators=[DataRequired(_l("Please give a time."))])
    ends = TimeField(_l("Ends at"), validators=[DataRequired(_l("Please give a time."))])
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), validators=[Optional()],
                                                description=_l("Empty: when the day ends."))
    capacity = IntegerField(_l("Places at the event"), validators=[Optional(), NumberRange(min=1, max=100_000)],
                            description=_l("Empty: no limit."))
    main_language = SelectField(_l("Main language of the texts"), choices=[],
                                description=_l("Titles, descriptions and room names must be given in it; the "
                                               "other languages are optional and fall back on it."))
    languages = MultiCheckboxField(_l("Languages of the programme"), choices=EVENT_LANGUAGES,
                                   validators=[DataRequired(_l("Choose at least one language."))])
    contact_email = EmailField(_l("Contact e-mail"), filters=[strip_filter],
                               validators=[Optional(), ContactAddress(), Length(max=254)])
    privacy_notice = TextAreaField(_l("Privacy notice"), filters=[strip_filter],
                                   validators=[Optional(), Length(max=20000)],
                                   description=_l("Shown to attendees before they consent. Empty: our standard "
                                                  "notice."))

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_l("Unknown time zone."))

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The day must end after it starts."))

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if opens and field.data and field.data <= opens:
            raise ValidationError(_l("Registration must close after it opens."))


class CloneForm(Form):
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(_l("Please give a title.")), Length(max=200)])
    slug = StringField(_l("Address (slug)"), filters=[strip_filter],
                       validators=[DataRequired(_l("Please give an address.")), Length(max=80), _slug])
    day = DateField(_l("New date"), validators=[DataRequired(_l("Please give the date."))])


class RoomForm(TranslatedTexts, Form):
    translated_fields = ("name",)
    name = StringField(_l("Room"), filters=[strip_filter],
                       validators=[DataRequired(_l("Please name the room.")), Length(max=120)])
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=100_000)])
    floor = StringField(_l("Floor"), filters=[strip_filter], validators=[Optional(), Length(max=80)])


class SessionForm(TranslatedTexts, Form):
    translated_fields = ("title", "abstract")
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(_l("Please give a title.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=SESSION_KINDS)
    abstract = TextAreaField(_l("Abstract"), filters=[strip_filter],
                             validators=[Optional(), Length(max=5000)])
    starts = TimeField(_l("Starts at"), validators=[DataRequired(_l("Please give a time."))])
    ends = TimeField(_l("Ends at"), validators=[DataRequired(_l("Please give a time."))])
    room_id = SelectField(_l("Room"), choices=[], validate_choice=True)
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=100_000)],
                            description=_l("Empty: as many as come."))
    needs_seat = BooleanField(_l("People book a seat"), default=True)
    language = SelectField(_l("Language"), choices=EVENT_LANGUAGES)
    speakers = StringField(_l("Speakers"), filters=[strip_filter],
                           validators=[Optional(), Length(max=300)],
                           description=_l("Separated by commas; the programme grid warns when one person is in "
                                          "two places at once."))
    # Shown only when the time typed above happens twice that day (the clocks go back): which one is meant.
    # Whether the times exist, and that the session ends after it starts, is judged in the event's time zone by
    # events.programme.services.session_instants (the message appears next to the field).
    starts_occurrence = RadioField(_l("Which start time?"), choices=OCCURRENCES, validators=[Optional()])
    ends_occurrence = RadioField(_l("Which end time?"), choices=OCCURRENCES, validators=[Optional()])
    clash_reason = TextAreaField(_l("Reason to keep the clash"), filters=[strip_filter],
                                 validators=[Optional(), Length(max=300)],
                                 description=_l("Stored with the session and in the audit log, and shown in the "
                                                "programme grid."))

    def occurrence(self, field) -> int | None:
        return int(field.data) if field.data in ("0", "1") else None


class CancelSessionForm(Form):
    message = TextAreaField(_l("Message to the attendees"), filters=[strip_filter],
                            validators=[Optional(), Length(max=2000)],
                            description=_l("Added to the e-mail that tells them the session is cancelled."))


class RoleForm(Form):
    email = EmailField(_l("E-mail of the account"), filters=[strip_filter],
                       validators=[DataRequired(_l("Please give an e-mail address.")), Length(max=254)])
    role = SelectField(_l("Role"), choices=[("staff", _l("Event staff")), ("door", _l("Door staff"))])
