"""A finding's way on (issue 12 point 2): registered as a PROACTIVE case (linked both ways, its risks follow the
case), or resolved on site; the finding pages for each role and jurisdiction."""

from datetime import date

import pytest
from django.urls import reverse

from cases.enums import CaseSource, CaseStatus
from cases.models import Case
from screening.actions import do_open_case_from_finding, do_resolve_finding
from screening.actions.base import ActionRefused
from screening.enums import FindingStatus, RiskEventKind
from tests.screening.factories import at, make_finding, make_report, make_risk
from tests.world import applicant_id, case_data

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


# ---- pages ---------------------------------------------------------------------------------------------------

MEMBERS = ("director_a", "mediator_a", "mediator_a2")
READERS = ("sfs_officer", "county_admin", "city_admin", "gov_officer")
OUTSIDERS = (
    "mediator_b",
    "mediator_c",
    "director_b",
    "director_c",
    "director_t",
    "other_county_admin",
    "other_gov_officer",
    "court_liaison",
    "party_user",
    "outsider",
    "police_liaison",
)


def _c(client, user):
    client.force_login(user)
    return client


def _party_post(**extra) -> dict:
    data = {
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "30",
        "parties-0-side": "APPLICANT",
        "parties-0-party_type": "NATURAL_PERSON",
        "parties-0-name": "张三",
        "parties-0-id_number": applicant_id(1),
        "parties-0-capacity": "FULL",
        "parties-0-phone": "13900000001",
        "parties-1-side": "RESPONDENT",
        "parties-1-party_type": "NATURAL_PERSON",
        "parties-1-name": "李四",
        "parties-1-capacity": "FULL",
        "dispute_type": "HOUSING_HOMESTEAD",
        "brief_facts": "两户因宅基地边界发生争执，双方情绪激动。",
        "claims": "请求确认宅基地边界",
        "amount_involved": "0",
        "exclusion": "NONE",
    }
    data.update(extra)
    return data


def test_finding_page_by_role(sworld, client):
    w = sworld.w
    finding = _finding(sworld)
    risk = make_risk(w.village_a, by=w.mediator_a, finding=finding, title="边界纠纷可能激化")
    p = sworld.personas()
    url = reverse("screening:finding", args=[finding.pk])
    for name in MEMBERS:
        body = _c(client, p[name]).get(url).content.decode()
        assert reverse("screening:finding_to_case", args=[finding.pk]) in body
        assert reverse("screening:finding_resolve", args=[finding.pk]) in body
        assert reverse("screening:risk", args=[risk.pk]) in body and "边界纠纷可能激化" in body
    for name in READERS:
        r = _c(client, p[name]).get(url)
        assert r.status_code == 200, name
        body = r.content.decode()
        assert reverse("screening:finding_to_case", args=[finding.pk]) not in body
        assert reverse("screening:finding_resolve", args=[finding.pk]) not in body
    for name in OUTSIDERS:
        assert _c(client, p[name]).get(url).status_code == 404, name
    for name in (*READERS, *OUTSIDERS):
        c = _c(client, p[name])
        assert c.get(reverse("screening:finding_to_case", args=[finding.pk])).status_code == 404, name
        assert c.post(reverse("screening:finding_to_case", args=[finding.pk]), _party_post()).status_code == 404
        assert (
            c.post(reverse("screening:finding_resolve", args=[finding.pk]), {"note": "已化解完毕"}).status_code == 404
        )
    assert _c(client, w.mediator_a).get(reverse("screening:finding_resolve", args=[finding.pk])).status_code == 405
    finding.refresh_from_db()
    assert finding.status == FindingStatus.WATCHING and not Case.objects.exists()


def test_finding_to_case_page_prefills_and_keeps_what_was_typed(sworld, client):
    w = sworld.w
    finding = _finding(sworld, dispute_type="HOUSING_HOMESTEAD", facts="两户因宅基地边界发生争执，已持续半月。")
    c = _c(client, w.mediator_a)
    url = reverse("screening:finding_to_case", args=[finding.pk])
    body = c.get(url).content.decode()
    assert "两户因宅基地边界发生争执，已持续半月。" in body
    assert 'value="HOUSING_HOMESTEAD" selected' in body
    assert 'name="source"' not in body  # the source is 排查发现 (主动调解)
    bad = _party_post(**{"parties-0-id_number": "123", "claims": "我们的请求事项"})
    r = c.post(url, bad)
    body = r.content.decode()
    assert r.status_code == 200 and "我们的请求事项" in body and "张三" in body and "李四" in body
    assert not Case.objects.exists()
    r = c.post(url, _party_post())
    case = Case.objects.get()
    assert r.status_code == 302 and r.url == reverse("cases:detail", args=[case.pk])
    assert case.source == CaseSource.PROACTIVE
    finding.refresh_from_db()
    assert finding.case == case and finding.status == FindingStatus.IN_CASE
    body = c.get(reverse("screening:finding", args=[finding.pk])).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in body and 'id="finding-case"' in body
    assert reverse("screening:finding_to_case", args=[finding.pk]) not in body
    assert c.get(url).status_code == 302  # already a case


def test_resolve_page_keeps_what_was_typed(sworld, client):
    w = sworld.w
    finding = _finding(sworld)
    c = _c(client, w.director_a)
    url = reverse("screening:finding_resolve", args=[finding.pk])
    r = c.post(url, {"note": "好的"})
    assert r.status_code == 200 and "至少4个字" in r.content.decode() and "好的" in r.content.decode()
    r = c.post(url, {"note": "经现场劝解，双方握手言和"})
    assert r.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED
    body = c.get(reverse("screening:finding", args=[finding.pk])).content.decode()
    assert "经现场劝解，双方握手言和" in body and 'id="finding-actions"' not in body
