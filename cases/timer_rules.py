"""Which timers a case should have, derived from its state and records, and `sync_case_timers` that makes the
timer table (cases.models.Timer) agree: missing timers are scheduled through cases.timers.schedule, timers no
longer wanted (a stopped clock, a moved deadline) are cancelled. Fired timers are history and never touched.

`cases.actions.base.record` calls `sync_case_timers` after every event, inside the action's transaction, so every
action that starts, moves or stops a clock keeps its timers right without code of its own. The clocks:

- mediation time limit (ACCEPTED, IN_MEDIATION, REMEDIATION; a pause, an agreement, a termination, closing stop
  it; a recusal does not): reminders before `time_limit_due` (TIME_LIMIT, or EXTENSION when the current limit is
  an extended one: the extension replaces the old limit's timers), the overdue marking the morning after, and —
  where the jurisdiction enables it, in mediation — automatic termination after the grace period;
- performance: a reminder before each unpaid instalment (or each term's deadline) of the effective agreement;
- follow-up visits: due some days after each performance date until a visit is recorded on or after that date,
  and, for difficult cases, some days after closing;
- judicial confirmation: reminders before the last day to apply (cases.actions.judicial.jc_deadline) while no
  application is pending or decided;
- a reply deadline of any object (`reply_due`, `reply_open`, `reply_recipients()`): `sync_reply_timers`.

Query cost per call: one query for the case's timers, plus one for extensions (clock states) or four to five for
the agreement, its terms and instalments, the follow-ups and the judicial confirmation (after an agreement).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from cases.deadline_rules import DeadlineRules, ReminderRule, rules_for, scan_hour
from cases.enums import MEDIATING_STATES, AgreementStatus, CaseStatus, JCStatus
from cases.models import Case, Instalment, Timer, TimerKind
from cases.timers import schedule
from notifications.enums import NoticeKind
from workdays.calendar import add_working_days, is_working_day

S = CaseStatus
TIME_LIMIT_STATES = {S.ACCEPTED, S.IN_MEDIATION, S.REMEDIATION}  # = cases.enums.CLOCK_STATES
PERFORMANCE_STATES = {S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE}
JC_WINDOW_STATES = {*PERFORMANCE_STATES, S.PERFORMED, S.CLOSED}
JC_OPEN = {JCStatus.NOT_APPLIED, JCStatus.WITHDRAWN, JCStatus.NOT_ACCEPTED}
AGREEMENT_IN_FORCE = (AgreementStatus.EFFECTIVE, AgreementStatus.CONFIRMED_BY_COURT)

# Reminder rule key (data/deadline_rules.json) → (timer kind, notice kind).
REMINDERS: dict[str, tuple[str, str]] = {
    "TIME_LIMIT": (TimerKind.TIME_LIMIT_REMINDER, NoticeKind.REMINDER_TIME_LIMIT),
    "EXTENSION": (TimerKind.EXTENSION_REMINDER, NoticeKind.REMINDER_EXTENSION),
    "PERFORMANCE": (TimerKind.PERFORMANCE_REMINDER, NoticeKind.REMINDER_PERFORMANCE),
    "FOLLOW_UP": (TimerKind.FOLLOW_UP_REMINDER, NoticeKind.REMINDER_FOLLOW_UP),
    "JC_WINDOW": (TimerKind.JC_WINDOW_REMINDER, NoticeKind.REMINDER_JC_WINDOW),
    "REPLY": (TimerKind.REPLY_REMINDER, NoticeKind.REMINDER_REPLY),
}
RULE_OF_KIND = {timer_kind: key for key, (timer_kind, _notice) in REMINDERS.items()}
REMINDER_KINDS = frozenset(RULE_OF_KIND)
# Timers that carry out an act rather than remind: they are scheduled even when their time has already come.
ACT_KINDS = frozenset({TimerKind.TIME_LIMIT_OVERDUE, TimerKind.AUTO_TERMINATE})

Key = tuple[str, str, int, date, str]


@dataclass(frozen=True)
class Want:
    kind: str
    deadline: date
    fire_on: date
    rule: str
    target: models.Model | None = None

    @property
    def key(self) -> Key:
        target_type, target_id = (self.target._meta.label, int(self.target.pk)) if self.target else ("", 0)
        return (str(self.kind), target_type, target_id, self.deadline, self.rule)


def timer_key(t: Timer) -> Key:
    return (t.kind, t.target_type, t.target_id, t.deadline, t.rule)


def fire_time(day: date) -> datetime:
    """The scan hour of `day`, local time."""
    return timezone.make_aware(datetime.combine(day, time(scan_hour())))


def last_working_day_on_or_before(d: date) -> date:
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def days_before(deadline: date, n: int, working: bool) -> date:
    """The day `n` days before `deadline`: calendar days, or the n-th working day before it (0: the deadline itself,
    or the last working day before it when it is a rest day)."""
    if not working:
        return deadline - timedelta(days=n)
    d = last_working_day_on_or_before(deadline)
    for _ in range(n):
        d = last_working_day_on_or_before(d - timedelta(days=1))
    return d


def days_after(start: date, n: int, working: bool) -> date:
    return add_working_days(start, n) if working else start + timedelta(days=n)


def _reminders(key: str, rule: ReminderRule, deadline: date, target: models.Model | None = None, tag: str = ""):
    if not rule.enabled:
        return
    kind = REMINDERS[key][0]
    for n in rule.days_before:
        suffix = f"{'w' if rule.working_days else 'd'}{tag}"
        yield Want(kind, deadline, days_before(deadline, n, rule.working_days), f"{key}:-{n}{suffix}", target)


def _extended(case: Case) -> bool:
    """Whether the current time limit is one set by an extension (not by acceptance, resumption or re-mediation)."""
    latest = case.extensions.order_by("-at", "-id").values_list("new_due", "at").first()
    if latest is None or latest[0] > case.time_limit_due:
        return False
    if case.status == S.REMEDIATION:  # an extension of the earlier mediation does not extend the new one
        restarted = case.events.filter(action="remediate").aggregate(m=Max("at"))["m"]
        return restarted is None or latest[1] >= restarted
    return True


def _time_limit_wants(case: Case, rules: DeadlineRules):
    due = case.time_limit_due
    key = "EXTENSION" if _extended(case) else "TIME_LIMIT"
    yield from _reminders(key, rules.reminder(key), due)
    if rules.mark_overdue:
        yield Want(TimerKind.TIME_LIMIT_OVERDUE, due, due + timedelta(days=1), "OVERDUE:+1d")
    auto = rules.auto_terminate
    if auto.enabled and case.status in MEDIATING_STATES:
        # The grace period runs `grace_days` after the limit; the system acts on the morning after its last day.
        unit = "w" if auto.working_days else "d"
        fire_on = days_after(due, auto.grace_days + 1, auto.working_days)
        yield Want(TimerKind.AUTO_TERMINATE, due, fire_on, f"AUTO_TERMINATE:+{auto.grace_days}{unit}")


def _agreement_wants(case: Case, rules: DeadlineRules):
    agreement = case.agreements.filter(status__in=AGREEMENT_IN_FORCE).order_by("-drafted_at", "-id").first()
    if agreement is None:
        return
    perf_dates: set[date] = set()
    if case.status in PERFORMANCE_STATES:
        terms = list(agreement.terms.all())
        by_term: dict[int, list[Instalment]] = {}
        for inst in Instalment.objects.filter(term__agreement=agreement):
            by_term.setdefault(inst.term_id, []).append(inst)
        rule = rules.reminder("PERFORMANCE")
        for term in terms:
            instalments = by_term.get(term.pk, [])
            perf_dates.update([term.deadline, *(i.due_date for i in instalments)])
            for inst in instalments:
                if inst.paid_on is None:
                    yield from _reminders("PERFORMANCE", rule, inst.due_date, inst)
            if not instalments:
                yield from _reminders("PERFORMANCE", rule, term.deadline, term)
    rule = rules.reminder("FOLLOW_UP")
    visited = case.follow_ups.aggregate(m=Max("visited_on"))["m"]
    for d in sorted(perf_dates):
        if visited is None or visited < d:
            due = days_after(d, rules.follow_up_after_days, rule.working_days)
            yield from _reminders("FOLLOW_UP", rule, due, tag=":perf")
    if case.status == S.CLOSED and case.is_difficult and case.closed_at and rules.follow_up_after_closing_days:
        closed = timezone.localtime(case.closed_at).date()
        if visited is None or visited < closed:
            due = days_after(closed, rules.follow_up_after_closing_days, rule.working_days)
            yield from _reminders("FOLLOW_UP", rule, due, tag=":closed")
    yield from _jc_wants(case, agreement, rules)


def _jc_wants(case: Case, agreement, rules: DeadlineRules):
    from cases.actions.judicial import jc_deadline  # the actions import this module (through base.record)

    deadline = jc_deadline(case)
    if deadline is None:
        return
    jc = case.judicial_confirmations.filter(agreement=agreement).values_list("status", flat=True).first()
    if jc is None or jc in JC_OPEN:
        yield from _reminders("JC_WINDOW", rules.reminder("JC_WINDOW"), deadline)


def wanted(case: Case, rules: DeadlineRules | None = None) -> list[Want]:
    """Every timer the case should have now, whatever their time (past reminders included)."""
    rules = rules or rules_for(case.division_code)
    wants: list[Want] = []
    if case.status in TIME_LIMIT_STATES and case.time_limit_due is not None:
        wants += _time_limit_wants(case, rules)
    if case.status in JC_WINDOW_STATES:
        wants += _agreement_wants(case, rules)
    return wants


def is_wanted(timer: Timer, case: Case) -> bool:
    """Re-check when firing: does the case, as it stands now, still want this very timer?"""
    return timer_key(timer) in {w.key for w in wanted(case)}


# Clocks of objects on the case, started and stopped by their own actions (a 督办's reply deadline, a reply
# reminder; issue 12: a risk's acknowledgement and review clocks, which run whatever the case's state).
OBJECT_KINDS = (
    TimerKind.SUPERVISION_DEADLINE,
    TimerKind.REPLY_REMINDER,
    TimerKind.RISK_ACK_DUE,
    TimerKind.RISK_REVIEW_DUE,
    TimerKind.SCREENING_REPORT_DUE,
)


def sync_case_timers(case: Case, at: datetime) -> None:
    """Make the case's live timers equal to what its state wants. Idempotent. Call inside the action's transaction
    (the case locked). Reminders whose day has passed by `at` are not created (the later ones still come); the
    overdue marking and automatic termination are created even when due already (the next scan carries them out).
    Writes timers only, never the case."""
    if case.status == S.INTAKE:
        return  # no clock runs before acceptance, and nothing can have started one
    today = timezone.localtime(at).date()
    wants = wanted(case)
    # Only the case's own clocks: the clocks of objects on the case (a 督办's reply deadline, a reply reminder) are
    # started and stopped by their own actions.
    own = Timer.objects.filter(case=case, cancelled_at__isnull=True).exclude(kind__in=OBJECT_KINDS)
    live = {timer_key(t): t for t in own}
    wanted_keys = {w.key for w in wants}
    stale = [t.pk for k, t in live.items() if t.fired_at is None and k not in wanted_keys]
    if stale:
        reason = f"计时停止或期限变更（{S(case.status).label}）"
        Timer.objects.filter(pk__in=stale).update(cancelled_at=at, cancel_reason=reason[:100])
    for w in wants:
        if w.key in live or (w.kind not in ACT_KINDS and w.fire_on < today):
            continue
        fire_on = w.fire_on
        if w.kind == TimerKind.AUTO_TERMINATE and fire_on < today:
            # A limit that passed before the rule applied to the case (an old case, the rule switched on later): the
            # grace period runs from today, so that switching the rule on never terminates a backlog overnight.
            auto = rules_for(case.division_code).auto_terminate
            fire_on = days_after(today, auto.grace_days + 1, auto.working_days)
        schedule(w.kind, case=case, deadline=w.deadline, fire_at=fire_time(fire_on), target=w.target, rule=w.rule)


def sync_reply_timers(obj: models.Model, *, case: Case | None, at: datetime) -> None:
    """Reminders before an object's reply deadline (a 督办, a court's or department's request): the object has
    `reply_due` (a date), `reply_open` (still awaiting the reply) and `reply_recipients()`; the REPLY rule of the
    case's jurisdiction decides the days. Call when the object is created or answered."""
    division = case.division_code if case is not None else getattr(obj, "division_code", "")
    rules = rules_for(division)
    today = timezone.localtime(at).date()
    wants = list(_reminders("REPLY", rules.reminder("REPLY"), obj.reply_due, obj)) if obj.reply_open else []
    live = {
        timer_key(t): t
        for t in Timer.objects.filter(
            kind=TimerKind.REPLY_REMINDER,
            target_type=obj._meta.label,
            target_id=obj.pk,
            cancelled_at__isnull=True,
        )
    }
    keys = {w.key for w in wants}
    stale = [t.pk for k, t in live.items() if t.fired_at is None and k not in keys]
    if stale:
        Timer.objects.filter(pk__in=stale).update(cancelled_at=at, cancel_reason="已回复或期限变更")
    for w in wants:
        if w.key not in live and w.fire_on >= today:
            schedule(w.kind, case=case, deadline=w.deadline, fire_at=fire_time(w.fire_on), target=obj, rule=w.rule)


# Cases that may want timers; the reconcile sweep looks at those that have none at all (cases from before timers
# existed: the demo seed, historical imports). Performed and closed cases only while a JC window or a follow-up
# after closing can still be open (not the thousands of closed cases of an imported ledger, every morning).
RECENT_DAYS = 90


def _reconcile_q(now: datetime) -> Q:
    recent = now - timedelta(days=RECENT_DAYS)
    return (
        Q(status__in=TIME_LIMIT_STATES | PERFORMANCE_STATES)
        | Q(status=S.PERFORMED, updated_at__gte=recent)
        | Q(status=S.CLOSED, closed_at__gte=recent)
    )


def reconcile_open_cases(now: datetime, limit: int = 2000) -> int:
    """Give timers to open cases that have never had any (created before this change, or by the historical import,
    which does not pass through record()). Idempotent: a case that got timers is not looked at again; one that
    wants none (every deadline long past) is re-derived at no cost but a few queries. Returns cases synced."""
    has_timer = Timer.objects.filter(case=OuterRef("pk")).exclude(
        kind__in=OBJECT_KINDS
    )  # a 督办's clock is not the case's
    ids = list(
        Case.objects.filter(_reconcile_q(now))
        .filter(~Exists(has_timer))
        .order_by("-pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            sync_case_timers(case, now)
    return len(ids)
