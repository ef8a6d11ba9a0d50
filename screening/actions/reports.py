"""A unit's screening report: zero report, findings, submission, correction; a finding's way on (issue 12 point 2).
Owner: h-reports.

Every action locks the report (or finding) row, checks screening.permissions, and changes it inside one
transaction. Submission freezes the report: `snapshot` is the list of its findings as they were, the report's
timers (SCREENING_REPORT_DUE) are cancelled, and a submission after `due_at` is late (`is_late`). A correction is a
new version of the same period and due time; its findings are the old version's (re-linked), and the old version
becomes SUPERSEDED when the new one is submitted (keeping its snapshot); a correction is as late as the original."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from accounts.models import User
from cases import timers
from cases.actions.intake import CaseData
from cases.enums import CaseSource, DisputeType
from cases.models import Case
from registry.models import Division
from screening import config, permissions
from screening.actions.base import ActionRefused, cn_day, local_date, now_or, record_event, require
from screening.enums import FindingStatus, ReportStatus, RiskEventKind
from screening.models import Finding, RiskAssessment, ScreeningReport

__all__ = [
    "ActionRefused",
    "do_add_finding",
    "do_correct_report",
    "do_open_case_from_finding",
    "do_resolve_finding",
    "do_submit_report",
    "do_submit_zero_report",
    "finding_is_major",
    "snapshot_of",
]

MIN_NOTE = 4  # the shortest reason or note accepted (a correction's reason, what was done on site)


def _lock_report(report: ScreeningReport) -> ScreeningReport:
    return ScreeningReport.objects.select_for_update(of=("self",)).select_related("committee").get(pk=report.pk)


def _lock_finding(finding: Finding) -> Finding:
    return Finding.objects.select_for_update(of=("self",)).select_related("committee").get(pk=finding.pk)


def finding_is_major(
    *, headcount: int, amount: Decimal | None, division_code: str = "", dispute_type: str = "", text: str = ""
) -> bool:
    """重大矛盾纠纷 by the figures alone (no risk yet): screening.rules.is_major (h-risk); until it is implemented,
    the headcount of a mass dispute (config mass_parties_headcount, 10) or the large amount."""
    import inspect

    from screening import rules

    kwargs: dict = {"headcount": headcount, "amount": amount, "flags": [], "division_code": division_code}
    accepted = inspect.signature(rules.is_major).parameters
    kwargs.update({k: v for k, v in (("dispute_type", dispute_type), ("text", text)) if k in accepted})
    try:
        return bool(rules.is_major(**kwargs))
    except NotImplementedError:
        t = config.thresholds(division_code)
        if headcount >= int(t.get("mass_parties_headcount", 10)):
            return True
        return amount is not None and amount >= Decimal(str(t.get("large_amount_yuan", 100000)))


def snapshot_of(report: ScreeningReport) -> list[dict]:
    """The findings of a report as they are now, as plain data (what submission freezes)."""
    rows = []
    for f in report.findings.order_by("found_on", "id"):
        rows.append(
            {
                "id": f.pk,
                "place": f.place,
                "parties": f.parties,
                "headcount": f.headcount,
                "amount": None if f.amount is None else str(f.amount),
                "dispute_type": f.dispute_type,
                "division_code": f.division_code,
                "facts": f.facts,
                "risk_signs": f.risk_signs,
                "measures": f.measures,
                "status": f.status,
                "is_major": f.is_major,
                "found_on": f.found_on.isoformat(),
            }
        )
    return rows


def _require_member(actor: User, report: ScreeningReport) -> None:
    require(permissions.can_submit_report(actor, report), "只有本单位的调解组织成员可以报送本单位的排查报告")


def _require_open(report: ScreeningReport) -> None:
    if report.status == ReportStatus.SUBMITTED:
        raise ActionRefused("本期排查报告已报送，如需修改请提交更正")
    if report.status == ReportStatus.SUPERSEDED:
        raise ActionRefused("这是已被更正的旧版本，不能再报送")
    require(report.is_open, "本期排查报告不能报送")


def _freeze(
    report: ScreeningReport, actor: User, at: datetime, *, zero: bool, participants: str, method: str, note: str
) -> ScreeningReport:
    """Submit the locked report: frozen copy, late-ness, timers stopped, the old version superseded."""
    report.status = ReportStatus.SUBMITTED
    report.is_zero = zero
    report.submitted_at = at
    report.submitted_by = actor
    report.participants = participants.strip()[:200]
    report.method = method.strip()[:100]
    report.note = note.strip()
    if report.supersedes_id is not None:
        old = ScreeningReport.objects.select_for_update().get(pk=report.supersedes_id)
        report.is_late = old.is_late
        old.status = ReportStatus.SUPERSEDED
        old.save(update_fields=["status"])
    else:
        report.is_late = at > report.due_at
    report.snapshot = [] if zero else snapshot_of(report)
    report.save(
        update_fields=[
            "status",
            "is_zero",
            "submitted_at",
            "submitted_by",
            "participants",
            "method",
            "note",
            "is_late",
            "snapshot",
        ]
    )
    timers.cancel(target=report, reason="排查报告已报送", at=at)
    return report


def do_submit_zero_report(
    actor: User,
    report: ScreeningReport,
    *,
    participants: str = "",
    method: str = "",
    note: str = "",
    at: datetime | None = None,
) -> ScreeningReport:
    """零报告: nothing found this period, attested by the actor (one tap). Refused when the report has findings.
    Late when after due_at (is_late). Freezes the report (snapshot) and cancels its timers."""
    at = now_or(at)
    with transaction.atomic():
        report = _lock_report(report)
        _require_member(actor, report)
        _require_open(report)
        require(
            local_date(at) >= report.period_start,
            f"本期排查自{cn_day(report.period_start)}开始，尚不能报送",
        )
        n = report.findings.count()
        require(n == 0, f"本期已登记{n}条排查发现，不能报零报告，请按有发现报送")
        return _freeze(report, actor, at, zero=True, participants=participants, method=method, note=note)


def _clean_text(value: str, label: str, field: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    require(bool(value), f"请填写{label}", field)
    if max_length is not None:
        require(len(value) <= max_length, f"{label}不能超过{max_length}个字", field)
    return value


def do_add_finding(
    actor: User,
    report: ScreeningReport,
    *,
    place: str,
    parties: str,
    headcount: int,
    dispute_type: str,
    facts: str,
    risk_signs: str = "",
    measures: str = "",
    amount: Decimal | None = None,
    division_code: str | None = None,
    found_on: date | None = None,
    at: datetime | None = None,
) -> Finding:
    """A dispute or risk found in the report's period (found_on inside it, default today capped to the period).
    `division_code` defaults to the committee's division and must lie inside it. is_major per screening.rules."""
    at = now_or(at)
    today = local_date(at)
    with transaction.atomic():
        report = _lock_report(report)
        if not permissions.can_add_finding(actor, report):
            _require_member(actor, report)
            _require_open(report)
            raise ActionRefused("本期排查报告不能再添加排查发现")
        place = _clean_text(place, "发生地点", "place", 200)
        parties = _clean_text(parties, "涉及当事人或群体", "parties", 300)
        facts = _clean_text(facts, "基本情况", "facts")
        try:
            headcount = int(headcount)
        except (TypeError, ValueError):
            raise ActionRefused("涉及人数须为整数", "headcount") from None
        require(1 <= headcount <= 1_000_000, "涉及人数须在1人以上", "headcount")
        require(dispute_type in DisputeType.values, "请选择纠纷类型", "dispute_type")
        if amount is not None:
            try:
                amount = Decimal(amount)
            except (InvalidOperation, TypeError, ValueError):
                raise ActionRefused("涉及金额须为数字", "amount") from None
            require(amount >= 0, "涉及金额不能为负数", "amount")
            require(amount < Decimal("1e12"), "涉及金额过大", "amount")
        unit_code = str(report.committee.division_id)
        code = (division_code or "").strip() or unit_code
        require(
            code.startswith(unit_code) and Division.objects.filter(code=code).exists(),
            "发生地须在本单位辖区内",
            "division_code",
        )
        if found_on is None:
            found_on = min(max(today, report.period_start), report.period_end)
        require(
            report.period_start <= found_on <= report.period_end,
            f"发现日期须在本期排查期间（{cn_day(report.period_start)}至{cn_day(report.period_end)}）内",
            "found_on",
        )
        require(found_on <= today, "发现日期不能晚于今天", "found_on")
        return Finding.objects.create(
            report=report,
            committee=report.committee,
            division_code=code,
            campaign=report.campaign,
            found_on=found_on,
            place=place,
            parties=parties,
            headcount=headcount,
            amount=amount,
            dispute_type=dispute_type,
            facts=facts,
            risk_signs=(risk_signs or "").strip(),
            measures=(measures or "").strip(),
            is_major=finding_is_major(
                headcount=headcount,
                amount=amount,
                division_code=code,
                dispute_type=dispute_type,
                text=f"{facts}\n{risk_signs or ''}",
            ),
            created_by=actor,
            created_at=at,
        )


def do_submit_report(
    actor: User,
    report: ScreeningReport,
    *,
    participants: str,
    method: str,
    note: str = "",
    at: datetime | None = None,
) -> ScreeningReport:
    """Submit a report with at least one finding (none: a zero report instead). Frozen from then on."""
    at = now_or(at)
    with transaction.atomic():
        report = _lock_report(report)
        _require_member(actor, report)
        _require_open(report)
        require(report.findings.exists(), "本期没有登记排查发现，请报送零报告")
        participants = _clean_text(participants, "排查人员", "participants", 200)
        method = _clean_text(method, "排查方式", "method", 100)
        return _freeze(report, actor, at, zero=False, participants=participants, method=method, note=note)


def do_correct_report(
    actor: User, report: ScreeningReport, *, reason: str, at: datetime | None = None
) -> ScreeningReport:
    """A correction of a submitted report: a new version (open for findings and resubmission) that supersedes it;
    the old version keeps its snapshot and becomes SUPERSEDED when the new one is submitted."""
    at = now_or(at)
    with transaction.atomic():
        report = _lock_report(report)
        _require_member(actor, report)
        require(report.status == ReportStatus.SUBMITTED, "只有已报送的排查报告可以更正")
        pending = ScreeningReport.objects.filter(supersedes=report).first()
        require(pending is None, f"本期已有待报送的更正（第{pending.version if pending else ''}版），请在其中修改")
        reason = (reason or "").strip()
        require(len(reason) >= MIN_NOTE, f"请写明更正原因（至少{MIN_NOTE}个字）", "reason")
        require(len(reason) <= 200, "更正原因不能超过200个字", "reason")
        new = ScreeningReport.objects.create(
            committee=report.committee,
            division_code=report.division_code,
            unit_level=report.unit_level,
            policy=report.policy,
            campaign=report.campaign,
            special_period=report.special_period,
            cadence=report.cadence,
            period_start=report.period_start,
            period_end=report.period_end,
            due_at=report.due_at,
            status=ReportStatus.PENDING,
            is_late=report.is_late,
            participants=report.participants,
            method=report.method,
            note=report.note,
            version=report.version + 1,
            supersedes=report,
            correction_reason=reason,
            reminded_at=report.reminded_at,
            created_at=at,
        )
        Finding.objects.filter(report=report).update(report=new)
        return new


def do_open_case_from_finding(actor: User, finding: Finding, data: CaseData, *, at: datetime | None = None) -> Case:
    """Register the finding as a case through cases.actions.do_register_case with source PROACTIVE (排查发现); the
    finding becomes IN_CASE and links the case; its risks follow the case."""
    from cases.actions import do_register_case

    at = now_or(at)
    with transaction.atomic():
        finding = _lock_finding(finding)
        require(permissions.can_handle_finding(actor, finding), "只有发现单位的调解组织成员可以登记本条排查发现")
        require(finding.status != FindingStatus.IN_CASE, "本条排查发现已登记为案件")
        require(finding.status != FindingStatus.RESOLVED, "本条排查发现已就地化解，不能再登记为案件")
        data.source = CaseSource.PROACTIVE
        # Registered in the platform itself: entered when registered (a backdated seeding run included).
        case = do_register_case(actor, finding.committee, data, at=at, entered_at=at)
        finding.case = case
        finding.status = FindingStatus.IN_CASE
        finding.save(update_fields=["case", "status"])
        for risk in RiskAssessment.objects.select_for_update().filter(finding=finding, case__isnull=True):
            risk.case = case
            risk.updated_at = at
            risk.save(update_fields=["case", "updated_at"])
            record_event(
                risk,
                RiskEventKind.UPDATED,
                actor,
                at,
                text=f"排查发现已登记为案件（登记号 {case.registration_no}），风险随案跟踪",
                data={"case_id": case.pk},
            )
        return case


def do_resolve_finding(actor: User, finding: Finding, *, note: str, at: datetime | None = None) -> Finding:
    """Resolved on the spot without a case (就地化解), with what was done."""
    at = now_or(at)
    with transaction.atomic():
        finding = _lock_finding(finding)
        require(permissions.can_handle_finding(actor, finding), "只有发现单位的调解组织成员可以处理本条排查发现")
        require(finding.status != FindingStatus.IN_CASE, "本条排查发现已登记为案件，请在案件中办理")
        require(finding.status != FindingStatus.RESOLVED, "本条排查发现已就地化解")
        note = (note or "").strip()
        require(len(note) >= MIN_NOTE, f"请写明化解情况（至少{MIN_NOTE}个字）", "note")
        finding.status = FindingStatus.RESOLVED
        finding.resolved_at = at
        finding.resolution_note = note
        finding.save(update_fields=["status", "resolved_at", "resolution_note"])
        return finding
