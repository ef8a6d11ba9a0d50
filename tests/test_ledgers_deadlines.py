"""The proposals ledger's deadlines, with frozen dates: 3 months from 交办 (6 with an approved extension), the 会办
opinion (2 months), the return window (configured days, working days by default), re-handling within a month;
reminders before each and the office's 督办 after, through the engine room's timers."""

from datetime import date, datetime, timedelta

import pytest

from cases import timers
from cases.actions.base import ActionRefused
from cases.models import Notification, Timer
from ledgers.actions import proposals as P
from ledgers.events import history
from ledgers.models_proposals import HandlingRole, ProposalStatus
from ledgers.proposal_clock import REHANDLE_DUE, REPLY_DUE, RETURN_WINDOW, fire_moment
from ledgers.proposal_config import rules_for
from tests.ledgers_world import build_bureau, moment, rate, register, reply
from tests.world import TZ


@pytest.fixture
def b(world):
    return build_bureau(world)


def test_the_arithmetic_of_the_deadlines(db):
    hubei, zhejiang = rules_for("421202"), rules_for("330102")
    # 2021-03-15 is a Monday: 3 months → Tue 2021-06-15; 6 months → Wed 2021-09-15.
    assert hubei.reply_due(date(2021, 3, 15)) == date(2021, 6, 15)
    assert hubei.reply_due(date(2021, 3, 15), extended=True) == date(2021, 9, 15)
    # The 会办 opinion: 2 months → Sat 2021-05-15, run to Monday 2021-05-17.
    assert hubei.opinion_due(date(2021, 3, 15)) == date(2021, 5, 17)
    # A month-end 交办: 2021-11-30 + 3 months = 2022-02-28 (the day clamped to February's end).
    assert hubei.reply_due(date(2021, 11, 30)) == date(2022, 2, 28)
    # Return window: 5 working days after Mon 2021-03-15 → Mon 2021-03-22; Zhejiang: 10 calendar days.
    assert hubei.return_by(date(2021, 3, 15)) == date(2021, 3, 22)
    assert zhejiang.return_by(date(2021, 3, 15)) == date(2021, 3, 25)
    # Re-handling: one month from the rating, Sun 2021-08-01 → Mon 2021-08-02; Beijing allows two months.
    assert hubei.rehandle_due(date(2021, 7, 1)) == date(2021, 8, 2)
    assert rules_for("110101").rehandle_due(date(2021, 7, 1)) == date(2021, 9, 1)
    assert [c.code for c in hubei.classes] == ["A", "B", "C"]


def _live(item, kind=None):
    qs = Timer.objects.filter(
        target_type="ledgers.Proposal", target_id=item.pk, fired_at__isnull=True, cancelled_at__isnull=True
    )
    return qs.filter(kind=kind) if kind else qs


def test_registering_starts_the_clocks_and_they_remind_then_duban(b):
    item = register(b, "020", assigned_on=date(2021, 3, 15))
    assert item.due_on == date(2021, 6, 15) and item.return_by == date(2021, 3, 22)
    rules = {t.rule for t in _live(item, REPLY_DUE)}
    assert rules == {"remind:-15", "remind:-3", "overdue"}
    assert {t.deadline for t in _live(item, RETURN_WINDOW)} == {date(2021, 3, 22)}
    # The return window's reminder (3 days before) to the office.
    timers.fire_due(fire_moment(date(2021, 3, 19)))
    assert Notification.objects.filter(user=b.office, message__contains="退回").exists()
    # 15 days before the deadline: a reminder to the department and the leader.
    timers.fire_due(fire_moment(date(2021, 5, 31)))
    assert Notification.objects.filter(user=b.staff, kind="REMINDER_REPLY", message__contains="还有15天").exists()
    assert not history(item).filter(action="overdue_duban").exists()
    # The day after the deadline, nothing sent: the office's 督办, logged with the system as its author.
    timers.fire_due(fire_moment(date(2021, 6, 16)))
    duban = history(item).get(action="overdue_duban")
    assert duban.actor is None and "2021年6月15日" in duban.summary
    assert Notification.objects.filter(user=b.leader, kind="SUPERVISION", message__contains="期限").exists()
    # Firing again fires nothing twice.
    assert timers.fire_due(fire_moment(date(2021, 6, 17))) == 0


def test_a_reply_in_time_stops_the_clock(b):
    item = register(b, "021", assigned_on=date(2021, 3, 15))
    item = reply(b, item, on=date(2021, 6, 15))
    assert item.on_time is True and item.status == ProposalStatus.REPLIED
    assert not _live(item, REPLY_DUE).exists()
    late = register(b, "022", assigned_on=date(2021, 3, 15))
    late = reply(b, late, on=date(2021, 6, 16))
    assert late.on_time is False


def test_an_approved_extension_moves_the_deadline_to_six_months(b):
    item = register(b, "030", assigned_on=date(2021, 3, 15))
    P.do_extend(
        item, b.office, reason="涉及部门多，处理难度大", approved_by="区政府督查室", at=moment(date(2021, 5, 20))
    )
    item.refresh_from_db()
    assert item.extended and item.due_on == date(2021, 9, 15)
    assert {t.deadline for t in _live(item, REPLY_DUE)} == {date(2021, 9, 15)}
    # The three-month day passes without 督办; a reply in September is on time.
    timers.fire_due(fire_moment(date(2021, 6, 16)))
    assert not history(item).filter(action="overdue_duban").exists()
    item = reply(b, item, on=date(2021, 9, 10))
    assert item.on_time is True
    with pytest.raises(ActionRefused):
        P.do_extend(item, b.office, reason="再次延期理由", approved_by="区政府督查室", at=moment(date(2021, 9, 11)))


def test_a_co_handled_item_owes_its_opinion_in_two_months(b):
    item = register(b, "050", assigned_on=date(2021, 3, 15), role=HandlingRole.CO)
    assert item.due_on == date(2021, 5, 17)
    assert {t.deadline for t in _live(item, REPLY_DUE)} == {date(2021, 5, 17)}
    with pytest.raises(ActionRefused, match="会办件不能延期"):
        P.do_extend(item, b.office, reason="涉及部门多", approved_by="区政府督查室", at=moment(date(2021, 4, 1)))
    reply_ = P.do_draft_reply(item, b.staff, body=P_BODY, result_class="B", at=moment(date(2021, 5, 10)))
    assert reply_.addressee == "区民政局" and "会办意见" in reply_.title


P_BODY = "我局作为会办单位，提出如下会办意见：进一步加强人民调解组织建设，支持主办单位推进相关工作。"


def test_the_return_window(b):
    item = register(b, "060", assigned_on=date(2021, 3, 15))
    with pytest.raises(ActionRefused, match="退回期限已过"):
        P.do_return(
            item,
            b.office,
            reason="不属于本局职责范围",
            consent_by="区政府督查室",
            returned_on=date(2021, 3, 23),
            at=moment(date(2021, 3, 23)),
        )
    kept = register(b, "061", assigned_on=date(2021, 3, 15))
    P.do_return(
        kept,
        b.office,
        reason="不属于本局职责范围",
        consent_by="区政府督查室",
        returned_on=date(2021, 3, 22),
        at=moment(date(2021, 3, 22)),
    )
    kept.refresh_from_db()
    assert kept.status == ProposalStatus.RETURNED
    assert not _live(kept).exists()  # no reminder, no 督办 for a returned item


def test_rehandling_after_an_unsatisfied_rating_has_its_own_month(b):
    item = register(b, "070", assigned_on=date(2021, 3, 15))
    item = reply(b, item, on=date(2021, 6, 1), klass="B")
    item = rate(b, item, on=date(2021, 7, 1), attitude="SATISFIED", result="UNSATISFIED", comments="未解决经费问题")
    assert item.status == ProposalStatus.REHANDLING and item.rehandle_round == 1
    assert item.rehandle_due_on == date(2021, 8, 2)
    assert {t.deadline for t in _live(item, REHANDLE_DUE)} == {date(2021, 8, 2)}
    timers.fire_due(datetime(2021, 8, 3, 9, tzinfo=TZ))
    assert history(item).filter(action="overdue_duban", summary__contains="重新办理").exists()
    item = reply(b, item, on=date(2021, 8, 5), klass="A", doc_no="咸安司函〔2021〕9号")
    second = item.replies.get(round=1)
    assert second.on_time is False and item.on_time is True  # the first reply's timeliness is kept
    assert item.result_class == "A"


def test_reminders_already_past_at_registration_are_not_sent(b):
    # Registered late (the 交办 date two months back): the 15-day reminder's moment is still ahead, the
    # return window's reminder is past and skipped; the overdue 督办 stays.
    at = moment(date(2021, 6, 5))
    item = register(b, "080", assigned_on=date(2021, 3, 15), at=at)
    rules = {(t.kind, t.rule) for t in _live(item)}
    assert (REPLY_DUE, "remind:-3") in rules and (REPLY_DUE, "remind:-15") not in rules
    assert (RETURN_WINDOW, "remind:-3") not in rules
    assert all(t.fire_at >= at - timedelta(seconds=1) for t in _live(item))
