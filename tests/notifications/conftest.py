import pytest

from tests.notifications import gateways


@pytest.fixture(autouse=True)
def fresh_gateways():
    gateways.reset()
    yield
    gateways.reset()
