"""The 矛盾纠纷排查情况表 (screening.form) on a fixed dataset, every figure written out by hand; its life (draft →
submitted, frozen; correction = a new version), the .xlsx and the PDF, and who may use its pages."""

import io
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.models import Role
from cases.enums import CaseStatus, DisputeType, Outcome
from registry.models import Committee, CommitteeType, Division
from screening import form as sform
from screening.actions import do_correct_form, do_create_form, do_submit_form
from screening.actions.base import ActionRefused
from screening.enums import FindingStatus, FormPeriod, FormStatus
from screening.models import Finding, ScreeningCampaign, ScreeningForm
from tests.screening.factories import TZ, make_finding
from tests.world import PASSWORD, make_case

pytestmark = pytest.mark.django_db

D = DisputeType
COLS = ("county", "township", "village", "subtotal", "ytd")


def _at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def build_dataset(sworld) -> dict:
    """March 2026 in 咸安区 (421202): a county-level committee K, the township's committee T (温泉街道), villages A
    (桂花村) and B (柏墩村); findings on the period's boundary days, at each headcount bucket edge, in cases that
    ended within the period, after it, or not at all; campaigns overlapping the period by one day or missing it
    by one."""
    w = sworld.w
    k = Committee.objects.create(
        name="咸安区医疗纠纷人民调解委员会",
        short_name="咸安医调",
        committee_type=CommitteeType.SOCIAL_ORG_OTHER,
        division=Division.objects.get(code="421202"),
    )
    t, a, b = w.township, w.village_a, w.village_b
    by = w.mediator_a

    # Cases walked through the actions: two end in March (agreement; termination), one ends in April, one is still
    # being mediated.
    agreed = make_case(w, CaseStatus.AGREEMENT_REACHED, at=_at(2026, 3, 2), seed=1)
    terminated = make_case(w, CaseStatus.TERMINATED, at=_at(2026, 3, 3), seed=2)
    april = make_case(w, CaseStatus.AGREEMENT_REACHED, at=_at(2026, 4, 2), seed=3)
    mediating = make_case(w, CaseStatus.IN_MEDIATION, at=_at(2026, 3, 4), seed=4)
    assert agreed.outcome == Outcome.SUCCESS and terminated.outcome == Outcome.FAILURE
    assert april.outcome == Outcome.SUCCESS and mediating.outcome == ""

    def f(committee, day, dtype, headcount, **kw):
        return make_finding(committee, by=by, found_on=day, dispute_type=dtype, headcount=headcount, **kw)

    res = FindingStatus.RESOLVED
    in_case = FindingStatus.IN_CASE
    out = {
        # first and last day of the period
        "F1": f(a, date(2026, 3, 1), D.NEIGHBOR, 2, status=res, resolved_at=_at(2026, 3, 5)),
        "F2": f(a, date(2026, 3, 31), D.MARRIAGE_FAMILY, 49),
        "F3": f(b, date(2026, 3, 10), D.HOUSING_HOMESTEAD, 50, status=in_case, case=agreed),
        "F4": f(b, date(2026, 3, 12), D.LABOR_MIGRANT_WAGES, 100, status=in_case, case=terminated, is_major=True),
        "F5": f(t, date(2026, 3, 15), D.LAND_ACQ_DEMOLITION, 101, status=in_case, case=april, is_major=True),
        "F6": f(
            t, date(2026, 3, 20), D.FOREST_LAND, 500, status=res, resolved_at=_at(2026, 3, 31, 23, 30), is_major=True
        ),
        "F7": f(k, date(2026, 3, 5), D.MEDICAL, 501, status=res, resolved_at=_at(2026, 4, 1, 0, 10), is_major=True),
        "F8": f(k, date(2026, 3, 25), D.CONSUMER_ECOMMERCE, 3, status=in_case, case=mediating),
        # the day before and the day after; earlier in the year; last year; another county
        "F9": f(a, date(2026, 2, 28), D.OTHER, 2, status=res, resolved_at=_at(2026, 3, 1)),
        "F10": f(a, date(2026, 4, 1), D.NEIGHBOR, 2),
        "F11": f(t, date(2026, 1, 15), D.LABOR_OTHER, 600, is_major=True),
        "F12": f(w.village_c, date(2026, 3, 10), D.NEIGHBOR, 2, status=res, resolved_at=_at(2026, 3, 11)),
        "F13": f(a, date(2025, 12, 31), D.NEIGHBOR, 2, status=res, resolved_at=_at(2026, 1, 2)),
    }
    admin = w.county_admin

    def c(code, theme, start, end, areas=()):
        return ScreeningCampaign.objects.create(
            division=Division.objects.get(code=code),
            theme=theme,
            area_codes=list(areas),
            start=start,
            end=end,
            created_by=admin,
        )

    out["C1"] = c("421202", "春季矛盾纠纷专项排查", date(2026, 3, 25), date(2026, 4, 10))
    out["C2"] = c("421202001", "春节前专项排查", date(2026, 2, 1), date(2026, 2, 28))
    out["C3"] = c("4212", "全市征地拆迁专项排查", date(2026, 3, 31), date(2026, 4, 30), ["421202"])
    out["C4"] = c("4212", "嘉鱼县专项排查", date(2026, 3, 1), date(2026, 3, 31), ["421221"])
    out["C5"] = c("421202", "五一前专项排查", date(2026, 4, 1), date(2026, 4, 30))
    out["C7"] = c("421202001", "温泉街道婚恋纠纷排查", date(2026, 3, 10), date(2026, 3, 20))
    out["K"] = k
    return out


# The March 2026 table of 咸安区, by hand: county (K), township (T), village (A, B), subtotal, year to date.
EXPECTED_MARCH = {
    "screened": [2, 2, 4, 8, 10],  # K: F7 F8; T: F5 F6; V: F1 F2 F3 F4; YTD + F9 F11
    "handled": [0, 1, 3, 4, 5],  # T: F6 (resolved 23:30 on the 31st); V: F1, F3 (agreement), F4 (termination); + F9
    "handled_rate": ["0.0", "50.0", "75.0", "50.0", "50.0"],
    "success": [0, 1, 2, 3, 4],  # T: F6; V: F1, F3; + F9
    "success_rate": ["0.0", "50.0", "50.0", "37.5", "40.0"],
    "cat:ethnic_religious:screened": [0, 0, 0, 0, 0],
    "cat:ethnic_religious:handled": [0, 0, 0, 0, 0],
    "cat:veterans:screened": [0, 0, 0, 0, 0],
    "cat:veterans:handled": [0, 0, 0, 0, 0],
    "cat:land_acquisition:screened": [0, 1, 0, 1, 1],
    "cat:land_acquisition:handled": [0, 0, 0, 0, 0],
    "cat:construction_property:screened": [0, 0, 0, 0, 0],
    "cat:construction_property:handled": [0, 0, 0, 0, 0],
    "cat:land_rights:screened": [0, 1, 0, 1, 1],
    "cat:land_rights:handled": [0, 1, 0, 1, 1],
    "cat:environment:screened": [0, 0, 0, 0, 0],
    "cat:environment:handled": [0, 0, 0, 0, 0],
    "cat:labour:screened": [0, 0, 1, 1, 2],  # F4; YTD + F11
    "cat:labour:handled": [0, 0, 1, 1, 1],
    "cat:economic:screened": [1, 0, 0, 1, 1],
    "cat:economic:handled": [0, 0, 0, 0, 0],
    "cat:damages:screened": [0, 0, 0, 0, 0],
    "cat:damages:handled": [0, 0, 0, 0, 0],
    "cat:family:screened": [0, 0, 1, 1, 1],
    "cat:family:handled": [0, 0, 0, 0, 0],
    "cat:neighbour:screened": [0, 0, 2, 2, 2],  # F1, F3 (宅基地)
    "cat:neighbour:handled": [0, 0, 2, 2, 2],
    "cat:medical:screened": [1, 0, 0, 1, 1],
    "cat:medical:handled": [0, 0, 0, 0, 0],
    "cat:other:screened": [0, 0, 0, 0, 1],  # F9
    "cat:other:handled": [0, 0, 0, 0, 1],
    "bucket:0": [1, 0, 2, 3, 4],  # F8 (3), F1 (2), F2 (49); + F9
    "bucket:1": [0, 0, 2, 2, 2],  # F3 (50), F4 (100)
    "bucket:2": [0, 2, 0, 2, 2],  # F5 (101), F6 (500)
    "bucket:3": [1, 0, 0, 1, 2],  # F7 (501); + F11 (600)
    "major:screened": [1, 2, 1, 4, 5],  # F7; F5 F6; F4; + F11
    "major:handled": [0, 1, 1, 2, 2],  # F6; F4
    "major:success": [0, 1, 0, 1, 1],  # F6
    "major:success_rate": ["0.0", "50.0", "0.0", "25.0", "20.0"],
    "campaigns": [2, 1, 0, 3, 4],  # C1 (county), C3 (city, covering 咸安区, from the 31st); C7; + C2
}


def _table(data: dict) -> dict:
    return {row["key"]: [row["values"][c] for c in COLS] for row in data["rows"]}


def test_every_dispute_type_maps_to_one_category():
    seen: dict[str, str] = {}
    for cat in sform.layout()["categories"]:
        for code in cat["codes"]:
            assert code not in seen, f"{code} in {seen.get(code)} and {cat['key']}"
            seen[code] = cat["key"]
    assert set(seen) == set(DisputeType.values)
    assert sform.category_of()[D.LABOR_MIGRANT_WAGES] == sform.category_of()[D.LABOR_OTHER] == "labour"


def test_period_bounds():
    assert sform.period_bounds(FormPeriod.MONTH, date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert sform.period_bounds(FormPeriod.MONTH, date(2026, 12, 1)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert sform.period_bounds(FormPeriod.QUARTER, date(2026, 10, 1)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert sform.period_bounds(FormPeriod.HALF_YEAR, date(2026, 7, 1)) == (date(2026, 7, 1), date(2026, 12, 31))
    assert sform.period_bounds(FormPeriod.YEAR, date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    for kind, start in (
        (FormPeriod.MONTH, date(2026, 2, 2)),
        (FormPeriod.QUARTER, date(2026, 2, 1)),
        (FormPeriod.HALF_YEAR, date(2026, 4, 1)),
        (FormPeriod.YEAR, date(2026, 7, 1)),
        ("WEEK", date(2026, 1, 1)),
    ):
        with pytest.raises(ValueError):
            sform.period_bounds(kind, start)


def test_bucket_edges():
    bounds = [50, 100, 500]
    assert [sform.bucket_index(n, bounds) for n in (0, 49, 50, 100, 101, 500, 501, 10000)] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert sform.rate(1, 3) == "33.3" and sform.rate(2, 3) == "66.7" and sform.rate(0, 0) == "—"


def test_march_table_by_hand(sworld):
    build_dataset(sworld)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        data = sform.compute("421202", date(2026, 3, 1), date(2026, 3, 31))
    assert len(ctx.captured_queries) <= 6, [q["sql"][:120] for q in ctx.captured_queries]
    table = _table(data)
    assert list(table) == list(EXPECTED_MARCH)
    for key, expected in EXPECTED_MARCH.items():
        assert table[key] == expected, key
    assert [c["label"] for c in data["columns"]] == ["县市区", "乡镇街道", "村居", "小计", "年度累计"]
    assert data["area_name"].endswith("咸安区")
    import json

    assert json.loads(json.dumps(data)) == data  # what a submitted form freezes


def test_other_periods_and_areas(sworld):
    build_dataset(sworld)
    # The first quarter: year to date is the quarter itself.
    q1 = _table(sform.compute("421202", date(2026, 1, 1), date(2026, 3, 31)))
    assert q1["screened"] == [2, 3, 5, 10, 10]  # + F9 (A, Feb) and F11 (T, Jan)
    assert q1["campaigns"] == [2, 2, 0, 4, 4]
    # April: F5's case ended in April, F7 was resolved on 1 April; the YTD carries March.
    apr = _table(sform.compute("421202", date(2026, 4, 1), date(2026, 4, 30)))
    assert apr["screened"] == [0, 0, 1, 1, 11]  # F10
    assert apr["handled"][4] == 7  # + F5 (case ended in April), F7 (resolved 1 April)
    assert apr["major:handled"][4] == 4
    # The township (温泉街道): the county committee's findings are not inside it.
    town = _table(sform.compute("421202001", date(2026, 3, 1), date(2026, 3, 31)))
    assert town["screened"] == [0, 2, 4, 6, 8]
    assert town["campaigns"] == [2, 1, 0, 3, 4]  # C1 and C3 cover 温泉街道 too (organised above it)
    # Another county: only its own finding; nothing of 咸安区.
    jiayu = _table(sform.compute("421221", date(2026, 3, 1), date(2026, 3, 31)))
    assert jiayu["screened"] == [0, 0, 1, 1, 1] and jiayu["handled"] == [0, 0, 1, 1, 1]
    assert jiayu["campaigns"] == [1, 0, 0, 1, 1]  # C4
    # Nothing screened: rates are a dash.
    empty = _table(sform.compute("421202", date(2025, 6, 1), date(2025, 6, 30)))
    assert empty["handled_rate"] == ["—"] * 5 and empty["screened"] == [0] * 5
