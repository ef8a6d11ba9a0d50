"""The monthly entry notice (录入情况通报): figures hand-counted on a small dataset, the numbering-rule check, the
per-committee table and the PDF (real WeasyPrint, text read back with pypdf)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.enums import CaseStatus
from cases.models import Case
from cases.scoping import cases_visible_to
from registry.models import Division
from supervision.config import case_number_regex
from supervision.notice import entry_notice, number_problem
from tests.supervision.helpers import build, dt, set_entered

S = CaseStatus
SHORT_FACTS = (
    "邻里琐事引发争吵纠纷。"  # 11 characters: accepted at registration (≥ 10), too short for the notice (< 20)
)


@pytest.fixture
def dataset(world):
    c = {
        # 桂花村 (village_a), March 2026
        "a_written": build(world, S.AGREEMENT_REACHED, dt(2026, 3, 2), seed=1),
        "a_late": build(world, S.ACCEPTED, dt(2026, 3, 3), seed=2),
        "a_oral": build(world, S.PERFORMED, dt(2026, 3, 4), seed=3, oral=True),
        "a_badno": build(world, S.ACCEPTED, dt(2026, 3, 5), seed=4),
        "a_pending": build(world, S.INTAKE, dt(2026, 3, 25)),
        # 柏墩村 (village_b), March 2026
        "b_short": build(world, S.ACCEPTED, dt(2026, 3, 6), committee=world.village_b, brief_facts=SHORT_FACTS),
        # 城关村 (village_c) is in the other county: never in 咸安区's notice
        "c_case": build(world, S.ACCEPTED, dt(2026, 3, 7), committee=world.village_c),
    }
    # Same month last year: 2 at village A, 3 at village B.
    for i in range(2):
        build(world, S.ACCEPTED, dt(2025, 3, 3 + i), seed=10 + i)
    for i in range(3):
        build(world, S.ACCEPTED, dt(2025, 3, 3 + i), seed=20 + i, committee=world.village_b)
    # Not March: neither this month nor last year's month.
    build(world, S.ACCEPTED, dt(2026, 2, 10), seed=30)
    build(world, S.ACCEPTED, dt(2025, 4, 10), seed=31, committee=world.village_b)
    set_entered(c["a_late"], dt(2026, 4, 15, 10))
    Case.objects.filter(pk=c["a_badno"].pk).update(case_no="桂花2026-调字4号")
    # 柏墩村's only 2026 number is 第2号: 第1号 is missing from its series.
    Case.objects.filter(pk=c["b_short"].pk).update(seq=2, case_no="（2026）柏墩人调字第2号")
    return c


def notice_for(world, user=None, area="421202"):
    user = user or world.county_admin
    return entry_notice(cases_visible_to(user), Division.objects.get(code=area), 2026, 3)


def test_totals_hand_counted(world, dataset):
    n = notice_for(world)
    t = n.total
    # Entries on time: a_written, a_oral, a_badno, a_pending (awaiting acceptance) at A; b_short at B.
    assert (t.entries, t.last_year, t.change, t.change_pct) == (5, 5, 0, 0.0)
    assert t.late == 1
    assert t.bad_numbers == 1
    assert t.gaps == [1] and t.duplicates == []
    assert t.short_facts == 1
    assert (t.written, t.oral, t.written_share) == (1, 1, 50.0)
    assert [c.pk for c in n.late_cases] == [dataset["a_late"].pk]
    assert [(p.case.pk, p.reason) for p in n.number_problems] == [(dataset["a_badno"].pk, "格式不符合编号规则")]
    assert [c.pk for c in n.short_cases] == [dataset["b_short"].pk]
    assert n.deadline.isoformat() == "2026-04-07"


def test_per_committee_rows(world, dataset):
    n = notice_for(world)
    rows = {r.label: r for r in n.rows}
    assert set(rows) == {"桂花村人民调解委员会", "柏墩村人民调解委员会", "温泉街道人民调解委员会"}
    a, b, town = rows["桂花村人民调解委员会"], rows["柏墩村人民调解委员会"], rows["温泉街道人民调解委员会"]
    assert (a.entries, a.last_year, a.change, a.change_pct) == (4, 2, 2, 100.0)
    assert (a.late, a.bad_numbers, a.short_facts, a.written, a.oral) == (1, 1, 0, 1, 1)
    assert (b.entries, b.last_year, b.change, b.change_pct) == (1, 3, -2, -66.7)
    assert b.gaps == [1] and b.short_facts == 1
    # 3 cases last year is below the configured minimum base (10): the -66.7% is not stated, and no drop claimed.
    assert b.stated_pct is None and not b.flags(n.rules)["drop"] and not a.flags(n.rules)["drop"]
    assert (town.entries, town.last_year) == (0, 0) and not any(town.flags(n.rules).values())
    text = "".join(n.summary())
    assert "按期录入人民调解案件5件，去年同期5件，持平" in text
    assert "下降30%以上" not in text


def test_city_notice_is_per_county(world, dataset):
    n = notice_for(world, world.city_admin, "4212")
    rows = {r.label: r for r in n.rows}
    assert n.by_county and set(rows) == {"咸安区", "嘉鱼县"}
    assert rows["咸安区"].entries == 5 and rows["咸安区"].bad_numbers == 1 and rows["咸安区"].gaps == [1]
    assert rows["嘉鱼县"].entries == 1 and rows["嘉鱼县"].last_year == 0 and rows["嘉鱼县"].change_pct is None
    assert n.total.entries == 6


def test_township_officer_sees_their_township(world, dataset):
    n = notice_for(world, world.sfs_officer, "421202001")
    assert n.total.entries == 5
    assert {r.label for r in n.rows} == {"桂花村人民调解委员会", "柏墩村人民调解委员会", "温泉街道人民调解委员会"}


@pytest.mark.parametrize(
    ("case_no", "year", "seq", "reason"),
    [
        ("（2026）桂花人调字第7号", 2026, 7, ""),
        ("（2026）桂花人调字第07号", 2026, 7, "格式不符合编号规则"),
        ("(2026)桂花人调字第7号", 2026, 7, "格式不符合编号规则"),
        ("（2026）柏墩人调字第7号", 2026, 7, "调委会简称应为“桂花”"),
        ("（2025）桂花人调字第7号", 2026, 7, "年度应为2026"),
        ("（2026）桂花人调字第8号", 2026, 7, "序号与登记序号7不一致"),
        ("", None, None, "已受理但未编号"),
    ],
)
def test_number_rule(case_no, year, seq, reason):
    assert number_problem(case_no, year, seq, "桂花", dt(2026, 3, 2)) == reason


def test_number_regex_follows_the_configured_format(settings):
    regex = case_number_regex("桂调字〔{year}〕第{seq}号{short}")
    assert regex.match("桂调字〔2024〕第12号X")["seq"] == "12"
    assert not regex.match("桂调字[2024]第12号X")


def test_page_and_pdf(client, world, dataset):
    client.force_login(world.county_admin)
    page = client.get(reverse("supervision:entry_notice"), {"year": 2026, "month": 3})
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("cases:detail", args=[dataset["a_late"].pk]) in html
    assert reverse("cases:detail", args=[dataset["a_badno"].pk]) in html
    assert SHORT_FACTS in html
    assert reverse("cases:detail", args=[dataset["c_case"].pk]) not in html

    response = client.get(reverse("supervision:entry_notice_pdf"), {"year": 2026, "month": 3})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = "".join(text.split())
    assert "2026年3月案件录入情况通报" in flat
    assert "按期录入人民调解案件5件，去年同期5件，持平" in flat
    assert "柏墩村人民调解委员会" in flat and "桂花2026-调字4号" in flat
    assert "城关村" not in flat
    # Personal data stays out of the PDF: no party names or facts.
    assert "张三" not in flat and SHORT_FACTS not in flat


def test_bad_month_input_keeps_a_page(client, world):
    client.force_login(world.county_admin)
    response = client.get(reverse("supervision:entry_notice"), {"year": "20x6", "month": "13"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "年度须为四位数字" in html and "请选择月份" in html


def test_city_notice_counts_committees_seated_at_the_city(world):
    """A city-level committee (医调委) belongs to no county: it gets its own row, and the notice's total agrees with
    the reconciliation and the monthly form (三统一)."""
    from cases import actions as A
    from demo.scenarios import Cast, Walker
    from insights.base import make_period
    from insights.metrics import monthly_form
    from registry.models import Committee, CommitteeType
    from supervision.reconciliation import reconcile
    from tests.world import _mediator_user, case_data

    city = Division.objects.get(code="4212")
    medical = Committee.objects.create(
        name="咸宁市医疗纠纷人民调解委员会",
        short_name="咸宁医调",
        committee_type=CommitteeType.SOCIAL_ORG_OTHER,
        division=city,
    )
    director = _mediator_user("dir_med", medical, "医主任", "DIRECTOR", "DIRECTOR", "M")
    mediator = _mediator_user("med_m", medical, "医调解")
    at = dt(2026, 3, 2)
    for committee, cast in [(medical, Cast(director, mediator)), (world.village_a, world.cast_a())]:
        case = A.do_register_case(cast.mediator, committee, case_data(None), at=at)
        Walker(case, cast, at).walk(S.IN_MEDIATION)
    Case.objects.update(entered_at=at)
    scope = cases_visible_to(world.city_admin)
    notice = entry_notice(scope, city, 2026, 3)
    rows = {r.label: r.entries for r in notice.rows}
    assert rows == {"咸安区": 1, "嘉鱼县": 0, "咸宁市本级": 1}
    period = make_period(2026, "month", 3)
    assert notice.total.entries == reconcile(scope, period, "4212").entries == 2
    # The form's 本期受理 column is the period's own cases; both are still being mediated (在办), so no 调解案件 yet.
    form = monthly_form(scope, "4212", period)
    assert (form.value("accepted"), form.value("open"), form.value("cases")) == (2, 2, 0)
