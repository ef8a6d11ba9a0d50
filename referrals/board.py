"""The supervision board of referrals (issue 11 §7): for a 矛调中心's members and the supervisors (司法所, county,
city), every referral in their scope by channel, with its clocks and the colour of its current stage.

Scope (404 for everybody else, never a 403):
- supervisors: referrals.scoping.referrals_visible_to (the referrals held in their division);
- members of an is_hub committee: what the scoping gives them (the referrals the hub holds or whose case is the
  hub's) and the referrals of the dispatches they may see (the ones the hub sent on), so that the centre keeps
  watching what it dispatched.
Mediators and directors of an ordinary committee, liaisons and API accounts have no board.
"""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import SUPERVISOR_ROLES, Role, User
from referrals import limits
from referrals.enums import OPEN_REFERRAL_STATES, Channel, ReferralStatus
from referrals.models import Dispatch, Referral
from referrals.scoping import dispatches_visible_to, referrals_visible_to

CONCLUDED_STATES = (ReferralStatus.SUCCEEDED, ReferralStatus.FAILED)
ENDED_STATES = (ReferralStatus.DECLINED, ReferralStatus.RETURNED, ReferralStatus.WITHDRAWN)
STATUS_FILTERS = {
    "pending": ("待接收", Q(status=ReferralStatus.PENDING)),
    "accepted": ("已接收、调解中", Q(status=ReferralStatus.ACCEPTED)),
    "concluded": ("已办结", Q(status__in=CONCLUDED_STATES)),
    "ended": ("拒绝、退回或撤回", Q(status__in=ENDED_STATES)),
    "overdue": ("已逾期", None),  # overdue_q(now)
    "open": ("未办结（待接收与调解中）", Q(status__in=list(OPEN_REFERRAL_STATES))),
}
COLOUR_CHOICES = [("", "全部"), (limits.GREEN, "正常"), (limits.YELLOW, "黄牌"), (limits.RED, "红牌")]
SELECT = {"class": "form-select"}
CHANNEL_SHORT = {
    Channel.COURT: "法院",
    Channel.POLICE: "公安",
    Channel.PETITION: "信访",
    Channel.HOTLINE: "12345",
    Channel.PROCURATORATE: "检察院",
    Channel.OTHER_DEPT: "其他部门",
}


def is_hub_member(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.role in (Role.MEDIATOR, Role.DIRECTOR)
        and user.committee_id
        and user.committee.is_hub
    )


def may_see_board(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.role in SUPERVISOR_ROLES or is_hub_member(user))


def scope_label(user: User) -> str:
    if is_hub_member(user):
        return user.committee.name
    return user.division.name if user.division_id else ""


def board_referrals(user: User) -> QuerySet[Referral]:
    """The referrals on the user's board; Http404 for a user who has no board."""
    if not may_see_board(user):
        raise Http404("页面不存在")
    qs = referrals_visible_to(user)
    if is_hub_member(user):
        sent_on = Dispatch.objects.filter(pk__in=dispatches_visible_to(user).values("pk"), referral__isnull=False)
        qs = Referral.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=sent_on.values("referral_id")))
    return qs


def overdue_q(now: datetime) -> Q:
    """Open referrals past a statutory or channel deadline: accept-by (pending), the mediation due (the referral's
    clock, else the case's limit), the channel's clock while no reply has gone back."""
    today = timezone.localtime(now).date()
    open_states = list(OPEN_REFERRAL_STATES)
    return (
        Q(status=ReferralStatus.PENDING, accept_by__lt=today)
        | Q(status=ReferralStatus.ACCEPTED, mediation_due__lt=today)
        | Q(status=ReferralStatus.ACCEPTED, mediation_due__isnull=True, case__time_limit_due__lt=today)
        | Q(status__in=open_states, channel_due__lt=now, replied_at__isnull=True)
    )


class BoardFilter(forms.Form):
    q = forms.CharField(
        label="编号",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "移送编号或来文编号"}),
    )
    channel = forms.ChoiceField(
        label="渠道", required=False, choices=[("", "全部渠道"), *Channel.choices], widget=forms.Select(SELECT)
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *[(k, v[0]) for k, v in STATUS_FILTERS.items()]],
        widget=forms.Select(SELECT),
    )
    colour = forms.ChoiceField(label="当前阶段", required=False, choices=COLOUR_CHOICES, widget=forms.Select(SELECT))


@dataclass
class ChannelCounts:
    channel: str
    label: str
    total: int = 0
    pending: int = 0
    accepted: int = 0
    concluded: int = 0
    overdue: int = 0
    yellow: int = 0
    red: int = 0

    @property
    def short(self) -> str:
        return CHANNEL_SHORT.get(self.channel, self.label)


def channel_counts(qs: QuerySet[Referral], now: datetime, colours: dict[int, str]) -> list[ChannelCounts]:
    """One row per channel (every channel, in the enum's order) and a total row: pending, accepted, concluded,
    overdue, and the cards of the running referrals (from `colours`: referral id → current colour)."""
    raw = {
        r["channel"]: r
        for r in qs.values("channel").annotate(
            total=Count("id"),
            pending=Count("id", filter=Q(status=ReferralStatus.PENDING)),
            accepted=Count("id", filter=Q(status=ReferralStatus.ACCEPTED)),
            concluded=Count("id", filter=Q(status__in=CONCLUDED_STATES)),
            overdue=Count("id", filter=overdue_q(now)),
        )
    }
    channel_of = dict(qs.filter(pk__in=list(colours)).values_list("pk", "channel"))
    rows = []
    for value, label in Channel.choices:
        r = raw.get(value, {})
        row = ChannelCounts(value, label, **{k: r.get(k, 0) for k in ("total", "pending", "accepted", "concluded")})
        row.overdue = r.get("overdue", 0)
        row.yellow = sum(1 for pk, c in colours.items() if c == limits.YELLOW and channel_of.get(pk) == value)
        row.red = sum(1 for pk, c in colours.items() if c == limits.RED and channel_of.get(pk) == value)
        rows.append(row)
    total = ChannelCounts("", "合计")
    for row in rows:
        for name in ("total", "pending", "accepted", "concluded", "overdue", "yellow", "red"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return [*rows, total]


def for_board(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    dispatches = Dispatch.objects.select_related(
        "from_committee__division", "to_committee__division", "to_institution"
    ).order_by("created_at", "id")
    return qs.select_related(
        "institution", "receiver__division", "case__committee__division", "designated_committee"
    ).prefetch_related(Prefetch("dispatches", queryset=dispatches))


@dataclass
class BoardRow:
    referral: Referral
    clock: limits.ReferralClock
    overdue: bool


def board_rows(qs: QuerySet[Referral], now: datetime) -> list[BoardRow]:
    overdue_ids = set(qs.filter(overdue_q(now)).values_list("pk", flat=True))
    table = limits.time_limits()
    return [
        BoardRow(r, limits.referral_clock(r, now, table=table), r.pk in overdue_ids)
        for r in for_board(qs).order_by("-received_at", "-id")
    ]


def filtered(qs: QuerySet[Referral], form: BoardFilter, now: datetime) -> QuerySet[Referral]:
    if not form.is_valid():
        return qs.none()
    d = form.cleaned_data
    q = d["q"].strip()
    if q:
        number = q.rsplit("-", 1)[-1] if q.startswith("移送") else q
        by_no = Q(external_no__icontains=q)
        qs = qs.filter(by_no | Q(pk=int(number)) if number.isdigit() and len(number) < 12 else by_no)
    if d["channel"]:
        qs = qs.filter(channel=d["channel"])
    if d["status"]:
        q = STATUS_FILTERS[d["status"]][1]
        qs = qs.filter(overdue_q(now) if q is None else q)
    return qs


def open_colours(qs: QuerySet[Referral], now: datetime) -> dict[int, str]:
    """referral id → the colour of its current stage, for the open referrals of `qs`."""
    table = limits.time_limits()
    return {
        r.pk: limits.referral_clock(r, now, table=table).colour
        for r in for_board(qs.filter(status__in=list(OPEN_REFERRAL_STATES)))
    }
