"""The statistics count only the cases they are given: the scoped queryset is a required first argument, and a
county's queryset cannot count another county's case whatever area code is asked for."""

import inspect

import pytest

from cases.scoping import cases_visible_to
from insights.base import make_period
from insights.metrics import dashboard_metrics, monthly_form
from supervision.notice import entry_notice
from supervision.reconciliation import reconcile
from tests.insights.dataset import TODAY, build_dataset

MARCH = make_period(2026, "month", 3)
# From tests/insights/dataset.py: in March 2026 the mediation of 5 cases of 咸安区 (421202) and of 1 of 嘉鱼县
# (421221) ended.
XIANAN, JIAYU = 5, 1


@pytest.fixture
def data(world):
    build_dataset(world)
    return world


@pytest.mark.parametrize("function", [monthly_form, dashboard_metrics, entry_notice, reconcile])
def test_the_scoped_queryset_is_a_required_first_argument(function):
    first = next(iter(inspect.signature(function).parameters.values()))
    assert first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and first.default is inspect.Parameter.empty
    assert "QuerySet" in str(first.annotation)


@pytest.mark.parametrize("function", [monthly_form, dashboard_metrics])
def test_the_old_call_without_a_queryset_fails_loudly(function):
    with pytest.raises(TypeError):
        function("4212", MARCH)


def test_the_form_of_a_county_counts_only_that_county(data):
    xianan = cases_visible_to(data.county_admin)
    jiayu = cases_visible_to(data.other_county_admin)
    assert monthly_form(xianan, "421202", MARCH).value("cases") == XIANAN
    assert monthly_form(jiayu, "421221", MARCH).value("cases") == JIAYU
    # Asking a county's queryset for the whole city, or for the other county, never reaches the other county.
    assert monthly_form(xianan, "", MARCH).value("cases") == XIANAN
    assert monthly_form(xianan, "4212", MARCH).value("cases") == XIANAN
    assert monthly_form(xianan, "421221", MARCH).value("cases") == 0
    assert monthly_form(jiayu, "421202", MARCH).value("cases") == 0
    assert monthly_form(cases_visible_to(data.city_admin), "4212", MARCH).value("cases") == XIANAN + JIAYU


def test_the_dashboard_of_a_county_counts_only_that_county(data):
    xianan = cases_visible_to(data.county_admin)
    city = dashboard_metrics(xianan, "4212", MARCH, today=TODAY)
    assert city.totals["cases"] == XIANAN
    assert [r.code for r in city.areas] == ["421202"]
    other = dashboard_metrics(xianan, "421221", MARCH, today=TODAY)
    assert (other.totals["cases"], other.received, other.overdue, other.areas) == (0, 0, 0, [])
    committee = dashboard_metrics(xianan, "", MARCH, committee_id=data.village_c.pk, today=TODAY)
    assert committee.totals["cases"] == 0


def test_the_supervision_figures_of_a_county_count_only_that_county(data):
    from registry.models import Division

    xianan = cases_visible_to(data.county_admin)
    assert reconcile(xianan, MARCH, "421221").entries == 0
    assert reconcile(xianan, MARCH, "").entries == reconcile(xianan, MARCH, "421202").entries
    city = Division.objects.get(code="4212")
    assert entry_notice(xianan, city, 2026, 3).total.entries == reconcile(xianan, MARCH).entries
