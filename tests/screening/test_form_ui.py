"""The screening form's pages in a browser, desktop and 390 px: the list, the form (its wide table scrolls inside
its card, the page does not), and the PDF rendered to PNG (pdftoppm). Screenshots under /tmp/shots-form/."""

import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from registry.models import Division
from screening.actions import do_create_form, do_submit_form
from screening.enums import FormPeriod
from tests.screening.factories import build_sworld
from tests.screening.test_form import _at, build_dataset
from tests.world import build_world

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots-form")


@pytest.fixture
def e2e_sworld(transactional_db):
    world = build_world()
    call_command("load_holidays", verbosity=0)
    return build_sworld(world)


def test_form_pages_at_both_widths(e2e_sworld, session):
    SHOTS.mkdir(parents=True, exist_ok=True)
    build_dataset(e2e_sworld)
    w = e2e_sworld.w
    xianan = Division.objects.get(code="421202")
    kw = {"period_kind": FormPeriod.MONTH, "reporting_unit": "咸安区司法局"}
    draft = do_create_form(w.county_admin, xianan, period_start=date(2026, 3, 1), **kw)
    filed = do_create_form(w.county_admin, xianan, period_start=date(2026, 2, 1), **kw)
    do_submit_form(w.county_admin, filed, signer="张局长", preparer="刘制表", at=_at(2026, 3, 5))
    s = session
    s.login("county_admin")
    s.goto("/screening/forms/")
    s.page.screenshot(path=str(SHOTS / f"list-{s.viewport}.png"), full_page=True)
    s.goto(f"/screening/forms/{draft.pk}/")
    assert s.page.locator("#screening-form-table tbody tr").count() == 5 + 26 + 4 + 4 + 1
    s.page.screenshot(path=str(SHOTS / f"form-{s.viewport}.png"), full_page=True)
    if s.phone:  # the table is wider than the phone: it scrolls inside its card
        box = s.page.evaluate(
            "() => { const e = document.querySelector('.screening-form-scroll');"
            " return [e.scrollWidth, e.clientWidth]; }"
        )
        assert box[0] > box[1]
    s.goto("/screening/forms/new/")
    s.page.screenshot(path=str(SHOTS / f"new-{s.viewport}.png"), full_page=True)
    s.goto(f"/screening/forms/{filed.pk}/")
    s.page.screenshot(path=str(SHOTS / f"filed-{s.viewport}.png"), full_page=True)
    assert not s.overflows, s.overflows
    if not s.phone:
        for f, name in ((draft, "draft"), (filed, "filed")):
            response = s.page.request.get(s.base_url + f"/screening/forms/{f.pk}/pdf/", timeout=180_000)
            assert response.status == 200
            pdf = SHOTS / f"{name}.pdf"
            pdf.write_bytes(response.body())
            subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(SHOTS / f"pdf-{name}")], check=True)
