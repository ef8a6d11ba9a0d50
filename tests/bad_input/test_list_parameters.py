"""Garbage and boundary values in every query parameter of every list page (issue 10 point 4): never a 500; a
filter that cannot be used is shown with a Chinese message next to it (or ignored), the export is refused."""

import pytest
from django.test import Client

from cases.enums import CaseStatus
from tests.bad_input.checks import BAD_DATES, BOUNDARY_DATES, CJK, HUGE_INTEGERS
from tests.world import make_case

GARBAGE = [*BOUNDARY_DATES, BAD_DATES[0], *HUGE_INTEGERS[::2], "-1", "长" * 300, "%00"]
CASE_FILTERS = ["q", "status", "dispute_type", "source", "committee_type", "committee", "area", "overdue"]
CASE_FILTERS += ["date_from", "date_to", "page"]
# (persona, url, parameters): every page that takes a list parameter, as a persona who may open it.
LISTS = [
    ("county_admin", "/console/cases/", CASE_FILTERS),
    ("mediator_a", "/workbench/cases/", CASE_FILTERS),
    ("county_admin", "/imports/export/cases.xlsx", CASE_FILTERS),
    ("county_admin", "/console/committees/", ["q", "committee_type", "kind", "page"]),
    ("county_admin", "/console/mediators/", ["q", "category", "page"]),
    ("city_admin", "/console/holidays/", ["year"]),
    ("mediator_a", "/accounts/notifications/", ["page"]),
    ("county_admin", "/insights/", ["area", "committee", "period"]),
    ("county_admin", "/insights/cases/", ["area", "committee", "period", "measure", "page"]),
    ("county_admin", "/insights/form/", ["area", "committee", "period"]),
    ("county_admin", "/supervision/reconciliation/", ["area", "year", "kind", "index"]),
    ("county_admin", "/supervision/entry-notice/", ["area", "year", "month"]),
    ("county_admin", "/supervision/spot-checks/", ["page"]),
    (None, "/portal/", ["county"]),
    (None, "/portal/roster/", ["county", "township", "village", "q"]),
    (None, "/portal/login/", ["next"]),
]


@pytest.mark.parametrize(("persona", "url", "params"), LISTS, ids=[f"{p}:{u}" for p, u, _ in LISTS])
def test_no_list_parameter_value_gives_a_500(world, persona, url, params):
    make_case(world, CaseStatus.IN_MEDIATION)
    client = Client()
    if persona:
        client.force_login(world.personas()[persona])
    for name in params:
        for value in GARBAGE:
            response = client.get(url, {name: value})
            assert response.status_code in (200, 302, 400, 404), (url, name, value[:30], response.status_code)


@pytest.mark.parametrize("url", ["/console/cases/", "/workbench/cases/"])
@pytest.mark.parametrize(("name", "value"), [("date_to", "9999-12-31"), ("date_from", "0001-01-01")])
def test_out_of_range_dates_on_case_lists_say_why(world, url, name, value):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    client = Client()
    client.force_login(world.county_admin if url.startswith("/console") else world.mediator_a)
    response = client.get(url, {name: value, "status": "IN_MEDIATION"})
    html = response.content.decode()
    assert response.status_code == 200 and "日期超出范围" in html
    assert case.case_no in html or case.registration_no in html  # the valid filter still applies, the list is shown


@pytest.mark.parametrize(("name", "value"), [("date_to", "9999-12-31"), ("date_from", "0001-01-01")])
def test_the_export_refuses_a_filter_the_list_could_not_use(world, name, value):
    client = Client()
    client.force_login(world.county_admin)
    response = client.get("/imports/export/cases.xlsx", {name: value})
    text = response.content.decode()
    assert response.status_code == 400 and "日期超出范围" in text and CJK.search(text)


@pytest.mark.parametrize("page", [*HUGE_INTEGERS, "1000000000000000000"])
def test_huge_page_numbers_show_the_last_page(world, page):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    client = Client()
    client.force_login(world.county_admin)
    response = client.get("/console/cases/", {"page": page})
    assert response.status_code == 200 and case.case_no in response.content.decode()
