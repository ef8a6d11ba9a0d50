"""Every portal page answers without error for the people who may see it."""

from django.test import Client

from cases.enums import CaseStatus
from tests.world import make_case


def test_public_pages_open_anonymously(world):
    client = Client()
    for url in [
        "/",
        "/portal/",
        "/portal/roster/",
        "/portal/roster/?county=421202&township=421202001",
        "/portal/login/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert "免费" in html or url.startswith("/portal/roster") or url.endswith("login/")
    html = client.get("/portal/roster/?county=421202").content.decode()
    assert "桂花村人民调解委员会" in html and "李调解" in html
    assert "13800000000" not in html  # a mediator's own phone is not on the roster
    assert "城关村人民调解委员会" not in html  # another county


def test_party_pages_open(world):
    case = make_case(world, CaseStatus.PERFORMING)
    client = Client()
    client.force_login(world.party_user)
    for url in [
        "/portal/cases/",
        "/portal/notices/",
        f"/portal/cases/{case.pk}/",
        f"/portal/cases/{case.pk}/agreement/",
        f"/portal/cases/{case.pk}/judicial/",
        "/portal/apply/about/",
        "/portal/apply/other/",
        "/portal/apply/what/",
        "/portal/apply/place/",
        "/portal/apply/evidence/",
        "/portal/apply/confirm/",
        "/portal/join/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
