"""The skeleton holds: the sworld factories build, every screening URL name reverses, scoping returns 404 outside."""

import pytest
from django.http import Http404
from django.urls import reverse

from screening import scoping
from tests.screening.factories import make_finding, make_hop, make_report, make_risk

pytestmark = pytest.mark.django_db


def test_factories_and_scoping(sworld):
    w = sworld.w
    from datetime import date

    report = make_report(w.village_a, date(2026, 3, 2), date(2026, 3, 8))
    finding = make_finding(w.village_a, by=w.mediator_a, report=report)
    risk = make_risk(w.village_a, by=w.mediator_a, finding=finding)
    make_hop(risk, recipients=[w.sfs_officer])
    assert scoping.access_risk_by_id(w.sfs_officer, risk.pk) == risk
    assert scoping.access_report_by_id(w.director_a, report.pk) == report
    for outsider in (w.mediator_b, w.other_county_admin, sworld.other_gov_officer, w.party_user, sworld.police_liaison):
        with pytest.raises(Http404):
            scoping.access_risk_by_id(outsider, risk.pk)
    assert scoping.access_risk_by_id(sworld.gov_officer, risk.pk) == risk


def test_url_names_reverse():
    for name in ("home", "policies", "campaigns", "compliance", "risks", "risk_areas", "meetings", "forms"):
        assert reverse(f"screening:{name}").startswith("/screening/")
