"""The statistics against hand-computed figures of a small dataset built through the actions (tests/insights
/dataset.py), and every figure against the case list behind it."""

from decimal import Decimal

import pytest

from cases.enums import CaseStatus
from cases.models import Case
from insights.base import make_period
from insights.layout import build_grids, load_form
from insights.metrics import dashboard_metrics, monthly_form, success_rate, to_wan
from insights.slices import Slice
from tests.insights.dataset import EXPECTED_MARCH_CITY as E
from tests.insights.dataset import TODAY, build_dataset

MARCH = make_period(2026, "month", 3)


@pytest.fixture
def data(world):
    return build_dataset(world)


# The rate rule --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("success", "cases", "expected"),
    [
        (18069, 18625, Decimal("97.0")),  # 咸宁 2021 (seed 000): 97.0149…% → 97.0 (the bureau said "97%")
        (31054, 31242, Decimal("99.4")),  # 绍兴 2020 (seed 003): 99.398…% → 99.4 (the bureau printed 99.39, truncated)
        (144600, 146000, Decimal("99.0")),  # 平顶山 five years (seed 001): 99.041…%
        (1941, 2000, Decimal("97.1")),  # exactly 97.05: half up, not half even
        (2, 3, Decimal("66.7")),
        (0, 5, Decimal("0.0")),
        (5, 5, Decimal("100.0")),
    ],
)
def test_success_rate_one_decimal_half_up(success, cases, expected):
    assert success_rate(success, cases) == expected


def test_success_rate_of_nothing_is_none():
    assert success_rate(0, 0) is None


def test_amount_in_wan_yuan_rounds_half_up():
    assert to_wan(Decimal("41300.50")) == Decimal("4.13")
    assert to_wan(Decimal("125")) == Decimal("0.01")  # 0.0125 → 0.01
    assert to_wan(Decimal("150")) == Decimal("0.02")  # 0.015 → 0.02 (half up)
    assert to_wan(Decimal("5970063000")) == Decimal("597006.30")  # 平顶山: 59700.63万元 over five years is larger


# The MoJ form ---------------------------------------------------------------------------------------------------


def test_monthly_form_city_march(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # cube, committees, mediators, area name; rows by area, their names, 本级
        f = monthly_form(Case.objects.all(), "4212", MARCH)
    assert f.value("cases") == E["cases"]
    assert f.value("success") == E["success"]
    assert f.value("terminated") == E["terminated"]
    assert f.value("open") == E["open"]
    assert f.value("accepted") == E["accepted"]
    assert f.value("difficult") == E["difficult"]
    assert f.value("parties") == E["parties"]
    assert f.value("amount") == E["amount"]
    assert f.value("amount_wan") == Decimal("4.13")
    assert f.value("success_rate") == E["rate"]
    # by dispute type: sub-items roll up to their national parent
    assert f.value("cases", {"dispute_type": ["LABOR_MIGRANT_WAGES", "LABOR_OTHER"]}) == 1
    assert f.value("cases", {"dispute_type": ["LABOR_MIGRANT_WAGES"]}) == 1
    assert f.value("cases", {"dispute_type": ["CONSUMER_TOURISM", "CONSUMER_ECOMMERCE", "CONSUMER_OTHER"]}) == 1
    assert f.value("cases", {"dispute_type": ["NEIGHBOR"]}) == 1  # c1 only (c4 not accepted, c9 transferred)
    # c6: registered in February, accepted in March, still being mediated: 在办, not a 调解案件
    assert f.value("cases", {"dispute_type": ["OTHER"]}) == 0
    assert f.value("open", {"dispute_type": ["OTHER"]}) == 1
    assert f.value("accepted", {"dispute_type": ["OTHER"]}) == 1
    assert f.value("difficult", {"dispute_type": ["DAMAGE_COMPENSATION"]}) == 1
    # by source
    assert f.value("cases", {"source": ["ON_APPLICATION"]}) == 3  # c1 c7 c12 (c6 c11 open)
    assert f.value("cases", {"source": ["PROACTIVE"]}) == 1
    referred = [
        "REFERRED_COURT",
        "REFERRED_PROCURATORATE",
        "REFERRED_POLICE",
        "REFERRED_PETITION",
        "REFERRED_OTHER_DEPT",
    ]
    assert f.value("cases", {"source": referred}) == 2
    assert f.value("amount", {"source": ["REFERRED_POLICE"]}) == Decimal("20000")
    assert f.value("parties", {"source": ["REFERRED_POLICE"]}) == 3
    # by committee type and agreement form
    assert f.value("cases", {"committee_type": ["VILLAGE"]}) == 5
    assert f.value("cases", {"committee_type": ["SUBDISTRICT"]}) == 1
    assert f.value("success", {"agreement_form": ["WRITTEN"]}) == 4
    assert f.value("success", {"agreement_form": ["ORAL"]}) == 1
    # prevention (件/人)
    assert f.value("prevented_criminal_cases") == 1  # c2 (c11 is still open)
    assert f.value("prevented_criminal_persons") == 3
    assert f.value("prevented_group_fight_cases") == 1
    assert f.value("prevented_group_fight_persons") == 12
    assert f.value("prevented_suicide_cases") == 0
    # organisations and staff (current register)
    assert f.value("committees") == 4
    assert f.value("committees", {"committee_type": ["VILLAGE"]}) == 3
    assert f.value("committees", {"committee_type": ["SUBDISTRICT"]}) == 1
    assert f.value("mediators") == 8
    assert f.value("mediators", {"category": ["FULL_TIME"]}) == 1
    assert f.value("mediators", {"category": ["PART_TIME"]}) == 7
    # by area: 咸安区 and 嘉鱼县 (no committee at the city itself here); they add up to the totals
    assert [(a.label, a.value("cases"), a.value("success"), a.value("open")) for a in f.areas] == [
        ("咸安区", 5, 4, 1),
        ("嘉鱼县", 1, 1, 1),
    ]


def test_monthly_form_county_township_and_other_periods(data):
    county = monthly_form(Case.objects.all(), "421202", MARCH)
    assert (county.value("cases"), county.value("success"), county.value("success_rate")) == (5, 4, Decimal("80.0"))
    assert county.value("committees") == 3 and county.value("mediators") == 6
    jiayu = monthly_form(Case.objects.all(), "421221", MARCH)
    assert (jiayu.value("cases"), jiayu.value("success"), jiayu.value("amount")) == (1, 1, Decimal("20000"))
    assert (jiayu.value("open"), jiayu.value("success_rate")) == (1, Decimal("100.0"))  # c11 is 在办
    assert monthly_form(Case.objects.all(), "421202001", MARCH).value("cases") == 5
    # quarter and year include January's c8; last year's March holds c13 only
    assert monthly_form(Case.objects.all(), "4212", make_period(2026, "quarter", 1)).value("cases") == 7
    assert monthly_form(Case.objects.all(), "4212", make_period(2026, "year")).value("success") == 6
    assert monthly_form(Case.objects.all(), "4212", make_period(2025, "month", 3)).value("cases") == 1
    assert monthly_form(Case.objects.all(), "4212", make_period(2026, "month", 2)).value("cases") == 0


def test_form_total_equals_reported_cases_rows(data):
    """三统一: the form's total is the number of rows reported_cases gives (the reconciliation's definition)."""
    from insights.base import in_area, reported_cases

    for area in ("4212", "421202", "421221", "421202001"):
        assert (
            monthly_form(Case.objects.all(), area, MARCH).value("cases")
            == reported_cases(Case.objects.filter(in_area(area)), MARCH).count()
        )


def test_every_form_cell_equals_the_case_list_behind_it(data):
    """Each figure's link names a Slice; the slice's rows reproduce the figure (counts, and sums for parties and
    amounts)."""
    f = monthly_form(Case.objects.all(), "4212", MARCH)
    checked = 0
    for grid in build_grids(load_form(), f, link=lambda s: s):
        for line in grid.body:
            for cell in line:
                if cell.kind != "value" or not cell.link:
                    continue
                piece: Slice = cell.link
                rows = piece.queryset(Case.objects.all(), today=TODAY)
                if cell.fmt == "pct":
                    # No case ended: no rate ("—"), not 0.0%
                    assert cell.value == success_rate(rows.count(), _cases_of(piece).count())
                elif cell.fmt == "wan":
                    assert cell.value == to_wan(sum((c.amount_involved for c in rows), Decimal(0)))
                elif piece.measure == "cases" and grid.key == "cases" and line.index(cell) == len(line) - 2:
                    assert cell.value == sum(c.parties.count() for c in rows)  # 涉及当事人 column
                elif grid.key == "prevention" and line.index(cell) == len(line) - 1:
                    assert cell.value == sum(_persons(piece, c) for c in rows)
                else:
                    assert cell.value == rows.count(), (grid.key, line[0].text, piece)
                checked += 1
    assert checked > 150


def _cases_of(piece: Slice):
    return Slice(piece.area, piece.period, "cases", piece.committee_id, piece.filters).queryset(Case.objects.all())


def _persons(piece: Slice, case: Case) -> int:
    from insights.slices import PREVENTION_FIELDS

    return getattr(case, PREVENTION_FIELDS[piece.measure])


# The dashboard -------------------------------------------------------------------------------------------------


def test_dashboard_city_march(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):  # + the same period of last year's cube (上年同期)
        d = dashboard_metrics(Case.objects.all(), "4212", MARCH, today=TODAY)
    assert d.received == E["received"]
    assert d.totals["cases"] == E["cases"]
    assert (d.totals["accepted"], d.totals["open"], d.totals["terminated"]) == (E["accepted"], E["open"], 1)
    assert d.totals["success"] == E["success"]
    assert d.rate == E["rate"]
    assert d.totals["difficult"] == E["difficult"]
    assert d.totals["parties"] == E["parties"]
    assert d.totals["amount"] == E["amount"]
    assert d.overdue == E["overdue"]
    # satisfaction: ratings given in March (c1: 5, c12: 4); c8's April rating is not March's
    assert (d.rating_avg, d.rating_count, d.rated_cases) == (Decimal("4.50"), 2, 2)
    # average duration: closed cases of the March cohort (c1, c12), accepted → closed
    closed = [data.cases["c1"], data.cases["c12"]]
    seconds = sum(int((c.closed_at - c.accepted_at).total_seconds()) for c in closed) / 2
    assert d.avg_duration_days == (Decimal(seconds) / 86400).quantize(Decimal("0.1"))
    assert d.totals["closed"] == 2
    # trend (by end of mediation): January c8, March 6; last year March c13
    assert d.trend_months == ["1月", "2月", "3月"]
    assert d.trend_this == [1, 0, 6]
    assert d.trend_last == [0, 0, 1]
    assert d.trend_success == [1, 0, 5]
    assert d.last_year_cases == 1
    by_dispute = {b.key: (b.cases, b.success) for b in d.by_dispute}
    assert by_dispute["LABOR"] == (1, 0) and by_dispute["CONSUMER"] == (1, 1) and by_dispute["ROAD_TRAFFIC"] == (1, 1)
    assert {b.key: b.cases for b in d.by_source}["ON_APPLICATION"] == 3
    assert {b.key: b.cases for b in d.by_committee_type} == {
        "VILLAGE": 5,
        "RESIDENT": 0,
        "TOWNSHIP": 0,
        "SUBDISTRICT": 1,
        "ENTERPRISE_INSTITUTION": 0,
        "SOCIAL_ORG_OTHER": 0,
    }


def test_dashboard_drill_down_levels(data, world):
    city = dashboard_metrics(Case.objects.all(), "4212", MARCH, today=TODAY)
    assert [(r.code, r.name, r.cases, r.success, r.open) for r in city.areas] == [
        ("421202", "咸安区", 5, 4, 1),
        ("421221", "嘉鱼县", 1, 1, 1),
    ]
    county = dashboard_metrics(Case.objects.all(), "421202", MARCH, today=TODAY)
    assert [(r.code, r.name, r.cases) for r in county.areas] == [("421202001", "温泉街道", 5)]
    township = dashboard_metrics(Case.objects.all(), "421202001", MARCH, today=TODAY)
    assert {(r.name, r.cases, r.committee_id) for r in township.areas} == {
        ("桂花村人民调解委员会", 4, world.village_a.pk),
        ("温泉街道人民调解委员会", 1, world.township.pk),
    }
    assert all(not r.drill for r in township.areas)
    one = dashboard_metrics(Case.objects.all(), "421202001", MARCH, committee_id=world.village_a.pk, today=TODAY)
    assert (one.totals["cases"], one.totals["success"], one.received, one.overdue) == (4, 3, 6, 1)
    assert one.areas == []


def test_dashboard_numbers_equal_their_case_lists(data):
    d = dashboard_metrics(Case.objects.all(), "4212", MARCH, today=TODAY)
    base = Case.objects.all()
    assert d.slice("received").queryset(base, TODAY).count() == d.received
    assert d.slice("cases").queryset(base, TODAY).count() == d.totals["cases"]
    assert d.slice("success").queryset(base, TODAY).count() == d.totals["success"]
    assert d.slice("difficult").queryset(base, TODAY).count() == d.totals["difficult"]
    assert d.slice("overdue").queryset(base, TODAY).count() == d.overdue
    assert d.slice("closed").queryset(base, TODAY).count() == d.totals["closed"]
    assert d.slice("rated").queryset(base, TODAY).count() == d.rated_cases
    assert d.slice("accepted").queryset(base, TODAY).count() == d.totals["accepted"]
    assert d.slice("open").queryset(base, TODAY).count() == d.totals["open"]
    assert d.slice("terminated").queryset(base, TODAY).count() == d.totals["terminated"]
    for b in d.by_dispute + d.by_source + d.by_committee_type:
        assert d.slice("cases", **b.filters).queryset(base, TODAY).count() == b.cases
        assert d.slice("success", **b.filters).queryset(base, TODAY).count() == b.success
    for r in d.areas:
        assert Slice(r.code, MARCH, "cases", r.committee_id).queryset(base, TODAY).count() == r.cases


def test_remediation_clears_success_until_agreed_again(data, world):
    """A case sent back to re-mediation is no longer counted as a success (its outcome is cleared): it is 在办."""
    from demo.scenarios import Walker

    case = data.cases["c3"]
    Walker(case, world.cast_a(), case.accepted_at.replace(day=20)).step("remediate")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REMEDIATION
    f = monthly_form(Case.objects.all(), "4212", MARCH)
    assert (f.value("success"), f.value("open")) == (E["success"] - 1, E["open"] + 1)
