import pytest


@pytest.fixture(autouse=True)
def _fresh_checkin_caches(request):
    """Tables are emptied between tests and ids come back: the app's door caches must not outlive a test.
    (Tests that need no app, such as the door's decision, get none.)"""
    if "app" not in request.fixturenames:
        yield
        return
    caches = request.getfixturevalue("app").extensions["door"]
    caches.clear()
    yield
    caches.clear()
