"""The clock: schedule, cancel and fire timers (cases.models.Timer).

Actions call `schedule` when they start a clock and `cancel` when it stops; the periodic scan (`fire_due`) claims
each due row under a lock and calls the handler registered for its kind, in one transaction with marking the row
fired, so a timer fires at most once however often the scan runs. Handlers act through cases.actions as the
SYSTEM actor; they return a short result text stored on the row.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from cases.models import Case, Timer

Handler = Callable[[Timer, datetime], str]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that fires timers of `kind` (one per kind)."""

    def register(fn: Handler) -> Handler:
        HANDLERS[str(kind)] = fn
        return fn

    return register


def _target_key(target: models.Model | None) -> tuple[str, int]:
    if target is None:
        return "", 0
    return target._meta.label, int(target.pk)


def schedule(
    kind: str,
    *,
    case: Case | None,
    deadline: date,
    fire_at: datetime,
    target: models.Model | None = None,
    rule: str = "",
) -> Timer:
    """Start (or keep) the live timer for this key. Idempotent: scheduling the same key twice keeps one row."""
    target_type, target_id = _target_key(target)
    key = {
        "kind": kind,
        "case": case,
        "target_type": target_type,
        "target_id": target_id,
        "deadline": deadline,
        "rule": rule,
        "cancelled_at__isnull": True,
    }
    existing = Timer.objects.filter(**key).first()
    if existing is not None:
        return existing
    key.pop("cancelled_at__isnull")
    try:
        with transaction.atomic():
            return Timer.objects.create(fire_at=fire_at, **key)
    except IntegrityError:  # a concurrent schedule of the same key won
        return Timer.objects.get(cancelled_at__isnull=True, **key)


def cancel(
    kinds: str | list[str] | None = None,
    *,
    case: Case | None = None,
    target: models.Model | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> int:
    """Stop the unfired timers of a case (or of one object of it), of the given kinds (all kinds if None)."""
    qs = Timer.objects.filter(fired_at__isnull=True, cancelled_at__isnull=True)
    if case is not None:
        qs = qs.filter(case=case)
    if target is not None:
        target_type, target_id = _target_key(target)
        qs = qs.filter(target_type=target_type, target_id=target_id)
    if kinds is not None:
        qs = qs.filter(kind__in=[kinds] if isinstance(kinds, str) else list(kinds))
    return qs.update(cancelled_at=at or timezone.now(), cancel_reason=reason[:100])


def live_timers(case: Case):
    return Timer.objects.filter(case=case, fired_at__isnull=True, cancelled_at__isnull=True)


def fire_one(timer_id: int, now: datetime) -> bool:
    """Fire one due timer if it is still live. The handler and the fired mark commit together."""
    with transaction.atomic():
        timer = (
            Timer.objects.select_for_update()
            .filter(pk=timer_id, fired_at__isnull=True, cancelled_at__isnull=True, fire_at__lte=now)
            .first()
        )
        if timer is None:
            return False
        fn = HANDLERS.get(timer.kind)
        result = fn(timer, now) if fn is not None else "无处理程序"
        # The handler's action may have re-synced the case's clocks and cancelled this very row as no longer wanted
        # (it ended the clock): it fired, so it is fired and not cancelled.
        timer.fired_at = now
        timer.result = (result or "")[:200]
        timer.cancelled_at, timer.cancel_reason = None, ""
        timer.save(update_fields=["fired_at", "result", "cancelled_at", "cancel_reason"])
        return True


def fire_due(now: datetime | None = None, limit: int = 1000) -> int:
    """Fire every live timer whose time has come, oldest first. Returns how many fired."""
    now = now or timezone.now()
    ids = list(
        Timer.objects.filter(fired_at__isnull=True, cancelled_at__isnull=True, fire_at__lte=now)
        .order_by("fire_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if fire_one(pk, now))
