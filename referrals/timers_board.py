"""Timer handler of the supervision thresholds (REFERRAL_STAGE_ALERT: yellow and red cards). h-board.

Each open referral has at most one live alert timer per threshold of its running stages (the current stage —
receive, accept or handle — and the channel's reply stage): rule "<stage>:YELLOW" fires at the stage's yellow
moment, "<stage>:RED" at its red moment or at the stage's statutory due (accept-by, mediation due, channel due),
whichever comes first (referrals.limits); a yellow that would come after the red is left out. When one fires
and the stage still runs past that threshold, a 黄牌 goes to the director(s) of the body holding the referral; a
红牌 goes to them and to the supervisors above it (the 司法所 of its township and the county bureau). Each card is
one NoticeKind.REFERRAL_ALERT notice and one append-only ReferralEvent (OVERDUE, system actor; not sent to the
institution).

Timers are scheduled with case=None and target=the referral, so that the case's own timer sync
(cases.timer_rules.sync_case_timers) never cancels them.

Keeping them in step — two doors, both idempotent:
- `sync_stage_timers(referral, at)`: call after any change of a referral's stage (received, dispatched,
  accepted, declined, replied, concluded, returned, withdrawn), inside the same transaction. It cancels the alerts
  the referral no longer wants (a stage ended, thresholds moved) and schedules the missing ones; a threshold that
  already fired is not scheduled again (cases.timers.schedule keeps the fired row for its key).
- `scan_stage_alerts(now)`: the periodic sweep (referrals.tasks_board, every 15 minutes) runs the same sync for
  every open referral and for the referrals that have live alerts but ended, so the cards go out even when the
  services never call the sync.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from cases import timers
from cases.enums import ActorKind
from cases.models import Timer, TimerKind
from notifications.enums import NoticeKind
from notifications.services import notify, supervisor_ids
from referrals import limits
from referrals.enums import OPEN_REFERRAL_STATES, ReferralEventKind
from referrals.models import Referral, ReferralEvent

KIND = TimerKind.REFERRAL_STAGE_ALERT
CARDS = {"YELLOW": limits.YELLOW, "RED": limits.RED}
CARD_LABELS = {"YELLOW": "黄牌", "RED": "红牌"}
RED_SUPERVISORS = (Role.SFS_OFFICER, Role.COUNTY_ADMIN)
TARGET_TYPE = Referral._meta.label


def holder_of(referral: Referral):
    """The body that must act now (referrals.limits.answering_body): the case's committee once accepted, the
    receiver of a dispatch waiting for its answer, else the receiver (also when the dispatch went to a department)."""
    return limits.answering_body(referral) or referral.receiver


def director_ids(referral: Referral) -> set[int]:
    holder = holder_of(referral)
    return set(User.objects.filter(is_active=True, role=Role.DIRECTOR, committee=holder).values_list("pk", flat=True))


def alert_recipients(referral: Referral, card: str) -> set[int]:
    """黄牌: the holder's director(s); 红牌: them and the 司法所 and county bureau above the holder."""
    ids = director_ids(referral)
    if card == "RED":
        ids |= supervisor_ids(holder_of(referral).division_id, RED_SUPERVISORS)
    return ids


def wanted_alerts(referral: Referral, at: datetime) -> dict[str, datetime]:
    """rule → fire_at of the alerts the referral wants now. A yellow whose red has passed too is left out (one card,
    the red, for a stage found late, e.g. by the first scan after a restart)."""
    if referral.status not in OPEN_REFERRAL_STATES:
        return {}
    wants: dict[str, datetime] = {}
    for status in limits.stage_status(referral, at).values():
        if not status.running or not (status.current or status.stage == "reply") or status.red_at is None:
            continue
        # red at the red threshold or at the stage's statutory due, whichever comes first
        red = min(status.red_at, status.due) if status.due is not None else status.red_at
        wants[f"{status.stage}:RED"] = red
        if status.yellow_at is not None and status.yellow_at < red and red > at:
            wants[f"{status.stage}:YELLOW"] = status.yellow_at
    return wants


def _live(referral: Referral):
    return Timer.objects.filter(kind=KIND, target_type=TARGET_TYPE, target_id=referral.pk, cancelled_at__isnull=True)


def sync_stage_timers(referral: Referral, at: datetime | None = None) -> None:
    """Make the referral's alert timers equal to what its stages want (see the module's docstring). Idempotent;
    call inside the caller's transaction after a change of stage."""
    at = at or timezone.now()
    wants = wanted_alerts(referral, at)
    for timer in _live(referral).filter(fired_at__isnull=True):
        fire_at = wants.get(timer.rule)
        if fire_at is None or fire_at != timer.fire_at:
            timer.cancelled_at, timer.cancel_reason = at, "阶段结束或时限变更"
            timer.save(update_fields=["cancelled_at", "cancel_reason"])
    for rule, fire_at in wants.items():
        timers.schedule(
            KIND, case=None, target=referral, deadline=timezone.localtime(fire_at).date(), fire_at=fire_at, rule=rule
        )


def _message(referral: Referral, status: limits.StageStatus, card: str) -> tuple[str, str]:
    holder = holder_of(referral)
    label = CARD_LABELS[card]
    limit = status.row.describe(status.row.red_after if card == "RED" else status.row.yellow_after)
    text = (
        f"{label}：{referral.institution.name}移送的{referral.reference}（{holder.name}）"
        f"“{status.label}”已超过{limit}，请督促办理"
    )
    sms = f"调解平台{label}预警：移送纠纷{referral.reference}“{status.label}”已超过{limit}，请登录平台查看。"
    return text, sms


@timers.handler(KIND)
def fire_stage_alert(timer: Timer, now: datetime) -> str:
    stage, _, card = timer.rule.partition(":")
    referral = (
        Referral.objects.select_related("institution", "receiver__division", "case__committee__division")
        .prefetch_related("dispatches")
        .filter(pk=timer.target_id)
        .first()
    )
    if referral is None or stage not in limits.STAGES or card not in CARDS:
        return "无对应移送"
    status = limits.stage_status(referral, now).get(stage)
    if referral.status not in OPEN_REFERRAL_STATES or status is None or not status.running:
        return "该阶段已结束，无需预警"
    if limits.COLOUR_RANK[status.colour] < limits.COLOUR_RANK[CARDS[card]]:
        return "未到预警时限"
    text, sms = _message(referral, status, card)
    ReferralEvent.objects.create(
        referral=referral,
        kind=ReferralEventKind.OVERDUE,
        at=now,
        actor_kind=ActorKind.SYSTEM,
        note=text,
        data={"stage": stage, "card": card, "threshold": status.threshold, "timer": timer.pk},
    )
    recipients = alert_recipients(referral, card)
    notify(recipients, NoticeKind.REFERRAL_ALERT, text, case=referral.case, at=now, sms=sms)
    return f"已{CARD_LABELS[card]}预警（{status.label}，{len(recipients)}人）"


def _scan_q() -> Q:
    live = Timer.objects.filter(
        kind=KIND, target_type=TARGET_TYPE, fired_at__isnull=True, cancelled_at__isnull=True
    ).values("target_id")
    return Q(status__in=list(OPEN_REFERRAL_STATES)) | Q(pk__in=live)


def scan_stage_alerts(now: datetime | None = None, *, limit: int = 5000) -> int:
    """Sync the alert timers of every open referral (and of the ended ones that still have live alerts), each in
    its own transaction, then fire the due alerts. Idempotent. Returns how many referrals were synced."""
    now = now or timezone.now()
    ids = list(Referral.objects.filter(_scan_q()).order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",))
                .select_related("receiver__division", "case__committee__division")
                .filter(pk=pk)
                .first()
            )
            if referral is not None:
                sync_stage_timers(referral, now)
    due = Timer.objects.filter(
        kind=KIND, fired_at__isnull=True, cancelled_at__isnull=True, fire_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        timers.fire_one(pk, now)
    return len(ids)


# The periodic task lives beside its function; importing it here (apps.ready imports this module) registers it with
# huey, which autodiscovers only modules named tasks.py.
from referrals import tasks_board  # noqa: E402,F401
