"""Thin payloads end to end: referrals sent with parties (names, phones, ID numbers, addresses) and driven through
the referral services (received, accepted, contacted, a decline whose reason names a party); every webhook the
court's local receiver gets verifies with `standardwebhooks`, carries only {type, timestamp, data} with ids,
status, numbers and times, and none of the personal data."""

import json

import pytest
from standardwebhooks.webhooks import Webhook

from api import clients
from api.models import DeliveryState, WebhookDelivery
from referrals import services
from referrals.enums import ContactResult
from tests.referrals.factories import make_referral, party_id

PERSONAL = ["刘一", "陈二", "13900001001", "13900001002", "party1@example.cn", "抱石社区", "经办人王某", "07906000001"]


@pytest.fixture
def court_endpoint(rworld, receiver, fast_schedule):
    return clients.add_endpoint(rworld.court, receiver.url, by=rworld.county_admin)


def test_every_referral_webhook_is_thin_and_signed(
    rworld, court_endpoint, receiver, django_capture_on_commit_callbacks
):
    _, secret = court_endpoint
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(rworld.court)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_referral(referral, rworld.hub_director)
    referral.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_contact(referral, rworld.hub_director, ContactResult.CONTACTED, "已电话联系陈二，同意调解")
    with django_capture_on_commit_callbacks(execute=True):
        other = make_referral(rworld.court)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_referral(other, rworld.hub_director, "刘一与陈二的纠纷不属于人民调解受理范围")

    types = []
    for got in receiver.received:
        payload = Webhook(secret).verify(got.body, got.headers)
        types.append(payload["type"])
        assert set(payload) == {"type", "timestamp", "data"}
        assert len(got.body) < 20_000
        text = got.body.decode()
        for value in [*PERSONAL, party_id(1), party_id(2), "不属于人民调解受理范围", "同意调解"]:
            assert value not in text, (payload["type"], value)
        assert isinstance(payload["data"]["referral_id"], int)
        assert all(not isinstance(v, (dict, list)) for v in payload["data"].values()), payload
    assert types[:3] == ["referral.received", "referral.accepted", "referral.party_contacted"]
    assert types[3:] == ["referral.received", "referral.declined"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryState.DELIVERED}
    # Each event has its own id; each id is the same on every try.
    assert len({r.headers["webhook-id"] for r in receiver.received}) == len(receiver.received)
    assert json.loads(receiver.received[1].body)["data"]["status"] == "ACCEPTED"
