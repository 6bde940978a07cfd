"""What limited a draft schedule, in plain words, from the matcher's statistics (``limits`` and ``proof``).

The matcher (events/meetings/matching/coverage.py) finds, with a maximum flow, the most attendees that can have a
meeting, and from its minimum cut why not more: attendees that pass no employer's filters, attendees busy whenever
an employer they may meet has a free table, and the employers whose tables are full; a second flow measures what
more tables there would give. This module only turns those figures into sentences for the staff draft page.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

LISTED = 3


def _employer(b: dict) -> str:
    if b.get("cap_limited"):
        return _("%(name)s (its limit of %(max)d meetings is reached; %(eligible)d attendees without a meeting "
                 "may meet it)", name=b["name"] or b["employer"], max=b["max_meetings"], eligible=b["stranded"])
    return ngettext("%(name)s (%(num)d table for %(slots)d slots; %(eligible)d attendees without a meeting may "
                    "meet it)", "%(name)s (%(num)d tables for %(slots)d slots; %(eligible)d attendees without a "
                    "meeting may meet it)", b["tables"], name=b["name"] or b["employer"], slots=b["slots"],
                    eligible=b["stranded"])


def draft_limits(stats: dict | None) -> list[str]:
    """Sentences for the draft: how many have a meeting of how many could, what limits that, what would help, and
    whether the schedule is proven optimal. Empty for drafts computed before the matcher reported limits."""
    if not stats or "limits" not in stats:
        return []
    lim, got = stats["limits"], stats["objective"]["attendees_1plus"]
    out = [ngettext("%(got)d of %(num)d attendee who wants a meeting has one.",
                    "%(got)d of %(num)d attendees who want a meeting have one.", lim["want_meetings"], got=got)]
    if got < lim["max_covered"]:
        out.append(_("%(n)d more could have one (fair mode gives each attendee one meeting first).",
                     n=lim["max_covered"] - got))
    elif got < lim["want_meetings"]:
        out.append(_("No schedule can give more attendees a meeting with today's tables, filters and busy slots."))
    if lim["no_allowed_employer"]:
        out.append(ngettext("%(num)d attendee passes no employer's filters (languages, degree, job type, "
                            "exclusions).", "%(num)d attendees pass no employer's filters (languages, degree, job "
                            "type, exclusions).", lim["no_allowed_employer"]))
    if lim["no_free_slot"]:
        out.append(ngettext("%(num)d attendee is busy in every slot in which an employer they may meet has a free "
                            "table.", "%(num)d attendees are busy in every slot in which an employer they may meet "
                            "has a free table.", lim["no_free_slot"]))
    if lim["tables_full"]:
        names = "; ".join(_employer(b) for b in lim["bottlenecks"][:LISTED])
        more = lim["bottleneck_employers"] - min(LISTED, len(lim["bottlenecks"]))
        if more > 0:
            names += " " + ngettext("and %(num)d more employer", "and %(num)d more employers", more)
        out.append(ngettext("%(num)d attendee could meet only employers whose tables are full: %(names)s.",
                            "%(num)d attendees could meet only employers whose tables are full: %(names)s.",
                            lim["tables_full"], names=names))
        tables, gain = lim.get("more_tables", 0), lim["more_tables_gain"]
        if tables and gain:
            if gain >= lim["tables_full"]:
                out.append(ngettext("%(num)d more table there would give every one of them a meeting.",
                                    "%(num)d more tables there would give every one of them a meeting.", tables))
            else:
                out.append(ngettext("%(num)d more table there would give %(gain)d more attendees a meeting.",
                                    "%(num)d more tables there would give %(gain)d more attendees a meeting.",
                                    tables, gain=gain))
    proof = stats.get("proof") or {}
    if proof.get("optimal"):
        out.append(_("This schedule is proven optimal for the chosen mode."))
    elif proof.get("gap"):
        gap = proof["gap"]
        out.append(_("Not proven optimal: at most %(two)d more attendees with two meetings and %(score)d more score "
                     "points may be possible.", two=gap["attendees_2plus"], score=gap["total_score"]))
    return out
