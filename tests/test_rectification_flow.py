"""The rectification flow (issue 16 §4): 挂账 → 整改中 → 申请销号 → 已验收 → 已销号, a returned closure, 销号 only after
acceptance, and a role × action matrix in which every refused call changes nothing and writes no change-log line."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.actions.base import ActionRefused
from cases.uploads import check_upload
from ledgers.events import history
from ledgers.models import LedgerEvent
from ledgers.rectification import access as P
from ledgers.rectification import actions as A
from ledgers.rectification.models import ClosureOutcome, ItemStatus, RectificationItem
from tests.rectification_people import PERSONAS, at, build, inspection, item_data, listed_item
from tests.world import World

S = ItemStatus


def photo(name: str = "现场照片.png") -> list[tuple]:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "PNG")
    f = SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")
    return [(f, check_upload(f))]


@pytest.fixture
def r(world: World):
    return build(world)


def in_progress(r, item):
    A.do_report_progress(r.staff, item, text="已制定学习计划并召开党组会议。", files=photo(), at=at(2026, 2, 10))
    item.refresh_from_db()
    return item


def requested(r, item):
    in_progress(r, item)
    A.do_request_closure(r.staff, item, summary="第一议题学习已常态化，制度已印发执行。", at=at(2026, 3, 1))
    item.refresh_from_db()
    return item


def accepted(r, item):
    requested(r, item)
    A.do_accept_closure(r.reviewer, item, opinion="整改到位", at=at(2026, 3, 3))
    item.refresh_from_db()
    return item


def test_the_whole_flow_writes_the_state_the_records_and_the_log(r):
    item = listed_item(r)
    assert item.status == S.LISTED and item.bureau == r.bureau and item.milestones.count() == 1
    milestone = item.milestones.get()
    A.do_report_progress(r.staff, item, text="已制定学习计划。", files=photo(), milestone=milestone, at=at(2026, 2, 10))
    item.refresh_from_db()
    milestone.refresh_from_db()
    assert item.status == S.IN_PROGRESS and item.started_at == at(2026, 2, 10)
    assert milestone.done_on.isoformat() == "2026-02-10"
    assert item.reports.get().evidence.get().kind == "png"
    A.do_request_closure(r.staff, item, summary="第一议题学习已常态化，制度已印发执行。", at=at(2026, 3, 1))
    item.refresh_from_db()
    assert item.status == S.CLOSURE_REQUESTED
    A.do_accept_closure(r.reviewer, item, at=at(2026, 3, 3))
    item.refresh_from_db()
    assert item.status == S.ACCEPTED and item.closures.get().outcome == ClosureOutcome.ACCEPTED
    A.do_close_item(r.office, item, at=at(2026, 3, 4))
    item.refresh_from_db()
    assert item.status == S.CLOSED and item.closed_by == r.office
    actions = [e.action for e in history(item)]
    assert actions == ["list_item", "report", "request_closure", "accept", "close"]
    actors = [e.actor for e in history(item)]
    assert actors == [r.office, r.staff, r.staff, r.reviewer, r.office]
    assert history(item).get(action="close").changes == {"status": ["已验收", "已销号"]}


def test_a_returned_closure_goes_back_to_in_progress_with_the_reasons(r):
    item = requested(r, listed_item(r))
    with pytest.raises(ActionRefused, match="退回理由"):
        A.do_return_closure(r.reviewer, item, reasons="不行")
    A.do_return_closure(r.reviewer, item, reasons="缺少党组会议记录，请补充佐证材料后再申请。", at=at(2026, 3, 2))
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS
    first = item.closures.get()
    assert first.outcome == ClosureOutcome.RETURNED and "党组会议记录" in first.opinion
    assert first.decided_by == r.reviewer
    # The department adds what was missing and asks again; this time it is accepted and closed.
    A.do_report_progress(r.staff, item, text="补充党组会议记录。", files=photo("记录.png"), at=at(2026, 3, 5))
    A.do_request_closure(r.staff, item, summary="已补充党组会议记录，整改完成。", at=at(2026, 3, 6))
    A.do_accept_closure(r.reviewer, item, at=at(2026, 3, 7))
    A.do_close_item(r.office, item, at=at(2026, 3, 8))
    item.refresh_from_db()
    assert item.status == S.CLOSED
    assert [c.outcome for c in item.closures.order_by("id")] == [ClosureOutcome.RETURNED, ClosureOutcome.ACCEPTED]
    assert "return" in [e.action for e in history(item)]


@pytest.mark.parametrize("stage", ["listed", "in_progress", "requested"])
def test_close_only_after_acceptance(r, stage):
    item = listed_item(r)
    if stage == "in_progress":
        in_progress(r, item)
    elif stage == "requested":
        requested(r, item)
    with pytest.raises(ActionRefused, match="验收通过后才能销号"):
        A.do_close_item(r.office, item)
    item.refresh_from_db()
    assert item.status != S.CLOSED and item.closed_at is None


def test_closure_needs_evidence_on_file(r):
    item = listed_item(r)
    A.do_report_progress(r.staff, item, text="已召开党组会议研究部署。", at=at(2026, 2, 10))
    with pytest.raises(ActionRefused, match="佐证材料"):
        A.do_request_closure(r.staff, item, summary="第一议题学习已常态化，制度已印发执行。")
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS


# --------------------------------------------------------------------------------------- role × action matrix
# action -> (the stage the item is brought to, the call, the personas allowed)
def _do(action: str, r, item, user):
    if action == "report":
        return A.do_report_progress(user, item, text="报送整改进展情况。", files=photo())
    if action == "request":
        return A.do_request_closure(user, item, summary="整改已完成，请求验收销号。")
    if action == "accept":
        return A.do_accept_closure(user, item)
    if action == "return":
        return A.do_return_closure(user, item, reasons="佐证材料不足，请补充后重新申请。")
    if action == "close":
        return A.do_close_item(user, item)
    if action == "revise":
        return A.do_revise_item(
            user, item, measures="新的整改措施写在这里。", deadline=item.deadline, reason="按会议要求调整"
        )
    raise AssertionError(action)


STAGE_FOR = {
    "report": lambda r, i: i,
    "request": in_progress,
    "accept": requested,
    "return": requested,
    "close": accepted,
    "revise": lambda r, i: i,
}
ALLOWED = {
    "report": {"staff"},
    "request": {"staff"},
    "accept": {"reviewer"},
    "return": {"reviewer"},
    "close": {"office"},
    "revise": {"office"},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_role_action_matrix(r, action, persona):
    item = STAGE_FOR[action](r, listed_item(r))
    item.refresh_from_db()
    user = r.persona(persona)
    offered = action in P.available_actions(item, user)
    before_status, before_events = item.status, LedgerEvent.objects.count()
    if persona in ALLOWED[action]:
        assert offered
        _do(action, r, item, user)
        assert LedgerEvent.objects.count() == before_events + 1
    else:
        assert not offered
        with pytest.raises(ActionRefused):
            _do(action, r, item, user)
        item.refresh_from_db()
        assert item.status == before_status
        assert LedgerEvent.objects.count() == before_events


def test_only_the_office_lists_and_only_leaders_or_the_office_meet(r):
    from ledgers.rectification.meetings import do_record_meeting

    insp = inspection(r)
    for user in (r.leader, r.staff, r.reviewer, r.city_office, r.county_admin, r.outsider):
        with pytest.raises(ActionRefused):
            A.do_add_item(user, insp, item_data(r))
    assert not RectificationItem.objects.exists()
    for user in (r.staff, r.reviewer, r.city_office, r.outsider):
        with pytest.raises(ActionRefused):
            do_record_meeting(
                user,
                insp,
                held_on=insp.feedback_on,
                title="二月推进会",
                chair="周局长",
                attendees="班子成员",
                decisions="听取汇报，现场研究解决问题。",
            )
    assert not insp.meetings.exists()


def test_item_data_is_checked_against_the_bureau(r):
    insp = inspection(r)
    from ledgers.models import BureauDepartment

    foreign = BureauDepartment.objects.create(bureau=r.city_office.division, name="市局某科")
    bad = item_data(r, department=foreign, leader=r.staff, reviewer=r.leader, deadline=insp.feedback_on.replace(day=1))
    fields = {f for f, _m in A.check_item_data(insp, bad)}
    assert fields == {"department", "leader", "reviewer", "deadline", "milestones"}
    assert A.check_item_data(insp, item_data(r)) == []


def test_a_reviewer_never_accepts_their_own_closure_request(r):
    """A reviewer who also works in the item's department may ask for 销号, but not accept it."""
    from ledgers.models import LedgerRole, LedgerRoleKind
    from ledgers.scoping import forget_access

    item = listed_item(r)
    LedgerRole.objects.create(
        user=r.reviewer, bureau_id=item.bureau_id, kind=LedgerRoleKind.DEPARTMENT, department=item.department
    )
    forget_access(r.reviewer)
    A.do_report_progress(r.reviewer, item, text="已制定学习计划并召开党组会议。", files=photo(), at=at(2026, 2, 10))
    A.do_request_closure(r.reviewer, item, summary="第一议题学习已常态化，制度已印发执行。", at=at(2026, 3, 1))
    with pytest.raises(ActionRefused, match="不能验收本人"):
        A.do_accept_closure(r.reviewer, item, at=at(2026, 3, 3))
    item.refresh_from_db()
    assert item.status == S.CLOSURE_REQUESTED
