"""Issue 9 §4: the figures count a case in the period its mediation ended, 在办 apart, by definitions that are
configuration; every overview's rows (with 本级) add up to its headline; a period not over says so and is compared
with the same days of last year.

The fixed dataset is tests/insights/dataset.py plus two cases across month boundaries:
c14 A accepted in February (02-16 … 02-21), agreement effective in March (03-10 …): ended in March, accepted earlier
c15 A accepted in March (03-25 …), terminated in April (04-02 …): 在办 at the end of March, ended in April
"""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import SUPERVISOR_ROLES
from cases import actions as A
from cases.enums import CaseStatus
from cases.models import Case
from cases.scoping import cases_visible_to
from demo.scenarios import Cast, Walker
from insights.base import as_of, make_period, period_key
from insights.definitions import DefinitionsError, _parse, definitions, use_definitions
from insights.metrics import dashboard_metrics, monthly_form
from insights.overview import headline, overview
from registry.models import Committee, CommitteeType, Division
from tests.insights.dataset import TODAY, at, build_dataset
from tests.world import _mediator_user, case_data

FEB, MARCH, APRIL = (make_period(2026, "month", m) for m in (2, 3, 4))
Q1 = make_period(2026, "quarter", 1)


def _walk_across(world, registered, first: CaseStatus, then_at, steps, seed, **data) -> Case:
    case = A.do_register_case(world.mediator_a, world.village_a, case_data(world.party_user, **data), at=registered)
    walker = Walker(case, world.cast_a(), registered, random.Random(seed))
    walker.walk(first)
    walker.at = then_at
    for step in steps:
        walker.step(step)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def data(world):
    ds = build_dataset(world)
    ds.cases["c14"] = _walk_across(
        world, at(2026, 2, 16), CaseStatus.IN_MEDIATION, at(2026, 3, 10), ["session", "written_now"], 14,
        amount_involved=Decimal("1000"),
    )  # fmt: skip
    ds.cases["c15"] = _walk_across(
        world, at(2026, 3, 25), CaseStatus.IN_MEDIATION, at(2026, 4, 2), ["terminate"], 15,
        amount_involved=Decimal("700"),
    )  # fmt: skip
    return ds


def _local_month(value) -> int:
    from django.utils import timezone

    return timezone.localtime(value).month


def test_the_boundary_cases_are_where_the_dataset_says(data):
    c14, c15 = data.cases["c14"], data.cases["c15"]
    assert _local_month(c14.accepted_at) == 2 and c14.status == CaseStatus.AGREEMENT_REACHED
    assert _local_month(c14.events.get(action="agreement_effective").at) == 3
    assert _local_month(c15.accepted_at) == 3 and c15.status == CaseStatus.TERMINATED
    assert _local_month(c15.events.get(action="terminate").at) == 4


def test_the_form_counts_a_case_in_the_month_its_mediation_ended(data):
    f = monthly_form(Case.objects.all(), "4212", MARCH, today=TODAY)
    # ended in March: c1 c2 c3 c7 c10 c12 (accepted in March) + c14 (accepted in February); c15 is still open
    assert f.value("cases") == 7
    assert (f.value("success"), f.value("terminated")) == (6, 1)
    assert f.value("success_rate") == Decimal("85.7")  # 6 ÷ (6 + 1)
    assert f.value("open") == 3  # c6 c11 c15 at the end of March
    assert f.value("accepted") == 9  # c1 c2 c3 c6 c7 c10 c11 c12 c15 — not c14 (February)
    assert f.value("parties") == 15 and f.value("amount") == Decimal("42300.50")  # + c14: 2 parties, 1000 元
    # February: c14 accepted and still being mediated at the month's end; nothing ended
    feb = monthly_form(Case.objects.all(), "4212", FEB, today=TODAY)
    assert (feb.value("accepted"), feb.value("cases"), feb.value("open"), feb.value("success_rate")) == (1, 0, 1, None)
    # April (not over on TODAY 04-15): c15 terminated; nothing accepted; c6 c11 still open
    apr = monthly_form(Case.objects.all(), "4212", APRIL, today=TODAY)
    assert (apr.value("cases"), apr.value("success"), apr.value("terminated")) == (1, 0, 1)
    assert (apr.value("success_rate"), apr.value("open"), apr.value("accepted")) == (Decimal("0.0"), 2, 0)
    assert apr.period.partial and apr.period.full_label == "2026年4月（截至4月15日）"
    # the quarter: January's c8 + March's 7; open at its end as at March's
    q1 = monthly_form(Case.objects.all(), "4212", Q1, today=TODAY)
    assert (q1.value("cases"), q1.value("success"), q1.value("success_rate"), q1.value("open")) == (
        8,
        7,
        Decimal("87.5"),
        3,
    )
    # the county and the other county
    xianan = monthly_form(Case.objects.all(), "421202", MARCH, today=TODAY)
    assert (xianan.value("cases"), xianan.value("success"), xianan.value("open")) == (6, 5, 2)  # + c14; c6 c15
    jiayu = monthly_form(Case.objects.all(), "421221", MARCH, today=TODAY)
    assert (jiayu.value("cases"), jiayu.value("open")) == (1, 1)  # c10 ended; c11 open


def test_a_province_counting_by_acceptance_changes_a_setting(data):
    with use_definitions(period_by="accepted", rate_denominator="counted"):
        f = monthly_form(Case.objects.all(), "4212", MARCH, today=TODAY)
        # accepted in March, open ones included; success over all of them
        assert f.value("cases") == 9
        assert f.value("success") == 5  # c1 c3 c7 c10 c12 (c14 was accepted in February)
        assert f.value("success_rate") == Decimal("55.6")
        assert "按受理时间" in definitions().summary()
    assert monthly_form(Case.objects.all(), "4212", MARCH, today=TODAY).value("cases") == 7
    assert "按调解结束" in definitions().summary()


def test_the_definitions_file_is_validated():
    d = definitions()
    assert d.period_by == "ended" and d.rate_denominator == "ended"
    labels = [t.label for t in d.terms()]
    assert {"受理", "调解成功", "调解终止", "在办", "统计归期", "调解成功率"} <= set(labels)
    good = {"period_by": "ended", "rate_denominator": "ended"}
    events = {"success": ["agreement_effective"], "termination": ["terminate"]}
    for bad in (
        {**good, "period_by": "registered", "ending_events": events},
        {**good, "rate_denominator": "all", "ending_events": events},
        {**good, "ending_events": {"success": ["signed"], "termination": ["terminate"]}},
        {**good, "ending_events": {"success": ["agreement_effective"]}},
    ):
        with pytest.raises(DefinitionsError):
            _parse(bad)


def test_the_form_prints_its_definitions_and_the_open_column(client, data, world):
    client.force_login(world.city_admin)
    html = client.get(reverse("insights:monthly_form"), {"area": "4212", "period": "2026-03"}).content.decode()
    assert "期末在办（件）" in html and "本期受理（件）" in html and "其中：调解终止" in html
    for term in definitions().terms():
        assert term.text in html


# A period not over ----------------------------------------------------------------------------------------------


def test_a_period_not_over_is_labelled_and_compared_with_the_same_days():
    december = as_of(make_period(2026, "month", 12), date(2026, 12, 3))
    assert december.partial and december.full_label == "2026年12月（截至12月3日）"
    last = december.same_period_last_year()
    assert (last.start, last.last_day, last.end) == (date(2025, 12, 1), date(2025, 12, 3), date(2025, 12, 31))
    assert last.end_at.date() == date(2025, 12, 4)
    year = as_of(make_period(2026, "year"), date(2026, 12, 3))
    assert year.full_label == "2026年（截至12月3日）" and period_key(year) == "2026"
    assert year.same_period_last_year().last_day == date(2025, 12, 3)
    assert not as_of(make_period(2026, "month", 11), date(2026, 12, 3)).partial  # November is over
    leap = as_of(make_period(2028, "month", 2), date(2028, 2, 29)).same_period_last_year()
    assert leap.last_day == date(2027, 2, 28)


def test_the_dashboard_of_a_month_not_over_compares_the_same_days_of_last_year(data):
    # Last year's c13 ended on 2025-03-15 (China time). On 03-10 this March is compared with 2025-03-01 … 03-10.
    early = dashboard_metrics(Case.objects.all(), "4212", MARCH, today=date(2026, 3, 10))
    assert early.period.full_label == "2026年3月（截至3月10日）"
    assert early.last_period.last_day == date(2025, 3, 10)
    assert early.last_year_cases == 0 and early.trend_last == [0, 0, 0]
    # ended by 03-10: c1 c2 c3 c10 c12 (c7 on 03-11, c14 from 03-10 on are later)
    ended_by_10th = {"c1", "c2", "c3", "c10", "c12"}
    assert early.totals["cases"] == len(ended_by_10th) == early.trend_this[-1]
    late = dashboard_metrics(Case.objects.all(), "4212", MARCH, today=date(2026, 3, 20))
    assert late.last_year_cases == 1 and late.trend_last == [0, 0, 1]
    done = dashboard_metrics(Case.objects.all(), "4212", MARCH, today=TODAY)
    assert not done.period.partial and done.last_year_cases == 1 and done.totals["cases"] == 7


# Rows add up to the headline ------------------------------------------------------------------------------------


@pytest.fixture
def own_level(data, world):
    """Committees seated at the county (咸安区) and at the city, each with a case ended and one open in March."""
    city, county = Division.objects.get(code="4212"), Division.objects.get(code="421202")
    for div, short in ((city, "市医调"), (county, "区交调")):
        committee = Committee.objects.create(
            name=f"{div.name}{short}人民调解委员会", short_name=short, committee_type=CommitteeType.SOCIAL_ORG_OTHER,
            division=div,
        )  # fmt: skip
        director = _mediator_user(f"d_{div.code}", committee, "主任", "DIRECTOR", "DIRECTOR", "M")
        mediator = _mediator_user(f"m_{div.code}", committee, "调解员")
        for status, day in ((CaseStatus.CLOSED, 3), (CaseStatus.IN_MEDIATION, 4)):
            case = A.do_register_case(mediator, committee, case_data(None), at=at(2026, 3, day))
            Walker(case, Cast(director, mediator), at(2026, 3, day), random.Random(day)).walk(status)
    return data


AREAS = ("4212", "421202", "421202001", "421221", "421202001001", "421221100")


def test_every_dashboard_breakdown_adds_up_to_its_headline(own_level, world):
    for persona, user in world.personas().items():
        if user.role not in SUPERVISOR_ROLES:
            continue
        scope = cases_visible_to(user)
        for code in AREAS:
            if not code.startswith(user.division.code):
                continue
            for period in (MARCH, Q1, APRIL, make_period(2026, "year")):
                d = dashboard_metrics(scope, code, period, today=TODAY)
                where = (persona, code, period.label)
                for m in ("cases", "success", "terminated", "open"):
                    if d.areas:
                        assert sum(getattr(r, m) for r in d.areas) == d.totals[m], (*where, m)
                    for rows in (d.by_dispute, d.by_source, d.by_committee_type):
                        assert sum(getattr(r, m) for r in rows) == d.totals[m], (*where, m)
    county = dashboard_metrics(cases_visible_to(world.county_admin), "421202", MARCH, today=TODAY)
    own = [r for r in county.areas if r.own_level]
    assert [(r.name, r.cases, r.open) for r in own] == [("咸安区区交调人民调解委员会", 1, 1)]
    city = dashboard_metrics(cases_visible_to(world.city_admin), "4212", MARCH, today=TODAY)
    assert [(r.name, r.cases, r.open) for r in city.areas if r.own_level] == [("咸宁市市医调人民调解委员会", 1, 1)]


def test_every_console_overview_adds_up_to_its_headline(client, own_level, world):
    today = date(2026, 4, 15)
    seen_own_level = set()
    for persona, user in world.personas().items():
        if user.role not in SUPERVISOR_ROLES:
            continue
        scope = cases_visible_to(user)
        ov, head = overview(scope, user.division, today), headline(scope, user.division, today)
        assert head.total == scope.count() > 0
        for m in ("total", "open", "late", "ended", "success", "terminated"):
            assert sum(getattr(r, m) for r in ov.rows) == getattr(head, m), (persona, m)
        seen_own_level |= {persona for r in ov.rows if r.own_level}
        # the page shows the same rows and headline
        client.force_login(user)
        response = client.get(reverse("console:home"))
        assert response.status_code == 200
        ctx = response.context
        assert sum(r.total for r in ctx["area_rows"]) == ctx["total"]
        assert sum(r.open for r in ctx["area_rows"]) == ctx["head"].open
        assert sum(r.late for r in ctx["area_rows"]) == ctx["overdue"]
        assert sum(r.ended for r in ctx["area_rows"]) == ctx["head"].ended
        html = response.content.decode()
        assert "在办" in html and "调解成功率" in html
    # the county (区交调), the city (市医调) and the 司法所 (温泉街道's own committee) each have a 本级 row
    assert seen_own_level == {"county_admin", "city_admin", "sfs_officer"}


def test_the_form_rows_by_area_add_up_to_its_total(own_level, world):
    from insights.layout import build_grids, load_form

    for persona, user in world.personas().items():
        if user.role not in SUPERVISOR_ROLES:
            continue
        scope = cases_visible_to(user)
        for code in AREAS:
            if not code.startswith(user.division.code):
                continue
            for period in (MARCH, Q1, APRIL):
                f = monthly_form(scope, code, period, today=TODAY)
                for m in ("cases", "success", "terminated", "open", "difficult"):
                    assert sum(a.value(m) for a in f.areas) == f.value(m), (persona, code, period.label, m)
    county = monthly_form(cases_visible_to(world.county_admin), "421202", MARCH, today=TODAY)
    assert [(a.label, a.value("cases"), a.value("open")) for a in county.areas] == [
        ("温泉街道", 6, 2),
        ("本级", 1, 1),  # 区交调, seated at the county
    ]
    grid = next(g for g in build_grids(load_form(), county, link=lambda s: s) if g.key == "areas")
    assert [line[0].text for line in grid.body] == ["合计", "温泉街道", "本级"]
    assert [c.value for c in grid.body[0][1:]][:3] == [7, 6, 1]  # 合计: 调解案件, 成功, 终止
    assert grid.body[2][1].link == ""  # 本级 has no area of its own to list
