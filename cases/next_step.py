"""The next step the law expects of a case, for the case page's 下一步 panel and the accept form: from the case status,
its clocks (the mediation time limit, performance deadlines, the judicial-confirmation window, the court's limits,
the retention period) and what is still missing (a guardian's consent, the dossier items).

Each step is one sentence in Chinese, e.g. "受理审查：应于12月5日前决定是否受理（3个工作日）" or
"调解期限：12月20日届满，可经各方同意延长". Limits that no timer carries are configuration (data/next_steps.json);
the court's limits on a judicial confirmation are data/judicial_confirmation.json."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cases.enums import AgreementStatus, CaseStatus, JCStatus, RetentionClass
from cases.models import Case, Instalment
from workdays.calendar import add_working_days, next_working_day, working_days_overdue

S = CaseStatus
STEPS_FILE = Path(settings.BASE_DIR) / "data" / "next_steps.json"
JC_LIMITS_FILE = Path(settings.BASE_DIR) / "data" / "judicial_confirmation.json"
PERFORMANCE_STATES = {S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE}
IN_FORCE = (AgreementStatus.EFFECTIVE, AgreementStatus.CONFIRMED_BY_COURT)


@lru_cache(maxsize=1)
def step_limits() -> dict[str, int]:
    with STEPS_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return {k: int(raw[k]) for k in ("intake_review_working_days", "archive_days_after_closing")}


@lru_cache(maxsize=1)
def jc_limits() -> dict[str, int]:
    with JC_LIMITS_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return {k: int(raw[k]) for k in ("accept_days", "decide_days", "decide_extension_days", "due_soon_days")}


def cn_md(d: date, today: date | None = None) -> str:
    """12月5日 (with the year when it is not this year's)."""
    today = today or timezone.localdate()
    return f"{d.month}月{d.day}日" if d.year == today.year else f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class CourtDeadline:
    """The court's next limit on a judicial-confirmation request (法释〔2011〕5号 arts 4–5)."""

    what: str  # 决定是否受理 / 作出确认裁定
    due: date
    days_left: int  # negative: over the limit by that many days
    note: str = ""

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_over(self) -> int:
        return max(0, -self.days_left)

    @property
    def due_soon(self) -> bool:
        return 0 <= self.days_left <= jc_limits()["due_soon_days"]


def court_deadline(jc, today: date | None = None) -> CourtDeadline | None:
    """The court's next limit on this request, or None once it has decided (or the request ended). Calendar days;
    a limit ending on a rest day runs to the next working day."""
    today = today or timezone.localdate()
    cfg = jc_limits()
    if jc.status == JCStatus.APPLIED:
        due = next_working_day(jc.applied_on + timedelta(days=cfg["accept_days"]))
        return CourtDeadline("决定是否受理", due, (due - today).days, f"收到申请之日起{cfg['accept_days']}日内")
    if jc.status == JCStatus.ACCEPTED and jc.accepted_on:
        due = next_working_day(jc.accepted_on + timedelta(days=cfg["decide_days"]))
        note = f"受理之日起{cfg['decide_days']}日内；经院长批准可延长{cfg['decide_extension_days']}日"
        return CourtDeadline("作出确认裁定", due, (due - today).days, note)
    return None


@dataclass(frozen=True)
class NextStep:
    title: str  # 受理审查, 调解期限, 履行期限, …
    text: str  # the sentence after the title
    due: date | None = None
    overdue: bool = False

    def __str__(self) -> str:
        return f"{self.title}：{self.text}"


def intake_review_due(case: Case) -> date:
    registered = timezone.localdate(case.registered_at)
    return add_working_days(registered, step_limits()["intake_review_working_days"])


def next_performance_due(case: Case) -> date | None:
    """The earliest deadline of the agreement in force still to be performed: an unpaid instalment, or the deadline
    of a term without instalments (as the performance reminders of cases.timer_rules); None outside performance."""
    if case.status not in PERFORMANCE_STATES:
        return None
    agreement = case.agreements.filter(status__in=IN_FORCE).order_by("-drafted_at", "-id").first()
    if agreement is None:
        return None
    dues: list[date] = []
    instalments = list(Instalment.objects.filter(term__agreement=agreement))
    with_instalments = {i.term_id for i in instalments}
    dues += [i.due_date for i in instalments if i.paid_on is None]
    dues += [t.deadline for t in agreement.terms.all() if t.pk not in with_instalments]
    return min(dues) if dues else None


def _time_limit(case: Case, today: date) -> NextStep | None:
    due = case.time_limit_due
    if due is None:
        return None
    over = working_days_overdue(due, today)
    if over:
        return NextStep(
            "调解期限",
            f"已于{cn_md(due, today)}届满，超期{over}个工作日：应经各方当事人同意延长期限，或终止调解",
            due,
            True,
        )
    return NextStep("调解期限", f"{cn_md(due, today)}届满，可经各方当事人同意延长", due)


def next_steps(case: Case, today: date | None = None) -> list[NextStep]:
    """What the law expects next, most pressing first; empty for a case that has ended for good."""
    from cases.actions.judicial import jc_deadline  # the actions import the models this module reads
    from cases.permissions import current_jc, parties_awaiting_guardian_consent
    from cases.retention import disposable_from, retention_years

    today = today or timezone.localdate()
    status = S(case.status)
    steps: list[NextStep] = []
    if status == S.INTAKE:
        due = intake_review_due(case)
        days = step_limits()["intake_review_working_days"]
        late = due < today
        text = f"应于{cn_md(due, today)}前决定是否受理（{days}个工作日）"
        if late:
            text = f"应于{cn_md(due, today)}前决定是否受理（{days}个工作日），已逾期"
        steps.append(NextStep("受理审查", text, due, late))
    if status in (S.INTAKE, S.ACCEPTED) and parties_awaiting_guardian_consent(case).exists():
        steps.append(NextStep("监护人同意", "未成年人或无、限制民事行为能力人的监护人尚未同意调解，须先登记其同意"))
    if status == S.ACCEPTED:
        steps.append(NextStep("指派调解员", "指派主持调解员，并向各方当事人送达权利义务告知书"))
        step = _time_limit(case, today)
        if step:
            steps.append(step)
    if status in (S.IN_MEDIATION, S.REMEDIATION):
        step = _time_limit(case, today)
        if step:
            steps.append(step)
    if status == S.PAUSED:
        steps.append(NextStep("暂缓调解", "调解期限暂停计算；暂缓的原因消除后恢复调解，期限继续计算"))
    if status in PERFORMANCE_STATES:
        due = next_performance_due(case)
        if due is not None:
            late = due < today
            text = f"{cn_md(due, today)}前应履行协议约定的义务"
            if late:
                text = f"已于{cn_md(due, today)}届满未履行：应督促履行，或告知当事人可依法申请强制执行或向人民法院起诉"
            steps.append(NextStep("履行期限", text, due, late))
        elif status == S.NON_PERFORMANCE:
            steps.append(NextStep("督促履行", "督促当事人履行，必要时重新调解"))
    if status in (S.PERFORMED, S.TERMINATED):
        steps.append(NextStep("结案", "填写结案情况并结案，整理卷宗材料"))
    if status == S.CLOSED and case.closed_at:
        due = timezone.localdate(case.closed_at) + timedelta(days=step_limits()["archive_days_after_closing"])
        steps.append(NextStep("立卷归档", f"卷宗材料齐备后立卷归档，宜于{cn_md(due, today)}前完成", due, due < today))
    if status == S.MERGED and case.merged_into_id:  # issue 11 §5: the case that goes on carries the dispute
        into = case.merged_into
        steps.append(
            NextStep(
                "并案", f"已并入{into.case_no or into.registration_no}（{into.committee.name}），在该案件中继续办理"
            )
        )
    if status == S.ARCHIVED:
        first = disposable_from(case)
        if not case.retention_class:
            steps.append(NextStep("保管期限", "卷宗未登记保管期限，届满日无从确定，不得销毁"))
        elif retention_years().get(case.retention_class) is None:
            steps.append(NextStep("保管期限", "永久保管，不得销毁"))
        elif first is not None:
            label = RetentionClass(case.retention_class).label
            if first <= today:
                steps.append(NextStep("保管期限", f"{label}已于{cn_md(first, today)}届满，经审批后可以销毁", first))
            else:
                steps.append(NextStep("保管期限", f"{label}，{cn_md(first, today)}届满；届满前不得销毁", first))
    # Judicial confirmation runs beside the case: the parties' window, then the court's limits.
    jc = current_jc(case)
    if jc is not None:
        court = court_deadline(jc, today)
        if court is not None:
            text = f"{jc.court.name}应于{cn_md(court.due, today)}前{court.what}（{court.note}）"
            steps.append(NextStep("司法确认", text, court.due, court.overdue))
    if status in {*PERFORMANCE_STATES, S.PERFORMED, S.CLOSED} and (jc is None or jc.status in _JC_OPEN):
        last = jc_deadline(case)
        if last is not None and last >= today:
            days = settings.TIAOJIE["JC_APPLY_DAYS"]
            text = f"双方当事人可于{cn_md(last, today)}前共同向人民法院申请司法确认（协议生效之日起{days}日内）"
            steps.append(NextStep("司法确认", text, last))
    return steps


_JC_OPEN = {JCStatus.NOT_APPLIED, JCStatus.WITHDRAWN, JCStatus.NOT_ACCEPTED}
