"""The documents panel on the case page, in Chromium at desktop and phone width: staff see every document and
整卷下载, a party only the agreement. Screenshots in test-output/screenshots/<viewport>/documents-*.png."""

import pytest

from tests.documents.cases import rich_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _panel(s, name: str):
    panel = s.page.locator("#documents-panel")
    panel.scroll_into_view_if_needed()
    path = s.dir / f"documents-{name}.png"
    s.page.screenshot(path=str(path), full_page=True)
    panel.screenshot(path=str(s.dir / f"documents-{name}-panel.png"))
    s.check_width(name)
    return panel


def test_documents_panel(session, e2e_world):  # noqa: F811
    s, world = session, e2e_world
    case = rich_case(world).case

    s.login("mediator_a")
    s.goto(f"/cases/{case.pk}/")
    panel = _panel(s, "staff")
    kinds = panel.locator("a[data-kind]").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == [
        "cover", "index", "application", "acceptance", "rights_notice", "identity", "investigation", "session",
        "agreement", "performance", "follow_up", "closing_report",
    ]  # fmt: skip
    whole = panel.locator("a:has-text('整卷下载')")
    assert whole.get_attribute("href") == f"/documents/case/{case.pk}/dossier.pdf"
    if s.phone:
        heights = panel.locator("a").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        assert min(heights) >= 44, heights
    response = s.page.request.get(s.base_url + whole.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    s.logout()

    s.login("party_user")
    s.goto(f"/cases/{case.pk}/")
    panel = _panel(s, "party")
    links = panel.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == f"/documents/case/{case.pk}/agreement.pdf"
    assert "整卷下载" not in panel.inner_text()
    response = s.page.request.get(s.base_url + f"/documents/case/{case.pk}/dossier.pdf")
    assert response.status == 404
    assert not s.overflows, s.overflows
