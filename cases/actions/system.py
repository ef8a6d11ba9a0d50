"""The deadline monitor: what the SYSTEM does when a timer fires (cases.timers). Reminders before a deadline, the
overdue marking the morning after the limit passed, and automatic termination after the grace period where the
jurisdiction's rules enable it (data/deadline_rules.json). Every handler re-checks, under the case lock, that the
case still wants the timer (the state may have moved since it was scheduled); if not it does nothing and says why
in the result stored on the timer.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db import transaction

from accounts.models import Role, User
from cases.actions.base import ActionRefused, check, local_date, lock, now_or, record, require
from cases.actions.intake import routes_text
from cases.deadline_rules import rules_for
from cases.enums import CaseStatus, Outcome, Route, SystemJob, TerminationReason
from cases.models import Case, Timer, TimerKind
from cases.timer_rules import REMINDERS, RULE_OF_KIND, days_after, is_wanted
from cases.timers import handler
from notifications.enums import NoticeKind
from notifications.services import case_progress_sms, notify

# The routes the parties are told of when the system ends a mediation (PML 26: 仲裁、行政、司法等途径).
AUTO_TERMINATION_ROUTES = [Route.LITIGATION, Route.ARBITRATION, Route.ADMINISTRATIVE]


def _md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _case_no(case: Case) -> str:
    return case.case_no or case.registration_no


def mediator_user_ids(case: Case) -> set[int]:
    """The accounts of the presiding and co-mediators (after a recusal: the replacement, not the replaced)."""
    ids = [m for m in [case.presiding_mediator_id] if m]
    ids += list(case.co_mediators.values_list("pk", flat=True))
    return set(User.objects.filter(is_active=True, mediator__pk__in=ids).values_list("pk", flat=True))


def director_ids(case: Case) -> set[int]:
    return set(
        User.objects.filter(is_active=True, committee_id=case.committee_id, role=Role.DIRECTOR).values_list(
            "pk", flat=True
        )
    )


def _tell_staff(case: Case, kind: str, what: str, at: datetime) -> int:
    """Tell the case's mediators ("您承办的案件…") and the committee director ("本调委会案件…"), in-app and by SMS
    where each has chosen SMS for `kind`. `what` is system text only. Returns how many people were told."""
    mediators = mediator_user_ids(case)
    directors = director_ids(case) - mediators
    no = _case_no(case)
    if mediators:
        text = f"您承办的案件{no}{what}"
        notify(mediators, kind, text, case=case, at=at, sms=text)
    if directors:
        text = f"本调委会案件{no}{what}"
        notify(directors, kind, text, case=case, at=at, sms=text)
    return len(mediators) + len(directors)


def _reminder_text(timer: Timer, today: date) -> str:
    left = (timer.deadline - today).days
    when = "今日" if left == 0 else f"{_md(timer.deadline)}（还有{left}天）"
    return {
        TimerKind.TIME_LIMIT_REMINDER: f"调解期限将于{when}届满，请及时处理。",
        TimerKind.EXTENSION_REMINDER: f"延长后的调解期限将于{when}届满，请及时处理。",
        TimerKind.PERFORMANCE_REMINDER: f"调解协议约定的履行期限将于{when}到期，请及时跟进履行情况。",
        TimerKind.FOLLOW_UP_REMINDER: f"应于{when}进行回访，请及时安排。",
        TimerKind.JC_WINDOW_REMINDER: f"调解协议申请司法确认的期限将于{when}届满，当事人如需申请请及时告知。",
    }[timer.kind]


def remind(timer: Timer, now: datetime) -> str:
    """Fire a reminder: if the case still wants it and its deadline has not passed, tell the mediators and the
    director (NoticeKind.REMINDER_*)."""
    case = lock(timer.case)
    today = local_date(now)
    if not is_wanted(timer, case):
        return f"未提醒：计时已停止或期限已变更（{CaseStatus(case.status).label}）"
    if timer.deadline < today:
        return "未提醒：期限已过"
    notice_kind = REMINDERS[RULE_OF_KIND[timer.kind]][1]
    told = _tell_staff(case, notice_kind, _reminder_text(timer, today), now)
    return f"已提醒{told}人"


for _kind in (
    TimerKind.TIME_LIMIT_REMINDER,
    TimerKind.EXTENSION_REMINDER,
    TimerKind.PERFORMANCE_REMINDER,
    TimerKind.FOLLOW_UP_REMINDER,
    TimerKind.JC_WINDOW_REMINDER,
):
    handler(_kind)(remind)


@handler(TimerKind.REPLY_REMINDER)
def remind_reply(timer: Timer, now: datetime) -> str:
    """A reply deadline of any object with `reply_due`, `reply_open`, `reply_recipients()` and `reply_title`
    (system text, e.g. "督办（2026）桂花人调字第3号"); see cases.timer_rules.sync_reply_timers."""
    model = apps.get_model(timer.target_type) if timer.target_type else None
    obj = model.objects.filter(pk=timer.target_id).first() if model else None
    today = local_date(now)
    if obj is None or not getattr(obj, "reply_open", False) or obj.reply_due != timer.deadline:
        return "未提醒：已回复或期限已变更"
    if timer.deadline < today:
        return "未提醒：期限已过"
    left = (timer.deadline - today).days
    when = "今日" if left == 0 else f"{_md(timer.deadline)}（还有{left}天）"
    text = f"{obj.reply_title}的回复期限将于{when}届满，请及时回复。"
    recipients: Iterable[User] = obj.reply_recipients()
    ids = {u.pk for u in recipients}
    notify(ids, NoticeKind.REMINDER_REPLY, text, case=timer.case, at=now, sms=text)
    return f"已提醒{len(ids)}人"


def do_mark_overdue(case: Case, *, at: datetime | None = None) -> Case:
    """Self-loop in the clock states (ACCEPTED, IN_MEDIATION, REMEDIATION), by the SYSTEM only: the morning after
    the mediation time limit passed, mark the case overdue.

    Preconditions: the limit has passed (today is after `time_limit_due`) and the case is not yet marked for this
    limit. Side effects: `Case.overdue_since` = the first day over the limit; an event by 系统（期限监控）; the
    mediators and the director are told (NoticeKind.CASE_OVERDUE, SMS where chosen)."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        check(case, "mark_overdue", None)
        due = case.time_limit_due
        require(due is not None and local_date(at) > due, "调解期限尚未届满")
        require(case.overdue_since is None or case.overdue_since <= due, "本案已标记超期")
        case.overdue_since = due + timedelta(days=1)
        case.save(update_fields=["overdue_since"])
        record(
            case,
            "mark_overdue",
            None,
            at,
            note=f"调解期限{due:%Y-%m-%d}已届满，系统标记超期",
            data={"due": due.isoformat()},
            job=SystemJob.DEADLINE_MONITOR,
        )
        _tell_staff(case, NoticeKind.CASE_OVERDUE, f"已超过调解期限（{_md(due)}届满），请尽快处理。", at)
    return case


def do_auto_terminate(case: Case, *, at: datetime | None = None) -> Case:
    """IN_MEDIATION/REMEDIATION → TERMINATED, by the SYSTEM only, where the jurisdiction's rules enable automatic
    termination (data/deadline_rules.json `auto_terminate`, off by default): the time limit passed, the grace
    period after it ran out, and no agreement was reached nor was the limit extended with the parties' consent.

    Side effects, as a termination by the mediator (do_terminate_mediation): reason TIME_LIMIT_NO_CONSENT, outcome
    FAILURE, the routes the parties are told of recorded; an event by 系统（期限监控）; the mediators and the director
    are told (AUTO_TERMINATED, SMS by default) and so are the parties with accounts (case progress) — never
    silently."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        target = check(case, "auto_terminate", None)
        rule = rules_for(case.division_code).auto_terminate
        require(rule.enabled, "本地区未启用期满自动终止")
        due = case.time_limit_due
        require(due is not None, "本案尚无调解期限")
        grace_end = days_after(due, rule.grace_days, rule.working_days)
        require(local_date(at) > grace_end, "期满后的宽限期尚未届满")
        reason = TerminationReason.TIME_LIMIT_NO_CONSENT
        unit = "个工作日" if rule.working_days else "日"
        note = (
            f"调解期限{due:%Y-%m-%d}届满，宽限{rule.grace_days}{unit}（至{grace_end:%Y-%m-%d}）内未达成协议，"
            "也未经各方当事人同意延长，系统依本地规则终止调解"
        )
        case.termination_reason, case.termination_note = reason, note
        case.routes_informed = routes_text(AUTO_TERMINATION_ROUTES)
        case.outcome = Outcome.FAILURE
        case.save(update_fields=["termination_reason", "termination_note", "routes_informed", "outcome"])
        record(
            case,
            "auto_terminate",
            None,
            at,
            to=target,
            note=f"{reason.label}：{note}",
            data={"due": due.isoformat(), "grace_days": rule.grace_days, "routes": AUTO_TERMINATION_ROUTES},
            job=SystemJob.DEADLINE_MONITOR,
        )
        ended = f"调解期限届满未达成协议，系统已于{_md(local_date(at))}终止调解。"
        _tell_staff(case, NoticeKind.AUTO_TERMINATED, ended, at)
        parties = set(case.parties.exclude(user=None).values_list("user_id", flat=True))
        notify(
            parties,
            NoticeKind.CASE_PROGRESS,
            f"调解期限届满未达成协议，调解已终止。您可以：{case.routes_informed}。",
            case=case,
            at=at,
            sms=case_progress_sms(case),
        )
    return case


@handler(TimerKind.TIME_LIMIT_OVERDUE)
def fire_overdue(timer: Timer, now: datetime) -> str:
    case = lock(timer.case)
    if not is_wanted(timer, case):
        return f"未标记：计时已停止或期限已变更（{CaseStatus(case.status).label}）"
    try:
        do_mark_overdue(case, at=now)
    except ActionRefused as refusal:
        return f"未标记：{refusal.message}"
    return "已标记超期"


@handler(TimerKind.AUTO_TERMINATE)
def fire_auto_terminate(timer: Timer, now: datetime) -> str:
    case = lock(timer.case)
    if not is_wanted(timer, case):
        return f"未终止：计时已停止、期限已变更或规则已变更（{CaseStatus(case.status).label}）"
    try:
        do_auto_terminate(case, at=now)
    except ActionRefused as refusal:
        return f"未终止：{refusal.message}"
    return "已自动终止调解"


__all__ = ["do_auto_terminate", "do_mark_overdue"]
