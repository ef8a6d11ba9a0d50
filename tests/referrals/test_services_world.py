"""The shared referral world builds (tests/referrals/factories.py)."""

from referrals.enums import Channel
from referrals.scoping import institution_of
from tests.referrals.factories import rworld  # noqa: F401


def test_world_builds(rworld):  # noqa: F811
    assert rworld.hub.is_hub and not rworld.township.is_hub
    assert rworld.court.kind == Channel.COURT and rworld.court.court == rworld.court_registry
    assert institution_of(rworld.court_liaison) == rworld.court
    assert institution_of(rworld.police_liaison) == rworld.police
    assert rworld.court.default_receiver == rworld.hub
