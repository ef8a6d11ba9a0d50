"""Browser-test fixtures, loaded as a pytest plugin by the root conftest.py so that one Playwright and one
Chromium serve the whole session: Playwright (sync API) drives Debian's /usr/bin/chromium against pytest-django's
live_server.

The `world` fixture of tests/conftest.py uses the non-transactional `db` fixture, which the live server thread
cannot see; `e2e_world` builds the same personas inside a transactional test database instead.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.world import PASSWORD, World, build_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--lang=zh-CN",  # the browser's own widgets (date inputs) in Chinese, as on a user's phone
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_world(transactional_db) -> World:
    world = build_world()
    call_command("load_holidays", verbosity=0)
    return world


class Session:
    """One browser page at one viewport, with the helpers the lifecycle test needs."""

    def __init__(self, page, base_url: str, viewport: str) -> None:
        self.page, self.base_url, self.viewport = page, base_url, viewport
        self.shots = 0
        self.overflows: list[str] = []
        self.dir = SCREENSHOTS / viewport
        self.dir.mkdir(parents=True, exist_ok=True)

    @property
    def phone(self) -> bool:
        return self.viewport == "phone"

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.check_width(path)
        return response

    def check_width(self, label: str = "") -> None:
        """At the phone viewport no page may scroll sideways."""
        if not self.phone:
            return
        scroll, inner = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner + 1:
            self.overflows.append(f"{label or self.page.url}: scrollWidth {scroll} > innerWidth {inner}")

    def shot(self, step: str) -> Path:
        self.shots += 1
        path = self.dir / f"{self.shots:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.check_width(f"{self.shots:02d}-{step} ({self.page.url.removeprefix(self.base_url)})")
        return path

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.click("button:has-text('登录')")

    def logout(self) -> None:
        toggler = self.page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            self.page.locator("#nav.show").wait_for()
        with self.page.expect_navigation():
            self.page.click("nav button:has-text('退出')")
        assert "/accounts/login/" in self.page.url

    def submit(self) -> None:
        """Click the form's submit button and wait for the server's answer."""
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit]")
        self.check_width()


@pytest.fixture(params=list(VIEWPORTS))
def session(request, browser, live_server):
    name = request.param
    context = browser.new_context(viewport=VIEWPORTS[name], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield Session(page, live_server.url, name)
    context.close()
