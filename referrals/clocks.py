"""The clocks of a referral (references-2.md §A.7 decision 2), from data/referral_channels.json:

- the handshake: accept or decline with reasons by `accept_by` (3 working days, 在线调解规则 art. 12), else the
  referral goes back to the institution automatically (REFERRAL_ACCEPT_DUE);
- the contact clock: the other party contacted by `contact_by` (3 working days from acceptance, art. 15): the
  mediator is reminded (REFERRAL_CONTACT_DUE), the referral never ends by itself;
- the court's mediation clock: 30 days 委派, 15 普通 / 7 简易 委托, from acceptance (art. 24), moved by extensions
  and appraisal pauses of the case (REFERRAL_MEDIATION_DUE reminds before and on the due day);
- the channel's own clock (`channel_due`: police 24 hours, 12345 3/13 working days, 信访 60 days), satisfied by the
  first reply to the institution (REFERRAL_CHANNEL_DUE reminds before it and marks it overdue).

Timers belong to the referral (Timer.target_type/target_id, no case: the case's own clocks are re-synced on every
case event and would cancel them). `sync_clocks` makes the live timers of a referral equal to what its state
wants; every service calls it after a change, so a clock stops as soon as it is answered.
"""

import json
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cases.models import Timer, TimerKind
from referrals.enums import Channel, ReferralStatus
from referrals.models import Referral
from workdays.calendar import add_working_days, next_working_day

REFERRAL_KINDS = (
    TimerKind.REFERRAL_ACCEPT_DUE,
    TimerKind.REFERRAL_CONTACT_DUE,
    TimerKind.REFERRAL_MEDIATION_DUE,
    TimerKind.REFERRAL_CHANNEL_DUE,
)
TARGET_TYPE = "referrals.Referral"


def config_path() -> Path:
    return Path(settings.TIAOJIE["REFERRAL_CHANNELS"])


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    unknown = set(data.get("channels", {})) - set(Channel.values)
    if unknown:
        raise ImproperlyConfigured(f"{path}: unknown channels {sorted(unknown)}")
    for name in ("accept", "contact"):
        if not isinstance(data.get(name, {}).get("working_days"), int):
            raise ImproperlyConfigured(f"{path}: {name}.working_days must be a whole number")
    return data


def config() -> dict[str, Any]:
    return _load(str(config_path()))


def clear_cache() -> None:
    _load.cache_clear()


def _channel(channel: str) -> dict[str, Any]:
    return config().get("channels", {}).get(channel, {}) or {}


# --- dates ---------------------------------------------------------------------------------------------------


def local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def end_of_day(day: date) -> datetime:
    """The last second of `day`, local time: a limit given as a date runs to its end."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def scan_time(day: date) -> datetime:
    """The morning scan hour of `day` (cases.deadline_rules), when day-based timers are due."""
    from cases.timer_rules import fire_time

    return fire_time(day)


def accept_working_days(channel: str) -> int:
    own = _channel(channel).get("accept") or {}
    return int(own.get("working_days", config()["accept"]["working_days"]))


def accept_by(channel: str, received_at: datetime) -> date:
    """The last day to accept or decline (3 working days after receipt; 信访 5, the objection period)."""
    return add_working_days(local_date(received_at), accept_working_days(channel))


def contact_by(channel: str, accepted_at: datetime) -> date | None:
    own = _channel(channel).get("contact", config().get("contact"))
    if not own:
        return None
    return add_working_days(local_date(accepted_at), int(own["working_days"]))


def court_mediation_days(referral_type: str, procedure: str) -> int | None:
    """The court's mediation period in calendar days (委派 30; 委托 15 普通 / 7 简易), None when the referral carries
    no court clock (邀请, or a non-court channel)."""
    rule = config().get("court_mediation", {}).get(referral_type)
    if not rule:
        return None
    if "days" not in rule:
        rule = rule.get(procedure or "ORDINARY")
        if not rule:
            return None
    return int(rule["days"])


def court_mediation_due(referral_type: str, procedure: str, accepted_at: datetime) -> date | None:
    """Acceptance day + the period (the period runs from the day after acceptance), a last day that is a rest day
    moved to the next working day (as every procedural time limit, and as the case's own limit)."""
    days = court_mediation_days(referral_type, procedure)
    if days is None:
        return None
    return next_working_day(local_date(accepted_at) + timedelta(days=days))


def channel_clock(channel: str, matter_type: str = "") -> dict[str, Any] | None:
    """The channel's own clock, the per-type override first (12345: consultation or complaint)."""
    own = _channel(channel)
    if matter_type and matter_type in own.get("types", {}):
        return own["types"][matter_type]
    return own.get("clock")


def channel_types(channel: str) -> list[str]:
    return list(_channel(channel).get("types", {}))


def channel_due(clock: dict[str, Any], start: datetime) -> datetime:
    if "hours" in clock:
        return start + timedelta(hours=int(clock["hours"]))
    if "working_days" in clock:
        return end_of_day(add_working_days(local_date(start), int(clock["working_days"])))
    return end_of_day(local_date(start) + timedelta(days=int(clock["days"])))


def channel_starts_at_acceptance(clock: dict[str, Any] | None) -> bool:
    return bool(clock) and clock.get("from", "received") == "accepted"


def _before(moment: datetime, remind: dict[str, Any] | None) -> datetime | None:
    if not remind:
        return None
    if "hours" in remind:
        return moment - timedelta(hours=int(remind["hours"]))
    return scan_time(local_date(moment) - timedelta(days=int(remind["days"])))


# --- timers --------------------------------------------------------------------------------------------------


def _matter_type(referral: Referral) -> str:
    event = referral.events.filter(kind="RECEIVED").order_by("id").first()
    return (event.data or {}).get("matter_type", "") if event is not None else ""


def wanted(referral: Referral, *, case_failed: bool = False) -> list[tuple[str, date, str, datetime]]:
    """(kind, deadline, rule, fire_at) of every timer the referral's state wants now."""
    out: list[tuple[str, date, str, datetime]] = []
    status = referral.status
    if status == ReferralStatus.PENDING:
        out.append((TimerKind.REFERRAL_ACCEPT_DUE, referral.accept_by, "ACCEPT:remind", scan_time(referral.accept_by)))
        back = scan_time(referral.accept_by + timedelta(days=1))
        out.append((TimerKind.REFERRAL_ACCEPT_DUE, referral.accept_by, "ACCEPT:return", back))
    if status == ReferralStatus.ACCEPTED and not case_failed:
        if referral.contact_by and not referral.contact_result:
            due = referral.contact_by
            out.append((TimerKind.REFERRAL_CONTACT_DUE, due, "CONTACT:due", scan_time(due)))
            late = add_working_days(due, 1)
            out.append((TimerKind.REFERRAL_CONTACT_DUE, due, "CONTACT:overdue", scan_time(late)))
        if referral.mediation_due and referral.paused_since is None:
            for days in config().get("mediation_reminders", [3, 0]):
                day = referral.mediation_due - timedelta(days=int(days))
                out.append(
                    (TimerKind.REFERRAL_MEDIATION_DUE, referral.mediation_due, f"MEDIATION:-{days}", scan_time(day))
                )
    if status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED) and referral.channel_due and not referral.replied_at:
        clock = channel_clock(referral.channel, _matter_type(referral)) or {}
        due_day = local_date(referral.channel_due)
        remind = _before(referral.channel_due, clock.get("remind_before"))
        if remind is not None:
            out.append((TimerKind.REFERRAL_CHANNEL_DUE, due_day, "CHANNEL:remind", remind))
        out.append((TimerKind.REFERRAL_CHANNEL_DUE, due_day, "CHANNEL:due", referral.channel_due))
    return out


# Timers that act (or must be told) even when their moment has passed by the time they are scheduled.
ACT_RULES = {"ACCEPT:return", "CHANNEL:due", "CONTACT:overdue"}


def live(referral: Referral):
    return Timer.objects.filter(
        target_type=TARGET_TYPE,
        target_id=referral.pk,
        kind__in=REFERRAL_KINDS,
        fired_at__isnull=True,
        cancelled_at__isnull=True,
    )


def sync_clocks(referral: Referral, at: datetime, *, case_failed: bool | None = None) -> None:
    """Make the referral's live timers equal to what its state wants (idempotent; in the caller's transaction).
    A reminder whose moment has passed is not created; a timer that acts is, and fires at the next scan."""
    from cases.enums import Outcome
    from cases.timers import schedule

    if case_failed is None:
        case_failed = bool(
            referral.case_id and referral.case.outcome == Outcome.FAILURE and referral.status == ReferralStatus.ACCEPTED
        )
    wants = {(str(k), d, r): f for k, d, r, f in wanted(referral, case_failed=case_failed)}
    current = {(t.kind, t.deadline, t.rule): t for t in live(referral)}
    stale = [t.pk for key, t in current.items() if key not in wants]
    if stale:
        Timer.objects.filter(pk__in=stale).update(
            cancelled_at=at, cancel_reason=f"移送{ReferralStatus(referral.status).label}或期限变更"[:100]
        )
    for (kind, deadline, rule), fire_at in wants.items():
        if (kind, deadline, rule) in current:
            continue
        if fire_at < at and rule not in ACT_RULES:
            continue
        schedule(kind, case=None, deadline=deadline, fire_at=fire_at, target=referral, rule=rule)
    # The supervision thresholds (黄牌/红牌) of the stage the referral is now in follow at once, not at the next scan.
    from referrals.timers_board import sync_stage_timers

    sync_stage_timers(referral, at)


def stop_clocks(referral: Referral, at: datetime, reason: str) -> int:
    return live(referral).update(cancelled_at=at, cancel_reason=reason[:100])
