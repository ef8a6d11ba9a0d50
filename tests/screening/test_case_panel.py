"""The 风险研判 panel on the staff case page (templates/screening/_case_risks.html): the case's risks the user may
see (level badge, title, status, chain state, link), the 风险研判 button for those who may assess the case, nothing
for parties and courts, and a flat number of queries however many risks the case has."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.enums import CaseStatus
from screening.enums import HopStatus, RiskLevel, RiskStatus
from screening.templatetags.screening_tags import case_risks
from tests.screening.factories import make_hop, make_risk
from tests.world import make_case

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def case(sworld):
    return make_case(sworld.w, CaseStatus.IN_MEDIATION)


def page(user, case) -> str:
    resp = client_for(user).get(reverse("cases:detail", args=[case.pk]))
    assert resp.status_code == 200
    return resp.content.decode()


def test_panel_lists_risks_with_chain_and_links(sworld, case):
    w = sworld.w
    now = timezone.now()
    red = make_risk(w.village_a, by=w.mediator_a, case=case, level=RiskLevel.RED, title="扬言报复", created=now)
    make_hop(red, recipients=[w.sfs_officer], pushed=now - timedelta(minutes=7), minutes=15)
    old = make_risk(
        w.village_a, by=w.mediator_a, case=case, level=RiskLevel.YELLOW, status=RiskStatus.RESOLVED, title="已化解"
    )
    make_risk(w.village_b, by=w.mediator_b, level=RiskLevel.RED, title="别的村的风险")  # not this case
    html = page(w.mediator_a, case)
    assert 'id="case-risks-panel"' in html
    assert "扬言报复" in html and "已化解" in html and "别的村的风险" not in html
    assert reverse("screening:risk", args=[red.pk]) in html and reverse("screening:risk", args=[old.pk]) in html
    assert 'data-level="RED"' in html and ">红色<" in html
    assert "待温泉街道调委会和司法所签收 · 还剩" in html
    assert "稳控中 1" in html
    assert html.index("扬言报复") < html.index("已化解")  # open first
    assert reverse("screening:risk_new_case", args=[case.pk]) in html


def test_button_only_for_those_who_may_assess(sworld, case):
    w = sworld.w
    button = reverse("screening:risk_new_case", args=[case.pk])
    for user in (w.mediator_a, w.director_a, w.sfs_officer, w.county_admin, w.city_admin):
        assert button in page(user, case), user.username


def test_no_panel_for_parties_and_courts(sworld, case):
    w = sworld.w
    make_risk(w.village_a, by=w.mediator_a, case=case, title="当事人不应看到")
    assert case_risks(case, w.party_user) is None
    assert case_risks(case, w.court_liaison) is None
    # a party who opens their case page (the party view) sees no panel
    resp = client_for(w.party_user).get(reverse("cases:detail", args=[case.pk]))
    if resp.status_code == 200:
        assert "当事人不应看到" not in resp.content.decode() and "case-risks-panel" not in resp.content.decode()


def test_empty_panel_invites_assessment(sworld, case):
    html = page(sworld.w.mediator_a, case)
    assert "尚未进行风险研判" in html


def test_other_committee_member_sees_no_risk(sworld, case):
    w = sworld.w
    make_risk(w.village_a, by=w.mediator_a, case=case, title="桂花村案件的风险")
    assert case_risks(case, w.mediator_b) is None  # cannot see the case's risks, may not assess it


def test_query_count_flat(sworld, case):
    w = sworld.w
    url = reverse("cases:detail", args=[case.pk])
    c = client_for(w.mediator_a)
    r1 = make_risk(w.village_a, by=w.mediator_a, case=case, level=RiskLevel.RED, title="第1项")
    make_hop(r1, recipients=[w.sfs_officer])
    c.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as one:
        assert c.get(url).status_code == 200
    for i in range(6):
        r = make_risk(w.village_a, by=w.mediator_a, case=case, level=RiskLevel.ORANGE, title=f"第{i + 2}项")
        make_hop(r, recipients=[w.sfs_officer], status=HopStatus.ACKNOWLEDGED)
        make_hop(r, seq=2, step="COUNTY", recipients=[w.county_admin])
    with CaptureQueriesContext(connection) as seven:
        assert c.get(url).status_code == 200
    assert len(seven) == len(one), [q["sql"] for q in seven.captured_queries[len(one) :]]
    # the panel itself: the risks, their hops, and the co-mediator check at most
    with CaptureQueriesContext(connection) as panel:
        case_risks(case, w.mediator_a)
    assert len(panel) <= 3
