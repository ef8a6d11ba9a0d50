import pytest

from tests import one_door
from tests.world import World, build_world


@pytest.fixture(autouse=True, scope="session")
def one_door_guard():
    """For the whole session, a save or delete of a case-model row from product code outside cases/actions fails
    the test that caused it (tests/one_door.py)."""
    one_door.install_guard()
    yield
    one_door.uninstall_guard()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache (the API token endpoint counts failed requests per address there)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db) -> World:
    return build_world()
