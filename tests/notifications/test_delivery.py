"""The worker's delivery: backoff on the configured schedule, FAILED with the error after the last try, each attempt
logged, never sent twice (a concurrent worker, a re-run of the sweep), and no transaction open while the gateway
is called."""

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import override_settings

from notifications import delivery
from notifications.enums import DeliveryStatus, NoticeKind
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services import queue_sms
from tests.notifications.gateways import FAILING, RECORDING, FailingGateway, RecordingGateway
from tests.world import TZ

T0 = datetime(2026, 4, 1, 10, 0, tzinfo=TZ)
PHONE = "13911112222"


def queued(kind: str = NoticeKind.CASE_PROGRESS) -> OutboxMessage:
    with transaction.atomic():
        return queue_sms(PHONE, "测试短信", kind)


@pytest.mark.parametrize("waits", [[60, 300, 1800, 7200], [10, 20]])
def test_a_failing_gateway_is_retried_on_the_schedule_then_failed_with_the_error(db, settings, waits):
    # both through the `settings` fixture: mixing it with @override_settings leaks the override past the test
    settings.SMS_BACKEND = FAILING
    settings.TIAOJIE = {**settings.TIAOJIE, "OUTBOX_BACKOFF_SECONDS": waits}
    with time_machine.travel(T0, tick=False) as clock:
        msg = queued()
        assert delivery.deliver_due() == 1
        for n, wait in enumerate(waits, start=1):
            msg.refresh_from_db()
            assert (msg.status, msg.attempts) == (DeliveryStatus.PENDING, n)
            assert msg.next_attempt_at == T0 + timedelta(seconds=sum(waits[:n]))
            clock.shift(wait - 1)  # not before the wait
            assert delivery.deliver_due() == 0 and delivery.deliver(msg.pk) is None
            clock.shift(1)  # yes after it
            assert delivery.deliver_due() == 1
        msg.refresh_from_db()
        assert msg.status == DeliveryStatus.FAILED and msg.attempts == len(waits) + 1
        assert "GatewayDown" in msg.last_error and "短信网关连接超时" in msg.last_error
        clock.shift(10**6)
        assert delivery.deliver_due() == 0  # a FAILED message is not tried again by itself
    attempts = list(DeliveryAttempt.objects.filter(message=msg))
    assert len(attempts) == len(waits) + 1 == len(FailingGateway.calls)
    assert all(not a.ok and "短信网关连接超时" in a.error and a.requested_by is None for a in attempts)


@override_settings(SMS_BACKEND=RECORDING)
def test_a_message_is_sent_once_however_often_the_sweep_runs(db):
    msg = queued()
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0 and delivery.deliver(msg.pk) is None
    msg.refresh_from_db()
    assert msg.status == DeliveryStatus.SENT and msg.sent_at is not None and msg.attempts == 1
    assert RecordingGateway.sent == [(PHONE, "【人民调解】测试短信")]
    assert DeliveryAttempt.objects.filter(message=msg, ok=True).count() == 1


@override_settings(SMS_BACKEND=RECORDING)
def test_a_second_worker_arriving_while_the_first_is_at_the_gateway_sends_nothing(db):
    msg = queued()
    second: list = []
    RecordingGateway.during_send = lambda: second.append((delivery.deliver(msg.pk), delivery.deliver_due()))
    assert delivery.deliver(msg.pk) == DeliveryStatus.SENT
    assert second == [(None, 0)]
    assert len(RecordingGateway.sent) == 1


@override_settings(SMS_BACKEND=RECORDING)
def test_a_claim_of_a_worker_that_died_lapses_after_the_lease(db, settings):
    with time_machine.travel(T0, tick=False) as clock:
        msg = queued()
        assert delivery._claim(msg.pk) is not None  # a worker claims it and dies before sending
        assert delivery.deliver_due() == 0
        clock.shift(settings.TIAOJIE["OUTBOX_LEASE_SECONDS"] - 1)
        assert delivery.deliver_due() == 0
        clock.shift(1)
        assert delivery.deliver_due() == 1
    msg.refresh_from_db()
    assert msg.status == DeliveryStatus.SENT and msg.attempts == 2 and len(RecordingGateway.sent) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND=RECORDING)
def test_no_transaction_or_row_lock_is_held_while_the_gateway_is_called():
    """Another connection writes the very row while the gateway is talking: with a lock held (or, on SQLite, any
    open write transaction) it would wait for the lock's timeout."""
    outcome: list[str] = []
    pk: list[int] = []

    def other_connection() -> None:
        try:
            with transaction.atomic():
                OutboxMessage.objects.filter(pk__in=pk).update(last_error="")
            outcome.append("wrote")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome.append(repr(exc))
        finally:
            connection.close()

    def probe() -> None:
        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join(timeout=5)
        outcome.append("alive" if thread.is_alive() else "joined")

    RecordingGateway.during_send = lambda: (pk.append(OutboxMessage.objects.get().pk), probe())
    msg = queued()  # committed for real here: the worker (huey, immediate in tests) delivers it after commit
    msg.refresh_from_db()
    assert msg.status == DeliveryStatus.SENT and len(RecordingGateway.sent) == 1
    assert outcome == ["wrote", "joined"]


@override_settings(SMS_BACKEND=FAILING)
def test_a_message_written_in_a_transaction_that_rolls_back_never_exists(db):
    try:
        with transaction.atomic():
            queue_sms(PHONE, "不会发出", NoticeKind.CASE_PROGRESS)
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    assert not OutboxMessage.objects.exists() and delivery.deliver_due() == 0 and FailingGateway.calls == []
