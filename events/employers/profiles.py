"""Employer profiles: what an organisation offers and looks for (the matcher reads them too)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.content import change_main_language, language_name, set_translations
from app.extensions import db
from events.employers.errors import refuse
from events.employers.models import EmployerProfile, Organisation


@dataclass
class ProfileData:
    sectors: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    fields_of_study: list[str] = field(default_factory=list)
    degree_levels: list[str] = field(default_factory=list)
    required_languages: dict[str, str] = field(default_factory=dict)
    visa_support: bool = False
    blue_card_support: bool = False
    description: str = ""
    main_language: str = ""  # "" keeps the organisation's
    translations: dict = field(default_factory=dict)  # "About the organisation" in the other languages


def profile_for(organisation_id: int) -> EmployerProfile:
    """The stored profile, or an empty unsaved one."""
    profile = db.session.scalars(
        select(EmployerProfile).where(EmployerProfile.organisation_id == organisation_id)).first()
    return profile or EmployerProfile(organisation_id=organisation_id, sectors=[], locations=[], offers=[],
                                      fields_of_study=[], degree_levels=[], required_languages={},
                                      visa_support=False, blue_card_support=False)


def save_profile(organisation_id: int, data: ProfileData) -> EmployerProfile:
    profile = profile_for(organisation_id)
    for name in ("sectors", "locations", "offers", "fields_of_study", "degree_levels", "required_languages",
                 "visa_support", "blue_card_support"):
        setattr(profile, name, getattr(data, name))
    db.session.add(profile)
    organisation = db.session.get(Organisation, organisation_id)
    organisation.description = data.description
    set_translations(organisation, data.translations)
    if data.main_language and not change_main_language(organisation, organisation.text_language,
                                                       data.main_language):
        refuse("main_language", _("Write the text in %(language)s first, then make it the main language.",
                                  language=language_name(data.main_language)), field="main_language", status=422)
    if data.main_language:
        organisation.main_language = data.main_language
    db.session.commit()
    return profile
