"""Forms of the employer area and of the partner pages."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateTimeLocalField, EmailField, FieldList, FormField, IntegerField,
                     PasswordField, SelectField, StringField, TextAreaField)
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from app.content import content_languages, language_name
from app.forms import Form, MultiCheckboxField, TranslatedTexts, strip_filter
from events.employers.partnerships import Candidacy
from events.employers.profiles import ProfileData
from events.employers.services import WorkshopRequest
from events.registration.forms import DEGREE_LABELS, SEEKING_LABELS, LanguageSkillForm
from events.registration.models import DegreeLevel, Seeking
from events.employers.models import OrganisationKind, PartnerRole

KIND_LABELS = {
    OrganisationKind.COMPANY: _l("Company"), OrganisationKind.RESEARCH_INSTITUTE: _l("Research institute"),
    OrganisationKind.CHAMBER: _l("Chamber"), OrganisationKind.UNIVERSITY: _l("University"),
    OrganisationKind.PUBLIC_BODY: _l("Public body"), OrganisationKind.WELCOME_OFFICE: _l("Welcome office"),
}
ROLE_LABELS = {
    PartnerRole.LEAD: _l("Lead partner"), PartnerRole.CONTRIBUTING: _l("Contributing partner"),
    PartnerRole.EXHIBITOR: _l("Exhibitor"),
}


def _text(label, max_len=200, required=True, message=None, **kw):
    validators = [DataRequired(message) if required else Optional(), Length(max=max_len)]
    return StringField(label, filters=[strip_filter], validators=validators, **kw)


def _area(label, max_len=4000):
    return TextAreaField(label, filters=[strip_filter], validators=[Optional(), Length(max=max_len)])


def _split(value: str | None) -> list[str]:
    seen: list[str] = []
    for item in (value or "").split(","):
        item = item.strip()
        if item and item.lower() not in [s.lower() for s in seen]:
            seen.append(item[:100])
    return seen[:30]


class CandidacyForm(Form):
    organisation_name = _text(_l("Organisation"), message=_l("Please name your organisation."))
    kind = SelectField(_l("Kind of organisation"), choices=[(k.value, v) for k, v in KIND_LABELS.items()])
    website = StringField(_l("Website"), filters=[strip_filter],
                          validators=[Optional(), Length(max=300), URL(message=_l("Please give a full address, "
                                                                                  "e.g. https://example.com."))])
    contact_name = _text(_l("Contact person"), message=_l("Please name a contact person."))
    contact_email = EmailField(_l("Contact e-mail"), filters=[strip_filter],
                               validators=[DataRequired(_l("Please give an e-mail address.")), Length(max=254),
                                           Email(_l("This does not look like an e-mail address."))])
    role = SelectField(_l("Take part as"), choices=[(k.value, v) for k, v in ROLE_LABELS.items()],
                       default=PartnerRole.CONTRIBUTING.value)
    offers = _area(_l("What you offer"))
    message = _area(_l("Message to the organisers"))

    def candidacy(self) -> Candidacy:
        return Candidacy(organisation_name=self.organisation_name.data, kind=self.kind.data,
                         website=self.website.data or "", contact_name=self.contact_name.data,
                         contact_email=self.contact_email.data, role=self.role.data, offers=self.offers.data or "",
                         message=self.message.data or "")


class DecisionForm(Form):
    message = _area(_l("Message (sent by e-mail)"), 2000)
    decision = SelectField(choices=[("accept", _l("Accept")), ("decline", _l("Decline"))])


class InviteForm(Form):
    name = _text(_l("Name"), required=False)
    email = EmailField(_l("E-mail"), filters=[strip_filter],
                       validators=[DataRequired(_l("Please give an e-mail address.")), Length(max=254),
                                   Email(_l("This does not look like an e-mail address."))])


class AcceptInvitationForm(Form):
    name = _text(_l("Your name"), message=_l("Please tell us your name."))
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please choose a password.")),
        Length(min=10, max=200, message=_l("Between 10 and 200 characters, please."))],
        description=_l("At least 10 characters."))
    password2 = PasswordField(_l("Password again"), validators=[
        DataRequired(_l("Please repeat the password.")), EqualTo("password", _l("The passwords differ."))])


class EmployerProfileForm(TranslatedTexts, Form):
    """"About the organisation" in its main language here; the other languages' copies are added per request by
    app.forms.with_translations (``description_de``…)."""

    translated_fields = ("description",)
    main_language = SelectField(_l("Main language of your texts"), choices=[],
                                description=_l("Your text must be given in it; the other languages are optional "
                                               "and fall back on it."))
    description = _area(_l("About the organisation"), 4000)
    sectors = _text(_l("Sectors"), 1000, required=False, description=_l("Separated by commas, e.g. chemistry, "
                                                                          "consumer goods."))
    locations = _text(_l("Locations"), 1000, required=False, description=_l("Separated by commas."))
    offers = MultiCheckboxField(_l("What you offer"), choices=[])
    fields_of_study = _text(_l("Fields of study you look for"), 1000, required=False,
                            description=_l("Separated by commas, e.g. Chemistry, Materials science."))
    degree_levels = MultiCheckboxField(_l("Degree levels you look for"), choices=[],
                                       description=_l("None ticked: any degree."))
    required_languages = FieldList(FormField(LanguageSkillForm), min_entries=2, max_entries=6,
                                   label=_l("Languages required (minimum level)"))
    visa_support = BooleanField(_l("We help with the visa and residence permit"))
    blue_card_support = BooleanField(_l("We support EU Blue Card applications"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers.choices = [(s.value, SEEKING_LABELS[s]) for s in Seeking]
        self.degree_levels.choices = [(d.value, DEGREE_LABELS[d]) for d in DegreeLevel]
        self.main_language.choices = [(code, language_name(code)) for code in content_languages()]

    def validate_required_languages(self, field):
        codes = [e.form.code.data for e in field.entries if e.form.code.data]
        if len(codes) != len(set(codes)):
            raise ValidationError(_l("Each language only once, please."))

    def data_object(self) -> ProfileData:
        return ProfileData(
            sectors=_split(self.sectors.data), locations=_split(self.locations.data),
            offers=list(self.offers.data or []), fields_of_study=_split(self.fields_of_study.data),
            degree_levels=list(self.degree_levels.data or []),
            required_languages={e.form.code.data: e.form.level.data for e in self.required_languages.entries
                                if e.form.code.data},
            visa_support=bool(self.visa_support.data), blue_card_support=bool(self.blue_card_support.data),
            description=self.description.data or "", main_language=self.main_language.data,
            translations=self.translation_data())

    def fill_from(self, profile, organisation) -> None:
        self.description.data = organisation.description
        self.main_language.data = organisation.text_language
        self.fill_translations(organisation.translations)
        self.sectors.data = ", ".join(profile.sectors or [])
        self.locations.data = ", ".join(profile.locations or [])
        self.offers.data = list(profile.offers or [])
        self.fields_of_study.data = ", ".join(profile.fields_of_study or [])
        self.degree_levels.data = list(profile.degree_levels or [])
        self.visa_support.data = profile.visa_support
        self.blue_card_support.data = profile.blue_card_support
        while len(self.required_languages.entries):
            self.required_languages.pop_entry()
        items = list((profile.required_languages or {}).items())
        for code, level in items + [("", "")] * max(2 - len(items), 1):
            self.required_languages.append_entry({"code": code, "level": level})


class SlotForm(Form):
    room_id = SelectField(_l("Room"), coerce=int, choices=[])
    starts_at = DateTimeLocalField(_l("Start"), validators=[DataRequired(_l("Please give the start."))])
    ends_at = DateTimeLocalField(_l("End"), validators=[DataRequired(_l("Please give the end."))])
    withdraw_deadline = DateTimeLocalField(_l("Employers may withdraw until"),
                                           validators=[DataRequired(_l("Please give the deadline."))])

    def aware(self, value: datetime, tz) -> datetime:
        return value.replace(tzinfo=tz)


class WorkshopForm(Form):
    title = _text(_l("Title of your workshop"), message=_l("Please give a title."))
    abstract = _area(_l("Abstract"), 4000)
    language = SelectField(_l("Language"), choices=[])
    capacity = IntegerField(_l("Places"), validators=[DataRequired(_l("How many people can take part?")),
                                                      NumberRange(min=1, max=100000)])

    def request(self) -> WorkshopRequest:
        return WorkshopRequest(title=self.title.data, abstract=self.abstract.data or "",
                               language=self.language.data, capacity=self.capacity.data)
