"""View behaviours: registration, the workbench queues, the case timeline, the holiday editor, error pages."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from cases import actions as A
from cases.enums import CaseStatus
from cases.models import Case
from cases.transitions import LABELS
from demo.scenarios import Cast, Walker
from tests.world import World, applicant_id, case_data, make_case
from workdays.calendar import is_working_day
from workdays.models import CalendarOverride


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register_form(**extra) -> dict:
    data = {
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "30",
        "parties-0-side": "APPLICANT",
        "parties-0-party_type": "NATURAL_PERSON",
        "parties-0-name": "郑老汉",
        "parties-0-id_number": applicant_id(21),
        "parties-0-phone": "13900002121",
        "parties-1-side": "RESPONDENT",
        "parties-1-party_type": "NATURAL_PERSON",
        "parties-1-name": "冯大嫂",
        "parties-1-id_number": applicant_id(22),
        "dispute_type": "MARRIAGE_FAMILY",
        "source": "ON_APPLICATION",
        "brief_facts": "赡养费纠纷，子女之间互相推诿。",
        "claims": "请求被申请人每月支付赡养费",
        "amount_involved": "6000.50",
        "exclusion": "NONE",
    }
    data.update(extra)
    return data


# --- registration -----------------------------------------------------------------------------------------------


def test_register_creates_an_intake_case_and_opens_it(world):
    client = login(world.mediator_a)
    response = client.post("/workbench/register/", register_form())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.status == CaseStatus.INTAKE
    assert case.committee == world.village_a and case.division_code == world.village_a.division_id
    assert case.registered_by == world.mediator_a
    assert case.case_no is None  # numbered only on acceptance
    assert str(case.amount_involved) == "6000.50"
    assert [(p.side, p.name) for p in case.parties.all()] == [("APPLICANT", "郑老汉"), ("RESPONDENT", "冯大嫂")]
    applicant = case.parties.first()
    assert applicant.full_id_number() == applicant_id(21)
    assert applicant.gender == "M" and applicant.birth_date == date(1980, 5, 17)  # read from the ID number
    assert [(e.action, e.to_status, e.actor) for e in case.events.all()] == [("register", "INTAKE", world.mediator_a)]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(case.registration_no in m and "等待调委会主任审查受理" in m for m in messages)
    page = client.get(response["Location"]).content.decode()
    assert "待审查" in page and case.registration_no in page


def test_register_form_page_starts_with_applicant_and_respondent(world):
    html = login(world.mediator_a).get("/workbench/register/").content.decode()
    assert 'name="parties-TOTAL_FORMS" value="2"' in html
    assert re.search(r'name="parties-0-side"[^>]*>.*?<option value="APPLICANT" selected>', html, re.S)
    assert re.search(r'name="parties-1-side"[^>]*>.*?<option value="RESPONDENT" selected>', html, re.S)


def test_register_for_a_party_of_another_committee_is_impossible(world):
    """The committee comes from the user, never from the form."""
    client = login(world.mediator_b)
    client.post("/workbench/register/", register_form(committee=str(world.village_a.pk)))
    assert Case.objects.get().committee == world.village_b


# --- the workbench --------------------------------------------------------------------------------------------


def other_committee_case(world: World, status: CaseStatus) -> Case:
    data = case_data(None)
    case = A.do_register_case(world.mediator_b, world.village_b, data, at=timezone.now() - timedelta(days=2))
    return Walker(case, Cast(director=world.director_b, mediator=world.mediator_b), case.registered_at).walk(status)


def block_counts(response) -> dict[str, int]:
    return {title: count for title, _icon, count, _cases, _link in response.context["blocks"]}


def test_workbench_home_counts(world):
    recent = timezone.now() - timedelta(days=2)
    for seed, status in enumerate(
        [
            CaseStatus.INTAKE,
            CaseStatus.INTAKE,
            CaseStatus.ACCEPTED,
            CaseStatus.IN_MEDIATION,
            CaseStatus.PAUSED,
            CaseStatus.PERFORMING,
            CaseStatus.NON_PERFORMANCE,
            CaseStatus.TERMINATED,
            CaseStatus.CLOSED,
            CaseStatus.ARCHIVED,
        ]
    ):
        make_case(world, status, seed=seed)  # registered 2 March: accepted ones are long past their time limit
    make_case(world, CaseStatus.ACCEPTED, at=recent, seed=20)  # accepted two days ago: within its time limit
    other_committee_case(world, CaseStatus.INTAKE)
    other_committee_case(world, CaseStatus.ACCEPTED)

    expected = {
        "待审查（待受理）": 2,
        "待指派调解员": 2,
        "我承办的在调案件": 2,
        "已超过调解期限": 2,
        "履行中 / 待督促": 2,
        "待结案 / 待归档": 2,
    }
    response = login(world.mediator_a).get("/workbench/")
    assert response.status_code == 200
    assert block_counts(response) == expected
    html = response.content.decode()
    assert "桂花村人民调解委员会" in html and "柏墩" not in html

    # The same queues for a colleague who presides over nothing, and for the director.
    assert block_counts(login(world.mediator_a2).get("/workbench/")) == {**expected, "我承办的在调案件": 0}
    assert block_counts(login(world.director_a).get("/workbench/")) == {**expected, "我承办的在调案件": 0}
    # Village B sees its own two.
    counts_b = block_counts(login(world.mediator_b).get("/workbench/"))
    assert counts_b["待审查（待受理）"] == 1 and counts_b["待指派调解员"] == 1 and counts_b["已超过调解期限"] == 0


def test_workbench_case_list_filters_by_status(world):
    intake = make_case(world, CaseStatus.INTAKE)
    accepted = make_case(world, CaseStatus.ACCEPTED, seed=1)
    html = login(world.mediator_a).get("/workbench/cases/?status=ACCEPTED").content.decode()
    assert accepted.case_no in html and intake.registration_no not in html


# --- the timeline -----------------------------------------------------------------------------------------------


def test_case_page_timeline_lists_every_event_with_actor_and_chinese_statuses(world):
    case = make_case(world, CaseStatus.PERFORMING)
    events = list(case.events.select_related("actor"))
    assert len(events) >= 10
    html = login(world.sfs_officer).get(f"/cases/{case.pk}/").content.decode()
    timeline = re.search(r'<ol class="timeline[^"]*" id="timeline">(.*?)</ol>', html, re.S).group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", timeline, re.S)
    assert len(items) == len(events)
    for event, item in zip(events, items, strict=True):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))
        assert LABELS[event.action] in text, (event.action, text)
        assert (event.actor.display_name if event.actor else "系统") in text
        assert timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M") in text
        if event.from_status != event.to_status:
            before = CaseStatus(event.from_status).label if event.from_status else "—"
            assert f"{before} → {CaseStatus(event.to_status).label}" in text, text
    # Status codes never leak into the page; the system's own steps are attributed to 系统.
    for status in CaseStatus:
        assert f">{status.value}<" not in timeline and f" {status.value} " not in timeline
    assert "协议生效" in timeline and "系统" in timeline
    assert "待审查 → 已受理" in timeline and "已受理 → 调解中" in timeline and "达成协议 → 履行中" in timeline


# --- the holiday editor -----------------------------------------------------------------------------------------

SATURDAY = date(2026, 12, 5)


def test_city_admin_adds_a_makeup_working_day(world):
    assert SATURDAY.weekday() == 5
    assert is_working_day(SATURDAY) is False
    client = login(world.city_admin)
    page = client.get("/console/holidays/?year=2026").content.decode()
    assert "新增日期" in page
    response = client.post(
        "/console/holidays/",
        {"date": SATURDAY.isoformat(), "kind": "WORKDAY", "name": "调休上班", "reason": "国办通知"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/holidays/?year=2026"
    override = CalendarOverride.objects.get()
    assert (override.date, override.kind, override.name) == (SATURDAY, "WORKDAY", "调休上班")
    assert is_working_day(SATURDAY) is True
    page = client.get(response["Location"]).content.decode()
    assert "2026-12-05" in page and "调休上班" in page
    # A holiday on a weekday works the other way; deleting restores the weekend rule.
    monday = SATURDAY + timedelta(days=2)
    client.post(
        "/console/holidays/", {"date": monday.isoformat(), "kind": "HOLIDAY", "name": "地方假日", "reason": "地方通知"}
    )
    assert is_working_day(monday) is False
    assert client.post(f"/console/holidays/{override.pk}/delete/", {"reason": "录入有误"}).status_code == 302
    assert is_working_day(SATURDAY) is False


@pytest.mark.parametrize("who", ["sfs_officer", "county_admin"])
def test_township_and_county_see_the_calendar_but_cannot_change_it(world, who):
    """The calendar sets every county's deadlines: only the city bureau edits it."""
    CalendarOverride.objects.create(date=SATURDAY, kind="WORKDAY", name="调休上班")
    client = login(getattr(world, who))
    response = client.get("/console/holidays/?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "调休上班" in html and "新增日期" not in html and "删除" not in html
    assert client.post("/console/holidays/", {"date": "2026-12-12", "kind": "WORKDAY"}).status_code == 403
    override = CalendarOverride.objects.get()
    assert client.post(f"/console/holidays/{override.pk}/delete/").status_code == 403
    assert CalendarOverride.objects.count() == 1
    assert is_working_day(SATURDAY) is True


def test_holiday_page_year_parameter_is_clamped(world):
    client = login(world.county_admin)
    for year in ["abc", "1800", "99999", "-1", ""]:
        response = client.get(f"/console/holidays/?year={year}")
        assert response.status_code == 200
        assert response.context["year"] == timezone.localdate().year


# --- pages the product should show in Chinese ------------------------------------------------------------------


def test_csrf_failure_page_is_chinese(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert re.search(r"[\u4e00-\u9fff]", response.content.decode())


def test_not_found_page_is_chinese(world):
    """templates/404.html: out of jurisdiction reads the same as missing, in Chinese."""
    response = login(world.party_user).get("/cases/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not Found" not in html and re.search(r"[\u4e00-\u9fff]", html)


def test_forbidden_page_is_chinese(world):
    response = login(world.party_user).get("/console/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Forbidden" not in html and re.search(r"[\u4e00-\u9fff]", html)


def test_date_inputs_show_their_value(world):
    """<input type=date> only shows ISO dates (zh-hans would render 2026/11/23, which the browser drops)."""
    case = make_case(world, CaseStatus.PERFORMING)
    html = login(world.mediator_a).get(f"/cases/{case.pk}/do/record_follow_up/").content.decode()
    assert f'name="visited_on" value="{timezone.localdate().isoformat()}"' in html
    # The deadline of a saved draft comes back when the draft is revised.
    draft = make_case(world, CaseStatus.IN_MEDIATION, seed=1)
    applicant, respondent = draft.parties.all()
    deadline = timezone.localdate() + timedelta(days=40)
    A.do_draft_agreement(
        draft,
        world.mediator_a,
        facts=draft.brief_facts,
        responsibilities="",
        terms=[
            A.TermData(
                obligor=respondent,
                obligee=applicant,
                content="支付补偿款",
                manner="转账",
                amount=None,
                deadline=deadline,
            )
        ],
    )
    html = login(world.mediator_a).get(f"/cases/{draft.pk}/do/draft_agreement/").content.decode()
    assert f'name="terms-0-deadline" value="{deadline.isoformat()}"' in html


def test_multiple_checkbox_fields_have_their_label_first(world):
    """A CheckboxSelectMultiple is a group with its label on top, not a single tick box."""
    case = make_case(world, CaseStatus.ACCEPTED)
    html = login(world.director_a).get(f"/cases/{case.pk}/do/assign/").content.decode()
    assert html.index("参与调解员") < html.index('name="co_mediators"')
