"""Supervisors are told of what their rules name (issue 8 §4): a case terminated with a risk of escalation, and a
committee refusing a court's referral. The township office and the county of the case hear of it; another county
does not; the same acts without the risk or the referral tell no supervisor."""

from datetime import datetime

import pytest

from cases import actions as A
from cases.enums import CaseSource, CaseStatus, CourtReferralType, Route, TerminationReason
from cases.models import Notification
from notifications.enums import NoticeKind
from tests.world import TZ, build_world, make_case

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.mark.parametrize("risk", [True, False])
def test_termination_with_escalation_risk_tells_the_township_and_the_county(risk):
    world = build_world()
    case = make_case(world, CaseStatus.IN_MEDIATION)
    A.do_terminate_mediation(
        case,
        world.director_a,
        reason=TerminationReason.NO_PROSPECT,
        note="双方分歧较大，情绪激动",
        routes=[Route.LITIGATION],
        escalation_risk=risk,
        at=AT,
    )
    expected = {world.sfs_officer.username, world.county_admin.username} if risk else set()
    assert told(NoticeKind.RISK_TERMINATION) == expected
    assert world.other_county_admin.username not in told(NoticeKind.RISK_TERMINATION)


@pytest.mark.parametrize("referred", [True, False])
def test_refusing_a_court_referral_tells_the_township_and_the_county(referred):
    world = build_world()
    extra = (
        {"source": CaseSource.REFERRED_COURT, "court": world.court, "court_mode": CourtReferralType.WEIPAI}
        if referred
        else {}
    )
    case = make_case(world, CaseStatus.INTAKE, **extra)
    A.do_refuse_case(case, world.director_a, reason="纠纷已由法院立案受理", routes=[Route.LITIGATION], at=AT)
    expected = {world.sfs_officer.username, world.county_admin.username} if referred else set()
    assert told(NoticeKind.REFERRAL_REFUSED) == expected


def test_a_sent_code_is_not_kept_and_a_failing_gateway_error_is_not_stored(settings):
    from notifications import delivery
    from notifications.models import OutboxMessage
    from notifications.services import queue_sms

    msg = queue_sms("13912345678", "您的验证码是482913，5分钟内有效。", NoticeKind.LOGIN_CODE)
    delivery.deliver_due()
    msg.refresh_from_db()
    assert msg.status == "SENT" and "482913" not in msg.body
    settings.SMS_BACKEND = "tests.notifications.test_supervisor_triggers.EchoingGateway"
    msg = queue_sms("13912345678", "您的验证码是771203，5分钟内有效。", NoticeKind.LOGIN_CODE)
    delivery.deliver_due()
    msg = OutboxMessage.objects.get(pk=msg.pk)
    assert msg.status == "PENDING" and "771203" not in msg.last_error
    assert not msg.delivery_attempts.filter(error__contains="771203").exists()


class EchoingGateway:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError(f"gateway rejected {text}")
