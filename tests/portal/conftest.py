import pytest

from portal.sms import ConsoleBackend


@pytest.fixture(autouse=True)
def empty_outbox():
    ConsoleBackend.outbox.clear()
    yield
    ConsoleBackend.outbox.clear()
