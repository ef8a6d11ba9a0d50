"""Webhook delivery outside development: a name that resolves to an internal address is refused at each try; the
errors administrators read on the delivery pages are Chinese."""

import httpx
import pytest

from api.webhooks import _internal_address, _network_error


@pytest.fixture
def production_delivery(settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "WEBHOOK_REQUIRE_HTTPS": True}


@pytest.mark.parametrize("url", ["https://localhost/hook", "https://127.0.0.1/hook", "https://[::1]/hook"])
def test_an_internal_address_is_refused_outside_development(production_delivery, url):
    assert _internal_address(url) == "推送地址解析到内部网络地址，已拒绝推送"


def test_a_name_that_does_not_resolve_is_refused(production_delivery):
    assert _internal_address("https://no-such-host.invalid/hook") == "推送地址无法解析"


def test_the_local_receiver_of_development_and_tests_is_allowed(settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "WEBHOOK_REQUIRE_HTTPS": False}
    assert _internal_address("http://127.0.0.1:8765/webhooks") is None


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("[Errno 111] Connection refused"), httpx.RemoteProtocolError("illegal"), httpx.ReadError("x")],
)
def test_network_errors_are_told_in_chinese(exc):
    text = _network_error(exc)
    assert text.startswith("连接失败：") and str(exc) not in text and type(exc).__name__ not in text
