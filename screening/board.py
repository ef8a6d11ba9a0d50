"""The risk board (风险预警台账) and its area breakdown: the queries behind screening:risks and screening:risk_areas.
Owner: h-board.

Every query starts from screening.scoping.risks_visible_to(user): a risk outside the user's jurisdiction is never
counted or listed. Filters:

- level, flag (a RiskFlag: `flags` is a JSON list; matched on its text form, `"FLAG"` with the quotes, which is
  the same on SQLite and PostgreSQL — `flags__contains` does not exist on SQLite), area (a division code prefix,
  checked by the page with supervision.access.area_for), owner (包案领导), status (default OPEN; "ALL" for any),
  age (open at least this many calendar days, as the 天数 column counts), overdue (only risks with a PENDING hop
  past its ack_due_at).
- counts per level are taken with every filter but the level, so the chips say what a click would show.

The area breakdown has a row per lower area of the chosen area (grouped on the division-code prefix) and one 本级
row for what sits at the area's own level (the township's own committee, say); the rows add up to the total, which
is computed on its own (tests check it)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Role, User
from registry.models import Division
from screening.enums import HopStatus, RiskFlag, RiskLevel, RiskStatus
from screening.models import EscalationHop, RiskAssessment
from screening.scoping import AREA_ROLES, risks_visible_to

ALL_STATUSES = "ALL"
LEVELS = (RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW)
OWN_LEVEL = "本级"
OUTSIDE = "辖区外"


@dataclass
class BoardFilters:
    level: str = ""
    flag: str = ""
    area: str = ""  # a division code prefix, already checked against the user's jurisdiction
    owner_id: int | None = None
    status: str = RiskStatus.OPEN  # or ALL_STATUSES
    min_age_days: int | None = None
    overdue_only: bool = False


def has_area_selector(user: User) -> bool:
    """Supervisors and the 综治中心 choose an area (?area=); committee members and police liaisons see their own."""
    return user.role in AREA_ROLES and bool(user.division_id)


def overdue_hop_q(now: datetime) -> Exists:
    """The risk has a hop still waiting for its acknowledgement past the deadline (逾期未签收)."""
    return Exists(EscalationHop.objects.filter(risk_id=OuterRef("pk"), status=HopStatus.PENDING, ack_due_at__lt=now))


def flag_q(flag: str) -> Q:
    """Portable JSON-list membership: the list's text contains the quoted value (values are RiskFlag codes, none
    a substring of another once quoted)."""
    return Q(flags_text__contains=f'"{flag}"')


def filtered(qs: QuerySet[RiskAssessment], f: BoardFilters, now: datetime, *, with_level: bool = True) -> QuerySet:
    """Apply the board's filters to a visible queryset (with_level=False: every filter but the level, for the
    chips)."""
    if f.status and f.status != ALL_STATUSES:
        qs = qs.filter(status=f.status)
    if f.area:
        qs = qs.filter(division_code__startswith=f.area)
    if f.flag:
        qs = qs.annotate(flags_text=Cast("flags", TextField())).filter(flag_q(f.flag))
    if f.owner_id is not None:
        qs = qs.filter(owner_id=f.owner_id)
    if f.min_age_days is not None:
        # open at least N days, counted in local calendar days as the board's 天数 column: assessed on or before
        # the day N days before today
        cutoff = timezone.localdate(now) - timedelta(days=f.min_age_days - 1)
        qs = qs.filter(created_at__lt=datetime.combine(cutoff, time.min, tzinfo=timezone.get_current_timezone()))
    if f.overdue_only:
        qs = qs.filter(overdue_hop_q(now))
    if with_level and f.level:
        qs = qs.filter(level=f.level)
    return qs


def hops_prefetch(user: User) -> Prefetch:
    """The hops a board row shows: all of them, except that a police liaison sees only their institution's."""
    hops = EscalationHop.objects.order_by("seq")
    if user.role == Role.INSTITUTION_LIAISON:
        hops = hops.filter(institution_id=user.institution_id)
    return Prefetch("hops", queryset=hops, to_attr="board_hops")


def level_rank() -> Case:
    """0 for red, 1 orange, 2 yellow: to sort the most urgent first."""
    return Case(
        When(level=RiskLevel.RED, then=Value(0)),
        When(level=RiskLevel.ORANGE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def board_rows(user: User, f: BoardFilters, now: datetime) -> QuerySet[RiskAssessment]:
    """The board's rows, most urgent first: red before orange before yellow, then the oldest first."""
    return (
        filtered(risks_visible_to(user), f, now)
        .select_related("committee", "owner", "case", "finding")
        .prefetch_related(hops_prefetch(user))
        .annotate(level_rank=level_rank())
        .order_by("level_rank", "created_at", "id")
    )


def level_counts(user: User, f: BoardFilters, now: datetime) -> dict[str, int]:
    """Risks per level under every filter but the level (one grouped query), and "ALL"."""
    counts = {lv: 0 for lv in LEVELS}
    grouped = filtered(risks_visible_to(user), f, now, with_level=False).order_by().values("level")
    for g in grouped.annotate(n=Count("id")):
        counts[g["level"]] = counts.get(g["level"], 0) + g["n"]
    counts["ALL"] = sum(counts[lv] for lv in LEVELS)
    return counts


def owner_choices(user: User) -> list[tuple[int, str]]:
    """The 包案领导 of the risks the user can see."""
    rows = (
        risks_visible_to(user)
        .filter(owner__isnull=False)
        .order_by()
        .values_list("owner_id", "owner__full_name", "owner__username")
        .distinct()
    )
    return sorted({(pk, name or uname) for pk, name, uname in rows}, key=lambda r: r[1])


# --- chain state and age of a row -----------------------------------------------------------------------------


def _span(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{max(minutes, 1)}分钟"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}小时{rest}分钟" if rest else f"{hours}小时"
    return f"{hours // 24}天"


@dataclass
class ChainState:
    text: str
    tone: str  # a Bootstrap colour: danger (overdue), warning (waiting), success, secondary
    overdue: bool = False


def chain_state(risk: RiskAssessment, now: datetime, hops: Iterable[EscalationHop] | None = None) -> ChainState:
    """One line for the chain of a risk: 「待温泉街道调委会和司法所签收 · 还剩8分钟」, 「… · 已逾期12分钟」,
    「咸安区司法局已签收」, 「已停止上报」, 「未上报」. Uses the prefetched `board_hops` when there."""
    if hops is None:
        hops = getattr(risk, "board_hops", None)
        if hops is None:
            hops = list(risk.hops.order_by("seq"))
    hops = list(hops)
    pending = [h for h in hops if h.status == HopStatus.PENDING]
    if pending:
        labels = "、".join(dict.fromkeys(h.label for h in pending))
        due = min(h.ack_due_at for h in pending)
        if due < now:
            return ChainState(f"待{labels}签收 · 已逾期{_span(now - due)}", "danger", overdue=True)
        return ChainState(f"待{labels}签收 · 还剩{_span(due - now)}", "warning")
    if not hops:
        if risk.level == RiskLevel.YELLOW:
            return ChainState("就地化解，不逐级上报", "secondary")
        return ChainState("未上报", "secondary")
    last = hops[-1]
    if last.status == HopStatus.ACKNOWLEDGED:
        return ChainState(f"{last.label}已签收", "success")
    if last.status == HopStatus.TIMED_OUT:
        return ChainState(f"{last.label}逾期未签收", "danger")
    return ChainState("已停止上报", "secondary")


def age_days(risk: RiskAssessment, now: datetime) -> int:
    """Days the risk has been (or was) open: to now, or to its resolution."""
    end = risk.resolved_at if risk.status != RiskStatus.OPEN and risk.resolved_at else now
    return max((timezone.localdate(end) - timezone.localdate(risk.created_at)).days, 0)


def area_labels(codes: Iterable[str], below: str = "") -> dict[str, str]:
    """ "温泉街道·桂花村" for each division code: the names of its county, township and village levels that lie
    below `below` (the chosen area), in one query."""
    codes = set(codes)
    prefixes = {c[:n] for c in codes for n in (6, 9, 12) if len(c) >= n and len(c[:n]) > len(below)}
    names = dict(Division.objects.filter(code__in=prefixes).values_list("code", "name"))
    labels = {}
    for c in codes:
        parts = [names[c[:n]] for n in (6, 9, 12) if len(c) >= n and c[:n] in names and len(c[:n]) > len(below)]
        labels[c] = "·".join(parts) or names.get(c, "") or "本级"
    return labels


# --- the area breakdown ---------------------------------------------------------------------------------------


@dataclass
class AreaRow:
    code: str  # the lower area's code; the chosen area's own code for 本级; "" for outside
    name: str
    own_level: bool = False
    drill: bool = True  # a lower area with its own breakdown
    red: int = 0
    orange: int = 0
    yellow: int = 0
    overdue: int = 0  # open risks with an acknowledgement overdue
    resolved: int = 0  # resolved (化解) in the period
    total: int = 0  # every risk, any status

    @property
    def open(self) -> int:
        return self.red + self.orange + self.yellow


@dataclass
class AreaBreakdown:
    area: Division | None
    start: date
    end: date
    rows: list[AreaRow] = field(default_factory=list)
    total: AreaRow = field(default_factory=lambda: AreaRow("", "合计", drill=False))


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)


def _aggregates(now: datetime, lo: datetime, hi: datetime) -> dict:
    is_open = Q(status=RiskStatus.OPEN)
    return {
        "red": Count("id", filter=is_open & Q(level=RiskLevel.RED)),
        "orange": Count("id", filter=is_open & Q(level=RiskLevel.ORANGE)),
        "yellow": Count("id", filter=is_open & Q(level=RiskLevel.YELLOW)),
        "overdue": Count("id", filter=is_open & Q(is_overdue=True)),
        "resolved": Count("id", filter=Q(status=RiskStatus.RESOLVED, resolved_at__gte=lo, resolved_at__lt=hi)),
        "total": Count("id"),
    }


def _add(row: AreaRow, g: dict) -> None:
    for name in ("red", "orange", "yellow", "overdue", "resolved", "total"):
        setattr(row, name, getattr(row, name) + g[name])


def area_breakdown(
    qs: QuerySet[RiskAssessment], area: Division | None, start: date, end: date, now: datetime
) -> AreaBreakdown:
    """Per lower area of `area` (or, with no area, by committee division): open risks by level, overdue
    acknowledgements, resolved in [start, end], total. One grouped query by division code for the rows; the total
    is a second, ungrouped query (so that a test can check the rows add up)."""
    lo, hi = period_bounds(start, end)
    aggs = _aggregates(now, lo, hi)
    base = qs.order_by().annotate(is_overdue=overdue_hop_q(now))
    result = AreaBreakdown(area, start, end)
    children: dict[str, str] = {}
    child_len = None
    if area is not None:
        children = {d.code: d.name for d in Division.objects.filter(parent=area).order_by("code")}
        child_len = len(next(iter(children))) if children else None
    rows: dict[str, AreaRow] = {}

    def row_for(code: str) -> AreaRow:
        if area is not None and not code.startswith(area.code):
            key = OUTSIDE
            if key not in rows:
                rows[key] = AreaRow("", "辖区外（联合调解等）", drill=False)
            return rows[key]
        if area is None or child_len is None or len(code) < child_len:
            key = area.code if area is not None else ""
            if key not in rows:
                rows[key] = AreaRow(key, OWN_LEVEL, own_level=True, drill=False)
            return rows[key]
        key = code[:child_len]
        if key not in rows:
            rows[key] = AreaRow(key, children.get(key, key))
        return rows[key]

    for g in base.values("division_code").annotate(**aggs):
        _add(row_for(g["division_code"]), g)
    ordered = sorted(rows.values(), key=lambda r: (r.own_level, r.code == "", r.code))
    result.rows = [r for r in ordered if r.total]
    total = base.aggregate(**aggs)
    _add(result.total, total)
    return result


def default_period(today: date) -> tuple[date, date]:
    """This month so far."""
    return today.replace(day=1), today


__all__ = [
    "ALL_STATUSES",
    "AreaBreakdown",
    "AreaRow",
    "BoardFilters",
    "ChainState",
    "LEVELS",
    "OWN_LEVEL",
    "RiskFlag",
    "age_days",
    "area_labels",
    "area_breakdown",
    "board_rows",
    "chain_state",
    "default_period",
    "filtered",
    "has_area_selector",
    "level_counts",
    "level_rank",
    "overdue_hop_q",
    "owner_choices",
]
