"""Judicial confirmation (司法确认, PML 33; 法释〔2011〕5号): runs beside the case without moving its status."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from cases.actions.base import (
    ActionRefused,
    check,
    cn_day,
    local_date,
    lock,
    notify_after_commit,
    now_or,
    record,
    require,
)
from cases.closing import ENFORCEMENT_ADVICE
from cases.enums import AgreementStatus, JCStatus
from cases.models import Case, JudicialConfirmation, Party
from cases.permissions import court_may_record, current_agreement, current_jc, jc_status, jc_unavailable_reason
from cases.transitions import JC_TABLE, find_row
from notifications.enums import NoticeKind
from notifications.services import notify
from portal.models import JCRequest, JCRequestStatus
from registry.models import Court
from workdays.calendar import next_working_day


def jc_deadline(case: Case) -> date | None:
    """Last day to apply: 30 days from the agreement's effective date (PML 33). For an oral agreement the window
    runs from the day it took effect (PML 30), whether or not it has been put in writing yet."""
    agreement = current_agreement(case)
    if agreement is None or agreement.effective_at is None:
        return None
    # A period whose last day is a rest day ends on the next working day (民法典 art. 203).
    return next_working_day(local_date(agreement.effective_at) + timedelta(days=settings.TIAOJIE["JC_APPLY_DAYS"]))


def _jc_step(case: Case, action: str) -> None:
    before, _after = JC_TABLE[action]
    current = jc_status(case)
    require(current in before, f"司法确认当前为“{current.label}”，不能执行此操作")


def _jc_apply_guards(
    case: Case,
    actor: User,
    applicant: Party,
    consenting: Party,
    applied_on: date,
    at: datetime,
    requested_at: datetime | None,
    *,
    request_only: bool = False,
) -> None:
    """The rules of a joint application (PML 33), shared by the application itself and the portal's check of a
    party's request before the other party is asked to consent (`request_only`). Caller holds the lock."""
    check(case, "jc_apply", actor)
    _jc_step(case, "jc_apply")
    agreement = current_agreement(case)
    # An effective agreement in writing (written, or oral and since put in writing) whose terms a court may confirm.
    reason = jc_unavailable_reason(case)
    require(reason is None, reason or "")
    require(applicant.case_id == case.pk and consenting.case_id == case.pk, "申请人须为本案当事人")
    require(applicant.pk != consenting.pk, "司法确认须由双方当事人共同申请", "consenting")
    require(applicant.side != consenting.side, "司法确认须由协议双方共同申请：同意申请的须为对方当事人", "consenting")
    require(applied_on >= local_date(agreement.effective_at), "申请日期不能早于协议生效日期", "applied_on")
    if actor.role == Role.PARTY:
        _party_guards(actor, applicant, consenting, applied_on, at, requested_at, request_only)
    require(applied_on <= local_date(at), "申请日期不能晚于今天", "applied_on")
    deadline = jc_deadline(case)
    require(
        applied_on <= deadline,
        f"已超过申请期限：应自协议生效之日起{settings.TIAOJIE['JC_APPLY_DAYS']}日内申请司法确认，"
        f"最后一日为{cn_day(deadline)}",
        "applied_on",
    )


def _party_guards(
    actor: User,
    applicant: Party,
    consenting: Party,
    applied_on: date,
    at: datetime,
    requested_at: datetime | None,
    request_only: bool,
) -> None:
    """A party never applies alone: online, one party asks from their own account (the request), and the
    application exists only when the other party consents from theirs, on the day of that consent. So a party can
    neither name the other side as "consenting" nor choose (backdate) the application date."""
    if request_only:
        require(applicant.user_id == actor.pk, "只能以本人名义申请")
        require(
            consenting.user_id is not None,
            "对方当事人尚未加入线上案件，无法在网上共同申请司法确认。请对方先通过邀请短信加入本案，"
            "或双方共同到调委会现场申请",
            "consenting",
        )
        return
    alone = "司法确认须由双方共同申请：须先由对方当事人在网上提出申请，再由您本人同意"
    if consenting.user_id != actor.pk:
        require(applicant.user_id != actor.pk, alone, "consenting")
        require(False, "只能以本人名义申请")
    # The request was made by the other party from their own account: a party with no account cannot have asked.
    require(applicant.user_id is not None and applicant.user_id != actor.pk, "只能以本人名义申请", "applicant")
    require(requested_at is not None and requested_at <= at, alone, "applicant")
    require(applied_on == local_date(at), "网上共同申请的申请日期为您同意之日（今天），不能另选日期", "applied_on")


def check_judicial_confirmation_request(
    case: Case, actor: User, *, applicant: Party, consenting: Party, at: datetime | None = None
) -> None:
    """Raise ActionRefused if a party's request to apply jointly, made now, could not become an application: the
    portal asks this before it asks the other party to consent, so the same rules (the 30-day window above all)
    answer both steps. Writes nothing."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        _jc_apply_guards(case, actor, applicant, consenting, local_date(at), at, None, request_only=True)


def do_apply_judicial_confirmation(
    case: Case,
    actor: User,
    *,
    applicant: Party,
    consenting: Party,
    court: Court,
    applied_on: date,
    at: datetime | None = None,
    requested_at: datetime | None = None,
) -> JudicialConfirmation:
    """JC NOT_APPLIED → APPLIED: the parties jointly apply (one applies, the other consents) within 30 days of the
    written agreement taking effect. The committee cannot apply on its own; it records the parties' application.
    Online, the applicant's request (`requested_at`) is completed by the consenting party's own action."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        _jc_apply_guards(case, actor, applicant, consenting, applied_on, at, requested_at)
        agreement = current_agreement(case)
        jc = JudicialConfirmation.objects.create(
            case=case,
            agreement=agreement,
            court=court,
            applied_on=applied_on,
            applicant=applicant,
            consenting=consenting,
        )
        record(
            case,
            "jc_apply",
            actor,
            at,
            note=f"{applicant.name}申请、{consenting.name}同意，向{court.name}申请司法确认",
            data={"jc": jc.pk},
        )
        notify_after_commit(case, f"已向{court.name}申请司法确认", actor, extra=list(court.liaisons.all()), at=at)
    return jc


def do_record_court_acceptance(
    case: Case,
    actor: User,
    *,
    accepted: bool,
    on: date,
    court_case_no: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> JudicialConfirmation:
    """JC APPLIED → ACCEPTED or NOT_ACCEPTED, recorded by the court liaison (or the mediator from the court's
    notice)."""
    at = now_or(at)
    action = "jc_court_accept" if accepted else "jc_court_refuse"
    if accepted:
        require(bool(court_case_no.strip()), "请填写法院案号", "court_case_no")
    else:
        require(len(reason.strip()) >= 2, "请填写不予受理的理由", "reason")
    with transaction.atomic():
        case = lock(case)
        check(case, action, actor)
        _jc_step(case, action)
        jc = current_jc(case)
        require(court_may_record(actor, case), "只能登记本院受理的司法确认")
        require(on >= jc.applied_on, "受理日期不能早于申请日期", "on")
        jc.status = JC_TABLE[action][1]
        jc.accepted_on = on if accepted else None
        jc.court_case_no, jc.reason = court_case_no.strip(), reason.strip()
        jc.save()
        note = f"{jc.court.name}已受理，案号{jc.court_case_no}" if accepted else f"法院不予受理：{reason.strip()}"
        record(case, action, actor, at, note=note, data={"jc": jc.pk})
        notify_after_commit(case, note, actor, at=at)
    return jc


def do_record_court_decision(
    case: Case, actor: User, *, valid: bool, on: date, reason: str = "", at: datetime | None = None
) -> JudicialConfirmation:
    """JC ACCEPTED → CONFIRMED_VALID or REJECTED. A valid ruling lets the obligee apply for enforcement; a rejection
    lets the parties change the agreement through mediation or sue (PML 33)."""
    at = now_or(at)
    if not valid:
        require(len(reason.strip()) >= 2, "请填写驳回理由", "reason")
    with transaction.atomic():
        case = lock(case)
        check(case, "jc_decide", actor)
        _jc_step(case, "jc_decide")
        jc = current_jc(case)
        require(court_may_record(actor, case), "只能登记本院受理的司法确认")
        require(on >= jc.accepted_on, "裁定日期不能早于受理日期", "on")
        jc.status = JCStatus.CONFIRMED_VALID if valid else JCStatus.REJECTED
        jc.decided_on, jc.reason = on, reason.strip()
        jc.save()
        agreement = jc.agreement
        agreement.status = AgreementStatus.CONFIRMED_BY_COURT if valid else AgreementStatus.INVALIDATED_BY_COURT
        agreement.save(update_fields=["status"])
        note = (
            f"法院裁定调解协议有效。一方当事人拒绝履行或者未全部履行的，对方当事人{ENFORCEMENT_ADVICE}"
            if valid
            else f"法院驳回司法确认申请：{reason.strip()}"
        )
        record(case, "jc_decide", actor, at, note=note, data={"jc": jc.pk, "valid": valid})
        notify_after_commit(case, note, actor, at=at)
    return jc


# --- the joint request made online: one party asks, the other consents (the portal's 司法确认 page) ------------
#
# Online, a joint application is two acts by two accounts: the request of one party, then the consent of the other,
# from which the application itself is made (do_apply_judicial_confirmation, dated the day of the consent). The
# request (portal.models.JCRequest) waits between the two; its status changes only here, each with its event.


def _other_side(case: Case, party: Party) -> Party | None:
    return case.parties.exclude(side=party.side).exclude(pk=party.pk).order_by("order", "id").first()


def _own_request_party(case: Case, actor: User, party: Party, message: str) -> None:
    require(party.case_id == case.pk, "该当事人不属于本案")
    require(actor.role == Role.PARTY and party.user_id == actor.pk, message)


def _locked_pending(case: Case, request: JCRequest) -> JCRequest:
    """The request re-read under a lock; refused unless it is this case's and still waiting. Caller holds the case
    lock. Answering and withdrawing are allowed where a request may be made (the jc_request rows of the table)."""
    req = (
        JCRequest.objects.select_for_update(of=("self",))
        .select_related("applicant", "consenting", "court")
        .get(pk=request.pk)
    )
    require(req.case_id == case.pk, "该申请不属于本案")
    require(req.status == JCRequestStatus.PENDING, "该申请已处理，请刷新页面查看")
    require(find_row("jc_request", case.status) is not None, "本案当前已不能申请司法确认")
    return req


def _tell_party(party: Party | None, case: Case, message: str, *, sms: str, at: datetime) -> None:
    """A notice (and SMS, in the outbox) to one party about the request. The SMS text is fixed: no name typed by a
    user goes out under the 【人民调解】 sender; the in-app notice names who asked."""
    if party is None or party.user_id is None:
        return
    notify([party.user_id], NoticeKind.CASE_PROGRESS, message, case=case, at=at, sms=f"{sms}。详情请登录调解平台查看。")


def do_request_joint_confirmation(
    case: Case,
    actor: User,
    *,
    applicant: Party,
    court: Court,
    address: str,
    materials: list[str],
    at: datetime | None = None,
) -> JCRequest:
    """jc_request (the case status and the JC status do not move): a party asks, from their own account, that the
    other side apply jointly with them for judicial confirmation (PML 33).

    Preconditions: the table's jc_request row (a party, after the agreement); the applicant is the actor's own party;
    the other side exists and has a portal account (someone must be able to consent); no request of the current
    agreement is waiting; and every rule of the application itself holds today (check_judicial_confirmation_request:
    an effective written agreement, the 30-day window). Two parties asking at once make one request: the second is
    refused under the case lock. Side effects: a PENDING JCRequest, the event, a notice and SMS to the other side."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        check(case, "jc_request", actor)
        _own_request_party(case, actor, applicant, "只能以本人名义申请")
        other = _other_side(case, applicant)
        require(other is not None, "本案没有可以共同申请的对方当事人")
        agreement = current_agreement(case)
        require(
            not JCRequest.objects.filter(case=case, agreement=agreement, status=JCRequestStatus.PENDING).exists(),
            "已有一份等待对方同意的司法确认申请，请刷新页面查看",
        )
        _jc_apply_guards(case, actor, applicant, other, local_date(at), at, None, request_only=True)
        require(bool(address.strip()), "请填写您的送达地址", "address")
        req = JCRequest.objects.create(
            case=case,
            agreement=agreement,
            applicant=applicant,
            requested_by=actor,
            court=court,
            materials={"applicant": list(materials)},
            applicant_address=address.strip(),
            consenting=other,
            created_at=at,
        )
        record(
            case,
            "jc_request",
            actor,
            at,
            note=f"{applicant.name}请求与{other.name}共同向{court.name}申请司法确认",
            data={"jc_request": req.pk, "party": applicant.pk},
        )
        _tell_party(
            other,
            case,
            f"{applicant.name}申请共同向法院申请司法确认，请在调解平台上表示是否同意",
            sms="对方当事人请您共同向法院申请司法确认调解协议，请登录调解平台表示是否同意",
            at=at,
        )
    return req


def do_answer_joint_confirmation(
    case: Case,
    actor: User,
    *,
    request: JCRequest,
    consent: bool,
    address: str = "",
    at: datetime | None = None,
) -> JCRequest:
    """The other side answers a pending request, from their own account.

    Consent: the joint application is made now, by do_apply_judicial_confirmation (JC → APPLIED, event jc_apply),
    dated the day of the consent; the request becomes APPLIED and keeps the consenting party's address. If the
    application is refused (the 30-day window closed while the request waited, the agreement changed, ...), nothing
    of it is written, the request becomes REFUSED with the reason (event jc_request_refused) and the applicant is
    told; the refusal is returned on the request, not raised, because it is recorded. Decline: the request becomes
    DECLINED (event jc_request_decline) and the applicant is told.

    Preconditions: the request is this case's and pending; the actor is the requested party's own account; the case
    is where a request may be made (the jc_request rows); on consent, an address for service."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        req = _locked_pending(case, request)
        _own_request_party(case, actor, req.consenting, "只能由被请求的对方当事人本人答复")
        if not consent:
            name = req.consenting.name
            return _end_request(
                req,
                case,
                actor,
                at,
                JCRequestStatus.DECLINED,
                "对方不同意共同申请",
                action="jc_request_decline",
                note=f"{name}不同意共同申请司法确认",
                notice=f"{name}不同意共同申请司法确认",
                sms="对方当事人不同意共同申请司法确认，请登录调解平台查看",
            )
        require(bool(address.strip()), "同意共同申请时，请填写您的送达地址", "address")
        try:
            with transaction.atomic():  # a savepoint: a refused application leaves nothing of itself
                jc = do_apply_judicial_confirmation(
                    case,
                    actor,
                    applicant=req.applicant,
                    consenting=req.consenting,
                    court=req.court,
                    applied_on=local_date(at),
                    at=at,
                    requested_at=req.created_at,
                )
        except ActionRefused as refusal:
            return _end_request(
                req,
                case,
                actor,
                at,
                JCRequestStatus.REFUSED,
                refusal.message,
                action="jc_request_refused",
                note=f"{req.consenting.name}同意共同申请，但未能提交：{refusal.message}",
                notice=f"司法确认共同申请未能提交：{refusal.message}",
                sms="您的司法确认共同申请未能提交，请登录调解平台查看原因",
            )
        req.status, req.answered_at, req.confirmation = JCRequestStatus.APPLIED, at, jc
        req.consenting_address = address.strip()
        req.materials = {**req.materials, "consenting": ["identity", "addresses"]}
        req.save(update_fields=["status", "answered_at", "confirmation", "consenting_address", "materials"])
    return req


def do_withdraw_joint_confirmation_request(
    case: Case, actor: User, *, request: JCRequest, at: datetime | None = None
) -> JCRequest:
    """The party who asked withdraws a request the other side has not answered yet: PENDING → CANCELLED (event
    jc_request_withdraw); the other side is told that nothing waits for them any more. Preconditions: the request
    is this case's and pending, the actor is its applicant's own account, the jc_request rows of the table."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        req = _locked_pending(case, request)
        _own_request_party(case, actor, req.applicant, "只能由提出申请的当事人本人撤回")
        req.status, req.answered_at = JCRequestStatus.CANCELLED, at
        req.save(update_fields=["status", "answered_at"])
        record(
            case,
            "jc_request_withdraw",
            actor,
            at,
            note=f"{req.applicant.name}撤回了共同申请司法确认的请求",
            data={"jc_request": req.pk, "party": req.applicant_id},
        )
        _tell_party(
            req.consenting,
            case,
            f"{req.applicant.name}已撤回共同申请司法确认的请求，您无需再答复",
            sms="对方当事人已撤回共同申请司法确认的请求，您无需再答复",
            at=at,
        )
    return req


__all__ = [
    "check_judicial_confirmation_request",
    "do_answer_joint_confirmation",
    "do_apply_judicial_confirmation",
    "do_record_court_acceptance",
    "do_record_court_decision",
    "do_request_joint_confirmation",
    "do_withdraw_joint_confirmation_request",
    "jc_deadline",
]


def _end_request(req, case, actor, at, status, reason, *, action, note, notice, sms):
    """A waiting joint request answered without an application (declined, or the application refused): its status,
    the event on the timeline and the applicant's notice, in the caller's transaction."""
    req.status, req.answered_at, req.reason = status, at, reason
    req.save(update_fields=["status", "answered_at", "reason"])
    record(case, action, actor, at, note=note, data={"jc_request": req.pk, "party": req.consenting_id})
    _tell_party(req.applicant, case, notice, sms=sms, at=at)
    return req
