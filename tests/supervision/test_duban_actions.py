"""督办 / 催办 / 反馈 through the actions: the role × jurisdiction matrix, refusals that write nothing, the records,
timeline events, timers and notices each act leaves."""

import pytest

from cases import actions as A
from cases.models import Notification, Timer, TimerKind
from cases.permissions import available_actions
from notifications.enums import NoticeKind
from notifications.models import OutboxMessage
from supervision.models import Supervision
from supervision.models_duban import SupervisionLevel, SupervisionStatus
from tests.actions.helpers import dt
from tests.supervision.duban_helpers import (  # noqa: F401  (fresh_calendar is an autouse fixture)
    INSTRUCTION,
    ISSUE_AT,
    REPLY,
    fresh_calendar,
    mediating,
    people,
    supervise,
    written,
)

pytestmark = pytest.mark.django_db

# Who may 督办 and 催办 a case of 桂花村 (温泉街道, 咸安区, 咸宁市).
MAY_SUPERVISE = {
    "sfs_officer": True,  # the township's 司法所
    "sfs_other": False,  # the 司法所 of a township of the next county
    "county_admin": True,  # the county bureau of the case's county
    "other_county_admin": False,  # the next county's bureau
    "city_admin": True,
    "director_a": False,
    "mediator_a": False,
    "mediator_a2": False,
    "court_liaison": False,
    "party_user": False,
    "outsider": False,
}
# Who may reply: the director and the presiding mediator answer for the committee. A co-mediator does not: the
# 督办 is addressed to the committee's responsible persons, and one answer (not two competing ones) goes back.
MAY_REPLY = {
    "director_a": True,
    "mediator_a": True,  # presiding
    "mediator_a2": False,  # co-mediator
    "mediator_b": False,  # another committee
    "director_b": False,  # another committee's director
    "sfs_officer": False,
    "county_admin": False,
    "city_admin": False,
    "party_user": False,
}


@pytest.mark.parametrize("act", ["supervise", "urge"])
@pytest.mark.parametrize("who", list(MAY_SUPERVISE))
def test_who_may_supervise_and_urge(world, who, act):
    case = mediating(world)
    user = people(world)[who]
    offered = act in dict(available_actions(case, user))
    assert offered == MAY_SUPERVISE[who]
    before = written()
    if act == "supervise":
        call = lambda: A.do_supervise_case(case, user, instruction=INSTRUCTION, at=ISSUE_AT)  # noqa: E731
    else:
        call = lambda: A.do_urge_case(case, user, text="请抓紧办理本案", at=ISSUE_AT)  # noqa: E731
    if MAY_SUPERVISE[who]:
        sup = call()
        assert sup.issued_by == user and sup.status == SupervisionStatus.PENDING
        assert case.events.filter(action=act, actor=user).count() == 1
    else:
        with pytest.raises(A.ActionRefused):
            call()
        assert written() == before


@pytest.mark.parametrize("who", list(MAY_REPLY))
def test_who_may_reply(world, who):
    case = mediating(world)
    sup = supervise(world, case)
    user = people(world)[who]
    assert ("supervision_reply" in dict(available_actions(case, user))) == MAY_REPLY[who]
    before = written()
    if MAY_REPLY[who]:
        A.do_reply_supervision(sup, user, text=REPLY, at=dt(2026, 3, 12, 15))
        sup.refresh_from_db()
        assert sup.status == SupervisionStatus.REPLIED
        assert case.events.filter(action="supervision_reply", actor=user).count() == 1
    else:
        with pytest.raises(A.ActionRefused):
            A.do_reply_supervision(sup, user, text=REPLY, at=dt(2026, 3, 12, 15))
        assert written() == before


def test_supervise_writes_record_event_timers_and_notices(world):
    case = mediating(world)
    for user in (world.director_a, world.mediator_a, world.mediator_a2):
        user.phone = "13700000001"
        user.save(update_fields=["phone"])
    sup = supervise(world, case, world.county_admin)
    assert (sup.kind, sup.level, sup.division_code) == ("DUBAN", SupervisionLevel.COUNTY, "421202")
    assert str(sup.reply_deadline) == "2026-03-17"  # 5 working days after Tuesday 10 March
    ev = case.events.get(action="supervise")
    assert ev.to_status == ev.from_status == case.status and ev.data["supervision"] == sup.pk
    live = Timer.objects.filter(kind=TimerKind.SUPERVISION_DEADLINE, target_id=sup.pk, cancelled_at=None)
    # COUNTY: yellow 1 working day, red 3 working days after the deadline (data/supervision_rules.json)
    assert sorted((t.rule, str(t.fire_at.astimezone(dt(2026, 1, 1).tzinfo).date())) for t in live) == [
        ("DUBAN:RED", "2026-03-20"),
        ("DUBAN:YELLOW", "2026-03-18"),
    ]
    told = set(Notification.objects.filter(kind=NoticeKind.SUPERVISION).values_list("user__username", flat=True))
    assert told == {"director_a", "mediator_a"}  # the director and the presiding mediator, not the co-mediator
    sms = OutboxMessage.objects.filter(kind=NoticeKind.SUPERVISION)
    assert sms.count() == 2 and all("督办" in m.body and INSTRUCTION not in m.body for m in sms)


def test_reply_cancels_the_timers_and_tells_the_issuer(world):
    case = mediating(world)
    sup = supervise(world, case)
    A.do_reply_supervision(sup, world.director_a, text=REPLY, at=dt(2026, 3, 12, 15))
    assert not Timer.objects.filter(target_id=sup.pk, cancelled_at=None).exists()
    notice = Notification.objects.get(kind=NoticeKind.SUPERVISION_REPLY)
    assert notice.user == world.sfs_officer and "已反馈" in notice.message
    with pytest.raises(A.ActionRefused, match="已反馈"):
        A.do_reply_supervision(sup, world.mediator_a, text=REPLY, at=dt(2026, 3, 12, 16))


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("instruction", {"instruction": "请办理"}),
        ("reply_deadline", {"instruction": INSTRUCTION, "reply_deadline": dt(2026, 3, 9).date()}),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(world, field, kwargs):
    case = mediating(world)
    before = written()
    with pytest.raises(A.ActionRefused) as info:
        A.do_supervise_case(case, world.sfs_officer, at=ISSUE_AT, **kwargs)
    assert info.value.field == field and written() == before


def test_urge_has_no_deadline_and_never_escalates(world):
    case = mediating(world)
    sup = A.do_urge_case(case, world.county_admin, text="请尽快安排调解", at=ISSUE_AT)
    assert sup.reply_deadline is None and not Timer.objects.filter(target_id=sup.pk).exists()
    assert Notification.objects.filter(kind=NoticeKind.URGE).count() == 2
    A.do_reply_supervision(sup, world.mediator_a, text="已电话联系双方，定于下周一调解。", at=dt(2026, 3, 11))
    assert Supervision.objects.get(pk=sup.pk).status == SupervisionStatus.REPLIED
