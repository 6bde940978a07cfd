"""Pure matcher for welcome-day networking sessions (no Flask, no database).

Public API (see README.md in this package for the JSON formats)::

    from events.meetings.matching import (
        MatchingInputError, Instance, Schedule, load_instance, instance_from_dict,
        solve, greedy, validate_schedule, generate,
    )
"""
from .instance import (  # noqa: F401
    FORMAT, MatchingInputError, Instance, Slot, Employer, Attendee, Meeting, Schedule,
    instance_from_dict, instance_to_dict, load_instance, dump_instance,
    schedule_from_dict, schedule_to_dict, dump_schedule,
)
from .scoring import is_allowed, score_pair, WEIGHTS  # noqa: F401
from .solver import solve  # noqa: F401
from .greedy import greedy  # noqa: F401
from .validate import validate_schedule  # noqa: F401
from .synthetic import generate  # noqa: F401
