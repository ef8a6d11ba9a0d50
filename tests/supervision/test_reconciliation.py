"""三统一: entries, dossiers and report rows for a period, and each kind of case that makes them differ."""

import pytest
from django.urls import reverse

from cases.enums import CaseStatus
from cases.models import Case, Party
from cases.scoping import cases_visible_to
from insights.base import make_period
from supervision.entries import entries, late_entries
from supervision.reconciliation import reconcile
from tests.supervision.helpers import build, dt, set_entered

S = CaseStatus
MARCH = make_period(2026, "month", 3)


@pytest.fixture
def march(world):
    """The dataset of the reconciliation, hand-counted below (咸安区, March 2026)."""
    c = {
        "archived": build(world, S.ARCHIVED, dt(2026, 3, 2), seed=1),
        "closed_ok": build(world, S.CLOSED, dt(2026, 3, 3), seed=2, committee=world.village_b),
        "closed_missing": build(world, S.CLOSED, dt(2026, 3, 4), seed=3),
        "late": build(world, S.ACCEPTED, dt(2026, 3, 5), seed=4),
        "open": build(world, S.IN_MEDIATION, dt(2026, 3, 6), seed=5),
        "pending1": build(world, S.INTAKE, dt(2026, 3, 20)),
        "pending2": build(world, S.INTAKE, dt(2026, 3, 21), committee=world.village_b),
        "refused": build(world, S.NOT_ACCEPTED, dt(2026, 3, 7)),
        "transferred": build(world, S.TRANSFERRED_OUT, dt(2026, 3, 8)),
        "other_county": build(world, S.ACCEPTED, dt(2026, 3, 9), committee=world.village_c),
        "april": build(world, S.ACCEPTED, dt(2026, 4, 2)),
    }
    # A closed case whose identity proof is not on file (no ID number recorded, no scan of an ID copy; a tick alone
    # does not count, issue 9 §3): closed, but its dossier lacks a mandatory item.
    Party.objects.filter(case=c["closed_missing"]).update(
        id_number_masked="", id_number_encrypted="", id_number_hash=""
    )
    # Entered on 9 April, after the deadline (end of 7 April) for a March case.
    set_entered(c["late"], dt(2026, 4, 9, 10))
    return c


def test_counts_and_discrepancies(world, march):
    result = reconcile(cases_visible_to(world.county_admin), MARCH, "421202")
    # Report rows: accepted in March, not transferred out: archived, closed_ok, closed_missing, late, open.
    assert result.report_rows == 5
    # Entries: on time and of March: archived, closed_ok, closed_missing, open, pending1, pending2.
    assert result.entries == 6
    # Dossiers: archived + closed with every mandatory item.
    assert result.dossiers == 2
    assert not result.agree
    kinds = {k: {d.case.pk for d in result.listed(k)} for k in ("late_entry", "pending", "no_dossier", "open")}
    assert kinds["late_entry"] == {march["late"].pk}
    assert kinds["pending"] == {march["pending1"].pk, march["pending2"].pk}
    assert kinds["no_dossier"] == {march["closed_missing"].pk}
    assert kinds["open"] == {march["late"].pk, march["open"].pk}
    assert result.counts == {"late_entry": 1, "pending": 2, "no_dossier": 1, "open": 2}
    missing = result.listed("no_dossier")[0].detail
    assert "当事人身份证明" in missing
    # The identities the page states.
    assert result.report_rows == result.entries + result.counts["late_entry"] - result.counts["pending"]
    assert result.report_rows == result.dossiers + result.counts["open"] + result.counts["no_dossier"]


def test_area_and_scope(world, march):
    village_b = reconcile(cases_visible_to(world.county_admin), MARCH, "421202001002")
    assert (village_b.report_rows, village_b.entries, village_b.dossiers) == (1, 2, 1)
    # The township officer's scope is the whole 温泉街道 (both villages); the other county sees only its case.
    town = reconcile(cases_visible_to(world.sfs_officer), MARCH)
    assert town.report_rows == 5
    other = reconcile(cases_visible_to(world.other_county_admin), MARCH)
    assert (other.report_rows, other.entries, other.dossiers) == (1, 1, 0)
    city = reconcile(cases_visible_to(world.city_admin), MARCH)
    assert city.report_rows == 6


def test_all_agree_when_every_case_is_entered_on_time_and_archived(world):
    build(world, S.ARCHIVED, dt(2026, 3, 2), seed=7)
    build(world, S.ARCHIVED, dt(2026, 3, 3), seed=8)
    result = reconcile(cases_visible_to(world.county_admin), MARCH)
    assert (result.entries, result.dossiers, result.report_rows) == (2, 2, 2)
    assert result.agree and not result.discrepancies


def test_entry_deadline_boundary(world):
    """A March case entered at 23:59 on 7 April is on time; at 00:00 on 8 April it is late."""
    on_time = build(world, S.ACCEPTED, dt(2026, 3, 10), seed=1)
    late = build(world, S.ACCEPTED, dt(2026, 3, 11), seed=2)
    set_entered(on_time, dt(2026, 4, 7, 23, 59))
    set_entered(late, dt(2026, 4, 8, 0, 0))
    scope = Case.objects.all()
    assert set(entries(scope, MARCH).values_list("pk", flat=True)) == {on_time.pk}
    assert set(late_entries(scope, MARCH).values_list("pk", flat=True)) == {late.pk}
    # In a quarter, each case keeps the deadline of its own month.
    quarter = make_period(2026, "quarter", 1)
    assert set(entries(scope, quarter).values_list("pk", flat=True)) == {on_time.pk}


def test_page_lists_each_kind_with_links(client, world, march):
    client.force_login(world.county_admin)
    response = client.get(reverse("supervision:reconciliation"), {"year": 2026, "kind": "month", "index": 3})
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("late", "closed_missing", "open", "pending1"):
        assert reverse("cases:detail", args=[march[key].pk]) in html
    assert reverse("cases:detail", args=[march["other_county"].pk]) not in html
    assert 'data-count="entries">6<' in html and 'data-count="dossiers">2<' in html and 'data-count="report">5<' in html
    assert "逾期录入" in html and "已结案但卷宗必备材料不齐" in html and "口径说明" in html


def test_bad_period_input_is_a_message_not_a_500(client, world):
    client.force_login(world.county_admin)
    response = client.get(reverse("supervision:reconciliation"), {"year": "abc", "kind": "quarter", "index": 9})
    assert response.status_code == 200
    assert "年度须为四位数字" in response.content.decode()
