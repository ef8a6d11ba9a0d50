"""The steps a party takes online (the portal) that touch the portal's own records as well as the case: submitting
the guided application with its evidence, and accepting an invitation to join a case.

Each is one transaction around the case action it completes (do_register_case, do_join_case): the evidence is
attached, the draft is marked submitted and the invitation used up exactly when the case changed, never beside it.
"""

from datetime import datetime

from django.db import transaction

from accounts.models import User
from cases.actions.base import now_or, record, require
from cases.actions.intake import CaseData, do_join_case, do_register_case
from cases.models import Case, Party
from portal.invitations import ttl
from portal.models import ApplicationDraft, Evidence, Invitation
from registry.models import Committee


def _name_account(user: User, name: str) -> None:
    """A party account created at sign-in has no name: it takes the name of the party it becomes."""
    if not user.full_name and name.strip():
        user.full_name = name.strip()[:100]
        user.save(update_fields=["full_name"])


def do_submit_online_application(
    actor: User,
    committee: Committee,
    data: CaseData,
    *,
    draft: ApplicationDraft,
    ip_address: str | None = None,
    at: datetime | None = None,
    triage_opt_out: bool = False,
) -> Case:
    """∅ → INTAKE from the portal: do_register_case with the applicant's draft.

    Preconditions: those of do_register_case (a party applying as themselves); the draft is the actor's and not yet
    submitted (a second click, or a second tab, registers nothing twice: the draft row is locked). Side effects: the
    case (event register), the draft's evidence files attached to it (event evidence_attached, with their number),
    the draft marked submitted with the case and the address it came from, the account named after the applicant; the
    triage suggestion (subject APPLICATION) unless `triage_opt_out` (the applicant refused it, PIPL art. 24)."""
    from triage import decisions
    from triage.enums import Subject

    at = now_or(at)
    # Triage is advice: computed outside the transaction (no lock held while the model loads), none when the
    # applicant refused it (PIPL art. 24) or the engine failed; the application goes on either way.
    text = decisions.case_text(data.brief_facts, data.claims)
    suggestion = None
    if not triage_opt_out:
        suggestion = decisions.compute(
            text,
            headcount=len(data.parties) or None,
            amount_yuan=data.amount_involved or None,
            division_code=committee.division_id,
        )
    with transaction.atomic():
        draft = ApplicationDraft.objects.select_for_update().get(pk=draft.pk)
        require(draft.user_id == actor.pk, "只能提交本人的申请")
        require(draft.submitted_at is None, "该申请已经提交，请在“我的案件”中查看")
        case = do_register_case(actor, committee, data, at=at)
        files = Evidence.objects.filter(draft=draft, case__isnull=True, removed_at__isnull=True)
        ids = list(files.order_by("pk").values_list("pk", flat=True))
        if ids:
            Evidence.objects.filter(pk__in=ids).update(case=case)
            record(case, "evidence_attached", actor, at, note=f"随申请提交证据材料{len(ids)}份", data={"files": ids})
        draft.submitted_at, draft.submitted_ip, draft.case = at, ip_address, case
        draft.save(update_fields=["submitted_at", "submitted_ip", "case", "updated_at"])
        applicant = case.parties.filter(user=actor).first()
        _name_account(actor, applicant.name if applicant else "")
        # Issue 13: the citizen need not pick a type; triage's suggestion (computed before this transaction) is
        # stored now and decided by the director at acceptance, or closed by the refusal, transfer or merger.
        decisions.record_suggestion(Subject.APPLICATION, text, suggestion, case=case, division_code=case.division_code)
    return case


def do_accept_invitation(actor: User, invitation: Invitation, *, at: datetime | None = None) -> Party:
    """The invited party joins the case from the invitation (link or code): do_join_case, with the invitation used up
    in the same transaction.

    Preconditions: those of do_join_case; the invitation is still usable (not used, not replaced by a newer one, not
    expired) and was sent to the actor's own number, re-read under a lock so that it is used once. Side effects: the
    party linked to the account (event party_joined), the invitation marked accepted by the actor, the account named
    after the party."""
    at = now_or(at)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("party").get(pk=invitation.pk)
        used = invitation.accepted_at is not None or invitation.revoked_at is not None
        usable = not used and invitation.created_at >= at - ttl()
        require(usable, "邀请码不正确、已使用或已过期。请核对最新一条邀请短信，或联系调委会。")
        require(invitation.phone == actor.phone, "该邀请不是发送给您的手机号的")
        party = do_join_case(invitation.party.case, actor, party=invitation.party, at=at)
        invitation.accepted_at, invitation.accepted_by = at, actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _name_account(actor, party.name)
    return party


__all__ = ["do_accept_invitation", "do_submit_online_application"]
