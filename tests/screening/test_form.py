"""The 矛盾纠纷排查情况表 (screening.form) on a fixed dataset, every figure written out by hand; its life (draft →
submitted, frozen; correction = a new version), the .xlsx and the PDF, and who may use its pages."""

import io
import subprocess
from datetime import date, datetime

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
from tests.world import make_case

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


# The form's life ------------------------------------------------------------------------------------------------


def _xianan():
    return Division.objects.get(code="421202")


def test_submit_freezes_and_a_correction_recomputes(sworld):
    data = build_dataset(sworld)
    w = sworld.w
    f = do_create_form(
        w.county_admin,
        _xianan(),
        period_kind=FormPeriod.MONTH,
        period_start=date(2026, 3, 1),
        reporting_unit="咸安区司法局",
        at=_at(2026, 4, 3),
    )
    assert f.status == FormStatus.DRAFT and f.period_end == date(2026, 3, 31) and f.data is None
    with pytest.raises(ActionRefused) as err:
        do_submit_form(w.county_admin, f, signer="", preparer="刘制表", at=_at(2026, 4, 5))
    assert err.value.field == "signer"
    with pytest.raises(ActionRefused) as err:
        do_submit_form(w.county_admin, f, signer="张局长", preparer=" ", at=_at(2026, 4, 5))
    assert err.value.field == "preparer"
    f = do_submit_form(w.county_admin, f, signer="张局长", preparer="刘制表", at=_at(2026, 4, 5, 10))
    assert f.status == FormStatus.SUBMITTED and f.submitted_by == w.county_admin
    assert _table(f.data) == EXPECTED_MARCH
    # A second draft of the same period is refused; so is submitting twice.
    with pytest.raises(ActionRefused):
        do_create_form(
            w.county_admin,
            _xianan(),
            period_kind=FormPeriod.MONTH,
            period_start=date(2026, 3, 1),
            reporting_unit="咸安区司法局",
        )
    with pytest.raises(ActionRefused):
        do_submit_form(w.county_admin, f, signer="张局长", preparer="刘制表")
    # A finding changes afterwards (F2 is resolved on site on 31 March): the submitted form does not change.
    Finding.objects.filter(pk=data["F2"].pk).update(status=FindingStatus.RESOLVED, resolved_at=_at(2026, 3, 31, 8))
    f.refresh_from_db()
    assert _table(f.data)["handled"] == [0, 1, 3, 4, 5]
    from screening.views_forms import figures

    assert _table(figures(f))["handled"] == [0, 1, 3, 4, 5]
    # The correction is a new draft version, computed live, and supersedes v1 once submitted.
    with pytest.raises(ActionRefused) as err:
        do_correct_form(w.county_admin, f, reason="错")
    assert err.value.field == "reason"
    v2 = do_correct_form(w.county_admin, f, reason="补录桂花村就地化解一起", at=_at(2026, 4, 6))
    assert (v2.version, v2.status, v2.supersedes_id, v2.signer) == (2, FormStatus.DRAFT, f.pk, "张局长")
    assert _table(figures(v2))["handled"] == [0, 1, 4, 5, 6]
    with pytest.raises(ActionRefused):
        do_correct_form(w.county_admin, f, reason="再次更正一下")
    v2 = do_submit_form(w.county_admin, v2, signer="张局长", preparer="刘制表", at=_at(2026, 4, 6, 15))
    f.refresh_from_db()
    assert f.status == FormStatus.SUPERSEDED and v2.status == FormStatus.SUBMITTED
    assert _table(v2.data)["cat:family:handled"] == [0, 0, 1, 1, 1]
    assert _table(f.data)["cat:family:handled"] == [0, 0, 0, 0, 0]


def test_who_may_make_a_form(sworld):
    w = sworld.w
    kw = {"period_kind": FormPeriod.QUARTER, "period_start": date(2026, 1, 1), "reporting_unit": "某单位"}
    for user in (w.mediator_a, w.director_a, sworld.gov_officer, w.other_county_admin, w.sfs_officer, w.party_user):
        with pytest.raises(ActionRefused):
            do_create_form(user, _xianan(), **kw)
    town = Division.objects.get(code="421202001")
    assert do_create_form(w.sfs_officer, town, **kw).reporting_unit == "某单位"
    assert do_create_form(w.city_admin, _xianan(), **kw).division_id == "421202"
    with pytest.raises(ActionRefused) as err:
        do_create_form(
            w.county_admin,
            _xianan(),
            period_kind=FormPeriod.QUARTER,
            period_start=date(2026, 2, 1),
            reporting_unit="咸安区司法局",
        )
    assert err.value.field == "period_start"


# Pages, .xlsx and PDF ---------------------------------------------------------------------------------------------


def _client(client, user):
    client.force_login(user)
    return client


def test_pages_xlsx_and_pdf(sworld, client, tmp_path):
    build_dataset(sworld)
    w = sworld.w
    c = _client(client, w.county_admin)
    r = c.get(reverse("screening:form_new"))
    assert r.status_code == 200 and "咸安区司法局" in r.content.decode()  # reporting unit prefilled
    # Bad input: the message next to the field, what was typed kept.
    r = c.post(
        reverse("screening:form_new"),
        {
            "area": "421202",
            "period_kind": "QUARTER",
            "period_year": "2026",
            "period_month": "2",
            "reporting_unit": "咸安区司法局（盖章）",
        },
    )
    body = r.content.decode()
    assert r.status_code == 400 and "季报须从1月、4月、7月或10月的1日开始" in body and "咸安区司法局（盖章）" in body
    r = c.post(
        reverse("screening:form_new"),
        {
            "area": "421202",
            "period_kind": "MONTH",
            "period_year": "2026",
            "period_month": "3",
            "reporting_unit": "咸安区司法局",
        },
    )
    f = ScreeningForm.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("screening:form", args=[f.pk])
    page = c.get(reverse("screening:form", args=[f.pk])).content.decode()
    assert "已编制（草稿）" in page and 'data-row="major:success_rate"' in page and "37.5" in page
    # The draft's PDF says 草稿; its text has the figures.
    pdf = c.get(reverse("screening:form_pdf", args=[f.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content, tmp_path)
    assert "草" in text and "未上报" in text and "签发人" in text
    # Submit without a preparer: refused next to the field, the signer kept.
    r = c.post(reverse("screening:form_submit", args=[f.pk]), {"signer": "张局长", "preparer": ""})
    assert r.status_code == 400 and "请填写制表人" in r.content.decode() and 'value="张局长"' in r.content.decode()
    r = c.post(reverse("screening:form_submit", args=[f.pk]), {"signer": "张局长", "preparer": "刘制表"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.status == FormStatus.SUBMITTED
    page = c.get(reverse("screening:form", args=[f.pk])).content.decode()
    assert "已上报" in page and "张局长" in page
    listing = c.get(reverse("screening:forms") + "?area=421202").content.decode()
    assert f'data-form="{f.pk}"' in listing and "已上报" in listing
    # .xlsx: the same figures, cell by cell.
    from openpyxl import load_workbook

    x = c.get(reverse("screening:form_xlsx", args=[f.pk]))
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws["A4"].value == "项目" and [ws.cell(4, col).value for col in range(3, 8)] == [
        "县市区",
        "乡镇街道",
        "村居",
        "小计",
        "年度累计",
    ]
    assert ws["A5"].value == "总体情况" and ws["B5"].value == "排查数"
    assert [ws.cell(5, col).value for col in range(3, 8)] == [2, 2, 4, 8, 10]
    assert [ws.cell(9, col).value for col in range(3, 8)] == [0.0, 50.0, 50.0, 37.5, 40.0]  # 成功率
    assert "A5:A9" in {str(m) for m in ws.merged_cells.ranges}
    rows = {
        ws.cell(r, 2).value if ws.cell(r, 1).value is None or ws.cell(r, 2).value else ws.cell(r, 1).value: r
        for r in range(5, ws.max_row + 1)
    }
    campaigns = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "开展集中排查次数")
    assert [ws.cell(campaigns, col).value for col in range(3, 8)] == [2, 1, 0, 3, 4]
    assert rows  # the sheet has its rows
    assert any("签发人：张局长" in str(ws.cell(r, 1).value or "") for r in range(campaigns, ws.max_row + 1))
    # The submitted PDF: 已上报, the signer and preparer, the figures; no draft banner.
    text = _pdf_text(c.get(reverse("screening:form_pdf", args=[f.pk])).content, tmp_path)
    assert "已上报" in text and "张局长" in text and "刘制表" in text and "草稿" not in text
    assert "37.5" in text and "40.0" in text
    # Correction through the page.
    r = c.post(reverse("screening:form_correct", args=[f.pk]), {"reason": "错"})
    assert r.status_code == 400 and "至少4个字" in r.content.decode()
    r = c.post(reverse("screening:form_correct", args=[f.pk]), {"reason": "补录一起就地化解的纠纷"})
    v2 = ScreeningForm.objects.get(version=2)
    assert r.status_code == 302 and r["Location"] == reverse("screening:form", args=[v2.pk])


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    return out.stdout


def test_role_and_jurisdiction_of_the_pages(sworld, client):
    w = sworld.w
    f = do_create_form(
        w.county_admin,
        _xianan(),
        period_kind=FormPeriod.QUARTER,
        period_start=date(2026, 1, 1),
        reporting_unit="咸安区司法局",
    )
    town = do_create_form(
        w.sfs_officer,
        Division.objects.get(code="421202001"),
        period_kind=FormPeriod.QUARTER,
        period_start=date(2026, 1, 1),
        reporting_unit="温泉街道司法所",
    )
    gets = ["form", "form_xlsx", "form_pdf"]
    posts = {"form_submit": {"signer": "某", "preparer": "某"}, "form_correct": {"reason": "更正一下数据"}}
    allowed = {"county_admin": {f, town}, "city_admin": {f, town}, "sfs_officer": {town}}
    for name, user in sworld.personas().items():
        client.force_login(user)
        ok_list = user.role in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN)  # their own area
        r = client.get(reverse("screening:forms"))
        assert r.status_code == (200 if ok_list else 404), name
        r = client.get(reverse("screening:form_new"))
        assert r.status_code == (200 if ok_list else 404), name
        for target in (f, town):
            visible = target in allowed.get(name, set())
            for view in gets:
                r = client.get(reverse(f"screening:{view}", args=[target.pk]))
                assert r.status_code == (200 if visible else 404), (name, view, target.pk)
            for view, payload in posts.items():
                if visible:
                    continue  # the allowed POSTs are covered above
                r = client.post(reverse(f"screening:{view}", args=[target.pk]), payload)
                assert r.status_code == 404, (name, view, target.pk)
        client.logout()
    # An area outside the jurisdiction is a 404; GET on a POST-only page is a 405.
    client.force_login(w.sfs_officer)
    assert client.get(reverse("screening:forms") + "?area=421202").status_code == 404
    assert client.get(reverse("screening:forms") + "?area=abc").status_code == 404
    assert client.get(reverse("screening:form_new") + "?area=421221").status_code == 404
    assert client.get(reverse("screening:form_submit", args=[town.pk])).status_code == 405
    client.force_login(w.other_county_admin)
    assert client.get(reverse("screening:form", args=[f.pk])).status_code == 404
    listing = client.get(reverse("screening:forms")).content.decode()
    assert f'data-form="{f.pk}"' not in listing and "还没有编制" in listing
