"""Pages: who may open them for which area (persona × area → 200/403/404), the case list behind a number, bad
input, and the .xlsx opened with openpyxl and checked cell by cell."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.insights.dataset import build_dataset

PAGES = ("insights:dashboard", "insights:monthly_form", "insights:monthly_form_xlsx")
AREAS = ("4212", "421202", "421202001", "421221", "42", "4213", "421202001001")
# persona → areas they may open (everything else: 404); None = wrong role (403).
ALLOWED = {
    "city_admin": {"4212", "421202", "421202001", "421221", "421202001001"},
    "county_admin": {"421202", "421202001", "421202001001"},
    "other_county_admin": {"421221"},
    "sfs_officer": {"421202001", "421202001001"},
    "director_a": None,
    "mediator_a": None,
    "court_liaison": None,
    "party_user": None,
}


@pytest.fixture
def data(world):
    return build_dataset(world)


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_scope_matrix(client, world, page):
    results = {}
    for persona, allowed in ALLOWED.items():
        login(client, getattr(world, persona))
        for area in AREAS:
            status = client.get(reverse(page), {"area": area, "period": "2026-03"}).status_code
            expected = 403 if allowed is None else (200 if area in allowed else 404)
            results[(persona, area)] = (status, expected)
        client.logout()
    wrong = {k: v for k, v in results.items() if v[0] != v[1]}
    assert not wrong, wrong


def test_anonymous_is_sent_to_login(client, world):
    for page in (*PAGES, "insights:cases"):
        response = client.get(reverse(page))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_default_area_is_own_division(client, world):
    login(client, world.county_admin)
    response = client.get(reverse("insights:dashboard"))
    assert response.status_code == 200
    assert response.context["area"].code == "421202"


def test_committee_outside_area_is_404(client, data, world):
    login(client, world.county_admin)
    url = reverse("insights:dashboard")
    assert client.get(url, {"area": "421202001", "committee": world.village_a.pk}).status_code == 200
    assert client.get(url, {"area": "421202001", "committee": world.village_c.pk}).status_code == 404
    assert client.get(url, {"area": "421202", "committee": "x"}).status_code == 404
    cases = reverse("insights:cases")
    q = {"area": "421202", "period": "2026-03", "measure": "cases", "committee": world.village_c.pk}
    assert client.get(cases, q).status_code == 404


@pytest.mark.parametrize("bad", ["2026-13", "abc", "1999", "2026-Q5", "<script>"])
def test_bad_period_shows_message_not_500(client, world, bad):
    login(client, world.city_admin)
    for page in ("insights:dashboard", "insights:monthly_form"):
        response = client.get(reverse(page), {"period": bad})
        assert response.status_code == 200
        assert "统计期间无效" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"area": "4212", "period": "2026-03", "measure": "nonsense"},
        {"area": "4212", "period": "bad"},
        {"area": "4212", "period": "2026-03", "dispute_type": "NOPE"},
        {"area": "42x", "period": "2026-03"},
        {},
    ],
)
def test_case_list_bad_query_is_400_with_message(client, world, query):
    login(client, world.city_admin)
    response = client.get(reverse("insights:cases"), query)
    assert response.status_code == 400
    assert "查询条件无效" in response.content.decode()


def _count(html: str) -> int:
    return int(re.search(r'id="case-count">(\d+)<', html).group(1))


def test_dashboard_links_lead_to_lists_of_that_many_cases(client, data, world):
    """Follow every number-link of the dashboard page: the list's count equals the number shown."""
    login(client, world.city_admin)
    response = client.get(reverse("insights:dashboard"), {"area": "4212", "period": "2026-03"})
    html = response.content.decode()
    pairs = re.findall(r'<a href="(/insights/cases/\?[^"]+)" class="n-cases">(\d+)</a>', html)
    assert [n for _u, n in pairs] == ["5", "1"]  # 咸安区, 嘉鱼县: mediations ended in March
    links = re.findall(r'<td class="num"><a href="(/insights/cases/\?[^"]+)">(\d+)</a></td>', html)
    assert len(links) > 10
    for url, number in pairs + links:
        page = client.get(url.replace("&amp;", "&"))
        assert page.status_code == 200
        assert _count(page.content.decode()) == int(number), url
    kpi = response.context["kpis"]
    received = next(k for k in kpi if k[0] == "收案")
    assert received[1] == 9
    assert _count(client.get(received[3]).content.decode()) == 9


def test_case_list_rows_are_the_cases(client, data, world):
    login(client, world.city_admin)
    q = {"area": "4212", "period": "2026-03", "measure": "success", "agreement_form": "ORAL"}
    response = client.get(reverse("insights:cases"), q)
    assert _count(response.content.decode()) == 1
    assert [c.pk for c in response.context["page"]] == [data.cases["c7"].pk]
    # the county admin asking for the whole city's list: outside jurisdiction
    client.logout()
    login(client, world.county_admin)
    assert client.get(reverse("insights:cases"), q).status_code == 404


def test_monthly_form_page_shows_the_figures_and_links(client, data, world):
    login(client, world.city_admin)
    response = client.get(reverse("insights:monthly_form"), {"area": "4212", "period": "2026-03"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "人民调解工作统计表" in html and "按纠纷类型" in html and "其中：拖欠农民工工资纠纷" in html
    assert 'colspan="4"' in html and 'rowspan="20"' in html  # 调解案件（件） over 4 columns; 20 dispute rows
    total_row = re.search(r'<th scope="row" class="stub" colspan="2">合计</th>(.*?)</tr>', html, re.S).group(1)
    numbers = re.findall(r">([\d,.]+)</a>", total_row)
    # 受理, 调解案件 总数 / 成功 / 终止 / 疑难, 成功率, 在办, 当事人, 金额
    assert numbers == ["8", "6", "5", "1", "2", "83.3", "2", "13", "4.13"]
    # the definitions are printed with the form
    assert "统计口径" in html and "调解成功 ÷（调解成功 + 调解终止）" in html and "在办" in html


def _sheet(client, **params):
    response = client.get(reverse("insights:monthly_form_xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    # The definitions the figures were counted by are printed with the form, on a sheet of their own.
    notes = book["统计口径"]
    labels = [notes.cell(r, 1).value for r in range(3, notes.max_row + 1)]
    assert {"受理", "调解成功", "调解终止", "在办", "统计归期", "调解成功率"} <= set(labels)
    assert any("调解结束" in (notes.cell(r, 2).value or "") for r in range(3, notes.max_row + 1))
    return book.active


def _row_of(ws, label: str, column: int = 2) -> int:
    for row in ws.iter_rows():
        if row[column - 1].value == label:
            return row[0].row
    raise AssertionError(label)


def test_xlsx_layout_and_numbers(client, data, world):
    login(client, world.city_admin)
    ws = _sheet(client, area="4212", period="2026-03")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "人民调解工作统计表"
    assert "A1:K1" in merged  # title across the widest section (organisations: 1 stub + 10 figures)
    assert "咸宁市" in ws["A2"].value and "2026年3月" in ws["A2"].value
    assert ws["A4"].value == "一、人民调解案件情况"
    # header: 项目 over 2 columns × 2 rows, 调解案件（件） over 4 columns, single columns over 2 rows; 栏号 row
    assert ws["A5"].value == "项目" and "A5:B6" in merged
    assert ws["C5"].value == "本期受理（件）" and "C5:C6" in merged
    assert ws["D5"].value == "调解案件（件）" and "D5:G5" in merged
    assert [ws.cell(6, c).value for c in range(4, 8)] == ["总数", "其中：调解成功", "其中：调解终止", "其中：疑难复杂"]
    assert ws["H5"].value == "调解成功率（%）" and "H5:H6" in merged
    assert ws["I5"].value == "期末在办（件）"
    assert ws["J5"].value == "涉及当事人（人）" and ws["K5"].value == "涉及金额（万元）"
    assert [ws.cell(7, c).value for c in range(1, 12)] == ["甲", None, *[str(i) for i in range(1, 10)]]
    assert "A7:B7" in merged
    # 合计 row: 受理, 调解案件 (ended in March) 总数 / 成功 / 终止 / 疑难, 成功率 5 ÷ (5 + 1), 在办, 当事人, 金额
    assert ws["A8"].value == "合计" and "A8:B8" in merged
    assert [ws.cell(8, c).value for c in range(3, 12)] == [8, 6, 5, 1, 2, 83.3, 2, 13, 4.13]
    assert ws["K8"].number_format == "#,##0.00" and ws["H8"].number_format == "0.0"
    # dispute-type group: merged stub over its 20 rows
    assert ws["A9"].value == "按纠纷类型" and "A9:A28" in merged
    labor = _row_of(ws, "劳动争议纠纷")
    assert [ws.cell(labor, c).value for c in range(4, 8)] == [1, 0, 1, 1]
    assert ws.cell(labor + 1, 2).value == "其中：拖欠农民工工资纠纷" and ws.cell(labor + 1, 4).value == 1
    assert ws.cell(_row_of(ws, "道路交通事故纠纷"), 11).value == 2.0  # 20000 元 = 2.00 万元
    other = _row_of(ws, "其他纠纷")  # c6: accepted in March, still being mediated
    assert [ws.cell(other, c).value for c in (3, 4, 9)] == [1, 0, 1]
    assert ws.cell(_row_of(ws, "依申请调解"), 4).value == 3
    referred = _row_of(ws, "接受委托移送调解")
    assert ws.cell(referred, 4).value == 2 and ws.cell(referred, 10).value == 5  # parties 2 + 3
    assert ws.cell(_row_of(ws, "街道调委会"), 4).value == 1
    assert ws.cell(_row_of(ws, "书面协议"), 5).value == 4 and ws.cell(_row_of(ws, "口头协议"), 5).value == 1
    # prevention section: stub is one column there
    crim = _row_of(ws, "防止民间纠纷转化为刑事案件", column=1)
    assert [ws.cell(crim, 2).value, ws.cell(crim, 3).value] == [1, 3]  # c2; c11 is still open
    fight = _row_of(ws, "防止群体性械斗", column=1)
    assert [ws.cell(fight, 2).value, ws.cell(fight, 3).value] == [1, 12]
    # organisations and staff
    org = _row_of(ws, "咸宁市", column=1)
    header = org - 3
    assert ws.cell(header, 2).value == "人民调解委员会（个）" and ws.cell(header, 9).value == "人民调解员（人）"
    assert f"B{header}:H{header}" in merged and f"I{header}:K{header}" in merged
    assert [ws.cell(org, c).value for c in range(2, 12)] == [4, 3, 0, 0, 1, 0, 0, 8, 1, 7]
    # every figure cell has a border (the printed form's grid)
    assert ws["C8"].border.left.style == "thin"


def test_xlsx_for_a_county_quarter(client, data, world):
    login(client, world.county_admin)
    ws = _sheet(client, period="2026-Q1")
    assert "咸安区" in ws["A2"].value and "2026年第1季度" in ws["A2"].value
    # Q1 in 咸安区: accepted c1 c2 c3 c6 c7 c12 + January c8; ended March 5 + January c8; c2 terminated
    assert [ws.cell(8, c).value for c in range(3, 7)] == [7, 6, 5, 1]
