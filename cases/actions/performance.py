"""After the agreement: performance, follow-up visits, re-mediation, closing, archiving, disposal (PML 31–32)."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from cases.actions.base import check, local_date, lock, notify_after_commit, now_or, record, require
from cases.actions.mediation import refresh_agreement_form
from cases.closing import closing_advice
from cases.dossier import missing_items
from cases.enums import (
    AgreementStatus,
    CaseStatus,
    FollowUpOutcome,
    JCStatus,
    PerformanceStatus,
    RetentionClass,
    Satisfaction,
)
from cases.models import Case, FollowUp, Instalment, Party, PerformanceRecord, Rating
from cases.permissions import current_agreement, current_jc
from cases.retention import retention_refusal
from workdays.calendar import mediation_due_date


def do_record_immediate_performance(
    case: Case, actor: User, *, on: date, note: str, at: datetime | None = None
) -> Case:
    """AGREEMENT_REACHED → PERFORMED (row 10): performed on the spot, with a receipt or transfer slip (履行凭证)."""
    at = now_or(at)
    require(len(note.strip()) >= 2, "请记录履行情况及凭证", "note")
    require(on <= local_date(at), "履行日期不能晚于今天", "on")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "immediate_performance", actor)
        agreement = current_agreement(case)
        Instalment.objects.filter(term__agreement=agreement, paid_on__isnull=True).update(paid_on=on)
        PerformanceRecord.objects.create(case=case, kind="IMMEDIATE", on=on, note=note.strip(), recorded_by=actor)
        case.performance_status = PerformanceStatus.IMMEDIATE
        case.save(update_fields=["performance_status"])
        record(case, "immediate_performance", actor, at, to=target, note=note.strip())
    return case


def do_record_payment(
    case: Case,
    actor: User,
    *,
    on: date,
    note: str,
    instalment: Instalment | None = None,
    amount: Decimal | None = None,
    at: datetime | None = None,
) -> PerformanceRecord:
    """Self-loop: one instalment or part of an obligation performed, with its date and amount."""
    at = now_or(at)
    require(on <= local_date(at), "履行日期不能晚于今天", "on")
    require(amount is None or amount > 0, "金额须大于0", "amount")
    with transaction.atomic():
        case = lock(case)
        check(case, "record_payment", actor)
        if instalment is not None:
            require(
                instalment.term.agreement_id == getattr(current_agreement(case), "pk", None), "该分期不属于本案现行协议"
            )
            require(instalment.paid_on is None, "该分期已登记履行")
            instalment.paid_on = on
            instalment.save(update_fields=["paid_on"])
            amount = amount or instalment.amount
        rec = PerformanceRecord.objects.create(
            case=case, kind="PAYMENT", on=on, amount=amount, instalment=instalment, note=note.strip(), recorded_by=actor
        )
        record(
            case,
            "record_payment",
            actor,
            at,
            note=f"登记履行{amount or ''}元：{note.strip()}".replace("履行元", "履行"),
        )
    return rec


def do_record_follow_up(
    case: Case,
    actor: User,
    *,
    party: Party,
    visited_on: date,
    outcome: str,
    satisfaction: str,
    notes: str,
    at: datetime | None = None,
) -> FollowUp:
    """Self-loop: a follow-up visit (回访, RGD 36) with the performance found and the party's satisfaction."""
    at = now_or(at)
    require(outcome in FollowUpOutcome.values, "请选择履行情况", "outcome")
    require(satisfaction in Satisfaction.values, "请选择满意度", "satisfaction")
    require(len(notes.strip()) >= 4, "请记录回访情况", "notes")
    require(visited_on <= local_date(at), "回访日期不能晚于今天", "visited_on")
    with transaction.atomic():
        case = lock(case)
        check(case, "record_follow_up", actor)
        require(party.case_id == case.pk, "被回访人不是本案当事人", "party")
        fu = FollowUp.objects.create(
            case=case,
            party=party,
            visited_on=visited_on,
            outcome=outcome,
            satisfaction=satisfaction,
            notes=notes.strip(),
            visitor=actor,
        )
        record(
            case,
            "record_follow_up",
            actor,
            at,
            note=f"回访{party.name}：{FollowUpOutcome(outcome).label}，{Satisfaction(satisfaction).label}",
            data={"follow_up": fu.pk, "outcome": outcome},
        )
    return fu


def do_confirm_performed(case: Case, actor: User, *, note: str = "", at: datetime | None = None) -> Case:
    """PERFORMING/NON_PERFORMANCE → PERFORMED (rows 12, 14): requires a follow-up record finding performance."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        target = check(case, "confirm_performed", actor)
        agreement = current_agreement(case)
        require(
            case.follow_ups.filter(
                outcome=FollowUpOutcome.PERFORMED, visited_on__gte=local_date(agreement.effective_at)
            ).exists(),
            "须先记录一次确认已履行的回访",
        )
        Instalment.objects.filter(term__agreement=agreement, paid_on__isnull=True).update(paid_on=local_date(at))
        case.performance_status = PerformanceStatus.FULLY_PERFORMED
        case.save(update_fields=["performance_status"])
        record(case, "confirm_performed", actor, at, to=target, note=note.strip() or "经回访确认协议已履行完毕")
    return case


def do_report_non_performance(case: Case, actor: User, *, partial: bool, note: str, at: datetime | None = None) -> Case:
    """PERFORMING → NON_PERFORMANCE (row 13): a follow-up found the agreement not, or only partly, performed."""
    at = now_or(at)
    require(len(note.strip()) >= 4, "请写明未履行的具体情况", "note")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "report_non_performance", actor)
        case.performance_status = PerformanceStatus.PARTIALLY_PERFORMED if partial else PerformanceStatus.NOT_PERFORMED
        case.save(update_fields=["performance_status"])
        PerformanceRecord.objects.create(
            case=case, kind="NOT_PERFORMED", on=local_date(at), note=note.strip(), recorded_by=actor
        )
        record(case, "report_non_performance", actor, at, to=target, note=note.strip())
        notify_after_commit(case, "协议未按期履行，调委会将督促履行", actor, at=at)
    return case


def do_urge_performance(case: Case, actor: User, *, note: str, at: datetime | None = None) -> Case:
    """NON_PERFORMANCE → PERFORMING (row 14): the committee urges the obligor (督促履行, PML 31)."""
    at = now_or(at)
    require(len(note.strip()) >= 4, "请记录督促履行的情况", "note")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "urge_performance", actor)
        PerformanceRecord.objects.create(
            case=case, kind="URGED", on=local_date(at), note=note.strip(), recorded_by=actor
        )
        case.performance_status = PerformanceStatus.PERFORMING
        case.save(update_fields=["performance_status"])
        record(case, "urge_performance", actor, at, to=target, note=note.strip())
    return case


def do_start_remediation(
    case: Case, actor: User, *, reason: str, revoke: bool, consenting_parties: list[Party], at: datetime | None = None
) -> Case:
    """AGREEMENT_REACHED/PERFORMING/NON_PERFORMANCE → REMEDIATION (row 16, RGD 37(2)): with both parties' consent
    the agreement is changed or revoked and mediation starts again, with a new time limit."""
    at = now_or(at)
    require(len(reason.strip()) >= 4, "请写明重新调解的理由", "reason")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "remediate", actor)
        jc = current_jc(case)
        require(
            jc is None or jc.status not in (JCStatus.APPLIED, JCStatus.ACCEPTED, JCStatus.CONFIRMED_VALID),
            "该协议的司法确认正在办理或已确认有效，不能重新调解；当事人可依法向人民法院起诉或申请执行",
        )
        require(
            {p.pk for p in consenting_parties} == set(case.parties.values_list("pk", flat=True)),
            "重新调解须经各方当事人同意",
            "consenting_parties",
        )
        agreement = current_agreement(case)
        if agreement is not None:
            agreement.status = AgreementStatus.REVOKED if revoke else AgreementStatus.CHANGED
            agreement.save(update_fields=["status"])
        case.time_limit_due = mediation_due_date(local_date(at), settings.TIAOJIE["MEDIATION_PERIOD_MONTHS"])
        case.outcome, case.performance_status = "", ""
        case.save(update_fields=["time_limit_due", "outcome", "performance_status"])
        refresh_agreement_form(case)  # the changed/revoked agreement no longer counts
        record(
            case,
            "remediate",
            actor,
            at,
            to=target,
            note=reason.strip(),
            data={"old_agreement": agreement.pk if agreement else None, "revoked": revoke},
        )
        notify_after_commit(case, "经各方同意，本案重新调解", actor, at=at)
    return case


PREVENTION_FIELDS = (
    "prevented_suicide_persons",
    "prevented_criminal_persons",
    "prevented_group_petition_persons",
    "prevented_group_fight_persons",
)


def do_close_case(
    case: Case,
    actor: User,
    *,
    summary: str,
    advised_litigation: bool = False,
    prevention: dict[str, int] | None = None,
    at: datetime | None = None,
) -> Case:
    """PERFORMED/TERMINATED/NON_PERFORMANCE → CLOSED (rows 15, 17) with the closing report (结案报告).

    From NON_PERFORMANCE only after urging has failed and the parties were told they may sue (PML 32), or apply
    for enforcement where the court confirmed the agreement (PML 33). `prevention` records the MoJ form's
    prevention indicators (防止自杀/民转刑/群体性上访/群体性械斗: persons, 0 = not applicable). The advice told
    to the parties about the agreement (cases.closing.closing_advice: enforcement if a court confirmed it, else a
    lawsuit over its performance or content) goes into the event and the closing notice."""
    at = now_or(at)
    require(len(summary.strip()) >= 4, "请填写结案情况", "summary")
    prevention = {k: v for k, v in (prevention or {}).items() if v}
    for key, persons in prevention.items():
        require(key in PREVENTION_FIELDS, "未知的预防指标", key)
        require(isinstance(persons, int) and 0 < persons <= 100000, "人数应为0至100000之间的整数", key)
    with transaction.atomic():
        case = lock(case)
        target = check(case, "close", actor)
        advice = closing_advice(case)
        if case.status == CaseStatus.NON_PERFORMANCE:
            require(case.performance_records.filter(kind="URGED").exists(), "未履行的案件须先督促履行")
            require(advised_litigation, f"须告知当事人：{advice}", "advised_litigation")
            PerformanceRecord.objects.create(
                case=case,
                kind="ADVISED_LITIGATION",
                on=local_date(at),
                note=f"已告知当事人：{advice}",
                recorded_by=actor,
            )
        case.closed_at, case.closing_summary = at, summary.strip()
        for key, persons in prevention.items():
            setattr(case, key, persons)
        case.save(update_fields=["closed_at", "closing_summary", *prevention])
        record(
            case,
            "close",
            actor,
            at,
            to=target,
            note=summary.strip() + (f"。{advice}" if advice else ""),
            data={"prevention": prevention, "advice": advice},
        )
        notify_after_commit(case, "案件已结案" + (f"。{advice}" if advice else ""), actor, at=at)
    return case


def do_archive_case(case: Case, actor: User, *, retention_class: str, pages: int, at: datetime | None = None) -> Case:
    """CLOSED → ARCHIVED (row 18, PML 27): only when every required dossier item is present (data/
    dossier_checklist.json), with the retention class and the page count of the bound dossier."""
    at = now_or(at)
    require(retention_class in RetentionClass.values, "请选择保管期限", "retention_class")
    require(isinstance(pages, int) and 1 <= pages <= 2000, "请填写卷宗页数（1–2000）", "pages")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "archive", actor)
        missing = missing_items(case)
        require(not missing, "卷宗材料不齐，不能归档。缺少：" + "、".join(missing))
        case.archived_at, case.archived_by = at, actor
        case.retention_class, case.dossier_pages = retention_class, pages
        case.save(update_fields=["archived_at", "archived_by", "retention_class", "dossier_pages"])
        record(
            case,
            "archive",
            actor,
            at,
            to=target,
            note=f"立卷归档，{pages}页，保管期限{RetentionClass(retention_class).label}",
        )
    return case


def do_dispose_case(case: Case, actor: User, *, approval: str, at: datetime | None = None) -> Case:
    """ARCHIVED → DISPOSED (row 19): the retention period has expired and the destruction is approved. The record
    itself is kept (no hard delete); only its status and the destruction-list entry change."""
    at = now_or(at)
    require(len(approval.strip()) >= 4, "请填写销毁审批情况", "approval")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "dispose", actor)
        refusal = retention_refusal(case, local_date(at))  # data/retention_periods.json, as the offered button
        require(refusal is None, refusal or "")
        case.disposed_at = at
        case.save(update_fields=["disposed_at"])
        record(case, "dispose", actor, at, to=target, note=approval.strip())
    return case


RATABLE = {CaseStatus.CLOSED, CaseStatus.ARCHIVED}


def do_rate_service(
    case: Case, actor: User, *, party: Party, score: int, comment: str = "", at: datetime | None = None
) -> Rating:
    """A party rates the service once the case is closed (满意度): one rating per party, score 1–5. Ratings feed
    the statistics; they change nothing in the case and write no case event (feedback, not a step of the case)."""
    at = now_or(at)
    require(isinstance(score, int) and 1 <= score <= 5, "请选择1到5星的评分", "score")
    require(len(comment.strip()) <= 1000, "评价最多1000字", "comment")
    with transaction.atomic():
        case = lock(case)
        require(case.status in RATABLE, "结案后才能评价")
        require(party.case_id == case.pk, "该当事人不属于本案")
        require(actor.role == Role.PARTY and party.user_id == actor.pk, "只能由当事人本人评价")
        require(not Rating.objects.filter(case=case, party=party).exists(), "您已评价过本案，感谢您的反馈")
        rating = Rating.objects.create(
            case=case, party=party, user=actor, score=score, comment=comment.strip(), created_at=at
        )
    return rating


__all__ = [
    "do_archive_case",
    "do_close_case",
    "do_confirm_performed",
    "do_dispose_case",
    "do_rate_service",
    "do_record_follow_up",
    "do_record_immediate_performance",
    "do_record_payment",
    "do_report_non_performance",
    "do_start_remediation",
    "do_urge_performance",
]
