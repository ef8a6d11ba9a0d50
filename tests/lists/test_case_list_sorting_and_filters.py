"""Issue 9 §8: case lists people can work with. Sortable columns (every key, both directions, ties by id, anything
else ignored), the mediator and days-overdue columns, the filters each role gets, the county → township → village
chain validated against the user's area, and the export writing exactly the list on screen."""

import io
import random
import re
from datetime import date, datetime, timedelta

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import actions as A
from cases import listing
from cases.enums import CLOCK_STATES, CaseStatus, DisputeType
from cases.listing import SORT_COLUMNS, parse_sort
from cases.templatetags.caselist import days_overdue
from demo.scenarios import Cast, Walker
from tests.world import TZ, case_data, make_case


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _other_committee_case(world, mediator, director, committee, at, status, seed):
    case = A.do_register_case(mediator, committee, case_data(None), at=at)
    return Walker(case, Cast(director=director, mediator=mediator), at, random.Random(seed)).walk(status)


@pytest.fixture
def spread(world):
    """Cases that differ in every sortable column, some sharing a value (ties), some empty (no mediator, no
    deadline), some over their time limit by different numbers of days."""
    made = []
    plan = [
        (CaseStatus.IN_MEDIATION, DisputeType.NEIGHBOR, datetime(2026, 3, 2, 9, tzinfo=TZ)),
        (CaseStatus.ACCEPTED, DisputeType.CONTRACT, datetime(2026, 3, 5, 9, tzinfo=TZ)),
        (CaseStatus.INTAKE, DisputeType.NEIGHBOR, datetime(2026, 3, 5, 9, tzinfo=TZ)),
        (CaseStatus.PERFORMED, DisputeType.MARRIAGE_FAMILY, datetime(2026, 4, 1, 9, tzinfo=TZ)),
        (CaseStatus.IN_MEDIATION, DisputeType.CONTRACT, datetime(2026, 5, 11, 9, tzinfo=TZ)),
    ]
    for i, (status, dtype, at) in enumerate(plan):
        made.append(make_case(world, status, at=at, seed=i, dispute_type=dtype))
    made.append(
        _other_committee_case(
            world,
            world.mediator_b,
            world.director_b,
            world.village_b,
            datetime(2026, 4, 2, 9, tzinfo=TZ),
            CaseStatus.IN_MEDIATION,
            7,
        )
    )
    return made


def _value(case, key: str, today: date):
    return {
        "case_no": case.case_no,
        "dispute_type": case.dispute_type,
        "committee": case.committee.name,
        "mediator": case.presiding_mediator.name if case.presiding_mediator_id else None,
        "status": case.status,
        "registered": case.registered_at,
        "due": case.time_limit_due,
        "overdue": days_overdue(case, today) or None,
    }[key]


def _expected(cases, key: str, descending: bool, today: date) -> list[int]:
    """Python's order for a sort: by the value (empty last either way; more days overdue first when descending),
    then by id in the same direction."""
    present = [c for c in cases if _value(c, key, today) is not None]
    empty = [c for c in cases if _value(c, key, today) is None]
    present.sort(key=lambda c: (_value(c, key, today), c.pk), reverse=descending)
    empty.sort(key=lambda c: c.pk, reverse=descending)
    return [c.pk for c in present + empty]


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(SORT_COLUMNS))
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_key_in_both_directions(world, spread, key, descending):
    today = timezone.localdate()
    sort = f"-{key}" if descending else key
    response = _client(world.county_admin).get(reverse("console:cases"), {"sort": sort})
    assert response.status_code == 200 and response.context["sort"] == sort
    got = [c.pk for c in response.context["page"].object_list]
    assert got == _expected(list(spread), key, descending, today), (sort, got)
    # the header of the current column is marked and offers the other direction; the others keep their default
    html = response.content.decode()
    other = key if descending else f"-{key}"
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in html
    assert QueryDict(response.context["sort_links"][key]["query"])["sort"] == other
    assert f'href="?{response.context["sort_links"][key]["query"]}"' in html


@pytest.mark.django_db
def test_the_sort_values_are_not_all_equal(world, spread):
    """The fixture can tell a wrong order from a right one: every key has at least two different values."""
    today = timezone.localdate()
    for key in SORT_COLUMNS:
        assert len({_value(c, key, today) for c in spread}) >= 2, key
    assert sum(1 for c in spread if days_overdue(c, today)) >= 3


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["parties", "--due", "due-", "id", "registered_at", "-", "'; DROP", "长" * 40, ""])
def test_an_invalid_sort_is_ignored(world, spread, raw):
    response = _client(world.county_admin).get(reverse("console:cases"), {"sort": raw})
    assert response.status_code == 200
    assert response.context["sort"] == listing.DEFAULT_SORT == parse_sort(raw)
    got = [c.pk for c in response.context["page"].object_list]
    default = sorted(spread, key=lambda c: (c.registered_at, c.pk), reverse=True)
    assert got == [c.pk for c in default]
    assert QueryDict(response.context["query"]).get("sort") == listing.DEFAULT_SORT  # not carried on as typed


@pytest.mark.django_db
def test_the_sort_survives_filtering_and_paging(world):
    for i in range(27):
        make_case(world, at=datetime(2026, 3, 1, 8, tzinfo=TZ) + timedelta(hours=i), seed=i)
    client = _client(world.county_admin)
    url = reverse("console:cases")
    first = client.get(url, {"sort": "registered", "status": "INTAKE"})
    html = first.content.decode().replace("&amp;", "&")
    # the pager's next link and every header link keep the filter; the form sends the sort back with the filters
    next_link = re.search(r'href="\?([^"]*page=2)"', html).group(1)
    assert QueryDict(next_link).dict() == {"sort": "registered", "status": "INTAKE", "page": "2"}
    assert '<option value="registered" selected>' in html
    assert all("status=INTAKE" in link["query"] for link in first.context["sort_links"].values())
    second = client.get(url, {"sort": "registered", "status": "INTAKE", "page": "2"})
    pages = [c.pk for c in first.context["page"].object_list] + [c.pk for c in second.context["page"].object_list]
    by_time = [
        c.pk for c in sorted(listing.cases_visible_to(world.county_admin), key=lambda c: (c.registered_at, c.pk))
    ]
    assert pages == by_time and len(set(pages)) == 27


@pytest.mark.django_db
def test_mediator_and_days_overdue_columns(world):
    today = timezone.localdate()
    late = make_case(world, CaseStatus.IN_MEDIATION)  # registered in March 2026: long past its time limit
    intake = make_case(world, CaseStatus.INTAKE, seed=1)
    performed = make_case(world, CaseStatus.PERFORMED, seed=2)  # off the clock: never overdue
    assert late.status in CLOCK_STATES and late.time_limit_due < today
    html = _client(world.county_admin).get(reverse("console:cases")).content.decode()
    days = (today - late.time_limit_due).days
    assert f"超期{days}天" in html  # calendar days, as the 超期督办 page counts them
    assert html.count("超期") >= 1 and late.presiding_mediator.name in html
    assert days_overdue(intake, today) == 0 and days_overdue(performed, today) == 0
    # the same number the overdue page shows for the case
    overdue_page = _client(world.county_admin).get(reverse("supervision:overdue")).content.decode()
    assert f"超期{days}天" in overdue_page


# --- filters per role ----------------------------------------------------------------------------------------

BASE = {"q", "status", "dispute_type", "source", "overdue", "date_from", "date_to"}
FILTERS = {
    "director_a": ("workbench:cases", BASE),
    "mediator_a": ("workbench:cases", BASE),
    "sfs_officer": ("console:cases", BASE | {"committee_type", "committee", "village"}),
    "county_admin": ("console:cases", BASE | {"committee_type", "committee", "township", "village"}),
    "city_admin": ("console:cases", BASE | {"committee_type", "committee", "county", "township", "village"}),
    # the court in 咸安区: the area below its county, no committees to pick from
    "court_liaison": ("console:cases", BASE | {"committee_type", "township", "village"}),
}
ALL = set().union(*(names for _, names in FILTERS.values()))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(FILTERS))
def test_filters_shown_per_role(world, persona):
    url, expected = FILTERS[persona]
    response = _client(getattr(world, persona)).get(reverse(url))
    assert response.status_code == 200
    assert set(response.context["filter_form"].fields) == expected
    form_html = response.content.decode().split('class="card mb-3 case-filters"')[1].split("</form>")[0]
    rendered = set(re.findall(r'name="([a-z_]+)"', form_html)) - {"sort"}
    assert rendered == expected, (persona, rendered ^ expected)
    assert 'name="area"' not in form_html  # never a raw division code box
    for name in ALL - expected:
        assert f'name="{name}"' not in form_html


@pytest.mark.django_db
def test_a_hidden_filter_in_the_query_does_nothing(world):
    """A mediator's list has no committee filter: ?committee= of another committee neither narrows nor leaks."""
    mine = make_case(world, CaseStatus.IN_MEDIATION)
    response = _client(world.mediator_a).get(reverse("workbench:cases"), {"committee": world.village_b.pk})
    assert [c.pk for c in response.context["page"].object_list] == [mine.pk]
    assert world.village_b.name not in response.content.decode()


# --- the area chain ------------------------------------------------------------------------------------------


@pytest.fixture
def two_villages(world):
    a = make_case(world, CaseStatus.IN_MEDIATION)
    at = datetime(2026, 3, 3, 9, tzinfo=TZ)
    b = _other_committee_case(world, world.mediator_b, world.director_b, world.village_b, at, CaseStatus.ACCEPTED, 1)
    c = _other_committee_case(world, world.mediator_c, world.director_c, world.village_c, at, CaseStatus.ACCEPTED, 2)
    return a, b, c


def _listed(client, params) -> tuple[set[int], object, str]:
    response = client.get(reverse("console:cases"), params)
    assert response.status_code == 200
    return (
        {c.pk for c in response.context["page"].object_list},
        response.context["filter_form"],
        response.content.decode(),
    )


@pytest.mark.django_db
def test_the_chain_narrows_by_name_level_by_level(world, two_villages):
    a, b, c = two_villages
    city = _client(world.city_admin)
    got, form, html = _listed(city, {})
    assert got == {a.pk, b.pk, c.pk}
    assert ">咸安区</option>" in html and ">嘉鱼县</option>" in html
    assert form.fields["township"].disabled and form.fields["village"].disabled  # nothing to pick before a county
    got, form, html = _listed(city, {"county": "421202"})
    assert got == {a.pk, b.pk} and ">温泉街道</option>" in html and ">鱼岳镇</option>" not in html
    got, form, html = _listed(city, {"county": "421202", "township": "421202001"})
    assert got == {a.pk, b.pk} and ">柏墩村</option>" in html and ">城关村</option>" not in html
    got, form, html = _listed(city, {"county": "421202", "township": "421202001", "village": "421202001002"})
    assert got == {b.pk} and not form.errors
    committees = html.split('name="committee"')[1].split("</select>")[0]
    assert world.village_b.name in committees and world.village_a.name not in committees  # the place's only


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "params"),
    [
        ("county_admin", {"village": "421221100001"}),  # a village of another county
        ("county_admin", {"township": "421221100"}),  # a township of another county
        ("county_admin", {"township": "421202001", "village": "421221100001"}),
        ("sfs_officer", {"village": "421221100001"}),
        ("county_admin", {"county": "421221"}),  # not a filter of a county's list at all
    ],
)
def test_an_area_outside_the_users_area_is_ignored_and_not_leaked(world, two_villages, persona, params):
    a, b, c = two_villages
    got, form, html = _listed(_client(getattr(world, persona)), params)
    assert got == {a.pk, b.pk}  # the user's own list, not narrowed to (or widened by) the foreign place
    assert "城关村" not in html and "鱼岳镇" not in html and "嘉鱼县" not in html
    assert c.case_no not in html


@pytest.mark.django_db
def test_a_stale_lower_level_is_dropped_without_an_error(world, two_villages):
    """Changing the county without JavaScript sends the old township along: it is dropped, not an error."""
    a, b, c = two_villages
    got, form, html = _listed(_client(world.city_admin), {"county": "421221", "township": "421202001"})
    assert got == {c.pk} and not form.errors and listing.OUTSIDE_AREA not in html


@pytest.mark.django_db
def test_an_outside_area_says_so(world, two_villages):
    got, form, html = _listed(_client(world.county_admin), {"village": "421221100001", "township": "421202001"})
    assert listing.OUTSIDE_AREA in html


@pytest.mark.django_db
def test_the_overviews_area_links_still_work(world, two_villages):
    """console/home.html links ?area=<code>: the chain is preselected from it, inside the user's area only."""
    a, b, c = two_villages
    got, form, html = _listed(_client(world.county_admin), {"area": "421202001002"})
    assert got == {b.pk}
    assert '<option value="421202001" selected>' in html and '<option value="421202001002" selected>' in html
    got, _, html = _listed(_client(world.county_admin), {"area": "421221"})
    assert got == {a.pk, b.pk} and "嘉鱼县" not in html


@pytest.mark.django_db
def test_court_liaison_area_is_the_courts_county(world):
    form = listing.filter_form_for(world.court_liaison, {})
    assert form.area_root == world.court.division and "county" not in form.fields
    assert [code for code, _ in form.fields["township"].choices] == ["", "421202001"]


# --- the export --------------------------------------------------------------------------------------------


def _export_numbers(client, params) -> list[str]:
    response = client.get(reverse("imports:export_cases"), params)
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [row[0] for row in list(ws.iter_rows(values_only=True))[2:]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url", "params"),
    [
        ("county_admin", "console:cases", {"sort": "-overdue"}),
        ("county_admin", "console:cases", {"sort": "committee", "status": "ACCEPTED"}),
        ("city_admin", "console:cases", {"sort": "due", "county": "421202", "township": "421202001"}),
        ("city_admin", "console:cases", {"sort": "-mediator", "area": "421202001001"}),
        ("director_a", "workbench:cases", {"sort": "status"}),
        ("county_admin", "console:cases", {"sort": "bogus"}),
    ],
)
def test_the_export_is_the_list_on_screen(world, spread, two_villages, persona, url, params):
    client = _client(getattr(world, persona))
    response = client.get(reverse(url), params)
    shown = [c.case_no or c.registration_no for c in response.context["page"].object_list]
    assert shown, params
    # the page's own export link carries the same query
    assert response.context["query"] in response.content.decode().replace("&amp;", "&")
    assert _export_numbers(client, params) == shown


@pytest.mark.django_db
def test_the_export_refuses_an_area_outside_and_logs_the_sort(world, two_villages):
    from accounts.models import AccessKind, AccessLog

    client = _client(world.county_admin)
    response = client.get(reverse("imports:export_cases"), {"village": "421221100001", "township": "421202001"})
    assert response.status_code == 400 and "城关村" not in response.content.decode()
    _export_numbers(client, {"sort": "-due"})
    log = AccessLog.objects.filter(action=AccessKind.EXPORT_CASES).latest("pk")
    assert "sort=-due" in log.detail


# --- no N+1 -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url", "params"),
    [
        ("city_admin", "console:cases", {"sort": "mediator"}),
        ("city_admin", "console:cases", {"sort": "-overdue", "county": "421202", "township": "421202001"}),
        ("county_admin", "console:cases", {"sort": "committee", "village": "421202001001"}),
        ("court_liaison", "console:cases", {"sort": "due"}),
        ("director_a", "workbench:cases", {"sort": "-status"}),
    ],
)
def test_sorted_and_area_filtered_lists_cost_the_same_for_more_rows(world, persona, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Case

    client = _client(getattr(world, persona))
    for i in range(2):
        make_case(world, CaseStatus.IN_MEDIATION, at=datetime(2026, 3, 2 + i, 9, tzinfo=TZ), seed=i)
    Case.objects.update(court=world.court)  # before the court: the liaison's list
    client.get(reverse(url), params)
    with CaptureQueriesContext(connection) as small:
        first = client.get(reverse(url), params)
    for i in range(4):
        make_case(world, CaseStatus.IN_MEDIATION, at=datetime(2026, 3, 10 + i, 9, tzinfo=TZ), seed=10 + i)
    Case.objects.update(court=world.court)
    with CaptureQueriesContext(connection) as big:
        second = client.get(reverse(url), params)
    assert len(first.context["page"].object_list) == 2 and len(second.context["page"].object_list) == 6
    assert len(big.captured_queries) == len(small.captured_queries) <= 14
