"""The scans page in Chromium at desktop and phone width: a mediator files a PDF through the form, a supervisor of
the area sees the list without the form. Screenshots in test-output/screenshots/<viewport>/scans-*.png."""

import pytest

from cases import actions as A
from tests.documents.cases import rich_case
from tests.documents.paper import pdf_bytes, png_bytes, upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_scans_page(session, e2e_world):  # noqa: F811
    s, world = session, e2e_world
    case = rich_case(world).case
    A.do_attach_scan(
        case,
        world.mediator_a,
        kind="identity",
        title="李四身份证复印件（正反面）",
        upload=upload("id.png", png_bytes(90, 60)),
    )

    s.login("mediator_a")
    s.goto(f"/cases/{case.pk}/")
    s.page.click("#scans-link")
    assert s.page.url.endswith(f"/cases/{case.pk}/scans/")
    s.page.select_option("#id_kind", "written_agreement")
    s.page.fill("#id_title", "调解协议书（各方签字原件）")
    s.page.set_input_files(
        "#id_file",
        {"name": "协议书.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(["SIGNED PAGE 1", "SIGNED PAGE 2"])},
    )
    with s.page.expect_navigation():
        s.page.click("#upload button[type=submit]")
    assert "已上传扫描件《调解协议书（各方签字原件）》" in s.page.inner_text("main")
    assert s.page.locator("li.scan").count() == 2
    checklist = s.page.inner_text("#checklist")
    assert "缺扫描件" in checklist  # the signed 权利义务告知书 is still missing
    s.page.screenshot(path=str(s.dir / "scans-mediator.png"), full_page=True)
    s.check_width("scans-mediator")
    s.logout()

    s.login("sfs_officer")
    s.goto(f"/cases/{case.pk}/scans/")
    assert s.page.locator("#upload").count() == 0 and s.page.locator("li.scan").count() == 2
    s.page.screenshot(path=str(s.dir / "scans-supervisor.png"), full_page=True)
    assert not s.overflows, s.overflows
