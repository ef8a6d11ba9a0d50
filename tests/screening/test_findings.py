"""A finding's way on (issue 12 point 2): registered as a PROACTIVE case (linked both ways, its risks follow the
case), or resolved on site; the finding pages for each role and jurisdiction."""

from datetime import date

import pytest

from cases.enums import CaseSource, CaseStatus
from cases.models import Case
from screening.actions import do_open_case_from_finding, do_resolve_finding
from screening.actions.base import ActionRefused
from screening.enums import FindingStatus, RiskEventKind
from tests.screening.factories import at, make_finding, make_report, make_risk
from tests.world import case_data

pytestmark = pytest.mark.django_db


def _finding(sworld, **kw):
    w = sworld.w
    report = make_report(w.village_a, date(2026, 3, 2), date(2026, 3, 8))
    return make_finding(w.village_a, by=w.mediator_a, report=report, **kw)


def test_finding_to_case_is_proactive_and_linked_both_ways(sworld):
    w = sworld.w
    finding = _finding(sworld)
    risk = make_risk(w.village_a, by=w.mediator_a, finding=finding)
    data = case_data(source=CaseSource.ON_APPLICATION)  # whatever the form says, screening makes it PROACTIVE
    case = do_open_case_from_finding(w.mediator_a, finding, data, at=at(2026, 3, 5, 10))
    assert case.source == CaseSource.PROACTIVE and case.status == CaseStatus.INTAKE
    assert case.committee == w.village_a
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_CASE and finding.case == case
    assert Case.objects.get(pk=case.pk).screening_finding == finding
    risk.refresh_from_db()
    assert risk.case == case and risk.finding == finding
    assert risk.events.filter(kind=RiskEventKind.UPDATED, text__contains=case.registration_no).exists()
    with pytest.raises(ActionRefused, match="已登记为案件"):
        do_open_case_from_finding(w.mediator_a, finding, case_data(), at=at(2026, 3, 5, 11))
    with pytest.raises(ActionRefused, match="已登记为案件"):
        do_resolve_finding(w.mediator_a, finding, note="已经化解完毕", at=at(2026, 3, 5, 11))


def test_finding_to_case_refused_outside_the_unit_and_with_bad_data(sworld):
    w = sworld.w
    finding = _finding(sworld)
    for user in (w.mediator_b, w.director_c, w.sfs_officer, w.county_admin, sworld.director_t, w.party_user):
        with pytest.raises(ActionRefused):
            do_open_case_from_finding(user, finding, case_data(), at=at(2026, 3, 5, 10))
    bad = case_data()
    bad.parties = bad.parties[:1]
    with pytest.raises(ActionRefused):
        do_open_case_from_finding(w.mediator_a, finding, bad, at=at(2026, 3, 5, 10))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.WATCHING and finding.case is None
    assert not Case.objects.exists()


def test_resolve_on_site(sworld):
    w = sworld.w
    finding = _finding(sworld)
    with pytest.raises(ActionRefused) as e:
        do_resolve_finding(w.mediator_a, finding, note="好", at=at(2026, 3, 5, 10))
    assert e.value.field == "note"
    with pytest.raises(ActionRefused):
        do_resolve_finding(w.mediator_b, finding, note="双方已握手言和", at=at(2026, 3, 5, 10))
    done = do_resolve_finding(w.director_a, finding, note="经现场劝解，双方重新确定边界", at=at(2026, 3, 5, 10))
    assert done.status == FindingStatus.RESOLVED and done.resolved_at == at(2026, 3, 5, 10)
    assert done.resolution_note == "经现场劝解，双方重新确定边界"
    with pytest.raises(ActionRefused, match="已就地化解"):
        do_resolve_finding(w.director_a, finding, note="再次化解情况", at=at(2026, 3, 5, 11))
    with pytest.raises(ActionRefused, match="已就地化解"):
        do_open_case_from_finding(w.director_a, finding, case_data(), at=at(2026, 3, 5, 11))
