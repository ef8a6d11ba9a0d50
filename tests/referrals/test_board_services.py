"""The board and its alerts over referrals driven by h-core's services (tests/referrals/factories.py): a police
referral arrives at the county's 矛调中心, is accepted there and replied to; the periodic scan follows each change
of stage without being told, the cards reach the right people, and no alert goes to the institution."""

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from cases import timers
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from referrals import services
from referrals.limits import stage_status
from referrals.models import Referral
from referrals.timers_board import scan_stage_alerts
from tests.referrals.board_helpers import fresh_tables  # noqa: F401  (fresh_tables is autouse)
from tests.referrals.factories import accept, at, build_referral_world, send, webhook_types

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(db):
    call_command("load_holidays", verbosity=0)
    return build_referral_world()


def live_rules(ref) -> dict[str, object]:
    qs = Timer.objects.filter(
        kind=TimerKind.REFERRAL_STAGE_ALERT, target_id=ref.pk, cancelled_at__isnull=True, fired_at__isnull=True
    )
    return {t.rule: timezone_local(t.fire_at) for t in qs}


def timezone_local(moment):
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def cards(card: str) -> set[str]:
    return set(
        Notification.objects.filter(kind=NoticeKind.REFERRAL_ALERT, message__startswith=card).values_list(
            "user__username", flat=True
        )
    )


def test_the_scan_follows_a_referral_through_the_services(rw):
    ref = send(rw.police, at(2026, 3, 2, 9), dispute_type="NEIGHBOR")
    assert ref.receiver == rw.hub and ref.channel_due is not None
    scan_stage_alerts(at(2026, 3, 2, 9, 5))
    # county hub: receive 4 / 8 hours; the police channel's 24 hours end before the reply's yellow (2 working days)
    assert live_rules(ref) == {
        "receive:YELLOW": "03-02 13:00",
        "receive:RED": "03-02 17:00",
        "reply:RED": "03-03 09:00",
    }

    case = accept(ref, rw.hub_director, at(2026, 3, 2, 10))
    ref.refresh_from_db()
    scan_stage_alerts(at(2026, 3, 2, 10, 5))
    rules = live_rules(ref)
    assert "receive:YELLOW" not in rules and "receive:RED" not in rules
    assert rules["handle:YELLOW"] == "03-23 10:00"  # county handle: 15 working days from acceptance
    assert "reply:RED" in rules
    assert stage_status(Referral.objects.get(pk=ref.pk), at(2026, 3, 2, 10, 5))["handle"].current

    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        services.reply_to_channel(ref, rw.hub_director, "已联系双方，约定明日调解。", at=at(2026, 3, 2, 11))
    scan_stage_alerts(at(2026, 3, 2, 11, 5))
    assert "reply:RED" not in live_rules(ref)

    timers.fire_due(at(2026, 3, 23, 10, 1))
    assert cards("黄牌") == {"r_hub_director"}
    assert cards("红牌") == set()
    timers.fire_due(at(2026, 4, 20, 10))
    # the hub sits at the county: its red card goes to the director and the county bureau (no 司法所 above it)
    assert cards("红牌") == {"r_hub_director", "r_county_admin"}
    assert all(not t.startswith("referral.overdue") for t in webhook_types(ref))
    assert case.referrals.get() == ref

    html = Client()
    html.force_login(rw.county_admin)
    with time_machine.travel(at(2026, 4, 20, 10), tick=False):
        page = html.get("/console/referrals/board/").content.decode()
    assert f'data-referral="{ref.pk}" data-colour="red"' in page
