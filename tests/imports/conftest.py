import pytest
from django.test import Client

from tests.e2e.conftest import browser, e2e_world, session  # noqa: F401  (browser fixtures for the screens test)


@pytest.fixture
def login():
    def _login(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _login
