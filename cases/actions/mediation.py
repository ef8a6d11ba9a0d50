"""During mediation: records, extension of the time limit, pause, termination, and the agreement (PML 28–30)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from cases.actions.base import check, cn_day, local_date, lock, notify_after_commit, now_or, record, require
from cases.actions.intake import routes_text
from cases.enums import (
    AgreementForm,
    AgreementStatus,
    CaseStatus,
    Outcome,
    PerformanceStatus,
    RecordKind,
    SignatureMethod,
    SignerRole,
    TerminationReason,
    TermSubject,
)
from cases.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Case,
    Extension,
    Instalment,
    MediationRecord,
    Party,
)
from cases.models.agreement import text_digest
from cases.permissions import current_agreement
from notifications.enums import NoticeKind
from notifications.services import notify_supervisors
from workdays.calendar import next_working_day


def do_record_mediation(
    case: Case,
    actor: User,
    *,
    kind: str,
    held_at: datetime,
    place: str,
    subject: str,
    content: str,
    result: str = "",
    at: datetime | None = None,
) -> MediationRecord:
    """Self-loop (row 6): an investigation record (调查记录) or a session record (调解记录) by an assigned mediator."""
    at = now_or(at)
    action = "record_investigation" if kind == RecordKind.INVESTIGATION else "record_session"
    require(kind in RecordKind.values, "记录类型无效")
    require(len(content.strip()) >= 10, "记录内容至少写10个字", "content")
    require(bool(place.strip()), "请填写地点", "place")
    require(held_at <= at + timedelta(minutes=5), "记录时间不能晚于现在", "held_at")
    with transaction.atomic():
        case = lock(case)
        check(case, action, actor)
        rec = MediationRecord.objects.create(
            case=case,
            kind=kind,
            held_at=held_at,
            place=place.strip(),
            subject=subject.strip(),
            content=content.strip(),
            result=result.strip(),
            recorded_by=actor,
        )
        record(case, action, actor, at, note=f"{RecordKind(kind).label}：{place.strip()}", data={"record": rec.pk})
    return rec


def do_extend_time_limit(
    case: Case,
    actor: User,
    *,
    new_due: date,
    reason: str,
    consent_record: str,
    consenting_parties: list[Party],
    at: datetime | None = None,
) -> Case:
    """Self-loop (row 7): extend the mediation period, during mediation or (by the director) while an accepted case
    waits for its mediator. Only with every party's recorded consent (RGD 33), only when the limit is near or past,
    by at most EXTENSION_MAX_DAYS; the new due date lands on a working day. Refusals name the first and the last
    allowed day as such."""
    at = now_or(at)
    today = local_date(at)
    cfg = settings.TIAOJIE
    require(len(reason.strip()) >= 4, "请写明延长理由", "reason")
    require(len(consent_record.strip()) >= 4, "请记录各方当事人同意延长的情况", "consent_record")
    with transaction.atomic():
        case = lock(case)
        check(case, "extend", actor)
        all_parties = set(case.parties.values_list("pk", flat=True))
        require(
            {p.pk for p in consenting_parties} == all_parties, "延长调解期限须经各方当事人同意", "consenting_parties"
        )
        old_due = case.time_limit_due
        require(old_due is not None, "本案尚无调解期限")
        window = cfg.get("EXTENSION_WINDOW_DAYS", 7)
        first_day = old_due - timedelta(days=window)
        require(
            today >= first_day,
            f"调解期限届满前{window}日内或届满后方可延长：最早可于{cn_day(first_day)}办理",
            "new_due",
        )
        base = max(old_due, today)
        require(
            new_due > base,
            f"延长后的期限须晚于原期限和今天：最早为{cn_day(base + timedelta(days=1))}",
            "new_due",
        )
        last_day = base + timedelta(days=cfg["EXTENSION_MAX_DAYS"])
        require(
            new_due <= last_day,
            f"每次延长不得超过{cfg['EXTENSION_MAX_DAYS']}日，最后一日为{cn_day(last_day)}",
            "new_due",
        )
        new_due = next_working_day(new_due)
        ext = Extension.objects.create(
            case=case,
            old_due=old_due,
            new_due=new_due,
            reason=reason.strip(),
            consent_record=consent_record.strip(),
            recorded_by=actor,
            at=at,
        )
        ext.consenting_parties.set(consenting_parties)
        case.time_limit_due = new_due
        case.save(update_fields=["time_limit_due"])
        record(
            case,
            "extend",
            actor,
            at,
            note=f"调解期限由{old_due:%Y-%m-%d}延长至{new_due:%Y-%m-%d}：{reason.strip()}",
            data={"old_due": old_due.isoformat(), "new_due": new_due.isoformat()},
        )
        notify_after_commit(case, f"调解期限经各方同意延长至{new_due:%Y年%m月%d日}", actor, at=at)
    return case


def do_pause_mediation(
    case: Case, actor: User, *, reason: str, appraisal: bool = False, at: datetime | None = None
) -> Case:
    """IN_MEDIATION/REMEDIATION → PAUSED (local practice, e.g. waiting for an appraisal 鉴定). `appraisal`: the pause
    is for an appraisal or valuation (鉴定评估), which alone stops a court referral's clock (在线调解规则 art. 26;
    referrals.feedback reports it to the court)."""
    at = now_or(at)
    require(len(reason.strip()) >= 4, "请写明暂缓理由", "reason")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "pause", actor)
        record(case, "pause", actor, at, to=target, note=reason.strip(), data={"appraisal": bool(appraisal)})
    return case


def do_resume_mediation(case: Case, actor: User, *, note: str = "", at: datetime | None = None) -> Case:
    """PAUSED → IN_MEDIATION. The days spent paused (e.g. waiting for an appraisal) do not count against the
    mediation period: the due date moves on by the paused calendar days, landing on a working day."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        target = check(case, "resume", actor)
        paused = case.events.filter(action="pause").order_by("-at", "-id").first()
        data: dict = {}
        if paused is not None and case.time_limit_due is not None:
            days = max(0, (local_date(at) - local_date(paused.at)).days)
            old_due = case.time_limit_due
            case.time_limit_due = next_working_day(old_due + timedelta(days=days))
            case.save(update_fields=["time_limit_due"])
            data = {"old_due": old_due.isoformat(), "new_due": case.time_limit_due.isoformat(), "paused_days": days}
            note = (note.strip() + "；" if note.strip() else "") + (
                f"暂缓{days}日不计入调解期限，期限顺延至{case.time_limit_due:%Y-%m-%d}"
            )
        record(case, "resume", actor, at, to=target, note=note.strip(), data=data)
    return case


def do_terminate_mediation(
    case: Case,
    actor: User,
    *,
    reason: str,
    note: str,
    routes: list[str],
    escalation_risk: bool = False,
    at: datetime | None = None,
) -> Case:
    """IN_MEDIATION/REMEDIATION/PAUSED → TERMINATED (row 9), by an assigned mediator or the director; ACCEPTED →
    TERMINATED by the director before any mediator is assigned, for a reason that does not presuppose mediation
    (BEFORE_ASSIGNMENT_REASONS: the court or an organ took the matter, the parties cannot be reached, …). The
    routes explained to the parties (arbitration, administrative, litigation) must be recorded (PML 26); an
    escalation risk is flagged on the event. A party's own refusal takes do_record_party_refusal instead."""
    at = now_or(at)
    require(reason in TerminationReason.values, "请选择终止原因", "reason")
    require(len(note.strip()) >= 4, "请写明终止调解的具体情况", "note")
    require(bool(routes), "须告知当事人可以通过仲裁、行政、司法等途径解决", "routes")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "terminate", actor)
        if case.status == CaseStatus.ACCEPTED:
            require(
                reason in BEFORE_ASSIGNMENT_REASONS,
                f"尚未指派调解员的案件不能以“{TerminationReason(reason).label}”为由终止",
                "reason",
            )
        if reason == TerminationReason.TIME_LIMIT_NO_CONSENT:
            require(
                case.time_limit_due is not None and local_date(at) > case.time_limit_due,
                "调解期限尚未届满，不能以此为由终止"
                + (f"：期限最后一日为{cn_day(case.time_limit_due)}" if case.time_limit_due else ""),
                "reason",
            )
        case.termination_reason, case.termination_note = reason, note.strip()
        case.routes_informed = routes_text(routes)
        case.outcome = Outcome.FAILURE
        case.save(update_fields=["termination_reason", "termination_note", "routes_informed", "outcome"])
        record(
            case,
            "terminate",
            actor,
            at,
            to=target,
            note=f"{TerminationReason(reason).label}：{note.strip()}",
            data={"routes": routes, "escalation_risk": escalation_risk},
        )
        notify_after_commit(case, "调解已终止，可通过其他途径解决，详见案件", actor, at=at)
        if escalation_risk:
            # Terminated with a risk of escalation: the supervisors the rules name are told at once.
            label = case.case_no or case.registration_no
            notify_supervisors(
                NoticeKind.RISK_TERMINATION,
                case.division_code,
                f"{case.committee.name}的案件{label}调解终止，存在矛盾激化风险，请关注稳控",
                case=case,
                at=at,
                sms=f"{case.committee.name}的案件{label}调解终止且存在矛盾激化风险，请登录调解平台查看。",
            )
            # ... and the risk of escalation is assessed and pushed up the ladder (issue 12, screening).
            from screening.actions.risk import open_risk_from_termination

            open_risk_from_termination(case, actor, at, note=note.strip())
    return case


# Reasons to end an accepted case before any mediator is assigned (no mediation has taken place yet).
BEFORE_ASSIGNMENT_REASONS = (
    TerminationReason.EXCLUDED_ACCEPTED_ELSEWHERE,
    TerminationReason.EXCLUDED_CRIMINAL_OR_ADMIN,
    TerminationReason.PARTY_UNREACHABLE,
    TerminationReason.TIME_LIMIT_NO_CONSENT,
    TerminationReason.OTHER,
)


@dataclass
class TermData:
    obligor: Party
    obligee: Party
    content: str
    manner: str
    deadline: date
    amount: Decimal | None = None
    place: str = ""
    instalments: list[tuple[date, Decimal]] = field(default_factory=list)
    subject: str = TermSubject.GENERAL  # what the term concerns (decides whether a court may confirm it)


def _validate_terms(case: Case, terms: list[TermData], today: date, *, future_only: bool) -> None:
    require(bool(terms), "协议至少需要一项条款", "terms")
    party_ids = set(case.parties.values_list("pk", flat=True))
    for i, t in enumerate(terms, start=1):
        where = f"第{i}项条款"
        require(t.obligor.pk in party_ids and t.obligee.pk in party_ids, f"{where}：义务人和权利人须为本案当事人")
        require(t.obligor.pk != t.obligee.pk, f"{where}：义务人和权利人不能是同一人")
        require(len(t.content.strip()) >= 2, f"{where}：请填写协议内容")
        require(bool(t.manner.strip()), f"{where}：请填写履行方式")
        require(t.subject in TermSubject.values, f"{where}：请选择条款涉及的事项")
        require(t.amount is None or t.amount >= 0, f"{where}：金额不能为负数")
        if t.amount:
            require(bool(t.place.strip()), f"{where}：涉及金钱给付的，须写明履行地点")
        if future_only:
            require(t.deadline >= today, f"{where}：履行期限不能早于今天")
        if t.instalments:
            require(all(a.is_finite() and a > 0 for _, a in t.instalments), f"{where}：分期金额须大于0")
            require(
                t.amount is not None and sum(a for _, a in t.instalments) == t.amount,
                f"{where}：分期金额之和须等于条款金额",
            )
            require(all(d <= t.deadline for d, _ in t.instalments), f"{where}：分期到期日不能晚于履行期限")


def _create_terms(agreement: Agreement, terms: list[TermData]) -> None:
    for i, t in enumerate(terms, start=1):
        term = AgreementTerm.objects.create(
            agreement=agreement,
            order=i,
            obligor=t.obligor,
            obligee=t.obligee,
            content=t.content.strip(),
            amount=t.amount,
            manner=t.manner.strip(),
            place=t.place.strip(),
            deadline=t.deadline,
            subject=t.subject,
        )
        Instalment.objects.bulk_create([Instalment(term=term, due_date=d, amount=a) for d, a in t.instalments])


def do_draft_agreement(
    case: Case, actor: User, *, facts: str, responsibilities: str, terms: list[TermData], at: datetime | None = None
) -> Agreement:
    """Self-loop (row 8, first half): draft or revise the written agreement (RGD 35 contents).

    Revising a draft changes its text hash, which voids every signature made on the earlier text."""
    at = now_or(at)
    require(len(facts.strip()) >= 10, "请写明纠纷主要事实和争议事项（至少10个字）", "facts")
    with transaction.atomic():
        case = lock(case)
        check(case, "draft_agreement", actor)
        _validate_terms(case, terms, local_date(at), future_only=True)
        agreement = current_agreement(case)
        voided = 0
        if agreement is not None and agreement.status == AgreementStatus.DRAFT:
            old_hash = agreement.text_hash()
            agreement.facts, agreement.responsibilities = facts.strip(), responsibilities.strip()
            agreement.save(update_fields=["facts", "responsibilities"])
            for term in agreement.terms.all():
                term.instalments.all().delete()
            agreement.terms.all().delete()
            _create_terms(agreement, terms)
            if agreement.text_hash() != old_hash:
                voided = agreement.signatures.filter(voided_at__isnull=True).update(voided_at=at)
        else:
            agreement = Agreement.objects.create(
                case=case,
                form=AgreementForm.WRITTEN,
                facts=facts.strip(),
                responsibilities=responsibilities.strip(),
                drafted_by=actor,
                drafted_at=at,
                supersedes=case.agreements.first(),  # the agreement re-mediation changed or revoked, if any
            )
            _create_terms(agreement, terms)
        note = f"协议草稿共{len(terms)}项条款" + (f"；文本已修改，{voided}个原签名作废" if voided else "")
        record(case, "draft_agreement", actor, at, note=note, data={"agreement": agreement.pk, "voided": voided})
        notify_after_commit(
            case, "调解协议草稿已更新，请查看" + ("，原签名已作废需重新签署" if voided else ""), actor, at=at
        )
    return agreement


def _required_signers_missing(agreement: Agreement, case: Case) -> list[str]:
    valid = list(agreement.valid_signatures())
    signed_parties = {s.party_id for s in valid if s.signer_role == SignerRole.PARTY}
    missing = [p.name for p in case.parties.all() if p.pk not in signed_parties]
    if not any(s.signer_role == SignerRole.MEDIATOR for s in valid):
        missing.append("调解员")
    if not any(s.signer_role == SignerRole.SEAL for s in valid):
        missing.append("调委会印章")
    return missing


NOT_CURRENT_FOR_STATISTICS = (AgreementStatus.DRAFT, AgreementStatus.CHANGED, AgreementStatus.REVOKED)


def refresh_agreement_form(case: Case) -> None:
    """Keep the roll-up `Case.agreement_form` equal to the records after an agreement changes status: the form of
    the latest agreement that is neither a draft nor changed/revoked, "" if none (the definition of
    insights.slices.agreement_form_expr, which insights.checks compares it with). Call inside the action's
    transaction, on the locked case."""
    form = (
        case.agreements.exclude(status__in=NOT_CURRENT_FOR_STATISTICS)
        .order_by("-drafted_at", "-id")
        .values_list("form", flat=True)
        .first()
    ) or ""
    if case.agreement_form != form:
        case.agreement_form = form
        case.save(update_fields=["agreement_form"])


def _maybe_effective(case: Case, agreement: Agreement, at: datetime) -> bool:
    """PML 29: a written agreement takes effect when every party, the mediator and the committee seal have signed.
    Then the SYSTEM moves the case to AGREEMENT_REACHED, and on to PERFORMING when obligations are deferred."""
    if _required_signers_missing(agreement, case):
        return False
    agreement.status, agreement.effective_at = AgreementStatus.EFFECTIVE, at
    agreement.save(update_fields=["status", "effective_at"])
    case.outcome = Outcome.SUCCESS
    case.save(update_fields=["outcome"])
    refresh_agreement_form(case)
    record(
        case,
        "agreement_effective",
        None,
        at,
        to=check(case, "agreement_effective", None),
        note="各方当事人、调解员签名并加盖调委会印章，协议生效",
        data={"agreement": agreement.pk},
    )
    _start_performance(case, agreement, at)
    notify_after_commit(case, "调解协议已生效", None, at=at)
    return True


def _start_performance(case: Case, agreement: Agreement, at: datetime) -> None:
    deferred = (
        agreement.terms.filter(deadline__gt=local_date(at)).exists()
        or Instalment.objects.filter(term__agreement=agreement, due_date__gt=local_date(at)).exists()
    )
    if deferred:
        case.performance_status = PerformanceStatus.PERFORMING
        case.save(update_fields=["performance_status"])
        record(
            case,
            "performance_tracking",
            None,
            at,
            to=check(case, "performance_tracking", None),
            note="协议约定分期或延期履行，进入履行期",
        )


def do_sign_agreement(
    case: Case,
    actor: User,
    *,
    party: Party | None,
    method: str,
    at: datetime | None = None,
    expected_hash: str = "",
    session_ref: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> AgreementSignature:
    """Self-loop (row 8): record one party's signature, seal or fingerprint (party given) or the presiding
    mediator's signature (party None) on the current draft text. The last missing signature makes it effective.

    A party signing online (actor is the party's own account) signs only as themselves, always as an electronic
    signature (电子签名法 art. 14), and only the text they read: `expected_hash` is the hash of the text shown to
    them, so a draft revised in the meantime is refused instead of signed unseen. The session (as a SHA-256 of the
    session key), address and browser are kept with the signature."""
    at = now_or(at)
    party_actor = actor.role == Role.PARTY
    if party_actor:
        method = SignatureMethod.E_SIGNATURE
    require(method in SignatureMethod.values, "请选择签署方式", "method")
    with transaction.atomic():
        case = lock(case)
        check(case, "sign_agreement", actor)
        agreement = current_agreement(case)
        require(agreement is not None and agreement.status == AgreementStatus.DRAFT, "没有待签署的书面协议")
        if expected_hash:
            require(
                expected_hash == agreement.text_hash(),
                "协议文本在您阅读后已被调解员修改，请重新阅读修改后的协议再签署",
                "text_hash",
            )
        valid = agreement.valid_signatures()
        if party_actor:
            require(party is not None and party.user_id == actor.pk, "只能以本人名义签署协议")
            # An online signature is only valid as evidence with the text read and the session it came from.
            require(bool(expected_hash), "请先阅读协议全文再签署", "text_hash")
            require(bool(session_ref), "电子签名须在登录会话中进行，请重新登录后签署")
        if party is not None:
            require(party.case_id == case.pk, "该当事人不属于本案")
            require(not valid.filter(party=party).exists(), f"{party.name}已签署当前文本")
            sig = AgreementSignature(agreement=agreement, signer_role=SignerRole.PARTY, party=party, method=method)
            if party_actor:
                sig.session_ref, sig.ip_address, sig.user_agent = session_ref[:64], ip_address, user_agent[:300]
            who = party.name
        else:
            mediator = getattr(actor, "mediator", None)
            require(mediator is not None, "只有调解员本人可以签名")
            require(not valid.filter(signer_role=SignerRole.MEDIATOR).exists(), "调解员已签署当前文本")
            sig = AgreementSignature(
                agreement=agreement, signer_role=SignerRole.MEDIATOR, mediator=mediator, method=method
            )
            who = f"调解员{mediator.name}"
        sig.signed_at, sig.recorded_by = at, actor
        sig.signed_text = agreement.canonical_text()
        sig.text_hash = text_digest(sig.signed_text)
        sig.save()
        record(
            case,
            "sign_agreement",
            actor,
            at,
            note=f"{who}已{SignatureMethod(method).label}",
            data={"agreement": agreement.pk, "hash": sig.text_hash},
        )
        _maybe_effective(case, agreement, at)
    return sig


def do_seal_agreement(case: Case, actor: User, *, at: datetime | None = None) -> AgreementSignature:
    """Self-loop (row 8): the director affixes the committee seal to the current draft text."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        check(case, "seal_agreement", actor)
        agreement = current_agreement(case)
        require(agreement is not None and agreement.status == AgreementStatus.DRAFT, "没有待盖章的书面协议")
        require(not agreement.valid_signatures().filter(signer_role=SignerRole.SEAL).exists(), "当前文本已盖章")
        signed_text = agreement.canonical_text()
        sig = AgreementSignature.objects.create(
            agreement=agreement,
            signer_role=SignerRole.SEAL,
            method=SignatureMethod.SEAL,
            signed_at=at,
            recorded_by=actor,
            text_hash=text_digest(signed_text),
            signed_text=signed_text,
        )
        record(case, "seal_agreement", actor, at, note="已加盖调委会印章", data={"agreement": agreement.pk})
        _maybe_effective(case, agreement, at)
    return sig


def do_record_oral_agreement(
    case: Case, actor: User, *, facts: str, terms: list[TermData], oral_reason: str, at: datetime | None = None
) -> Agreement:
    """IN_MEDIATION/REMEDIATION → AGREEMENT_REACHED (row 8, oral): the parties agree orally, the mediator records
    the content (口头协议登记表); effective the same day (PML 30)."""
    at = now_or(at)
    require(len(facts.strip()) >= 10, "请写明纠纷主要事实（至少10个字）", "facts")
    require(len(oral_reason.strip()) >= 2, "请写明采用口头协议的原因（如当事人认为无需书面协议）", "oral_reason")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "oral_agreement", actor)
        _validate_terms(case, terms, local_date(at), future_only=True)
        previous = current_agreement(case)
        if previous is not None and previous.status == AgreementStatus.DRAFT:
            previous.status = AgreementStatus.REVOKED
            previous.save(update_fields=["status"])
        agreement = Agreement.objects.create(
            case=case,
            supersedes=case.agreements.exclude(pk=getattr(previous, "pk", None)).first(),
            form=AgreementForm.ORAL,
            status=AgreementStatus.EFFECTIVE,
            facts=facts.strip(),
            oral_reason=oral_reason.strip(),
            drafted_by=actor,
            drafted_at=at,
            effective_at=at,
        )
        _create_terms(agreement, terms)
        case.outcome = Outcome.SUCCESS
        case.save(update_fields=["outcome"])
        refresh_agreement_form(case)
        record(
            case,
            "oral_agreement",
            actor,
            at,
            to=target,
            note=f"达成口头协议：{oral_reason.strip()}",
            data={"agreement": agreement.pk},
        )
        _start_performance(case, agreement, at)
        notify_after_commit(case, "已达成口头调解协议，当日生效", actor, at=at)
    return agreement


__all__ = [
    "BEFORE_ASSIGNMENT_REASONS",
    "TermData",
    "refresh_agreement_form",
    "do_draft_agreement",
    "do_extend_time_limit",
    "do_pause_mediation",
    "do_record_mediation",
    "do_record_oral_agreement",
    "do_resume_mediation",
    "do_seal_agreement",
    "do_sign_agreement",
    "do_terminate_mediation",
]
