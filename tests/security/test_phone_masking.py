"""Issue 10 point 8: the parties' phones in full only for the assigned mediators and the director; everyone else
sees them masked on the case page, in the PDFs and in the export, and may reveal one by POST with a logged reason
(docs/adr/0008-phone-numbers.md)."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import AccessKind, AccessLog
from cases.enums import CaseStatus
from cases.models import Case
from cases.permissions import can_view_full_phone
from cases.scoping import cases_visible_to
from documents.rendering import render_kind
from imports.exports import EXPORT_COLUMNS, full_phone_case_ids
from tests.world import make_case

FULL = "13900000002"  # the respondent's phone (the applicant is party_user)
MASKED = "139****0002"
PERSONAS = {
    "mediator_a": True,  # the presiding mediator
    "director_a": True,
    "mediator_a2": False,  # a member of the same committee, not assigned
    "sfs_officer": False,
    "county_admin": False,
    "city_admin": False,
    "court_liaison": False,
}
STAFF_MASKED = [p for p, full in PERSONAS.items() if not full]


@pytest.fixture
def login():
    def _login(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def case(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    Case.objects.filter(pk=case.pk).update(court=world.court)  # before the liaison's court
    return Case.objects.get(pk=case.pk)


def _respondent(case):
    return case.parties.get(phone=FULL)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("persona,full", PERSONAS.items())
def test_case_page(world, case, login, persona, full):
    html = login(getattr(world, persona)).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert (FULL in html) is full
    assert (MASKED in html) is not full
    reveal = reverse("cases:reveal_phone", args=[case.pk, _respondent(case).pk])
    assert (reveal in html) is not full  # the masked viewers get the reveal form, the others need none


@pytest.mark.parametrize("persona,full", PERSONAS.items())
def test_pdf(world, case, persona, full):
    pdf = render_kind(case, "acceptance", getattr(world, persona)).pdf
    text = _flat("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "李四" in text
    assert (FULL in text) is full
    assert (MASKED in text) is not full


@pytest.mark.parametrize("persona,full", PERSONAS.items())
def test_export(world, case, login, persona, full):
    response = login(getattr(world, persona)).get(reverse("imports:export_cases"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))[2:]
    phones = rows[0][EXPORT_COLUMNS.index("联系电话")]
    assert (FULL in phones) is full
    assert (MASKED in phones) is not full


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_export_bulk_rule_is_the_one_rule(world, persona):
    user = getattr(world, persona)
    make_case(world, CaseStatus.INTAKE, seed=1)  # unassigned: only the director
    make_case(world, CaseStatus.IN_MEDIATION, seed=2)
    qs = cases_visible_to(user)
    assert full_phone_case_ids(user, qs) == {c.pk for c in qs if can_view_full_phone(user, c)}


def test_party_sees_own_phone_not_the_other_sides(world, case, login):
    # A party's case page is the portal's (the staff page redirects there).
    response = login(world.party_user).get(reverse("cases:detail", args=[case.pk]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "13900000001" in html
    assert FULL not in html
    pdf_text = _flat(
        "".join(
            p.extract_text() or ""
            for p in PdfReader(io.BytesIO(render_kind(case, "acceptance", world.party_user).pdf)).pages
        )
    )
    assert "13900000001" in pdf_text and FULL not in pdf_text


@pytest.mark.parametrize("persona", STAFF_MASKED)
def test_reveal_with_a_reason_logs_and_shows(world, case, login, persona):
    user = getattr(world, persona)
    url = reverse("cases:reveal_phone", args=[case.pk, _respondent(case).pk])
    response = login(user).post(url, {"reason": "联系当事人核实履行情况"})
    assert response.status_code == 200
    assert FULL in response.content.decode()
    log = AccessLog.objects.get(user=user, action=AccessKind.VIEW_PHONE)
    assert log.case_id == case.pk and log.party_id == _respondent(case).pk
    assert "联系当事人核实履行情况" in log.detail
    assert log.ip_address


def test_reveal_needs_a_reason(world, case, login):
    url = reverse("cases:reveal_phone", args=[case.pk, _respondent(case).pk])
    response = login(world.sfs_officer).post(url, {"reason": "   "})
    assert response.status_code == 400
    assert FULL not in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessKind.VIEW_PHONE).exists()


def test_a_get_cannot_reveal(world, case, login):
    url = reverse("cases:reveal_phone", args=[case.pk, _respondent(case).pk])
    response = login(world.sfs_officer).get(url, {"reason": "随便看看"})
    assert response.status_code == 405
    assert FULL not in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessKind.VIEW_PHONE).exists()


@pytest.mark.parametrize("persona", ["party_user", "outsider", "mediator_b", "other_county_admin"])
def test_no_reveal_outside_the_rule(world, case, login, persona):
    url = reverse("cases:reveal_phone", args=[case.pk, _respondent(case).pk])
    response = login(getattr(world, persona)).post(url, {"reason": "想看"})
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessKind.VIEW_PHONE).exists()


def test_minor_case_stricter_rule_wins(world, case, login):
    """In a case involving a minor, a masked viewer gets no reveal form, and a POST reveals nothing."""
    Case.objects.filter(pk=case.pk).update(involves_minor=True)
    html = login(world.sfs_officer).get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("cases:reveal_phone", args=[case.pk, _respondent(case).pk])
    assert FULL not in html and url not in html
    assert login(world.sfs_officer).post(url, {"reason": "核实"}).status_code == 404


def test_reveal_without_javascript_is_a_whole_page(world, case, login):
    url = reverse("cases:reveal_phone", args=[case.pk, _respondent(case).pk])
    html = login(world.court_liaison).post(url, {"reason": "司法确认前核实"}).content.decode()
    assert FULL in html and "返回案件" in html
    fragment = login(world.court_liaison).post(url, {"reason": "核实"}, HTTP_HX_REQUEST="true").content.decode()
    assert FULL in fragment and "返回案件" not in fragment
