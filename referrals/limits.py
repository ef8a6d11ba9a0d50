"""The supervision time-limit table of referrals (issue 11 §7, references-2.md §A.5 last bullet, §A.7 point 2):
yellow and red thresholds per receiver level × dispute type × stage, separate from the statutory clocks.

The table lives in data/referral_time_limits.json (settings.TIAOJIE["REFERRAL_TIME_LIMITS"]); it is validated when
it is loaded, and a mistake names the row and the field (TimeLimitConfigError). Each row:

- `level`: the division level of the body that holds the referral — village, township, county, city — or "*";
- `dispute_type`: a cases.enums.DisputeType code, or "*";
- `stage`: receive / accept / handle / reply (below);
- `unit`: "hours" (calendar hours) or "working_days" (working days of the holiday calendar, at the same time of day);
- `yellow_after`, `red_after`: counted from the start of the stage, in that unit; 0 < yellow_after < red_after.

The most specific row wins: (level, type) > (level, *) > (*, type) > (*, *). The (*, *) row of each stage is its
default and must exist.

Stages of a referral (`stage_status`):

- receive — a 矛调中心's intake: from arrival (received_at) until it is dispatched (the first Dispatch) or accepted
  or declined there. Applies when the referral went to a hub (it is held by one, or it was dispatched); its row is
  the one of the hub's level (the first dispatch's sender). The other stages use the level of the body holding it.
- accept — the handshake of the body that holds it (在线调解规则 art. 12): from its arrival there (the latest
  dispatch to it, else received_at) until accepted or declined. Statutory due: accept_by (end of that day).
- handle — from acceptance until the conclusion (concluded_at). Statutory due: mediation_due (court referrals),
  else the case's time limit. An appraisal pause (paused_days, paused_since) moves the thresholds by as many days.
- reply — the channel's feedback: from arrival (or from acceptance, when the channel's own clock runs from
  acceptance: 信访) until the first reply (replied_at) or the conclusion. Statutory due: channel_due. It runs
  alongside the others; it applies when the referral has a channel clock.

The "current" stage is receive (pending, held by a hub), accept (pending, held by a committee) or handle (accepted);
reply is reported beside it while it runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cases.enums import DisputeType
from workdays.calendar import add_working_days

ANY = "*"
STAGES = ("receive", "accept", "handle", "reply")
STAGE_LABELS = {"receive": "受理分流", "accept": "接收答复", "handle": "调解办理", "reply": "渠道反馈"}
LEVELS = ("village", "township", "county", "city")
LEVEL_LABELS = {"village": "村（社区）", "township": "乡镇（街道）", "county": "县（区）", "city": "市"}
UNITS = {"hours": "小时", "working_days": "个工作日"}
# registry.DivisionLevel → the table's level (a province-level body is read as the city level).
LEVEL_OF_DIVISION = {5: "village", 4: "township", 3: "county", 2: "city", 1: "city"}

GREEN, YELLOW, RED = "green", "yellow", "red"
COLOUR_LABELS = {GREEN: "正常", YELLOW: "黄牌", RED: "红牌"}
COLOUR_RANK = {GREEN: 0, YELLOW: 1, RED: 2}
THRESHOLD_LABELS = {"yellow_after": "超过黄牌时限", "red_after": "超过红牌时限", "due": "超过法定（渠道）期限"}


class TimeLimitConfigError(ValueError):
    """data/referral_time_limits.json is malformed: the message names the row and the field."""


@dataclass(frozen=True)
class LimitRow:
    level: str
    dispute_type: str
    stage: str
    unit: str
    yellow_after: int
    red_after: int

    @property
    def is_default(self) -> bool:
        return self.level == ANY and self.dispute_type == ANY

    def after(self, start: datetime, amount: int) -> datetime:
        """The moment `amount` units after `start`."""
        if self.unit == "hours":
            return start + timedelta(hours=amount)
        local = timezone.localtime(start)
        day = add_working_days(local.date(), amount)
        return timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))

    def describe(self, amount: int) -> str:
        return f"{amount}{UNITS[self.unit]}"

    @property
    def level_label(self) -> str:
        return "全部层级" if self.level == ANY else LEVEL_LABELS[self.level]

    @property
    def dispute_type_label(self) -> str:
        return "全部类型" if self.dispute_type == ANY else DisputeType(self.dispute_type).label

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


@dataclass(frozen=True)
class LimitTable:
    rows: tuple[LimitRow, ...]

    def row_for(self, level: str, dispute_type: str, stage: str) -> LimitRow:
        """The most specific row for a stage: (level, type) > (level, *) > (*, type) > (*, *)."""
        index = {(r.level, r.dispute_type, r.stage): r for r in self.rows}
        for key in ((level, dispute_type), (level, ANY), (ANY, dispute_type), (ANY, ANY)):
            row = index.get((*key, stage))
            if row is not None:
                return row
        raise TimeLimitConfigError(f"对接时限表缺少“{stage}”阶段的默认行")  # load_table rules this out

    def sorted_rows(self) -> list[LimitRow]:
        level_rank = {ANY: -1, **{lv: i for i, lv in enumerate(LEVELS)}}
        return sorted(
            self.rows,
            key=lambda r: (STAGES.index(r.stage), level_rank[r.level], r.dispute_type != ANY, r.dispute_type),
        )


def _positive_int(value: object, where: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TimeLimitConfigError(f"{where}: {name} must be a positive whole number, got {value!r}")
    return value


def parse_table(raw: object, source: str = "referral_time_limits.json") -> LimitTable:
    """Validate the table's JSON (already parsed) and build it; every error names the row and the field."""
    if not isinstance(raw, dict) or not isinstance(raw.get("rows"), list) or not raw["rows"]:
        raise TimeLimitConfigError(f'{source}: expected an object with a non-empty list "rows"')
    types = set(DisputeType.values)
    rows: list[LimitRow] = []
    seen: set[tuple[str, str, str]] = set()
    for i, item in enumerate(raw["rows"], start=1):
        where = f"{source} row {i}"
        if not isinstance(item, dict):
            raise TimeLimitConfigError(f"{where}: expected an object")
        unknown = set(item) - {"level", "dispute_type", "stage", "unit", "yellow_after", "red_after", "_comment"}
        if unknown:
            raise TimeLimitConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
        for name in ("level", "dispute_type", "stage", "unit", "yellow_after", "red_after"):
            if name not in item:
                raise TimeLimitConfigError(f"{where}: missing field {name!r}")
        level, dtype, stage, unit = item["level"], item["dispute_type"], item["stage"], item["unit"]
        if level != ANY and level not in LEVELS:
            raise TimeLimitConfigError(f"{where}: level must be one of {[ANY, *LEVELS]}, got {level!r}")
        if dtype != ANY and dtype not in types:
            raise TimeLimitConfigError(f'{where}: dispute_type {dtype!r} is not a DisputeType code (or "*")')
        if stage not in STAGES:
            raise TimeLimitConfigError(f"{where}: stage must be one of {list(STAGES)}, got {stage!r}")
        if unit not in UNITS:
            raise TimeLimitConfigError(f"{where}: unit must be one of {list(UNITS)}, got {unit!r}")
        yellow = _positive_int(item["yellow_after"], where, "yellow_after")
        red = _positive_int(item["red_after"], where, "red_after")
        if red <= yellow:
            raise TimeLimitConfigError(f"{where}: red_after ({red}) must be greater than yellow_after ({yellow})")
        key = (level, dtype, stage)
        if key in seen:
            raise TimeLimitConfigError(f"{where}: duplicate row for level={level} dispute_type={dtype} stage={stage}")
        seen.add(key)
        rows.append(LimitRow(level, dtype, stage, unit, yellow, red))
    missing = [s for s in STAGES if (ANY, ANY, s) not in seen]
    if missing:
        raise TimeLimitConfigError(f'{source}: no default row (level "*", dispute_type "*") for stage(s) {missing}')
    return LimitTable(tuple(rows))


def load_table(path: str | Path | None = None) -> LimitTable:
    path = Path(path or settings.TIAOJIE["REFERRAL_TIME_LIMITS"])
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except json.JSONDecodeError as exc:
        raise TimeLimitConfigError(f"{path.name}: not valid JSON ({exc})") from exc
    return parse_table(raw, path.name)


@cache
def time_limits() -> LimitTable:
    """The configured table (read once per process; tests call time_limits.cache_clear() after swapping it)."""
    return load_table()


# --- the stages of one referral -----------------------------------------------------------------------------------


@dataclass
class StageStatus:
    stage: str
    applies: bool
    started: datetime | None = None
    ended: datetime | None = None
    row: LimitRow | None = None
    yellow_at: datetime | None = None
    red_at: datetime | None = None
    due: datetime | None = None  # the statutory or channel deadline of the stage, if it has one
    elapsed: timedelta | None = None
    colour: str = GREEN
    threshold: str = ""  # "", "yellow_after", "red_after" or "due": what the colour comes from
    current: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def running(self) -> bool:
        return self.applies and self.started is not None and self.ended is None

    @property
    def colour_label(self) -> str:
        return COLOUR_LABELS[self.colour]

    @property
    def threshold_label(self) -> str:
        return THRESHOLD_LABELS.get(self.threshold, "")

    @property
    def elapsed_label(self) -> str:
        if self.elapsed is None:
            return ""
        hours = int(self.elapsed.total_seconds() // 3600)
        days, hours = divmod(max(hours, 0), 24)
        return f"{days}天{hours}小时" if days else f"{hours}小时"

    @property
    def limits_label(self) -> str:
        if self.row is None:
            return ""
        return f"黄牌{self.row.describe(self.row.yellow_after)}，红牌{self.row.describe(self.row.red_after)}"


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _level(committee) -> str:
    return LEVEL_OF_DIVISION.get(committee.division.level, "city")


def _dispatches(referral) -> list:
    return sorted(referral.dispatches.all(), key=lambda d: (d.created_at, d.pk))


def waiting_dispatch(referral, dispatches: list | None = None):
    """The dispatch of the pending referral that waits for its receiver's answer (referrals.hub: the referral
    stays with the hub until the receiver accepts the dispatch), or None."""
    from referrals.enums import DispatchStatus, ReferralStatus

    if referral.status != ReferralStatus.PENDING:
        return None
    dispatches = _dispatches(referral) if dispatches is None else dispatches
    waiting = [d for d in dispatches if d.status == DispatchStatus.PENDING]
    return waiting[-1] if waiting else None


def answering_body(referral, dispatches: list | None = None):
    """The committee that must act now: the case's once accepted; the receiver of a waiting dispatch; else the
    receiver. None when a waiting dispatch goes to a department (an institution, not a committee)."""
    if referral.case_id and referral.case is not None:
        return referral.case.committee
    waiting = waiting_dispatch(referral, dispatches)
    if waiting is not None:
        return waiting.to_committee
    return referral.receiver


def level_of(referral) -> str:
    """The table level of the body that must act (answering_body; the holder for a department's dispatch)."""
    return _level(answering_body(referral) or referral.receiver)


def dispute_type_of(referral) -> str:
    if referral.dispute_type:
        return referral.dispute_type
    if referral.case_id and referral.case is not None:
        return referral.case.dispute_type or ""
    return ""


def _reply_from_acceptance(referral) -> bool:
    """Whether the channel's clock runs from acceptance (信访: 60 days from acceptance), per h-core's
    data/referral_channels.json; then the reply stage starts at acceptance too."""
    try:
        from referrals import clocks

        return clocks.channel_starts_at_acceptance(clocks.channel_clock(referral.channel))
    except (ImportError, AttributeError, KeyError):  # the channel clocks are h-core's; without them, from arrival
        return False


def current_stage(referral, dispatches: list | None = None) -> str | None:
    """receive (pending at a hub, not dispatched), accept (pending at a committee, or dispatched and waiting for the
    receiver's answer), handle (accepted), None (ended)."""
    from referrals.enums import ReferralStatus

    if referral.status == ReferralStatus.PENDING:
        if referral.receiver.is_hub and waiting_dispatch(referral, dispatches) is None:
            return "receive"
        return "accept"
    if referral.status == ReferralStatus.ACCEPTED:
        return "handle"
    return None


def _colour(status: StageStatus, now: datetime) -> None:
    if not status.applies or status.started is None:
        return
    at = status.ended or now
    status.elapsed = at - status.started
    if status.due is not None and at > status.due:
        status.colour, status.threshold = RED, "due"
    elif status.red_at is not None and at >= status.red_at:
        status.colour, status.threshold = RED, "red_after"
    elif status.yellow_at is not None and at >= status.yellow_at:
        status.colour, status.threshold = YELLOW, "yellow_after"


def stage_status(referral, now: datetime | None = None, *, table: LimitTable | None = None) -> dict[str, StageStatus]:
    """Every stage of `referral` at `now`: whether it applies, when it started (and ended), its row of the table,
    the yellow and red moments, the statutory due, the time elapsed, the colour and the threshold it comes from.
    An ended stage keeps the colour it had when it ended. Uses referral.dispatches.all() (prefetch it, with
    from_committee__division, for lists)."""
    from referrals.enums import DispatchStatus, ReferralStatus

    now = now or timezone.now()
    table = table or time_limits()
    dispatches = _dispatches(referral)
    level, dtype = level_of(referral), dispute_type_of(referral)
    decided = referral.accepted_at or referral.declined_at
    closed_at = None
    if referral.status in (ReferralStatus.RETURNED, ReferralStatus.WITHDRAWN, ReferralStatus.DECLINED):
        closed_at = referral.declined_at or referral.updated_at
    current = current_stage(referral, dispatches)
    waiting = waiting_dispatch(referral, dispatches)
    # When the referral reached the body holding it: the accepted dispatch to it, else its arrival.
    moved_in = [
        d for d in dispatches if d.to_committee_id == referral.receiver_id and d.status == DispatchStatus.ACCEPTED
    ]
    arrived = moved_in[-1].created_at if moved_in else referral.received_at
    out: dict[str, StageStatus] = {}

    # receive: a hub's intake until it dispatches (or accepts or declines itself). A dispatch sent back re-opens it.
    went_to_hub = bool(dispatches) or referral.receiver.is_hub
    receive = StageStatus("receive", applies=went_to_hub)
    hub = referral.receiver if referral.receiver.is_hub else (dispatches[0].from_committee if dispatches else None)
    if went_to_hub:
        receive.started = referral.received_at
        if current == "receive":
            receive.started = arrived
        else:
            sent = [d.created_at for d in dispatches if d.created_at >= receive.started]
            ends = [t for t in (sent[-1] if sent else None, decided, closed_at) if t]
            receive.ended = min(ends) if ends else None
    out["receive"] = receive

    # accept: from the arrival at the body that must answer (a waiting dispatch, else the holder) until the decision.
    accept = StageStatus("accept", applies=True)
    if waiting is not None:
        accept.started = waiting.created_at
    elif not referral.receiver.is_hub or decided:
        accept.started = arrived
    if accept.started is not None:
        accept.ended = decided or closed_at
        accept.due = _end_of_day(referral.accept_by) if referral.accept_by else None
    out["accept"] = accept

    # handle: acceptance → conclusion, moved by an appraisal pause.
    handle = StageStatus("handle", applies=referral.accepted_at is not None)
    if referral.accepted_at is not None:
        handle.started = referral.accepted_at
        handle.ended = referral.concluded_at
        due_day = referral.mediation_due
        if due_day is None and referral.case_id and referral.case is not None:
            due_day = referral.case.time_limit_due
        handle.due = _end_of_day(due_day) if due_day else None
        paused = timedelta(days=referral.paused_days or 0)
        if referral.paused_since:
            paused += timedelta(days=max((timezone.localtime(now).date() - referral.paused_since).days, 0))
        handle.extra["paused"] = paused
    out["handle"] = handle

    # reply: arrival → the first feedback to the channel (or the conclusion).
    reply = StageStatus("reply", applies=referral.channel_due is not None or referral.replied_at is not None)
    if reply.applies:
        reply.started = referral.accepted_at if _reply_from_acceptance(referral) else referral.received_at
    if reply.started is not None:
        reply.ended = referral.replied_at or referral.concluded_at or closed_at
        reply.due = referral.channel_due
    out["reply"] = reply

    for status in out.values():
        if status.applies and status.started is not None:
            stage_level = _level(hub) if status.stage == "receive" and hub is not None else level
            status.row = table.row_for(stage_level, dtype, status.stage)
            shift = status.extra.get("paused", timedelta(0))
            status.yellow_at = status.row.after(status.started, status.row.yellow_after) + shift
            status.red_at = status.row.after(status.started, status.row.red_after) + shift
        _colour(status, now)
    if current is not None:
        out[current].current = True
    return out


@dataclass
class ReferralClock:
    """What the board shows of one referral: its stages, the current one and the worst colour of the running ones."""

    stages: dict[str, StageStatus]
    current: StageStatus | None
    colour: str  # the current stage's colour (green for an ended referral)
    worst: str  # the worst colour among the running stages (current and reply)

    @property
    def colour_label(self) -> str:
        return COLOUR_LABELS[self.colour]


def referral_clock(referral, now: datetime | None = None, *, table: LimitTable | None = None) -> ReferralClock:
    stages = stage_status(referral, now, table=table)
    current = next((s for s in stages.values() if s.current), None)
    running = [s for s in stages.values() if s.running]
    worst = max((s.colour for s in running), key=COLOUR_RANK.__getitem__, default=GREEN)
    return ReferralClock(stages, current, current.colour if current else GREEN, worst)
