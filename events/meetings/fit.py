"""How well an attendee and an employer fit, in words: the matcher's own hard filters and profile reasons.

The truth is the matcher's (``events.meetings.matching.scoring``: ``profile_exclusion`` decides, ``score_pair``
scores); this module only says it in the reader's language, for the employer's choice page (best fit first) and
the attendee's employer cards ("why it fits you, or may not"). Wishes are left out on purpose: they change as
people choose, the profile fit does not. Pure code: no OR-Tools in the web process.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from events.meetings.agenda import reason_label
from events.meetings.build import aid, build_instance, eid
from events.meetings.matching.instance import CEFR_RANK, Attendee, Employer, Instance
from events.meetings.matching.scoring import profile_exclusion, score_pair
from events.meetings.models import MeetingSetup
from events.registration.profile import degree_label, language_label, level_label, offers_text, seeking_text

PROFILE_REASONS = ("field_match", "language_fit", "job_type_overlap")


@dataclass(frozen=True)
class Fit:
    allowed: bool                    # the profiles alone let the matcher pair them
    points: int = 0                  # the matcher's points for the profiles (field, languages, job type)
    reasons: list[str] = field(default_factory=list)   # why it fits, in the reader's language
    blockers: list[str] = field(default_factory=list)  # why the matcher will not pair them


def _level(level: str) -> str:
    return level_label("native" if level.upper() == "NATIVE" else level.upper())


def blockers(att: Attendee, emp: Employer) -> list[str]:
    """Every profile filter the pair fails (the matcher stops at the first; people want to see all)."""
    out = []
    for lang, lvl in sorted(emp.required_languages.items()):
        have = att.languages.get(lang)
        if have is None or CEFR_RANK[have] < CEFR_RANK[lvl]:
            out.append(_("%(language)s at level %(level)s is required; the profile says %(have)s.",
                         language=language_label(lang), level=_level(lvl),
                         have=_level(have) if have else _("none")))
    if emp.degree_levels and att.degree_level not in emp.degree_levels:
        out.append(_("The employer looks for %(wanted)s; the degree is %(have)s.",
                     wanted=", ".join(degree_label(d) for d in emp.degree_levels),
                     have=degree_label(att.degree_level) or _("not given")))
    if emp.offers and att.seeks and not set(emp.offers) & set(att.seeks):
        out.append(_("The employer offers %(offers)s; the attendee looks for %(seeks)s.",
                     offers=offers_text(emp.offers), seeks=seeking_text(att.seeks)))
    return out


def pair_fit(inst: Instance, att: Attendee, emp: Employer) -> Fit:
    if profile_exclusion(att, emp) is not None:
        return Fit(False, 0, [], blockers(att, emp) or [_("The profiles do not fit.")])
    _score, reasons = score_pair(inst, att, emp)
    mine = [(code, points, text) for code, points, text in reasons if code in PROFILE_REASONS]
    return Fit(True, sum(p for _c, p, _t in mine),
               [reason_label({"code": c, "points": p, "text": t}) for c, p, t in mine])


def fits_for_employer(setup: MeetingSetup, organisation_id: int) -> dict[int, Fit]:
    """registration id → the fit of each attendee the employer may choose from."""
    inst = build_instance(setup).instance
    emp = inst.emp.get(eid(organisation_id))
    if emp is None:
        return {}
    return {int(a.id[1:]): pair_fit(inst, a, emp) for a in inst.attendees}


def fits_for_attendee(setup: MeetingSetup, registration_id: int) -> dict[int, Fit]:
    """organisation id → the fit of each employer of the session, for one attendee (none if not eligible)."""
    inst = build_instance(setup).instance
    att = inst.att.get(aid(registration_id))
    if att is None:
        return {}
    return {int(e.id[1:]): pair_fit(inst, att, e) for e in inst.employers}
