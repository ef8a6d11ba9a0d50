"""Webhook delivery against a real local receiver (http.server on 127.0.0.1): Standard Webhooks signatures checked
with the `standardwebhooks` package, a stable webhook-id across retries and replays, backoff, FAILED after the
schedule, 410, timeouts, redirects not followed, secret rotation."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api import clients, webhooks
from api.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.api.receiver import Reply

pytestmark = pytest.mark.usefixtures("fast_schedule")


@pytest.fixture
def endpoint(court_institution, receiver, world):
    return clients.add_endpoint(court_institution, receiver.url, by=world.county_admin)


@pytest.fixture
def fire(court_institution, django_capture_on_commit_callbacks):
    def fire(event_type="referral.accepted", **data):
        with django_capture_on_commit_callbacks(execute=True):
            return webhooks.emit(event_type, institution=court_institution, data={"status": "ACCEPTED", **data})

    return fire


def make_due(delivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def only_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.get()


def test_delivered_and_verified_by_standardwebhooks(endpoint, fire, receiver):
    ep, secret = endpoint
    event = fire()
    d = only_delivery()
    assert d.status == DeliveryState.DELIVERED and d.attempts == 1 and d.delivered_at
    [got] = receiver.received
    assert got.headers["webhook-id"] == event.msg_id
    assert got.headers["content-type"] == "application/json"
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload == {
        "type": "referral.accepted",
        "timestamp": event.payload["timestamp"],
        "data": {"status": "ACCEPTED"},
    }
    attempt = WebhookAttempt.objects.get()
    assert attempt.ok and attempt.status_code == 200 and attempt.requested_by is None


def test_a_wrong_secret_does_not_verify(endpoint, fire, receiver):
    fire()
    [got] = receiver.received
    from api.signing import new_secret

    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(got.body, got.headers)
    tampered = got.body.replace(b"ACCEPTED", b"DECLINED")
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint[1]).verify(tampered, got.headers)


def test_retries_with_backoff_on_500_then_success_with_a_stable_id(endpoint, fire, receiver):
    ep, secret = endpoint
    receiver.script(Reply(500, body=b"boom"), Reply(503), Reply(200))
    before = timezone.now()
    event = fire()
    d = only_delivery()
    assert d.status == DeliveryState.PENDING and d.attempts == 1 and d.last_status_code == 500
    # First wait: 5 s plus at most 10 % jitter.
    assert before + timedelta(seconds=5) <= d.next_attempt_at <= timezone.now() + timedelta(seconds=5.6)
    assert webhooks.deliver_due() == 0  # not due yet
    make_due(d)
    assert webhooks.deliver_due() == 1
    d.refresh_from_db()
    assert d.status == DeliveryState.PENDING and d.attempts == 2
    assert d.next_attempt_at >= timezone.now() + timedelta(seconds=290)  # second wait: 300 s
    make_due(d)
    webhooks.deliver_due()
    d.refresh_from_db()
    assert d.status == DeliveryState.DELIVERED and d.attempts == 3
    assert [r.headers["webhook-id"] for r in receiver.received] == [event.msg_id] * 3
    for r in receiver.received:  # every try is signed afresh (its own timestamp) and verifies
        Webhook(secret).verify(r.body, r.headers)
    assert [a.status_code for a in WebhookAttempt.objects.order_by("id")] == [500, 503, 200]


def test_failed_after_the_schedule(endpoint, fire, receiver):
    receiver.default = Reply(500)
    fire()
    d = only_delivery()
    for _ in range(2):
        make_due(d)
        webhooks.deliver_due()
    d.refresh_from_db()
    assert d.status == DeliveryState.FAILED and d.attempts == 3  # first try + one per wait of [5, 300]
    make_due(d)
    assert webhooks.deliver_due() == 0
    assert len(receiver.received) == 3 and WebhookAttempt.objects.filter(ok=False).count() == 3


def test_retry_after_is_honoured(endpoint, fire, receiver):
    receiver.script(Reply(429, headers={"Retry-After": "120"}))
    fire()
    d = only_delivery()
    assert d.status == DeliveryState.PENDING
    assert d.next_attempt_at >= timezone.now() + timedelta(seconds=115)


def test_410_disables_the_endpoint_and_its_pending_deliveries(
    endpoint, fire, receiver, django_capture_on_commit_callbacks
):
    ep, _ = endpoint
    receiver.script(Reply(500))
    fire("referral.received")  # stays pending after a 500
    first = only_delivery()
    receiver.script(Reply(410))
    fire("referral.accepted")
    ep.refresh_from_db()
    assert not ep.is_active and ep.disabled_at and "410" in ep.disabled_reason
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryState.ENDPOINT_DISABLED}
    make_due(first)
    assert webhooks.deliver_due() == 0
    fire("referral.replied")
    assert WebhookDelivery.objects.count() == 2  # no delivery to a disabled endpoint
    assert len(receiver.received) == 2


def test_a_timeout_is_retried(endpoint, fire, receiver, settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "WEBHOOK_TIMEOUT_SECONDS": 0.5}
    receiver.script(Reply(200, delay=1.5))
    fire()
    d = only_delivery()
    assert d.status == DeliveryState.PENDING and d.last_status_code is None
    assert "超时" in d.last_error
    assert not WebhookAttempt.objects.get().ok


def test_a_connection_refused_is_retried(court_institution, fire, world):
    clients.add_endpoint(court_institution, "http://127.0.0.1:9/nothing", by=world.county_admin)
    fire()
    d = only_delivery()
    assert d.status == DeliveryState.PENDING and "连接失败" in d.last_error


def test_redirects_are_not_followed(endpoint, fire, receiver):
    receiver.script(Reply(302, headers={"Location": receiver.url + "/elsewhere"}), Reply(200))
    fire()
    d = only_delivery()
    assert len(receiver.received) == 1  # the Location was not fetched
    assert d.status == DeliveryState.PENDING and d.last_status_code == 302 and "重定向" in d.last_error


def test_rotation_signs_with_both_secrets_for_a_day(endpoint, fire, receiver, world):
    ep, old = endpoint
    new = clients.rotate_endpoint_secret(ep, world.county_admin)
    fire()
    [got] = receiver.received
    assert len(got.headers["webhook-signature"].split()) == 2
    Webhook(new).verify(got.body, got.headers)
    Webhook(old).verify(got.body, got.headers)
    WebhookEndpoint.objects.filter(pk=ep.pk).update(secret_rotated_at=timezone.now() - timedelta(hours=25))
    fire("referral.replied")
    later = receiver.received[-1]
    assert len(later.headers["webhook-signature"].split()) == 1
    Webhook(new).verify(later.body, later.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(later.body, later.headers)


def test_replay_is_a_new_delivery_of_the_same_message_id(
    endpoint, fire, receiver, world, django_capture_on_commit_callbacks
):
    ep, secret = endpoint
    event = fire()
    first = only_delivery()
    with django_capture_on_commit_callbacks(execute=True):
        again = webhooks.replay(first, world.county_admin)
    again.refresh_from_db()
    assert again.pk != first.pk and again.event_id == first.event_id
    assert again.status == DeliveryState.DELIVERED
    assert [r.headers["webhook-id"] for r in receiver.received] == [event.msg_id, event.msg_id]
    Webhook(secret).verify(receiver.received[1].body, receiver.received[1].headers)
    assert webhooks.replay_of(again).requested_by == world.county_admin
    assert webhooks.replay_of(first) is None


def test_a_failed_replay_is_one_try(endpoint, fire, receiver, world, django_capture_on_commit_callbacks):
    receiver.default = Reply(500)
    fire()
    first = only_delivery()
    WebhookDelivery.objects.filter(pk=first.pk).update(status=DeliveryState.FAILED)
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = webhooks.replay(first, world.county_admin)
    again.refresh_from_db()
    assert again.status == DeliveryState.FAILED and again.attempts == 1


def test_replay_refused_while_pending_or_endpoint_disabled(endpoint, fire, receiver, world):
    from cases.actions.base import ActionRefused

    receiver.script(Reply(500))
    fire()
    d = only_delivery()
    with pytest.raises(ActionRefused):
        webhooks.replay(d, world.county_admin)
    clients.disable_endpoint(endpoint[0], world.county_admin, "测试")
    d.refresh_from_db()
    with pytest.raises(ActionRefused):
        webhooks.replay(d, world.county_admin)


def test_a_claim_is_taken_once(endpoint, court_institution, receiver, django_capture_on_commit_callbacks):
    # The delivery is written but its kick is not run: two sweeps, one try.
    with django_capture_on_commit_callbacks(execute=False):
        webhooks.emit("referral.accepted", institution=court_institution, data={"status": "ACCEPTED"})
    d = only_delivery()
    claimed = webhooks._claim(d.pk, manual=False)
    assert claimed is not None and webhooks._claim(d.pk, manual=False) is None
    # A worker that died: once its lease lapses, the sweep takes the delivery over.
    WebhookDelivery.objects.filter(pk=d.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert webhooks.deliver_due() == 1
    d.refresh_from_db()
    assert d.status == DeliveryState.DELIVERED and d.attempts == 2 and len(receiver.received) == 1


def test_http_refused_when_https_is_required(endpoint, fire, receiver, settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "WEBHOOK_REQUIRE_HTTPS": True}
    fire()
    d = only_delivery()
    assert not receiver.received and d.status == DeliveryState.PENDING and "https" in d.last_error


def test_payload_is_thin_json(endpoint, fire, receiver):
    event = fire()
    [got] = receiver.received
    body = json.loads(got.body)
    assert set(body) == {"type", "timestamp", "data"}
    assert event.payload == body


def test_the_periodic_sweep_delivers_what_no_kick_delivered(endpoint, court_institution, receiver,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    from huey.api import PeriodicTask

    from api.tasks import deliver_due_webhooks

    with django_capture_on_commit_callbacks(execute=False):  # the worker was down: no kick ran
        webhooks.emit("referral.accepted", institution=court_institution, data={"status": "ACCEPTED"})
    assert only_delivery().status == DeliveryState.PENDING
    assert isinstance(deliver_due_webhooks.task_class(), PeriodicTask)
    deliver_due_webhooks()  # huey runs tasks immediately in tests
    assert only_delivery().status == DeliveryState.DELIVERED and len(receiver.received) == 1
