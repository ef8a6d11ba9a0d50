"""The import pages in Chromium at 1366 and 390 px: upload → preview → summary → import with progress → result."""

import pytest

from cases.models import Case
from tests.browser import SCREENSHOTS
from tests.imports.test_import import ledger

pytestmark = pytest.mark.e2e


def shot(session, name: str) -> None:
    folder = SCREENSHOTS / session.viewport
    folder.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(folder / f"imports-{name}.png"), full_page=True)
    session.check_width(name)


def test_import_journey(e2e_world, session, tmp_path):
    path = tmp_path / "桂花村台账.xlsx"
    path.write_bytes(ledger())
    session.login("county_admin")
    session.goto("/imports/")
    assert session.page.locator("h1").inner_text() == "历史台账导入"
    shot(session, "01-upload")
    session.page.set_input_files("#id_file", str(path))
    session.submit()
    assert "/preview/" in session.page.url
    assert "421***********" in session.page.content()  # ID numbers masked in the preview
    shot(session, "02-preview")
    with session.page.expect_navigation():
        session.page.click("button:has-text('校验全部数据')")
    assert "有问题的行（6）" in session.page.content()
    shot(session, "03-validated")
    with session.page.expect_navigation():
        session.page.click("button:has-text('确认导入')")
    session.page.locator("#import-progress:has-text('导入完成')").wait_for(timeout=60_000)
    shot(session, "04-progress-done")
    session.page.reload()
    assert Case.objects.count() == 5
    assert "（2025）桂花人调字第1号" in session.page.content()
    shot(session, "05-result")
    buttons = session.page.locator("main .btn:visible")
    if session.phone:
        for i in range(buttons.count()):
            assert buttons.nth(i).bounding_box()["height"] >= 44 or "btn-sm" in (buttons.nth(i).get_attribute("class"))
    session.goto("/console/cases/")
    shot(session, "06-console-cases-export-button")
    assert not session.overflows, session.overflows
