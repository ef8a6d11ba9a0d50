"""A gateway outage never turns a committed action into an error page.

These tests commit for real (transactional database): the action's transaction commits, the outbox row is handed to
the worker after commit (huey runs tasks immediately in tests, inside the request, as the worker would), the
gateway raises, and the page still answers normally. Then the retries on the schedule, FAILED with the error, the
administrator's delivery log and a manual retry that succeeds."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client, override_settings

from cases.enums import CaseStatus, PartySide
from cases.models import Case, Notification
from notifications import delivery
from notifications.enums import DeliveryStatus, NoticeKind
from notifications.models import DeliveryAttempt, OutboxMessage
from tests.notifications.gateways import FAILING, RECORDING, FailingGateway, RecordingGateway
from tests.portal.helpers import phone_login
from tests.world import TZ, build_world, make_case

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 4, 1, 10, 0, tzinfo=TZ)
WAITS = [60, 300, 1800, 7200]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _run_out_the_schedule(clock, msg: OutboxMessage) -> None:
    """Walk the clock through every wait: nothing before it, one attempt after it."""
    for n, wait in enumerate(WAITS, start=1):
        msg.refresh_from_db()
        assert (msg.status, msg.attempts) == (DeliveryStatus.PENDING, n), n
        clock.shift(wait - 1)
        assert delivery.deliver_due() == 0
        clock.shift(1)
        assert delivery.deliver_due() == 1
    msg.refresh_from_db()
    assert msg.status == DeliveryStatus.FAILED and "短信网关连接超时" in msg.last_error


def test_staff_action_commits_page_answers_message_retried_failed_then_retried_by_the_county(settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "OUTBOX_BACKOFF_SECONDS": WAITS}
    world = build_world()
    case = make_case(world, CaseStatus.INTAKE)
    earlier = set(OutboxMessage.objects.values_list("pk", flat=True))  # the registration's own SMS
    with override_settings(SMS_BACKEND=FAILING), time_machine.travel(T0, tick=False) as clock:
        r = client_for(world.director_a).post(f"/cases/{case.pk}/do/accept/", {"exclusion": "NONE", "note": "同意受理"})
        assert r.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.ACCEPTED  # committed
        # the party (an account holder with SMS by default for case progress) has the notice and a pending SMS
        assert Notification.objects.filter(user=world.party_user, case=case, message__contains="已受理").exists()
        msg = OutboxMessage.objects.exclude(pk__in=earlier).get(case=case, user=world.party_user)
        assert msg.kind == NoticeKind.CASE_PROGRESS and msg.status == DeliveryStatus.PENDING
        assert len(FailingGateway.calls) == 1  # tried once after commit, inside the request, and it raised
        assert msg.next_attempt_at == T0 + timedelta(seconds=WAITS[0])
        # the director's next page works too
        assert client_for(world.director_a).get(f"/cases/{case.pk}/").status_code == 200
        _run_out_the_schedule(clock, msg)
    assert DeliveryAttempt.objects.filter(message=msg, ok=False).count() == len(WAITS) + 1

    # The county administrator sees it in the delivery log, failed, with the error; the body is shown (no secret).
    county = client_for(world.county_admin)
    page = county.get("/notifications/delivery/?status=FAILED").content.decode()
    assert "139****0001" in page and "发送失败" in page and "短信网关连接超时" in page
    assert "13900000001" not in page
    detail = county.get(f"/notifications/delivery/{msg.pk}/").content.decode()
    assert "重新发送" in detail and "您的纠纷已受理" in detail  # the party's wording (issue 9 §9)
    # A manual retry while the gateway is still down: one more attempt, still FAILED, no new schedule.
    with override_settings(SMS_BACKEND=FAILING):
        r = county.post(f"/notifications/delivery/{msg.pk}/retry/")
    assert r.status_code == 302
    msg.refresh_from_db()
    assert msg.status == DeliveryStatus.FAILED and msg.attempts == len(WAITS) + 2
    # With the gateway back, the retry sends it, recorded as requested by the administrator.
    with override_settings(SMS_BACKEND=RECORDING):
        r = county.post(f"/notifications/delivery/{msg.pk}/retry/", follow=True)
    assert "已重新发送成功" in r.content.decode()
    msg.refresh_from_db()
    assert msg.status == DeliveryStatus.SENT and msg.sent_at is not None and msg.last_error == ""
    last = DeliveryAttempt.objects.filter(message=msg).last()
    assert last.ok and last.requested_by == world.county_admin
    assert [a.requested_by_id for a in DeliveryAttempt.objects.filter(message=msg)].count(world.county_admin.pk) == 2
    assert RecordingGateway.sent == [("13900000001", msg.body)]
    # A sent message cannot be "retried" again.
    with override_settings(SMS_BACKEND=RECORDING):
        county.post(f"/notifications/delivery/{msg.pk}/retry/")
    assert len(RecordingGateway.sent) == 1


def test_citizen_application_commits_and_the_invitation_waits_for_the_gateway():
    """The citizen signs in (gateway up), then the gateway goes down and they submit the application: the page
    answers normally, the case exists, the invitation SMS to the other party is pending and retried."""
    world = build_world()
    citizen = Client()
    with override_settings(SMS_BACKEND="portal.sms.ConsoleBackend"):
        assert phone_login(citizen, "13712345678").status_code == 302
    with override_settings(SMS_BACKEND=FAILING), time_machine.travel(T0, tick=False) as clock:
        citizen.post(
            "/portal/apply/about/", {"name": "周大姐", "id_number": _id(31), "address": "桂花村二组", "go": "next"}
        )
        citizen.post(
            "/portal/apply/other/",
            {"party_type": "NATURAL_PERSON", "name": "吴大哥", "phone": "13766665555", "go": "next"},
        )
        citizen.post(
            "/portal/apply/what/",
            {"brief_facts": "吴大哥家的狗多次咬伤我家鸡鸭，协商不成。", "claims": "赔偿损失500元", "go": "next"},
        )
        citizen.post(
            "/portal/apply/place/",
            {"county": "421202", "township": "421202001", "village": "421202001001", "go": "next"},
        )
        r = citizen.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
        case = Case.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/portal/cases/{case.pk}/"
        assert citizen.get(r["Location"]).status_code == 200
        invitation = OutboxMessage.objects.get(kind=NoticeKind.INVITATION)
        assert invitation.address == "13766665555" and invitation.case == case
        assert invitation.status == DeliveryStatus.PENDING and invitation.attempts == 1
        assert case.parties.get(side=PartySide.RESPONDENT).phone == "13766665555"
        _run_out_the_schedule(clock, invitation)
    # The township's 司法所 sees the failed invitation, without its text (it carries the invitation code).
    page = client_for(world.sfs_officer).get(f"/notifications/delivery/{invitation.pk}/").content.decode()
    assert "邀请短信（含邀请码，内容不显示）" in page and "邀请码 " not in page and "137****5555" in page


def _id(n: int) -> str:
    from tests.world import applicant_id

    return applicant_id(n)
