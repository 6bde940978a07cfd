import pytest

from badges.door import checkin


@pytest.fixture(autouse=True)
def _fresh_checkin_caches():
    """Tables are emptied between tests and ids come back: the per-process caches must not outlive a test."""
    checkin.clear_caches()
    yield
    checkin.clear_caches()
