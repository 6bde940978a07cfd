"""Forms of the meeting pages (the wish lists are parsed from dynamic field names in the views)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, RadioField, SearchField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.forms import Form, SelectField, strip_filter
from events.meetings.ratings import MAX_DAYS_OPEN
from events.registration.forms import country_codes, language_choices
from events.registration.profile import BY_NAME, LEVELS, OFFER_LABELS, country_label, level_label


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


class PoolFilterForm(Form):
    """The employer's search, filters, sort and page (GET query parameters, so that a filter is a link)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search by name, university or field"), filters=[strip_filter],
                    validators=[Optional(), Length(max=100)])
    degree = SelectField(_l("Degree"), choices=[], validators=[Optional()])
    field = StringField(_l("Field of study"), filters=[strip_filter], validators=[Optional(), Length(max=100)])
    language = SelectField(_l("Speaks"), choices=[], validators=[Optional()])
    level = SelectField(_l("at least"), choices=[], validators=[Optional()])
    seeking = SelectField(_l("Looks for"), choices=[], validators=[Optional()])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    graduated_from = DateField(_l("Graduates from"), validators=[Optional()])
    graduated_to = DateField(_l("Graduates by"), validators=[Optional()])
    chosen = SelectField(_l("Your choice"), choices=[("", _l("Any")), ("wish", _l("Want to meet")),
                                                     ("exclude", _l("Excluded")), ("none", _l("Not chosen yet"))],
                         validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=[("name", _l("Name")), ("graduation", _l("Graduation")),
                                               ("fit", _l("Best fit"))], default="name", validators=[Optional()])
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)])

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.degree.choices = [("", _l("Any")), *BY_NAME["degree_level"].choices]
        self.language.choices = [("", _l("Any")), *language_choices()[1:]]
        self.level.choices = [("", _l("Any level")), *((lvl, level_label(lvl)) for lvl in LEVELS)]
        self.seeking.choices = [("", _l("Anything")), *BY_NAME["seeking"].choices]
        self.country.choices = [("", _l("Any")), *sorted(((c, country_label(c)) for c in countries),
                                                         key=lambda item: item[1])]
        if self.country.data in set(country_codes()) - set(countries):  # a link from before still reads
            self.country.choices.append((self.country.data, country_label(self.country.data)))

    def validate_graduated_to(self, field):
        if field.data and self.graduated_from.data and field.data < self.graduated_from.data:
            raise ValidationError(_l("The end comes before the start."))

    def values(self) -> dict:
        """The valid filters (a field with an error is left out: the page says why next to it)."""
        names = ("q", "degree", "field", "language", "level", "seeking", "country", "graduated_from",
                 "graduated_to", "chosen", "sort", "page")
        out = {name: getattr(self, name).data for name in names if not getattr(self, name).errors}
        return {k: v for k, v in out.items() if v not in (None, "")}


class ChoiceForm(Form):
    """One choice about one attendee (a form per row; the page's script sends it with fetch)."""
    choice = SelectField(_l("Your choice"), choices=[("", "—"), ("wish", _l("Want to meet")),
                                                     ("exclude", _l("Exclude"))], validators=[Optional()])


class PublishForm(Form):
    """Publishing mails people: staff tick that they know how many (the numbers they saw travel along, so that
    a run finished meanwhile cannot mail others than those confirmed)."""
    understood = BooleanField(validators=[DataRequired(_l("Tick the box to confirm who gets mail."))])
    attendees = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9]{1,9}$")])
    contacts = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9]{1,9}$")])


class EmployerFilterForm(Form):
    """The attendee's filters over the employers of a session (GET query parameters)."""

    class Meta:
        csrf = False

    offer = SelectField(_l("Offers"), choices=[], validators=[Optional()])
    support = BooleanField(_l("Helps with the visa or a Blue Card"))
    fits = BooleanField(_l("Only employers my profile fits"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer.choices = [("", _l("Anything")), *((s.value, label) for s, label in OFFER_LABELS.items())]


class RatingMailForm(PublishForm):
    """Sending the rating mails: the numbers staff saw, their tick, and how long ratings stay open."""
    days_open = IntegerField(_l("Ratings can be given or changed for (days)"), default=14,
                             validators=[InputRequired(), NumberRange(min=1, max=MAX_DAYS_OPEN)])


class RatingClosingForm(Form):
    """When the ratings close, as the event's wall-clock time."""
    closes_at = DateTimeLocalField(
        _l("Ratings can be given or changed until"), validators=[DataRequired(_l("Please give a date and a time."))],
        description=_l("In the welcome day's local time. A time already past closes the ratings now; a later one "
                       "keeps them open, or opens them again."))


def rating_form(meetings, ratings: dict, label_of):
    """One 1-5 rating and a comment per meeting the person had (labelled ``label_of(meeting)``), filled with their
    earlier ratings."""
    attrs: dict = {"meeting_fields": []}
    for m in meetings:
        attrs[f"rating_{m.id}"] = RadioField(label_of(m), choices=[(r, str(r)) for r in range(1, 6)], coerce=int,
                                             validate_choice=False, validators=[Optional()])
        attrs[f"comment_{m.id}"] = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
        attrs["meeting_fields"].append(m)
    form_class = type("RatingForm", (Form,), attrs)
    data = {}
    for meeting_id, row in ratings.items():
        data[f"rating_{meeting_id}"], data[f"comment_{meeting_id}"] = row.rating, row.comment
    return form_class(data=data)


def rating_answers(form) -> dict[int, tuple[int | None, str]]:
    return {m.id: (getattr(form, f"rating_{m.id}").data, getattr(form, f"comment_{m.id}").data or "")
            for m in form.meeting_fields}
