"""The online joint judicial-confirmation request as actions (cases.actions.judicial): each step is an event, the
other side is told, only the right account may take each step, the application is dated the day of the consent,
and a refused step writes nothing. Through the actions and through the page."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases import actions as A
from cases.models import Notification
from cases.permissions import current_agreement
from portal.models import JCRequest, JCRequestStatus
from tests.portal.test_portal_rules import _agreed_case, html
from tests.world import TZ

MATERIALS = ["application", "agreement", "identity", "addresses"]


def _request(world, case, **kw):
    me = case.parties.get(user=world.party_user)
    args = {"applicant": me, "court": world.court, "address": "桂花村3组", "materials": MATERIALS}
    return A.do_request_joint_confirmation(case, world.party_user, **(args | kw))


def _events(case) -> list[tuple[str, int | None]]:
    return list(case.events.filter(action__startswith="jc_").order_by("id").values_list("action", "actor"))


def test_the_request_is_an_event_and_the_other_side_is_told(world):
    case = _agreed_case(world, days_ago=1)
    req = _request(world, case)
    assert (req.status, req.applicant.user, req.consenting.user) == (
        JCRequestStatus.PENDING,
        world.party_user,
        world.outsider,
    )
    assert _events(case) == [("jc_request", world.party_user.pk)]
    told = Notification.objects.filter(user=world.outsider, case=case)
    assert told.filter(message__contains="申请共同向法院申请司法确认").exists()
    assert not case.judicial_confirmations.exists()


@pytest.mark.parametrize(
    ("who", "message"),
    [("outsider", "只能以本人名义申请"), ("mediator_a", "您无权对本案执行“请求共同申请司法确认”")],
)
def test_only_the_party_themselves_may_request(world, who, message):
    case = _agreed_case(world, days_ago=1)
    me = case.parties.get(user=world.party_user)
    with pytest.raises(A.ActionRefused, match=message):
        A.do_request_joint_confirmation(
            case, getattr(world, who), applicant=me, court=world.court, address="桂花村3组", materials=MATERIALS
        )
    assert not JCRequest.objects.exists() and _events(case) == []


def test_consent_applies_dated_the_day_of_the_consent(world):
    asked = datetime(2026, 3, 2, 10, tzinfo=TZ)
    with time_machine.travel(asked, tick=False):
        case = _agreed_case(world, days_ago=1)
        req = _request(world, case)
    with time_machine.travel(asked + timedelta(days=3), tick=False):
        answered = A.do_answer_joint_confirmation(
            case, world.outsider, request=req, consent=True, address="咸安区温泉路8号"
        )
    jc = case.judicial_confirmations.get()
    assert answered.status == JCRequestStatus.APPLIED and answered.confirmation == jc
    assert jc.applied_on == (asked + timedelta(days=3)).date()
    assert (jc.applicant.user, jc.consenting.user) == (world.party_user, world.outsider)
    assert answered.consenting_address == "咸安区温泉路8号"
    assert _events(case) == [("jc_request", world.party_user.pk), ("jc_apply", world.outsider.pk)]


def test_decline_is_an_event_the_applicant_hears_of_and_is_final(world):
    case = _agreed_case(world, days_ago=1)
    req = _request(world, case)
    with pytest.raises(A.ActionRefused, match="只能由被请求的对方当事人本人答复"):
        A.do_answer_joint_confirmation(case, world.party_user, request=req, consent=True, address="x")
    A.do_answer_joint_confirmation(case, world.outsider, request=req, consent=False)
    req.refresh_from_db()
    assert req.status == JCRequestStatus.DECLINED and req.answered_at is not None
    assert _events(case) == [("jc_request", world.party_user.pk), ("jc_request_decline", world.outsider.pk)]
    assert Notification.objects.filter(user=world.party_user, message__contains="不同意共同申请").exists()
    with pytest.raises(A.ActionRefused, match="该申请已处理"):
        A.do_answer_joint_confirmation(case, world.outsider, request=req, consent=True, address="x")
    assert not case.judicial_confirmations.exists()


def test_only_the_applicant_withdraws_and_the_other_side_is_told(world):
    case = _agreed_case(world, days_ago=1)
    req = _request(world, case)
    with pytest.raises(A.ActionRefused, match="只能由提出申请的当事人本人撤回"):
        A.do_withdraw_joint_confirmation_request(case, world.outsider, request=req)
    A.do_withdraw_joint_confirmation_request(case, world.party_user, request=req)
    req.refresh_from_db()
    assert req.status == JCRequestStatus.CANCELLED
    assert _events(case) == [("jc_request", world.party_user.pk), ("jc_request_withdraw", world.party_user.pk)]
    assert Notification.objects.filter(user=world.outsider, message__contains="已撤回").exists()
    with pytest.raises(A.ActionRefused, match="该申请已处理"):
        A.do_answer_joint_confirmation(case, world.outsider, request=req, consent=True, address="x")
    _request(world, case)  # a new request may be made once the old one is withdrawn


def test_consent_after_the_window_is_recorded_as_refused_with_its_event(world):
    case = _agreed_case(world, days_ago=0)
    req = _request(world, case)
    agreement = current_agreement(case)
    agreement.effective_at = timezone.now() - timedelta(days=40)
    agreement.save(update_fields=["effective_at"])
    answered = A.do_answer_joint_confirmation(case, world.outsider, request=req, consent=True, address="桂花村3组")
    assert answered.status == JCRequestStatus.REFUSED and "已超过申请期限" in answered.reason
    assert not case.judicial_confirmations.exists()
    assert _events(case) == [("jc_request", world.party_user.pk), ("jc_request_refused", world.outsider.pk)]
    assert Notification.objects.filter(user=world.party_user, message__contains="未能提交").exists()


def test_the_pages_withdraw_and_show_each_step_on_the_timeline(world):
    case = _agreed_case(world, days_ago=1)
    applicant, other = Client(), Client()
    applicant.force_login(world.party_user)
    other.force_login(world.outsider)
    data = {"form": "request", "court": world.court.pk, "address": "桂花村3组", "materials": MATERIALS}
    applicant.post(f"/portal/cases/{case.pk}/judicial/", data)
    page = html(other.get(f"/portal/cases/{case.pk}/judicial/"))
    assert "是否同意共同申请司法确认" in page
    r = applicant.post(f"/portal/cases/{case.pk}/judicial/", {"form": "cancel"})
    assert r.status_code == 302
    assert JCRequest.objects.get().status == JCRequestStatus.CANCELLED
    timeline = html(applicant.get(f"/portal/cases/{case.pk}/"))
    assert "请求与" in timeline and "撤回了共同申请司法确认的请求" in timeline
    # The other side's stale form answers with the reason, and nothing changes.
    r = other.post(f"/portal/cases/{case.pk}/judicial/", {"form": "consent", "answer": "yes", "address": "x"})
    assert r.status_code == 200 and not case.judicial_confirmations.exists()
