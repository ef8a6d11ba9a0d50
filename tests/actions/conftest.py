"""Fixtures of the do_* guard tests: a fresh working-day calendar per test, and the shipped holiday schedule."""

from io import StringIO

import pytest
from django.core.management import call_command

from workdays import calendar

# The helpers assert (e.g. `refused`): let pytest explain their failures as it did when they lived in the tests.
pytest.register_assert_rewrite("tests.actions.helpers")


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def holidays(db):
    call_command("load_holidays", stdout=StringIO())
    calendar.clear_cache()
