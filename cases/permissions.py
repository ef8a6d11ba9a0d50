"""Who may do what to a case: relations of a user to a case, and the actions the server offers."""

from django.db.models import Q

from accounts.models import SUPERVISOR_ROLES, Role, User
from cases.enums import AgreementForm, AgreementStatus, CivilCapacity, JCStatus, PartyType, SignerRole
from cases.models import Case
from cases.retention import may_dispose
from cases.transitions import JC_TABLE, LABELS, TABLE, Rel


def recused_from(user: User, case: Case) -> bool:
    """A mediator replaced after a recusal request (RGD 25) stands in no relation to the case any more: no page,
    no action, from the moment of the replacement (the RecusalRequest row and the event keep what they had)."""
    return case.recusals.filter(replaced__user=user).exists()


def relations(user: User, case: Case) -> set[Rel]:
    rels: set[Rel] = set()
    if not user.is_authenticated:
        return rels
    if user.role in (Role.MEDIATOR, Role.DIRECTOR) and user.committee_id == case.committee_id:
        if recused_from(user, case):
            return rels
        rels.add(Rel.MEMBER)
        if user.role == Role.DIRECTOR:
            rels.add(Rel.DIRECTOR)
        mediator_id = getattr(getattr(user, "mediator", None), "pk", None)
        if mediator_id and (
            case.presiding_mediator_id == mediator_id or case.co_mediators.filter(pk=mediator_id).exists()
        ):
            rels.add(Rel.MEDIATOR)
            if case.presiding_mediator_id == mediator_id:
                rels.add(Rel.PRESIDING)
    elif (
        # Joint mediation (issue 11 §6): a mediator of another body on the case works on it as its mediator.
        user.role in (Role.MEDIATOR, Role.DIRECTOR)
        and (mediator_id := getattr(getattr(user, "mediator", None), "pk", None))
        and case.co_mediators.filter(pk=mediator_id).exists()
        and not recused_from(user, case)
    ):
        rels.add(Rel.MEDIATOR)
    elif user.role == Role.PARTY and case.parties.filter(user=user).exists():
        rels.add(Rel.PARTY)
    elif (
        user.role == Role.COURT_LIAISON
        and user.court_id
        and (case.court_id == user.court_id or case.judicial_confirmations.filter(court_id=user.court_id).exists())
    ):
        rels.add(Rel.COURT)
    elif user.role == Role.COUNTY_ADMIN and user.division_id and case.division_code.startswith(user.division_id):
        rels.add(Rel.COUNTY)
    if user.role in SUPERVISOR_ROLES and user.division_id and case.division_code.startswith(user.division_id):
        rels.add(Rel.SUPERVISOR)
    return rels


def current_agreement(case: Case):
    return case.agreements.exclude(status__in=[AgreementStatus.CHANGED, AgreementStatus.REVOKED]).first()


def current_jc(case: Case):
    """The judicial confirmation of the current agreement (an earlier agreement's confirmation does not count)."""
    agreement = current_agreement(case)
    return case.judicial_confirmations.filter(agreement=agreement).first() if agreement else None


def jc_status(case: Case) -> JCStatus:
    jc = current_jc(case)
    return JCStatus(jc.status) if jc else JCStatus.NOT_APPLIED


def court_may_record(user: User, case: Case) -> bool:
    """A court liaison records acceptance and rulings only for confirmations filed with their own court."""
    if user.role != Role.COURT_LIAISON:
        return True
    jc = current_jc(case)
    return jc is not None and jc.court_id == user.court_id


def _available(action: str, case: Case, user: User) -> bool:
    """Extra preconditions that decide whether an action is offered at all (not guards that need input)."""
    if action in JC_TABLE:
        before, _after = JC_TABLE[action]
        if jc_status(case) not in before:
            return False
        if action != "jc_apply" and not court_may_record(user, case):
            return False
        if action == "jc_apply":
            return jc_unavailable_reason(case) is None
        return True
    if action == "put_oral_in_writing":
        agr = current_agreement(case)
        return bool(agr and agr.form == AgreementForm.ORAL and agr.effective_at and not agr.put_in_writing_at)
    if action == "guardian_consent":
        return parties_awaiting_guardian_consent(case).exists()
    if action == "jc_request":  # the online joint request: offered exactly where the application could be made
        return _available("jc_apply", case, user)
    if action in ("sign_agreement", "seal_agreement"):
        agr = current_agreement(case)
        if not agr or agr.status != AgreementStatus.DRAFT:
            return False
        valid = agr.valid_signatures()
        if action == "seal_agreement":
            return not valid.filter(signer_role=SignerRole.SEAL).exists()
        signed_parties = set(valid.exclude(party=None).values_list("party_id", flat=True))
        if user.role == Role.PARTY:
            # A party signs only as themselves: offered while their own signature on the current text is missing.
            return case.parties.filter(user=user).exclude(pk__in=signed_parties).exists()
        parties_missing = case.parties.exclude(pk__in=signed_parties).exists()
        return parties_missing or not valid.filter(signer_role=SignerRole.MEDIATOR).exists()
    if action == "supervision_reply":  # offered while a 督办 or 催办 of the case waits for the committee's reply
        from supervision.models_duban import Supervision, SupervisionStatus

        return Supervision.objects.filter(case=case, status=SupervisionStatus.PENDING).exists()
    if action == "recuse":
        return case.presiding_mediator_id is not None
    if action == "dispose":  # 销毁 only once the dossier's retention period is over (cases.retention)
        return may_dispose(case)
    # Issue 11: each offered only once its page exists and its precondition holds (owners: h-hub for dispatch,
    # h-joint for merge, joint_mediator and invite_participant).
    if action == "dispatch":  # a 矛调中心's member, for an intake case of the hub not yet dispatched (referrals.hub)
        from referrals.hub import may_dispatch

        return may_dispatch(user, case)
    if action == "merge":  # only where a probable duplicate exists that the user may act on too (h-joint)
        from referrals.duplicates import merge_options

        return bool(merge_options(user, case))
    return True


def parties_awaiting_guardian_consent(case: Case):
    """Minors and parties without full capacity whose guardian's consent to mediation is not yet recorded."""
    wards = case.parties.filter(party_type=PartyType.NATURAL_PERSON, guardian_consent_at__isnull=True)
    return wards.filter(Q(is_minor=True) | ~Q(capacity=CivilCapacity.FULL))


def jc_unavailable_reason(case: Case) -> str | None:
    """Why the current agreement cannot be sent for judicial confirmation, in Chinese (None: it can). Answers the
    agreement's side only; the JC sub-machine, the window and the applicants are checked by the action."""
    agr = current_agreement(case)
    if agr is None or agr.effective_at is None:
        return "尚无已生效的调解协议"
    if not agr.in_writing:
        return "口头协议须先书面化（由当事人签署书面协议文本）后，方可申请司法确认"
    excluded = agr.not_confirmable_subjects()
    if excluded:
        return (
            f"协议内容涉及{'、'.join(excluded)}，依照《最高人民法院关于人民调解协议司法确认程序的若干规定》第四条，"
            "人民法院不予受理司法确认申请"
        )
    return None


def available_actions(case: Case, user: User) -> list[tuple[str, str]]:
    """The actions this user may take on this case now, as (action, Chinese label), in table order."""
    rels = relations(user, case)
    if not rels:
        return []
    seen: dict[str, str] = {}
    for row in TABLE:
        if row.source != case.status or row.action in seen or Rel.SYSTEM in row.rels:
            continue
        if rels & row.rels and _available(row.action, case, user):
            seen[row.action] = LABELS[row.action]
    return list(seen.items())


def can_view_full_id(user: User, case: Case) -> bool:
    """Full identity numbers: the case's mediators and the committee director (dossier, 身份证明), and the court
    liaison for a case before the court. Everyone else sees the masked form (mediation-domain.md §13.3). In a case
    involving a minor or a ward only the mediators and the director (docs/adr/0003-minors.md)."""
    rels = relations(user, case)
    if case.protected:
        return bool(rels & {Rel.MEDIATOR, Rel.DIRECTOR})
    return bool(rels & {Rel.MEDIATOR, Rel.DIRECTOR, Rel.COURT})


def sees_protected_in_full(user: User, case: Case) -> bool:
    """Whether this user sees the parties of a case involving a minor or a ward unmasked (names, phones,
    addresses, birth dates): the assigned mediators and the director; a party sees their own data. Always True
    for other cases (the ordinary rules apply there)."""
    if not case.protected:
        return True
    return bool(relations(user, case) & {Rel.MEDIATOR, Rel.DIRECTOR})


def can_view_full_phone(user: User, case: Case) -> bool:
    """Full phone numbers of the parties (docs/adr/0008-phone-numbers.md): need-to-know, the case's assigned
    mediators and the committee director. Everyone else (unassigned members, supervisors, the court liaison, county
    and city administrators) sees them masked and may reveal one with a logged reason (may_reveal_phone); a party
    sees their own phone only. In a case involving a minor or a ward the same two see them (sees_protected_in_full)."""
    return bool(relations(user, case) & {Rel.MEDIATOR, Rel.DIRECTOR})


def may_reveal_phone(user: User, case: Case) -> bool:
    """Staff who see a case's phones masked may reveal one with a reason (logged); never in a case involving a minor
    or a ward (the stricter rule of docs/adr/0003-minors.md wins), never a party."""
    if case.protected or can_view_full_phone(user, case):
        return False
    return bool(relations(user, case) & {Rel.MEMBER, Rel.COURT, Rel.COUNTY, Rel.SUPERVISOR})


def shown_phone(phone: str, *, full: bool) -> str:
    """The one display of a party's phone: in full, or masked (139****0001)."""
    from cases.identity import mask_phone

    return phone if full else mask_phone(phone)
