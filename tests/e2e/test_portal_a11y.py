"""axe-core (vendored, tests/vendor/axe-core) on every portal page at the phone viewport: no serious or critical
violations. Pages are reached by a party signed in through the phone-code form."""

import json
from pathlib import Path

import pytest

from cases import actions as A
from cases.enums import CaseStatus, PartySide
from tests.browser import VIEWPORTS
from tests.portal.helpers import sms_code
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "4.14.1" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [(n["target"], n.get("failureSummary", "")) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_portal_page_passes_axe(e2e_world, browser, live_server):
    w = e2e_world
    intake = make_case(w, CaseStatus.INTAKE)
    mediating = make_case(w, CaseStatus.IN_MEDIATION, seed=1)
    from tests.matrix.calls import terms

    A.do_draft_agreement(
        mediating, w.mediator_a, facts=mediating.brief_facts, terms=terms(mediating, _today()), responsibilities=""
    )
    agreed = make_case(w, CaseStatus.AGREEMENT_REACHED, seed=2)
    closed = make_case(w, CaseStatus.CLOSED, seed=3)
    # party_user is the respondent of one case: the consent page.
    respondent_case = make_case(w, CaseStatus.ACCEPTED, seed=4, party_user=None)
    respondent_case.parties.filter(side=PartySide.RESPONDENT).update(user=w.party_user)

    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    base = live_server.url
    anonymous = ["/", "/portal/roster/?county=421202&township=421202001", "/portal/login/"]
    report: dict[str, list] = {}
    for path in anonymous:
        page.goto(base + path)
        report[path] = axe_violations(page)

    page.goto(base + "/portal/login/")
    page.fill("#id_phone", w.party_user.phone)
    page.click("#send-code")
    page.wait_for_selector(".alert-success")
    page.fill("#id_code", sms_code(w.party_user.phone))
    with page.expect_navigation():
        page.click("#verify-code")
    signed_in = [
        "/portal/cases/",
        "/portal/notices/",
        "/portal/join/",
        "/portal/apply/about/",
        "/portal/apply/other/",
        "/portal/apply/what/",
        "/portal/apply/place/",
        "/portal/apply/evidence/",
        "/portal/apply/confirm/",
        f"/portal/cases/{intake.pk}/",
        f"/portal/cases/{intake.pk}/withdraw/",
        f"/portal/cases/{mediating.pk}/",
        f"/portal/cases/{mediating.pk}/agreement/",
        f"/portal/cases/{agreed.pk}/judicial/",
        f"/portal/cases/{closed.pk}/",
        f"/portal/cases/{closed.pk}/rate/",
        f"/portal/cases/{respondent_case.pk}/consent/",
    ]
    for path in signed_in:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.url == base + path, (path, page.url)
        report[path] = axe_violations(page)
    context.close()
    bad = {path: v for path, v in report.items() if v}
    assert bad == {}, json.dumps(bad, ensure_ascii=False, indent=1)
    assert len(report) == len(anonymous) + len(signed_in)


def _today():
    from django.utils import timezone

    return timezone.localdate()
