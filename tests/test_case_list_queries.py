"""The case lists stay cheap on big data: date filters as ranges, a capped count, a bounded number of queries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import search.index
from cases import listing
from cases.enums import CaseStatus
from cases.listing import CaseFilterForm, filter_cases
from cases.models import Case
from cases.scoping import cases_visible_to
from tests.world import make_case

TZ = ZoneInfo("Asia/Shanghai")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _filtered(user, params: dict) -> set[int]:
    form = CaseFilterForm(params, committees=None)
    return set(filter_cases(cases_visible_to(user), form).values_list("pk", flat=True))


@pytest.mark.django_db
def test_date_range_is_the_china_calendar_day(world):
    """date_from/date_to are whole days in China time: 00:00 on date_from in, 00:00 after date_to out."""
    edge_in_first = make_case(world, at=datetime(2026, 3, 1, 0, 0, tzinfo=TZ))
    edge_in_last = make_case(world, at=datetime(2026, 3, 31, 23, 59, tzinfo=TZ))
    before = make_case(world, at=datetime(2026, 2, 28, 23, 59, tzinfo=TZ))  # 15:59 UTC on 28 Feb
    after = make_case(world, at=datetime(2026, 4, 1, 0, 0, tzinfo=TZ))  # still 31 March in UTC
    got = _filtered(world.city_admin, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert got == {edge_in_first.pk, edge_in_last.pk}
    # The old per-row `__date` lookups give the same set.
    old = set(
        cases_visible_to(world.city_admin)
        .filter(registered_at__date__gte=date(2026, 3, 1), registered_at__date__lt=date(2026, 4, 1))
        .values_list("pk", flat=True)
    )
    assert got == old
    assert before.pk not in got and after.pk not in got
    assert _filtered(world.city_admin, {"date_to": "2026-02-28"}) == {before.pk}
    assert _filtered(world.city_admin, {"date_from": "2026-04-01"}) == {after.pk}


@pytest.mark.django_db
def test_party_name_search_finds_each_case_once(world):
    """No join + DISTINCT: a case with two matching parties is listed once."""
    case = make_case(world)
    other = make_case(world)
    case.parties.update(name="张建国")  # both parties match
    # a queryset update bypasses the index signals: reindex the case as any bulk path does
    search.index.reindex(Case.objects.filter(pk=case.pk))
    got = list(
        filter_cases(cases_visible_to(world.city_admin), CaseFilterForm({"q": "张建"})).values_list("pk", flat=True)
    )
    assert got == [case.pk]
    assert other.pk not in got
    resp = _client(world.city_admin).get(reverse("console:cases"), {"q": "张建"})
    assert resp.status_code == 200
    assert list(resp.context["page"].object_list) == [case]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "INTAKE"},
        {"area": "421202", "dispute_type": "NEIGHBOR"},
        {"date_from": "2026-03-01", "date_to": "2026-03-31"},
        {"overdue": "on"},
        {"source": "ON_APPLICATION", "committee_type": "VILLAGE"},
        {"q": "张"},
    ],
)
def test_query_count_does_not_grow_with_the_page(world, params):
    """No N+1 in the table (parties, committee): 2 rows and 6 rows cost the same number of queries."""
    client = _client(world.city_admin)
    url = reverse("console:cases")
    for i in range(2):
        make_case(world, at=datetime(2026, 3, 2 + i, 9, 0, tzinfo=TZ), seed=i)
    client.get(url, params)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    for i in range(4):
        make_case(world, at=datetime(2026, 3, 10 + i, 9, 0, tzinfo=TZ), seed=10 + i)
    with CaptureQueriesContext(connection) as big:
        resp = client.get(url, params)
    assert resp.status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries) <= 12


@pytest.mark.django_db
def test_count_is_capped_and_every_page_stays_reachable(world, monkeypatch):
    """Above the cap the pager says 超过 N 件 and still offers 下一页 until the real last page."""
    monkeypatch.setattr(listing, "LIST_COUNT_CAP", 2)
    for i in range(5):
        make_case(world, at=datetime(2026, 3, 2 + i, 9, 0, tzinfo=TZ), seed=i)
    assert Case.objects.count() == 5
    qs = cases_visible_to(world.city_admin)
    seen = []
    for number in range(1, 6):
        page = listing.paginate_cases(qs, str(number), per_page=1)
        assert page.number == number
        seen += [c.pk for c in page.object_list]
        assert page.has_next() == (number < 5)
    assert seen == list(qs.order_by("-registered_at", "-id").values_list("pk", flat=True))
    first = listing.paginate_cases(qs, "1", per_page=1)
    assert first.paginator.count_capped
    last = listing.paginate_cases(qs, "5", per_page=1)
    assert not last.paginator.count_capped and last.paginator.count == 5
    # Past the end: the last page, as Django's get_page does.
    assert listing.paginate_cases(qs, "99", per_page=1).number == 5
    assert listing.paginate_cases(qs, "x", per_page=1).number == 1


@pytest.mark.django_db
def test_pager_text_exact_below_cap_and_lower_bound_above(world, monkeypatch):
    for i in range(3):
        make_case(world, at=datetime(2026, 3, 2 + i, 9, 0, tzinfo=TZ), seed=i)
    client = _client(world.city_admin)
    url = reverse("console:cases")
    monkeypatch.setattr(listing, "LIST_COUNT_CAP", 1)
    html = client.get(url).content.decode()
    assert "件" in html  # 3 cases, one page of 25: no pager at all
    assert client.get(url).context["page"].paginator.count == 3  # probe = 25 + 1 > 3: exact
    monkeypatch.setattr(listing, "LIST_COUNT_CAP", 1)
    page = listing.paginate_cases(cases_visible_to(world.city_admin), "1", per_page=1)
    assert page.paginator.count_capped and page.paginator.count_floor == 1


@pytest.mark.django_db
def test_status_filter_unchanged(world):
    a = make_case(world, CaseStatus.ACCEPTED)
    b = make_case(world)
    assert _filtered(world.city_admin, {"status": "ACCEPTED"}) == {a.pk}
    assert _filtered(world.city_admin, {"status": "INTAKE"}) == {b.pk}
    assert _filtered(world.outsider, {}) == set()
    # registration days cover the whole day even one second before midnight
    assert _filtered(world.city_admin, {"date_to": (a.registered_at.date() - timedelta(days=400)).isoformat()}) == set()
