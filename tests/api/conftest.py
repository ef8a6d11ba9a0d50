"""Fixtures of the webhook and console tests (h-webhooks): the shared world plus two institutions (a court in
咸安区, a police station in 嘉鱼县) and a 矛调中心 in 咸安区."""

import pytest

from referrals.enums import Channel
from referrals.models import Institution
from registry.models import Committee, CommitteeType, Division
from tests.referrals.factories import rworld  # noqa: F401 - h-core's referral world, a fixture


@pytest.fixture
def hub(world) -> Committee:
    return Committee.objects.create(
        name="咸安区矛盾纠纷调处化解中心",
        short_name="咸安矛调",
        committee_type=CommitteeType.SUBDISTRICT,
        division=Division.objects.get(code="421202"),
        is_hub=True,
    )


@pytest.fixture
def court_institution(world, hub) -> Institution:
    return Institution.objects.create(
        kind=Channel.COURT,
        name="咸宁市咸安区人民法院",
        code="XA-COURT",
        division=Division.objects.get(code="421202"),
        court=world.court,
        default_receiver=hub,
    )


@pytest.fixture
def police_institution(world) -> Institution:
    return Institution.objects.create(
        kind=Channel.POLICE,
        name="嘉鱼县公安局鱼岳派出所",
        code="JY-POLICE-YY",
        division=Division.objects.get(code="421221"),
        default_receiver=world.village_c,
    )


@pytest.fixture
def receiver():
    from tests.api.receiver import Receiver

    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def fast_schedule(settings):
    """Short waits (the delivery's due time is moved back by the tests instead of sleeping)."""
    settings.TIAOJIE = {
        **settings.TIAOJIE,
        "WEBHOOK_BACKOFF_SECONDS": [5, 300],
        "WEBHOOK_TIMEOUT_SECONDS": 2,
        "WEBHOOK_REQUIRE_HTTPS": False,
    }
    return settings.TIAOJIE
