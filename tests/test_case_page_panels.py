"""Staff see what the parties did (issue 9 §7): each party's invitation, joining and consent on the case page and
the accept form; the portal application's summary; the next step the law expects (cases.next_step); the court
named once in the source line; the assign form's open-case counts and its refusal of the presiding mediator as a
co-mediator; the workbench's labelled dates."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from cases import actions as A
from cases.actions.online import do_accept_invitation
from cases.enums import CaseSource, CourtReferralType, PartySide
from cases.enums import CaseStatus as S
from cases.forms import AssignForm, open_case_counts
from cases.models import Case
from cases.next_step import cn_md, intake_review_due, next_performance_due, next_steps
from cases.online_activity import parties_online, source_line
from portal.models import ApplicationDraft, Invitation
from registry.models import Mediator
from tests.world import make_case
from workdays.calendar import add_working_days


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(case, today) -> list[str]:
    return [str(s) for s in next_steps(case, today)]


# --- next step ------------------------------------------------------------------------------------------------


def test_intake_review_three_working_days(world):
    case = make_case(world, S.INTAKE)  # registered Monday 2 March 2026
    assert intake_review_due(case) == date(2026, 3, 5)
    assert texts(case, date(2026, 3, 3)) == ["受理审查：应于3月5日前决定是否受理（3个工作日）"]
    late = texts(case, date(2026, 3, 9))
    assert late == ["受理审查：应于3月5日前决定是否受理（3个工作日），已逾期"]
    assert next_steps(case, date(2026, 3, 9))[0].overdue


def test_mediation_time_limit_and_overdue(world):
    case = make_case(world, S.IN_MEDIATION)
    due = case.time_limit_due
    before = due - timedelta(days=5)
    assert texts(case, before) == [f"调解期限：{due.month}月{due.day}日届满，可经各方当事人同意延长"]
    after = add_working_days(due, 2)
    [step] = next_steps(case, after)
    assert step.overdue and "超期2个工作日" in step.text and "延长期限，或终止调解" in step.text


def test_accepted_asks_for_assignment(world):
    case = make_case(world, S.ACCEPTED)
    got = texts(case, timezone.localdate(case.accepted_at))
    assert got[0] == "指派调解员：指派主持调解员，并向各方当事人送达权利义务告知书"
    assert got[1].startswith("调解期限：")


def test_paused_performing_closed_archived(world):
    paused = make_case(world, S.PAUSED)
    assert texts(paused, date(2026, 3, 10))[0].startswith("暂缓调解：调解期限暂停计算")
    performing = make_case(world, S.PERFORMING)
    due = next_performance_due(performing)
    assert due is not None
    got = texts(performing, due - timedelta(days=1))
    assert f"履行期限：{due.month}月{due.day}日前应履行协议约定的义务" in got
    assert any("已于" in t and "届满未履行" in t for t in texts(performing, due + timedelta(days=1)))
    closed = make_case(world, S.CLOSED)
    assert any(t.startswith("立卷归档：卷宗材料齐备后立卷归档") for t in texts(closed, date(2026, 4, 1)))
    archived = make_case(world, S.ARCHIVED)
    [step] = next_steps(archived, date(2026, 6, 1))
    assert str(step).startswith("保管期限：定期10年，2036年") and step.text.endswith("届满前不得销毁")
    for status in (S.NOT_ACCEPTED, S.TRANSFERRED_OUT):
        assert next_steps(make_case(world, status), date(2026, 6, 1)) == []


def test_judicial_confirmation_window_and_court_limits(world):
    case = make_case(world, S.PERFORMING, at=timezone.now() - timedelta(days=12))
    today = timezone.localdate()
    assert any(t.startswith("司法确认：双方当事人可于") for t in texts(case, today))
    p1, p2 = case.parties.all()
    A.do_apply_judicial_confirmation(
        case, world.mediator_a, applicant=p1, consenting=p2, court=world.court, applied_on=today
    )
    got = [t for t in texts(case, today) if t.startswith("司法确认")]
    assert len(got) == 1 and "咸宁市咸安区人民法院应于" in got[0] and "决定是否受理" in got[0]


# --- parties online and the application -----------------------------------------------------------------------


def online_case(world, *, joined: bool, consented: bool):
    """A case applied for online by party_user, the respondent invited by SMS (and perhaps joined and consented)."""
    case = make_case(world, S.INTAKE, at=timezone.now() - timedelta(hours=3))
    ApplicationDraft.objects.create(
        user=world.party_user,
        data={
            "what": {"brief_facts": "邻居堆放建材堵塞排水沟", "claims": "请求清除建材并赔偿损失800元", "amount": "800"}
        },
        submitted_at=case.registered_at,
        case=case,
    )
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    invitation = Invitation.objects.create(
        party=respondent, token_hash="t" * 64, code_hash="c" * 64, phone=respondent.phone, created_by=world.party_user
    )
    if joined:
        other = User.objects.create_user(
            username="respondent", password="x", role=Role.PARTY, phone=respondent.phone, full_name=""
        )
        do_accept_invitation(other, invitation)
        if consented:
            A.do_record_party_consent(case, other, party=Case.objects.get(pk=case.pk).parties.get(pk=respondent.pk))
    return case


@pytest.mark.parametrize(
    ("joined", "consented", "state"),
    [(False, False, "已发送邀请，尚未加入"), (True, False, "已加入，尚未表示是否同意调解"), (True, True, "已同意调解")],
)
def test_join_and_consent_on_the_case_page_and_the_accept_form(world, joined, consented, state):
    case = online_case(world, joined=joined, consented=consented)
    rows = {o.party.side: o for o in parties_online(case)}
    assert rows[PartySide.RESPONDENT].state == state
    assert rows[PartySide.APPLICANT].applied_online
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/do/accept/"):
        html = client_for(world.director_a).get(url).content.decode()
        assert "当事人线上参与" in html and state in html, url
        assert "线上申请摘要" in html and "请求清除建材并赔偿损失800元" in html, url
        assert "受理审查：</span>应于" in html and "前决定是否受理（3个工作日）" in html, url
    # The invitation's phone is masked on the page.
    html = client_for(world.director_a).get(f"/cases/{case.pk}/").content.decode()
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    if not joined:
        assert respondent.phone[:3] + "****" + respondent.phone[-4:] in html


def test_a_walk_in_case_has_no_application_panel(world):
    case = make_case(world, S.INTAKE)
    html = client_for(world.director_a).get(f"/cases/{case.pk}/").content.decode()
    assert "线上申请摘要" not in html
    assert "未加入线上案件" in html  # the respondent was never invited


def test_refusal_shown(world):
    case = make_case(world, S.IN_MEDIATION)
    p = case.parties.get(side=PartySide.RESPONDENT)
    A.do_record_party_refusal(
        case, world.mediator_a, party=p, statement="不愿调解，要去法院起诉", routes=["LITIGATION"]
    )
    rows = {o.party.pk: o for o in parties_online(case)}
    assert rows[p.pk].state == "已拒绝调解"


# --- source line ----------------------------------------------------------------------------------------------


def test_court_named_once_in_the_source_line(world):
    case = make_case(
        world,
        S.IN_MEDIATION,
        source=CaseSource.REFERRED_COURT,
        court=world.court,
        court_mode=CourtReferralType.WEIPAI,
        court_case_no="（2026）鄂1202民诉前调5号",
        referral_body=world.court.name,
    )
    line = source_line(case)
    assert line == "法院委托移送 · 咸宁市咸安区人民法院委派（诉前） · 法院案号 （2026）鄂1202民诉前调5号"
    html = client_for(world.director_a).get(f"/cases/{case.pk}/").content.decode()
    assert world.court.name + world.court.name not in html and line in html


def test_source_line_of_other_referrals(world):
    case = make_case(world, S.INTAKE, source=CaseSource.REFERRED_POLICE, referral_body="温泉派出所")
    assert source_line(case) == "公安机关委托移送 · 温泉派出所"
    assert source_line(make_case(world, S.INTAKE)) == "依申请调解"


# --- the assign form ------------------------------------------------------------------------------------------


def test_assign_form_shows_open_cases_per_mediator(world):
    make_case(world, S.IN_MEDIATION)  # presided over by mediator_a
    make_case(world, S.PERFORMING)  # mediator_a again
    make_case(world, S.CLOSED)  # closed: not counted
    case = make_case(world, S.ACCEPTED)
    a, a2 = world.mediator_a.mediator, world.mediator_a2.mediator
    counts = open_case_counts(Mediator.objects.filter(pk__in=[a.pk, a2.pk]))
    assert counts[a.pk] == 2 and counts[a2.pk] == 0
    html = client_for(world.director_a).get(f"/cases/{case.pk}/do/assign/").content.decode()
    assert f"{a.name}（在办 2 件）" in html and f"{a2.name}（在办 0 件）" in html


def test_assign_form_refuses_presiding_as_co_mediator(world):
    case = make_case(world, S.ACCEPTED)
    a = world.mediator_a.mediator
    data = {"presiding": a.pk, "co_mediators": [a.pk], "chosen_by": "COMMITTEE", "rights_notified": "on"}
    form = AssignForm(data, case=case, actor=world.director_a)
    assert not form.is_valid()
    assert form.errors["co_mediators"] == [f"{a.name}已是主持调解员，不能同时作为参与调解员"]
    response = client_for(world.director_a).post(f"/cases/{case.pk}/do/assign/", data)
    assert response.status_code == 200 and "不能同时作为参与调解员" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.presiding_mediator_id is None
    # With another co-mediator it goes through.
    data["co_mediators"] = [world.mediator_a2.mediator.pk]
    data["identities_checked"] = "on"
    assert AssignForm(data, case=case, actor=world.director_a).is_valid()


# --- the workbench --------------------------------------------------------------------------------------------


def test_workbench_dates_are_labelled(world):
    intake = make_case(world, S.INTAKE)
    mediating = make_case(world, S.IN_MEDIATION)
    performing = make_case(world, S.PERFORMING)
    accepted = make_case(world, S.ACCEPTED)
    response = client_for(world.director_a).get("/workbench/")
    assert response.status_code == 200
    items: dict = {}  # each case as its first queue shows it (the overdue queue shows the limit, see below)
    for _t, _i, _n, cases, _l in response.context["blocks"]:
        for item in cases:
            items.setdefault(item.case.pk, item)
    assert items[intake.pk].label == "登记"
    assert items[accepted.pk].label == "受理" and items[accepted.pk].on == timezone.localdate(accepted.accepted_at)
    assert items[mediating.pk].label == "期限" and items[mediating.pk].on == mediating.time_limit_due
    assert items[performing.pk].label == "履行期限" and items[performing.pk].on == next_performance_due(performing)
    html = response.content.decode()
    due = mediating.time_limit_due
    assert f'<span class="text-secondary fw-normal">期限</span> {cn_md(due)}' in html
    assert '<span class="text-secondary fw-normal">履行期限</span>' in html
    assert '<span class="text-secondary fw-normal">登记</span>' in html
    assert '<span class="text-secondary fw-normal">受理</span>' in html


def test_a_walk_in_applicant_applied_in_person(world):
    case = make_case(world, S.INTAKE)  # registered at the committee, source 依申请调解
    rows = {o.party.side: o for o in parties_online(case)}
    assert rows[PartySide.APPLICANT].state == "申请调解（申请即表示同意）"
    assert not rows[PartySide.APPLICANT].applied_online
    assert rows[PartySide.RESPONDENT].state == "未加入线上案件"
    html = client_for(world.director_a).get(f"/cases/{case.pk}/").content.decode()
    assert "到调委会申请调解" in html


def test_overdue_queue_shows_the_limit(world):
    accepted = make_case(world, S.ACCEPTED)  # accepted March 2026: its limit has long passed
    response = client_for(world.director_a).get("/workbench/")
    blocks = {title: cases for title, _i, _n, cases, _l in response.context["blocks"]}
    [overdue] = [i for i in blocks["已超过调解期限"] if i.case.pk == accepted.pk]
    assert overdue.label == "期限" and overdue.on == accepted.time_limit_due and overdue.late
    [waiting] = [i for i in blocks["待指派调解员"] if i.case.pk == accepted.pk]
    assert waiting.label == "受理" and waiting.late
