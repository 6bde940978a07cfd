from tests.agendas.conftest import ical_js  # noqa: F401 (the second calendar parser, for the moved-session feed)
