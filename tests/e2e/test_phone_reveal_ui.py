"""The case page's party block for a supervisor (司法所): phones masked with a 查看完整电话 form; revealing with a
reason shows the number in place. Screenshots at 1366 px and 390 px (test-output/screenshots/<viewport>/phone-*)."""

import pytest

from accounts.models import AccessKind, AccessLog
from cases.enums import CaseStatus
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_supervisor_reveals_a_phone(e2e_world, session):
    s, page = session, session.page
    case = make_case(e2e_world, CaseStatus.IN_MEDIATION)
    s.login("sfs_officer")
    s.goto(f"/cases/{case.pk}/")
    block = page.locator("#parties-card")
    assert "139****0002" in block.inner_text() and "13900000002" not in block.inner_text()
    respondent = case.parties.get(phone="13900000002")
    details = page.locator(f"#reveal-phone-{respondent.pk}")
    details.locator("summary").click()
    block.screenshot(path=str(s.dir / "phone-masked-party-block.png"))
    s.check_width("phone-masked")
    details.locator("input[name=reason]").fill("核实履行情况，需电话联系")
    details.locator("button[type=submit]").click()
    page.locator(f"#reveal-phone-{respondent.pk}", has_text="13900000002").wait_for()
    block.screenshot(path=str(s.dir / "phone-revealed-party-block.png"))
    s.check_width("phone-revealed")
    assert AccessLog.objects.filter(user=e2e_world.sfs_officer, action=AccessKind.VIEW_PHONE).count() == 1
    assert s.overflows == []
