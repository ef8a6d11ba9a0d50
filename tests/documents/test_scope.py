"""Who may print what: tests/world.PERSONAS × document kinds → 200 or 404 (never 403)."""

import pytest
from django.http import Http404

from documents.catalogue import KINDS
from documents.views import resolve
from tests.documents.cases import rich_case
from tests.world import PERSONAS

# In scope of a village-A case: its committee, the township office, the county and the city. The court liaison
# sees only referred or confirmation cases; village B, the other county and outsiders nothing.
STAFF_IN_SCOPE = {"director_a", "mediator_a", "mediator_a2", "sfs_officer", "county_admin", "city_admin"}
# party_user is the applicant: their agreement and their own application, nothing else.
PARTY_KINDS = {"agreement", "application"}
# Kinds the archived case has (no oral agreement, no judicial confirmation).
APPLICABLE = set(KINDS) - {"oral_agreement", "judicial_confirmation"}


def expected(persona: str, kind: str) -> int:
    if kind != "dossier" and kind not in APPLICABLE:
        return 404
    if persona in STAFF_IN_SCOPE:
        return 200
    if persona == "party_user":
        return 200 if kind in PARTY_KINDS else 404
    return 404


@pytest.fixture
def archived(world):
    return rich_case(world).case


def test_matrix_decisions(world, archived):
    """Every persona × every kind (and the dossier) through the view's own gate."""
    for persona in PERSONAS:
        user = getattr(world, persona)
        for kind in [*KINDS, "dossier"]:
            want = expected(persona, kind)
            try:
                resolve(user, archived.pk, kind)
                got = 200
            except Http404:
                got = 404
            assert got == want, (persona, kind)


def test_matrix_http(world, archived, client):
    """Over HTTP: every 404 cell, and for 200 cells the agreement (the gate is the same function for every kind, checked
    cell by cell above; every kind and the dossier are downloaded below and read back in test_documents)."""
    for persona in PERSONAS:
        client.force_login(getattr(world, persona))
        rendered = 0
        for kind in [*KINDS, "dossier"]:
            want = expected(persona, kind)
            if want == 200 and kind != "agreement":
                continue
            response = client.get(f"/documents/case/{archived.pk}/{kind}.pdf")
            assert response.status_code == want, (persona, kind)
            if want == 200:
                rendered += 1
                assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        assert rendered == (1 if persona in STAFF_IN_SCOPE | {"party_user"} else 0), persona


def test_every_kind_downloads_for_the_case_mediator(world, archived, client):
    client.force_login(world.mediator_a)
    for kind in [*sorted(APPLICABLE), "dossier"]:
        response = client.get(f"/documents/case/{archived.pk}/{kind}.pdf")
        assert response.status_code == 200, kind
        assert "attachment" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]


def test_anonymous_is_sent_to_login_and_unknown_case_is_404(world, archived, client):
    response = client.get(f"/documents/case/{archived.pk}/agreement.pdf")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(world.mediator_a)
    assert client.get(f"/documents/case/{archived.pk + 999}/agreement.pdf").status_code == 404
    assert client.get(f"/documents/case/{archived.pk}/nonsense.pdf").status_code == 404
