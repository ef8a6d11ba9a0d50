"""The proposals ledger's flows and who may do what: a role × action matrix over the pages (the office, the
leader, the item's department; another department of the bureau, a department of another bureau and another
county's administrator get 404; a city administrator sees summaries only), every change logged, nothing deleted."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from ledgers.actions import proposals as P
from ledgers.events import history
from ledgers.models import LedgerEvent
from ledgers.models_proposals import HandlingRole, Proposal, ProposalStatus
from tests.ledgers_world import BODY, build_bureau, rate, register, reply


@pytest.fixture
def b(world):
    return build_bureau(world)


def today():
    return timezone.localdate()


def _item(b, n: int, state: str) -> Proposal:
    """An item of the county bureau, registered today, brought to `state`."""
    number = f"{state[:6]}{n}"
    if state == "REGISTERED":
        return register(b, number, assigned_on=today(), assign=False, at=timezone.now())
    item = register(b, number, assigned_on=today(), at=timezone.now())
    if state == "HANDLING":
        return item
    P.do_draft_reply(item, b.staff, body=BODY, result_class="B")
    if state == "DRAFTED":
        return Proposal.objects.get(pk=item.pk)
    P.do_approve_reply(item, b.leader)
    if state == "APPROVED":
        return Proposal.objects.get(pk=item.pk)
    P.do_send_reply(item, b.office, doc_no=f"咸安司函〔{today().year}〕{n}号", sent_on=today())
    item = Proposal.objects.get(pk=item.pk)
    if state == "REPLIED":
        return item
    return rate(b, item, on=today())  # B, satisfied → FOLLOW_UP


def _post_data(b, action: str) -> dict:
    d = today().isoformat()
    return {
        "assign": {"leader": b.leader.pk, "department": b.dept.pk},
        "contact": {"on": d, "stage": "BEFORE", "mode": "FACE", "participants": "张某某委员"},
        "draft": {"body": BODY, "result_class": "A"},
        "approve": {},
        "send_back": {"note": "请补充经费保障情况"},
        "send": {"doc_no": "咸安司函〔2026〕88号", "sent_on": d},
        "extend": {"approved_by": "区政府督查室", "reason": "涉及部门多，处理难度大"},
        "return": {"consent_by": "区政府督查室", "reason": "不属于本局职责范围"},
        "feedback": {"received_on": d, "attitude": "SATISFIED", "result": "BASIC"},
        "follow_up": {"on": d, "progress": "经费已列入明年预算", "solved": "on"},
        "publish": {},
        "urge": {"note": "请抓紧办理，按期答复"},
    }[action]


STATE_FOR = {
    "assign": "REGISTERED",
    "contact": "HANDLING",
    "draft": "HANDLING",
    "approve": "DRAFTED",
    "send_back": "DRAFTED",
    "send": "APPROVED",
    "extend": "HANDLING",
    "return": "HANDLING",
    "feedback": "REPLIED",
    "follow_up": "FOLLOW_UP",
    "publish": "REPLIED",
    "urge": "HANDLING",
}
# Written out by hand: who may do what on an item of their bureau (the department: the item's own).
MAY = {
    "office": {"assign", "contact", "draft", "send", "extend", "return", "feedback", "follow_up", "publish", "urge"},
    "leader": {"contact", "approve", "send_back"},
    "department": {"contact", "draft", "feedback", "follow_up"},
}
OUTSIDERS = ("other_department", "foreign_department", "other_county_admin", "city_admin", "county_admin")


@pytest.mark.parametrize("persona", [*MAY, *OUTSIDERS])
def test_role_by_action_matrix(b, persona):
    user = b.personas()[persona]
    client = Client()
    client.force_login(user)
    for n, (action, state) in enumerate(STATE_FOR.items()):
        item = _item(b, n, state)
        events = history(item).count()
        page = client.get(f"/ledgers/proposals/{item.pk}/")
        response = client.post(f"/ledgers/proposals/{item.pk}/{action}/", _post_data(b, action))
        after = Proposal.objects.get(pk=item.pk)
        # An item not yet assigned is no department's: it does not exist for them either.
        if persona not in MAY or (persona == "department" and state == "REGISTERED"):
            assert page.status_code == 404 and response.status_code == 404, (persona, action)
            assert history(item).count() == events
            continue
        assert page.status_code == 200
        offered = f'action="/ledgers/proposals/{item.pk}/{action}/"' in page.content.decode()
        assert offered == (action in MAY[persona]), (persona, action, "offered")
        assert response.status_code == 302, (persona, action, response.status_code)
        if action in MAY[persona]:
            assert history(item).count() == events + 1, (persona, action)
            assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"], (persona, action)
        else:
            assert history(item).count() == events, (persona, action)
            assert (after.status, after.updated_at) == (item.status, item.updated_at), (persona, action)


@pytest.mark.parametrize("persona", [*MAY, *OUTSIDERS])
def test_list_report_and_register_pages(b, persona):
    mine = _item(b, 1, "HANDLING")
    theirs = register(b, "x9", assigned_on=today(), assign=False, at=timezone.now())
    P.do_assign(theirs, b.office, leader=b.leader, department=b.other_dept)
    user = b.personas()[persona]
    client = Client()
    client.force_login(user)
    listing = client.get("/ledgers/proposals/")
    report = client.get("/ledgers/proposals/report/")
    new = client.get("/ledgers/proposals/new/")
    summaries = persona in ("office", "leader", "city_admin", "county_admin", "other_county_admin")
    assert report.status_code == (200 if summaries else 404), persona
    assert new.status_code == (200 if persona == "office" else 404), persona
    if persona in ("city_admin", "county_admin", "other_county_admin"):
        assert listing.status_code == 404
        return
    assert listing.status_code == 200
    # the report's button only for those who may open it
    assert ("/ledgers/proposals/report/" in listing.content.decode()) == summaries, persona
    shown = {int(pk) for pk in listing.content.decode().split('data-proposal="')[1:] for pk in [pk.split('"')[0]]}
    expected = {
        "office": {mine.pk, theirs.pk},
        "leader": {mine.pk, theirs.pk},
        "department": {mine.pk},
        "other_department": {theirs.pk},
        "foreign_department": set(),
    }[persona]
    assert shown == expected, persona


def test_the_city_sees_the_counties_summaries_and_another_county_does_not(b):
    _item(b, 1, "FOLLOW_UP")
    client = Client()
    client.force_login(b.world.city_admin)
    city = client.get("/ledgers/proposals/report/")
    assert city.status_code == 200 and "咸安区" in city.content.decode()
    county = client.get(f"/ledgers/proposals/report/?bureau={b.county.pk}&year={today().year}")
    assert county.status_code == 200 and 'data-figure="total">1<' in county.content.decode()
    client.force_login(b.world.other_county_admin)
    assert client.get(f"/ledgers/proposals/report/?bureau={b.county.pk}").status_code == 404
    assert client.get(f"/ledgers/proposals/report/xlsx/?bureau={b.county.pk}").status_code == 404
    assert client.get(f"/ledgers/proposals/report/pdf/?bureau={b.county.pk}").status_code == 404


def test_the_whole_flow_with_a_re_handling_and_its_log(b):
    start = today() - timedelta(days=60)
    at = timezone.now() - timedelta(days=60)
    item = register(b, "037", assigned_on=start, at=at)
    P.do_record_contact(item, b.staff, on=start + timedelta(days=5), stage="BEFORE", mode="FACE")
    item = reply(b, item, on=start + timedelta(days=40), klass="B")
    item = rate(b, item, on=start + timedelta(days=45), result="UNSATISFIED", comments="经费未落实")
    assert item.status == ProposalStatus.REHANDLING
    # The leader sends the new draft back once, then approves it.
    P.do_draft_reply(item, b.staff, body=BODY + "（重新办理）", result_class="A")
    P.do_send_back_draft(item, b.leader, note="请写明经费落实时间")
    assert Proposal.objects.get(pk=item.pk).status == ProposalStatus.REHANDLING
    P.do_draft_reply(item, b.staff, body=BODY + "经费已于本月落实。", result_class="A")
    P.do_approve_reply(item, b.leader)
    P.do_send_reply(item, b.office, doc_no="咸安司函〔2026〕90号")
    item = rate(b, Proposal.objects.get(pk=item.pk), on=today())
    assert item.status == ProposalStatus.CLOSED and item.result_class == "A"
    assert item.replies.count() == 2 and item.feedbacks.count() == 2
    actions = list(history(item).order_by("id").values_list("action", flat=True))
    assert actions == [
        "registered",
        "assigned",
        "contact",
        "drafted",
        "approved",
        "sent",
        "feedback",
        "drafted",
        "sent_back",
        "drafted",
        "approved",
        "sent",
        "feedback",
    ]
    assert history(item).filter(action="feedback").first().changes["status"] == ["REPLIED", "REHANDLING"]
    for attempt in (item.delete, lambda: Proposal.objects.filter(pk=item.pk).delete(), item.replies.first().delete):
        with pytest.raises(PermissionError):
            attempt()
    with pytest.raises(PermissionError):
        LedgerEvent.objects.filter(target_id=item.pk).delete()


def test_b_and_c_items_are_followed_until_solved(b):
    item = _item(b, 2, "FOLLOW_UP")
    assert item.status == ProposalStatus.FOLLOW_UP
    P.do_record_follow_up(item, b.staff, on=today(), progress="已列入明年计划", solved=False)
    assert Proposal.objects.get(pk=item.pk).status == ProposalStatus.FOLLOW_UP
    P.do_record_follow_up(item, b.staff, on=today(), progress="经费已拨付，问题解决", solved=True)
    item = Proposal.objects.get(pk=item.pk)
    assert item.status == ProposalStatus.CLOSED and item.solved_on == today()


def test_the_register_form_and_errors_in_chinese(b):
    client = Client()
    client.force_login(b.office)
    data = {
        "kind": "CPPCC",
        "session": "区政协九届四次会议",
        "number": "41",
        "title": "关于加强调解员队伍建设的建议",
        "proposers": "李某某委员",
        "content": "建议加强调解员培训。",
        "assigning_body": "区政府督查室",
        "assigned_on": today().isoformat(),
        "handling_role": HandlingRole.CO,
    }
    response = client.post("/ledgers/proposals/new/", data)
    assert response.status_code == 200 and "会办件请填写主办单位" in response.content.decode()
    response = client.post("/ledgers/proposals/new/", {**data, "lead_unit": "区民政局"})
    assert response.status_code == 302
    item = Proposal.objects.get(number="41")
    assert item.handling_role == HandlingRole.CO and item.status == ProposalStatus.REGISTERED
    again = client.post("/ledgers/proposals/new/", {**data, "lead_unit": "区民政局"})
    assert "该届次该编号的建议提案已登记" in again.content.decode()
    bad = client.post(f"/ledgers/proposals/{item.pk}/assign/", {"leader": b.staff.pk, "department": b.dept.pk})
    assert bad.status_code == 400
