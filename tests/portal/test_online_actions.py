"""Submitting an online application and accepting an invitation are actions (cases.actions.online): the evidence,
the draft and the invitation change in the same transaction as the case, or not at all."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import actions as A
from cases.enums import CaseStatus, PartySide
from cases.models import Case
from portal.models import ApplicationDraft, Evidence, Invitation
from portal.services import application as app
from portal.services.accounts import party_account
from registry.models import Committee
from tests.portal.helpers import phone_login, png_bytes
from tests.portal.test_portal_rules import PHONE, _fill_application
from tests.portal.test_review_fixes import invitation_for
from tests.world import make_case


def _draft_with_a_file(world):
    client = Client()
    phone_login(client, PHONE)
    _fill_application(client)
    png = SimpleUploadedFile("鸡舍.png", png_bytes(), content_type="image/png")
    client.post("/portal/apply/evidence/", {"files": [png], "go": "upload"})
    draft = ApplicationDraft.objects.get()
    return client, draft


def test_submission_attaches_the_evidence_with_an_event(world):
    client, draft = _draft_with_a_file(world)
    client.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
    case = Case.objects.get()
    ev = Evidence.objects.get()
    assert ev.case == case
    event = case.events.get(action="evidence_attached")
    assert (event.actor, event.data["files"], event.note) == (draft.user, [ev.pk], "随申请提交证据材料1份")
    draft.refresh_from_db()
    assert draft.case == case and draft.submitted_at == case.events.get(action="register").at
    assert draft.user.full_name == "周大姐"


def test_a_refused_registration_leaves_the_draft_and_its_evidence_as_they_were(world):
    client, draft = _draft_with_a_file(world)
    forms = app.bound_steps(draft)
    assert app.problems(forms, world.village_a) == []
    closed = Committee.objects.get(pk=world.village_a.pk)
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    with pytest.raises(A.ActionRefused, match="该调委会已停用"):
        A.do_submit_online_application(draft.user, closed, app.case_data(draft.user, forms), draft=draft)
    draft.refresh_from_db()
    assert draft.submitted_at is None and draft.case is None
    assert Evidence.objects.get().case is None and not Case.objects.exists()


def test_a_draft_is_submitted_once(world):
    _client, draft = _draft_with_a_file(world)
    forms = app.bound_steps(draft)
    assert app.problems(forms, world.village_a) == []
    data = app.case_data(draft.user, forms)
    A.do_submit_online_application(draft.user, world.village_a, data, draft=draft)
    with pytest.raises(A.ActionRefused, match="该申请已经提交"):
        A.do_submit_online_application(draft.user, world.village_a, data, draft=draft)
    assert Case.objects.count() == 1


@pytest.mark.parametrize(("status", "joins"), [(CaseStatus.IN_MEDIATION, True), (CaseStatus.CLOSED, False)])
def test_the_invitation_is_used_exactly_when_the_party_joins(world, status, joins):
    case = make_case(world, status)
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    invitation_for(respondent, world.outsider.phone)
    invitation = Invitation.objects.get()
    if joins:
        party = A.do_accept_invitation(world.outsider, invitation)
        assert party.user == world.outsider
    else:
        with pytest.raises(A.ActionRefused, match="已不能加入"):
            A.do_accept_invitation(world.outsider, invitation)
    invitation.refresh_from_db()
    assert (invitation.accepted_at is not None, invitation.accepted_by_id is not None) == (joins, joins)
    assert case.events.filter(action="party_joined", actor=world.outsider).exists() == joins


def test_an_invitation_works_once_and_only_for_its_number(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    invitation_for(respondent, "13900001111")
    invitation = Invitation.objects.get()
    with pytest.raises(A.ActionRefused, match="不是发送给您的手机号"):
        A.do_accept_invitation(world.outsider, invitation)
    holder = party_account("13900001111")
    A.do_accept_invitation(holder, invitation)
    with pytest.raises(A.ActionRefused, match="已使用或已过期"):
        A.do_accept_invitation(holder, invitation)
    assert case.events.filter(action="party_joined").count() == 1
