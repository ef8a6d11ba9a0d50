import pytest
from django.core.management import call_command

from cases.deadline_rules import clear_cache
from workdays import calendar


@pytest.fixture(autouse=True)
def clock(db):
    """The statutory holidays loaded (working-day offsets depend on them) and no rules cached from another test."""
    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    clear_cache()
    yield
    calendar.clear_cache()
    clear_cache()
