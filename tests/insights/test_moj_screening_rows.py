# ruff: noqa: F811 (the sworld fixture is imported, and named by the tests)
"""The MoJ form's screening indicators (issue 12): 排查次数, 排查发现纠纷数, 预防纠纷数 by area on a fixed dataset,
the lower areas adding up to 合计; the prevention figures drilling down to the cases and their risks; the close
form prefilled from the case's risks."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from cases import actions as A
from cases.enums import CaseStatus, FollowUpOutcome, Satisfaction
from cases.forms_agreement import CloseForm
from cases.models import Case
from insights.base import make_period
from insights.layout import build_grids, load_form
from insights.metrics import monthly_form
from registry.models import Committee, CommitteeType, Division
from screening.enums import Cadence, ReportStatus, RiskStatus
from tests.screening.factories import TZ, make_finding, make_report, make_risk, sworld  # noqa: F401 (the fixture)
from tests.world import make_case

pytestmark = pytest.mark.django_db
MARCH = make_period(2026, "month", 3)
SUB = ReportStatus.SUBMITTED


def _at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def build(sworld) -> dict:
    w = sworld.w
    k = Committee.objects.create(
        name="咸安区物业纠纷人民调解委员会",
        short_name="咸安物调",
        committee_type=CommitteeType.SOCIAL_ORG_OTHER,
        division=Division.objects.get(code="421202"),
    )
    a, b, t, c = w.village_a, w.village_b, w.township, w.village_c
    # Reports: counted when submitted and their period ends in March (zero reports too; one version of a corrected
    # report).
    make_report(a, date(2026, 3, 2), date(2026, 3, 8), status=SUB, is_zero=True)
    make_report(a, date(2026, 2, 23), date(2026, 3, 1), status=SUB, is_zero=True)  # ends on the first day
    make_report(a, date(2026, 2, 16), date(2026, 2, 22), status=SUB, is_zero=True)  # February
    old = make_report(a, date(2026, 3, 9), date(2026, 3, 15), status=ReportStatus.SUPERSEDED)
    make_report(a, date(2026, 3, 9), date(2026, 3, 15), status=SUB, version=2, supersedes=old)
    make_report(b, date(2026, 3, 30), date(2026, 4, 5), status=SUB)  # ends in April
    make_report(b, date(2026, 3, 23), date(2026, 3, 29))  # pending
    make_report(b, date(2026, 3, 16), date(2026, 3, 22), status=ReportStatus.OVERDUE)  # missing
    make_report(t, date(2026, 3, 21), date(2026, 3, 31), status=SUB, cadence=Cadence.TEN_DAYS, is_zero=True)
    make_report(c, date(2026, 3, 1), date(2026, 3, 31), status=SUB, cadence=Cadence.MONTHLY, is_zero=True)
    make_report(k, date(2026, 3, 1), date(2026, 3, 31), status=SUB, cadence=Cadence.MONTHLY)
    # Findings found in March: A ×2, T, K, C (B's is February, A's third April).
    by = w.mediator_a
    fa = make_finding(a, by=by, found_on=date(2026, 3, 3))
    make_finding(a, by=by, found_on=date(2026, 3, 31))
    fb = make_finding(b, by=by, found_on=date(2026, 2, 28))
    ft = make_finding(t, by=by, found_on=date(2026, 3, 15))
    fk = make_finding(k, by=by, found_on=date(2026, 3, 20))
    fc = make_finding(c, by=by, found_on=date(2026, 3, 10))
    make_finding(a, by=by, found_on=date(2026, 4, 1))
    # Risks resolved (化解) in March: A (the last minute of the 31st), T, K (the first minute), and a case's risk
    # with the suicide flag; not: B's (1 April 00:00), A's open one, C's handed over.
    res = RiskStatus.RESOLVED
    make_risk(a, by=by, finding=fa, status=res, resolved_at=_at(2026, 3, 31, 23, 59))
    make_risk(b, by=by, finding=fb, status=res, resolved_at=_at(2026, 4, 1, 0, 0))
    make_risk(a, by=by, finding=fa)
    make_risk(t, by=by, finding=ft, status=res, resolved_at=_at(2026, 3, 10))
    make_risk(k, by=by, finding=fk, status=res, resolved_at=_at(2026, 3, 1, 0, 0))
    make_risk(c, by=by, finding=fc, status=RiskStatus.HANDED_OVER, resolved_at=_at(2026, 3, 12))
    case = make_case(w, CaseStatus.PERFORMED, at=_at(2026, 3, 2), seed=7)
    suicide = make_risk(
        a,
        by=by,
        case=case,
        flags=["SUICIDE_RISK", "MASS_PARTIES"],
        headcount=3,
        status=res,
        resolved_at=_at(2026, 3, 20),
        title="一方扬言轻生",
    )
    fight = make_risk(a, by=by, case=case, flags=["GROUP_FIGHT"], headcount=12, title="两村青壮年聚集")
    make_risk(a, by=by, case=case, flags=["GROUP_PETITION"], headcount=40, status=RiskStatus.HANDED_OVER)
    return {"case": case, "suicide": suicide, "fight": fight, "k": k}


def _rows(result) -> dict[str, tuple[int, int, int]]:
    out = {"合计": tuple(result.value(m) for m in ("screening_rounds", "screening_findings", "screening_prevented"))}
    for a in result.screening_areas:
        out[a.label] = tuple(a.value(m) for m in ("screening_rounds", "screening_findings", "screening_prevented"))
    return out


def _adds_up(rows: dict) -> None:
    parts = [v for k, v in rows.items() if k != "合计"]
    assert tuple(sum(col) for col in zip(*parts, strict=True)) == rows["合计"]


def test_screening_rows_by_area(sworld):
    build(sworld)
    city = _rows(monthly_form(Case.objects.all(), "4212", MARCH, today=date(2026, 4, 10)))
    # 咸安区: reports A 3 (1–8, 23 Feb–1 Mar, v2 of 9–15), T 1, K 1; findings A 2, T 1, K 1; risks A 2, T 1, K 1.
    assert city == {"合计": (6, 5, 4), "咸安区": (5, 4, 4), "嘉鱼县": (1, 1, 0)}
    county = _rows(monthly_form(Case.objects.all(), "421202", MARCH, today=date(2026, 4, 10)))
    assert county == {"合计": (5, 4, 4), "温泉街道": (4, 3, 3), "本级": (1, 1, 1)}
    town = _rows(monthly_form(Case.objects.all(), "421202001", MARCH, today=date(2026, 4, 10)))
    assert town == {"合计": (4, 3, 3), "桂花村人民调解委员会": (3, 2, 2), "温泉街道人民调解委员会": (1, 1, 1)}
    for rows in (city, county, town):
        _adds_up(rows)
    # A month not over is counted to `today`.
    partial = monthly_form(Case.objects.all(), "4212", MARCH, today=date(2026, 3, 8))
    assert _rows(partial)["合计"] == (2, 1, 1)  # reports ending 1 and 8 March; the finding of the 3rd; K 1 March


def test_screening_section_of_the_form_page_and_xlsx(sworld, client):
    build(sworld)
    layout = load_form("moj_monthly")
    result = monthly_form(Case.objects.all(), "4212", MARCH, today=date(2026, 4, 10))
    grid = next(g for g in build_grids(layout, result) if g.key == "screening")
    lines = [[c.display for c in line] for line in grid.body]
    assert lines == [["合计", "6", "5", "4"], ["咸安区", "5", "4", "4"], ["嘉鱼县", "1", "1", "0"]]
    client.force_login(sworld.w.city_admin)
    page = client.get(reverse("insights:monthly_form"), {"area": "4212", "period": "2026-03"}).content.decode()
    assert "五、矛盾纠纷排查情况" in page and "排查发现纠纷数（件）" in page
    from io import BytesIO

    from openpyxl import load_workbook

    x = client.get(reverse("insights:monthly_form_xlsx"), {"area": "4212", "period": "2026-03"})
    ws = load_workbook(BytesIO(x.content)).active
    title = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "五、矛盾纠纷排查情况")
    total = next(r for r in range(title, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert [ws.cell(total, col).value for col in (2, 3, 4)] == [6, 5, 4]


def test_close_form_prefill_and_prevention_drilldown(sworld, client):
    data = build(sworld)
    w = sworld.w
    case = data["case"]
    form = CloseForm(case=case, actor=w.mediator_a)
    # SUICIDE_RISK (resolved, 3 persons) and GROUP_FIGHT (open, 12); the handed-over petition risk is not used.
    assert form.initial == {"prevented_suicide_persons": 3, "prevented_group_fight_persons": 12}
    assert "一方扬言轻生" in form.fields["prevented_suicide_persons"].help_text
    assert form.fields["prevented_group_petition_persons"].initial == 0
    assert CloseForm(case=case, actor=w.mediator_a, initial={"prevented_suicide_persons": 1}).initial == {
        "prevented_suicide_persons": 1,
        "prevented_group_fight_persons": 12,
    }
    A.do_record_follow_up(
        case,
        w.mediator_a,
        party=case.parties.first(),
        visited_on=date(2026, 3, 25),
        outcome=FollowUpOutcome.PERFORMED,
        satisfaction=Satisfaction.SATISFIED,
        notes="协议已履行，双方满意",
        at=_at(2026, 3, 25),
    )
    prevention = {k: form.initial.get(k, 0) for k in CloseForm.PREVENTION_FLAGS}
    A.do_close_case(case, w.mediator_a, summary="协议已履行完毕，结案", prevention=prevention, at=_at(2026, 3, 26))
    case.refresh_from_db()
    assert case.prevented_suicide_persons == 3 and case.prevented_group_fight_persons == 12
    result = monthly_form(Case.objects.all(), "4212", MARCH, today=date(2026, 4, 10))
    assert result.value("prevented_suicide_cases") == 1 and result.value("prevented_suicide_persons") == 3
    # The prevention cell links to the cases; the list shows each case's risks with links to them.
    grid = next(
        g
        for g in build_grids(load_form("moj_monthly"), result, link=lambda p: "?" + p.query())
        if g.key == "prevention"
    )
    link = grid.body[0][1].link
    assert "measure=prevented_suicide" in link
    client.force_login(w.county_admin)
    page = client.get(reverse("insights:cases") + link.replace("area=4212", "area=421202"))
    body = page.content.decode()
    assert page.status_code == 200 and f'data-case="{case.pk}"' in body
    assert reverse("screening:risk", args=[data["suicide"].pk]) in body
    assert reverse("screening:risk", args=[data["fight"].pk]) in body
    assert body.index(f'data-risk="{data["suicide"].pk}"') < body.index(f'data-risk="{data["fight"].pk}"')
    assert "本项来源" in body
    # Another county's administrator: the area is outside their jurisdiction.
    client.force_login(w.other_county_admin)
    assert client.get(reverse("insights:cases") + link.replace("area=4212", "area=421202")).status_code == 404


@pytest.mark.e2e
def test_screening_section_and_drilldown_in_a_browser(transactional_db, session):
    """Screenshots (desktop and 390 px) of the MoJ form's screening section and of a prevention drill-down with
    the case's risks; the page never scrolls sideways."""
    from pathlib import Path

    from django.core.management import call_command

    from tests.screening.factories import build_sworld
    from tests.world import build_world

    call_command("load_holidays", verbosity=0)
    sw = build_sworld(build_world())
    data = build(sw)
    case = data["case"]
    A.do_record_follow_up(
        case,
        sw.w.mediator_a,
        party=case.parties.first(),
        visited_on=date(2026, 3, 25),
        outcome=FollowUpOutcome.PERFORMED,
        satisfaction=Satisfaction.SATISFIED,
        notes="协议已履行，双方满意",
        at=_at(2026, 3, 25),
    )
    form = CloseForm(case=case, actor=sw.w.mediator_a)
    prevention = {k: form.initial.get(k, 0) for k in CloseForm.PREVENTION_FLAGS}
    A.do_close_case(case, sw.w.mediator_a, summary="协议已履行完毕，结案", prevention=prevention, at=_at(2026, 3, 26))
    shots = Path("/tmp/shots-form")
    shots.mkdir(parents=True, exist_ok=True)
    s = session
    s.login("county_admin")
    s.goto("/insights/form/?area=421202&period=2026-03")
    s.page.locator("#section-screening").screenshot(path=str(shots / f"moj-screening-{s.viewport}.png"))
    s.page.click("#section-prevention a >> nth=0")
    s.page.wait_for_selector("#prevention-risks")
    s.check_width("drilldown")
    s.page.screenshot(path=str(shots / f"moj-drilldown-{s.viewport}.png"), full_page=True)
    assert s.page.locator(f'#prevention-risks [data-risk="{data["suicide"].pk}"]').count() == 1
    assert not s.overflows, s.overflows
