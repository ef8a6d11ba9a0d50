"""The staffing page, the roster upload page and a preview with errors in Chromium at 1366 and 390 px: nothing
scrolls sideways (tables scroll inside their wrapper). Screenshots under test-output/screens/h-staffing/."""

from pathlib import Path

import pytest

from registry import roster_import as R
from tests.registry.test_roster_import import C_HEAD, committee_rows, xlsx
from tests.registry.test_staffing import add_staffing

pytestmark = pytest.mark.e2e
SCREENS = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-staffing"


def shot(session, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(SCREENS / f"{name}-{session.viewport}.png"), full_page=True)
    session.check_width(name)


def test_registry_pages(e2e_world, session, tmp_path):
    add_staffing(e2e_world)
    session.login("county_admin")
    session.goto("/console/registry/staffing/")
    assert session.page.locator("h1").inner_text() == "调解员配备情况"
    shot(session, "01-staffing-county")
    session.goto("/console/registry/staffing/?area=421202001")
    shot(session, "02-staffing-township")
    session.goto("/console/registry/import/")
    shot(session, "03-import-upload")
    path = tmp_path / "咸安区调解组织名册.xlsx"
    path.write_bytes(xlsx(C_HEAD, committee_rows(), "咸安区调解组织名册"))
    session.page.set_input_files("#id_file", str(path))
    session.submit()
    assert "/import/preview/" in session.page.url
    shot(session, "04-import-preview-errors")
    with session.page.expect_navigation():
        session.page.click("button:has-text('确认导入')")
    assert "已从" in session.page.content()
    shot(session, "05-import-done")
    assert not session.overflows, session.overflows
    assert R.COMMITTEES
