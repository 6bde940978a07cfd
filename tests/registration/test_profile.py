"""The attendee profile is declared once (events/registration/profile.py); what is built from it follows it."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from events.registration import imports, profile
from events.registration.forms import ProfileForm
from events.registration.models import Attendee, DegreeLevel


def test_every_declared_field_is_a_column_a_form_field_and_a_profile_attribute():
    columns = set(Attendee.__table__.c.keys())
    for declared in profile.FIELDS:
        assert declared.name in columns
        assert hasattr(ProfileForm, declared.name)
        assert declared.name in profile.Profile.__dataclass_fields__
        if declared.max_length and declared.kind == "text":
            assert Attendee.__table__.c[declared.name].type.length == declared.max_length


def test_the_csv_import_offers_the_importable_fields():
    assert list(imports.TARGETS) == ["email", *(f.name for f in profile.FIELDS if f.importable)]


def test_values_for_exports_and_the_privacy_export():
    attendee = SimpleNamespace(full_name="Ana", badge_name="Ana", latin_name="", country="PT", university="Porto",
                               degree_level=DegreeLevel.MASTER, field_of_study="Physics",
                               graduation_date=date(2027, 7, 31), languages={"pt": "native", "en": "C1"},
                               seeking=["job", "mentoring"], locale="en")
    stored = {f.name: profile.stored_value(f, attendee) for f in profile.FIELDS}
    assert stored["degree_level"] == "master" and stored["graduation_date"] == "2027-07-31"
    assert stored["languages"] == {"pt": "native", "en": "C1"} and stored["seeking"] == ["job", "mentoring"]
    text = {f.name: profile.text_value(f, attendee) for f in profile.FIELDS}
    assert text["languages"] == "pt:native en:C1" and text["seeking"] == "job mentoring"
    empty = SimpleNamespace(**{**attendee.__dict__, "degree_level": None, "graduation_date": None})
    assert profile.text_value(profile.BY_NAME["degree_level"], empty) == ""
    assert profile.stored_value(profile.BY_NAME["graduation_date"], empty) is None


def test_json_schema_for_the_api():
    schema = profile.json_schema()
    assert set(schema["properties"]) == {f.name for f in profile.FIELDS}
    assert schema["required"] == ["full_name", "country", "university", "degree_level", "field_of_study"]
    assert schema["properties"]["degree_level"]["enum"] == [d.value for d in DegreeLevel]
    assert schema["properties"]["full_name"]["maxLength"] == 200
    assert schema["properties"]["languages"]["items"]["properties"]["level"]["enum"] == profile.LEVELS
