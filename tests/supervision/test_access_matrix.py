"""Role × page × jurisdiction: who gets 200 and who gets 404 (never 403) on every supervision page."""

from datetime import date

import pytest
from django.urls import reverse

from cases.enums import CaseStatus
from registry.models import Division
from supervision.spotcheck import do_create_spot_check
from tests.supervision.helpers import build, dt
from tests.world import PERSONAS

NOTICE = {"sfs_officer", "county_admin", "other_county_admin", "city_admin"}
BUREAUS = {"county_admin", "other_county_admin", "city_admin"}


@pytest.fixture
def check(world):
    build(world, CaseStatus.CLOSED, dt(2026, 3, 2))
    return do_create_spot_check(
        world.county_admin,
        title="评查",
        area=Division.objects.get(code="421202"),
        start=date(2026, 3, 1),
        end=date(2026, 4, 30),
        size=1,
        seed=1,
    )


def pages(check) -> list[tuple[str, str, set[str]]]:
    entry = check.entries.get()
    xianan = "?area=421202&year=2026&month=3"
    return [
        ("reconciliation", reverse("supervision:reconciliation"), NOTICE),
        ("reconciliation 咸安区", reverse("supervision:reconciliation") + xianan, {"county_admin", "city_admin"}),
        ("notice", reverse("supervision:entry_notice"), NOTICE),
        ("notice 咸安区", reverse("supervision:entry_notice") + xianan, {"county_admin", "city_admin"}),
        (
            "notice 温泉街道",
            reverse("supervision:entry_notice") + "?area=421202001",
            {"sfs_officer", "county_admin", "city_admin"},
        ),
        ("notice 嘉鱼县", reverse("supervision:entry_notice") + "?area=421221", {"other_county_admin", "city_admin"}),
        ("notice bad area", reverse("supervision:entry_notice") + "?area=99", set()),
        ("notice pdf 咸安区", reverse("supervision:entry_notice_pdf") + xianan, {"county_admin", "city_admin"}),
        ("spot checks", reverse("supervision:spot_checks"), BUREAUS),
        ("new spot check", reverse("supervision:spot_check_new"), BUREAUS),
        ("spot check", reverse("supervision:spot_check", args=[check.pk]), {"county_admin", "city_admin"}),
        ("score", reverse("supervision:spot_check_score", args=[check.pk, entry.pk]), {"county_admin", "city_admin"}),
        ("results", reverse("supervision:committee_results"), {"director_a"}),
    ]


def test_role_by_page_matrix(client, world, check):
    failures = []
    for persona, user in world.personas().items():
        client.force_login(user)
        for label, url, allowed in pages(check):
            expected = 200 if persona in allowed else 404
            status = client.get(url).status_code
            if status != expected:
                failures.append(f"{persona} {label}: {status} (expected {expected})")
    assert not failures, "\n".join(failures)
    assert set(PERSONAS) == set(world.personas())


def test_posts_outside_scope_are_404(client, world, check):
    for persona in ("other_county_admin", "sfs_officer", "director_a", "mediator_a", "party_user"):
        client.force_login(getattr(world, persona))
        assert client.post(reverse("supervision:spot_check_publish", args=[check.pk])).status_code == 404
        assert (
            client.post(reverse("supervision:spot_check_correct", args=[check.pk]), {"reason": "更正理由"}).status_code
            == 404
        )


def test_anonymous_is_sent_to_login(client, check):
    for name in ("supervision:reconciliation", "supervision:entry_notice", "supervision:spot_checks"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_spot_check_area_outside_jurisdiction_is_refused_on_the_form(client, world):
    client.force_login(world.county_admin)
    response = client.post(
        reverse("supervision:spot_check_new"),
        {"title": "越权", "area": "421221", "start": "2026-01-01", "end": "2026-03-31", "size": "3"},
    )
    assert response.status_code == 200
    assert "请选择本辖区内的地区" in response.content.decode()
