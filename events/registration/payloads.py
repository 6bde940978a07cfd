"""The public API's payloads, one pydantic model each: they check what comes in (with the web form's rules:
lengths, e-mail, choices, text we can store), shape what goes out, and are the OpenAPI document's schemas."""
from datetime import date, datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from app.api import Body, Flag, Integer, Query, RowId, choice, pattern, storable_text, text
from events.programme.models import EventStatus, SessionKind, SessionStatus
from events.registration import services
from events.registration.forms import LANGUAGE_CODES, LEVELS, country_codes
from events.registration.models import DegreeLevel, EnrolmentStatus, RegistrationStatus, Seeking

LanguageCode = choice(LANGUAGE_CODES)
LanguageLevel = choice(LEVELS)
Country = choice(country_codes(), description="ISO 3166-1 alpha-2, e.g. IN")
DegreeChoice = choice([d.value for d in DegreeLevel])
SeekingChoice = choice([s.value for s in Seeking])
EmailLocale = choice(["en", "de", "nl"], nullable=True, description="The language of the e-mails; by default "
                     "the request's (Accept-Language, or ?lang=).")
KindFilter = choice([k.value for k in SessionKind], nullable=True, message="Unknown kind.")
LanguageFilter = pattern("^[A-Za-z]{1,8}$", "language must be a language code such as 'en'.")
FullName = text(200, required=_l("Please tell us your name."), description="Any script.")
BadgeName = text(80)
LatinName = text(200, description="Optional: the name in Latin letters, as the attendee spells it.")
University = text(200, required=_l("Please name your university."))
FieldOfStudy = text(200, required=_l("Please name your field of study."))
EventStatusValue = choice([s.value for s in EventStatus])
SessionKindValue = choice([k.value for k in SessionKind])
SessionStatusValue = choice([s.value for s in SessionStatus])
EnrolmentStatusValue = choice([s.value for s in EnrolmentStatus])
RegistrationStatusValue = choice([s.value for s in RegistrationStatus])
DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
NullableDateTime = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})]

# ------------------------------------------------------------------------------------------------ requests


def _email(value):
    """The web form's e-mail field: required, at most 254 characters, an address that can receive mail (as
    WTForms' Email validator asks email-validator: not at .test, .invalid, .local…)."""
    value = storable_text(value, max_length=254, required=_l("Please give your e-mail address."))
    try:
        validate_email(value, check_deliverability=False, test_environment=False, allow_smtputf8=True,
                       allow_empty_local=False)
    except EmailNotValidError:
        raise PydanticCustomError("email", gettext("This does not look like an e-mail address.")) from None
    return value


Email = Annotated[str, BeforeValidator(_email), WithJsonSchema({
    "type": "string", "format": "email", "maxLength": 254,
    "description": "An address that can receive mail (not at .test, .invalid, .local…)."})]


def _graduation_date(value) -> date | None:
    """The web form's date field: YYYY-MM-DD between 1950 and 2100; empty is none."""
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise PydanticCustomError("date", "Not a valid date value.") from None
    if not 1950 <= day.year <= 2100:
        raise PydanticCustomError("date_range", gettext("Please give a date between 1950 and 2100."))
    return day


GraduationDate = Annotated[date | None, BeforeValidator(_graduation_date), WithJsonSchema({"anyOf": [
    {"type": "string", "format": "date", "pattern": r"^(19[5-9][0-9]|20[0-9][0-9]|2100)-"},
    {"const": ""}, {"type": "null"}]})]


def _consent(value) -> bool:
    if value is not True:
        raise PydanticCustomError("consent", gettext("We cannot register you without this consent."))
    return True


Consent = Annotated[bool, BeforeValidator(_consent), WithJsonSchema({"type": "boolean", "const": True})]


class LanguageSkill(Body):
    code: LanguageCode
    level: LanguageLevel


class RegistrationRequest(Body):
    """Who registers, for which sessions, with which consents."""
    email: Email
    full_name: FullName
    badge_name: BadgeName = None
    latin_name: LatinName = None
    country: Country
    university: University
    degree_level: DegreeChoice
    field_of_study: FieldOfStudy
    graduation_date: GraduationDate = None
    languages: Annotated[list[LanguageSkill], Field(max_length=8)] | None = Field(
        None, description="Each language once.")
    seeking: list[SeekingChoice] | None = None
    locale: EmailLocale = None
    consent_processing: Consent
    consent_sharing: Flag = False
    sessions: list[Integer] | None = Field(None, description="Session ids of this event, none at the same time "
                                           "as another (else 422 session_not_found or sessions_overlap).")

    @field_validator("languages")
    @classmethod
    def each_language_once(cls, languages):
        codes = [skill.code for skill in languages or []]
        if len(codes) != len(set(codes)):
            raise PydanticCustomError("duplicate", gettext("Each language only once, please."))
        return languages

    def registration_request(self, default_locale: str = "en") -> services.RegistrationRequest:
        """What the service needs: the same as the web form gives it. Without ``locale`` the mails are in
        ``default_locale`` (the request's language: Accept-Language or ?lang=)."""
        profile = services.Profile(
            full_name=self.full_name, badge_name=self.badge_name or self.full_name[:80],
            latin_name=self.latin_name or "", country=self.country,
            university=self.university, degree_level=self.degree_level, field_of_study=self.field_of_study,
            graduation_date=self.graduation_date,
            languages={skill.code: skill.level for skill in self.languages or []},
            seeking=list(self.seeking or []), locale=self.locale or default_locale)
        return services.RegistrationRequest(email=self.email, profile=profile,
                                            consent_processing=self.consent_processing,
                                            consent_sharing=self.consent_sharing,
                                            session_ids=list(self.sessions or []))


class SessionChoice(Body):
    session_id: RowId


class SessionFilter(Query):
    kind: KindFilter = None
    language: LanguageFilter = None


# ------------------------------------------------------------------------------------------------ answers


Texts = Annotated[dict[str, dict[str, str]], Field(
    description='Every language\'s texts, the main language included: {"en": {"title": "…"}, "de": {…}}. title, '
                'description, abstract above are in the language asked for (Accept-Language), falling back on the '
                'main language.')]


class Event(BaseModel):
    slug: str
    title: str
    description: str
    venue: str
    address: str
    timezone: str = Field(description="IANA zone, e.g. Europe/Berlin")
    starts_at: DateTime
    ends_at: DateTime
    status: EventStatusValue
    registration_opens_at: NullableDateTime
    registration_closes_at: NullableDateTime
    registration_open: bool
    capacity: int | None
    languages: list[str]
    url: str
    main_language: str = Field(description="The language the texts were written in first.")
    translations: Texts


class EventWithPlaces(Event):
    places_taken: int


class EventList(BaseModel):
    events: list[Event]


class Session(BaseModel):
    id: int
    event: str
    kind: SessionKindValue
    title: str
    abstract: str
    starts_at: DateTime
    ends_at: DateTime
    room: str | None
    language: str
    host: str | None
    speakers: str
    needs_seat: bool
    capacity: int | None
    seats_taken: int
    seats_left: int | None = Field(description="null: unlimited")
    waiting_list: int
    status: SessionStatusValue
    translations: Texts


class SessionList(BaseModel):
    sessions: list[Session] = Field(description="In time order.")


class Accepted(BaseModel):
    status: Literal["accepted"]
    email: str
    message: str


class Enrolment(BaseModel):
    session_id: int
    title: str
    status: EnrolmentStatusValue
    waiting_list_position: int | None


class Attendee(BaseModel):
    full_name: str
    badge_name: str
    latin_name: str = Field(description="The name in Latin letters as the attendee spells it; empty if not given.")
    email: str
    country: str
    university: str
    degree_level: str | None
    field_of_study: str
    graduation_date: str | None = Field(json_schema_extra={"format": "date"})
    languages: dict[str, str] = Field(description="Level by language code.")
    seeking: list[str]
    locale: str


class Consents(BaseModel):
    processing: bool
    sharing_with_employers: bool


class Registration(BaseModel):
    status: RegistrationStatusValue
    event: str
    email_confirmed: bool
    waiting_list_position: int | None
    created_at: DateTime
    expires_at: NullableDateTime
    attendee: Attendee
    consents: Consents
    enrolments: list[Enrolment]
