"""Every bad-input test starts and ends with django-axes' login-failure records cleared."""

import pytest
from axes.utils import reset as axes_reset

# The helpers assert (e.g. `assert_refused`): let pytest explain their failures as it did in the test modules.
pytest.register_assert_rewrite("tests.bad_input.checks", "tests.bad_input.posters")


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    axes_reset()
    yield
    axes_reset()
