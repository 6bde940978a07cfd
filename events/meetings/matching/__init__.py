"""Pure matcher for welcome-day networking sessions (no Flask, no database); see README.md in this package.

Import from the module that does the work (this package imports none of them, so loading one loads no other)::

    from events.meetings.matching.json_format import instance_from_dict, schedule_to_dict  # the JSON format
    from events.meetings.matching.solver import solve            # the optimal matcher (loads OR-Tools when it runs)
    from events.meetings.matching.greedy import greedy           # the greedy baseline
    from events.meetings.matching.validate import validate_schedule
    from events.meetings.matching.synthetic import generate      # synthetic instances for tests and benchmarks
"""
