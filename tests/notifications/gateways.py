"""SMS gateways for the outbox tests: real classes that settings.SMS_BACKEND points at (no mocks)."""

import threading


class GatewayDown(Exception):
    pass


class FailingGateway:
    """Raises on every call, like an SMS provider that is down; counts the calls."""

    calls: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        FailingGateway.calls.append((phone, text))
        raise GatewayDown("短信网关连接超时（503）")


class RecordingGateway:
    """Accepts every message and keeps it."""

    sent: list[tuple[str, str]] = []
    during_send = None  # a callable run inside send(), while the gateway "talks" (see the concurrency tests)
    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with RecordingGateway._lock:
            RecordingGateway.sent.append((phone, text))
        if RecordingGateway.during_send is not None:
            RecordingGateway.during_send()


def reset() -> None:
    FailingGateway.calls = []
    RecordingGateway.sent = []
    RecordingGateway.during_send = None


FAILING = "tests.notifications.gateways.FailingGateway"
RECORDING = "tests.notifications.gateways.RecordingGateway"
