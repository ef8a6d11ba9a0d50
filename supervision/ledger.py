"""The 督办台账: every 督办 and 催办 in a supervisor's area, filtered, counted and exported to Excel.

Reads start from cases.scoping (a record exists for a user only if its case does). The counts are computed from the
records' append-only history (SupervisionEvent), the same acts the case timeline records as CaseEvents
(supervise, urge, supervision_reply, supervision_escalate), so the ledger's figures and the events agree.
"""

import tempfile
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import User
from cases.listing import local_day_start
from cases.scoping import cases_visible_to
from imports.exports import _bold_row, safe_row
from supervision.forms import AreaForm
from supervision.models_duban import (
    CardLevel,
    Supervision,
    SupervisionEvent,
    SupervisionEventKind,
    SupervisionKind,
    SupervisionStatus,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
SELECT = {"class": "form-select"}


class LedgerFilter(AreaForm):
    date_from = forms.DateField(label="下发日期自", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部类别"), *SupervisionKind.choices], widget=forms.Select(SELECT)
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *SupervisionStatus.choices],
        widget=forms.Select(SELECT),
    )
    card = forms.ChoiceField(
        label="警示",
        required=False,
        choices=[("", "全部"), ("NONE", "未亮牌"), *[c for c in CardLevel.choices if c[0]]],
        widget=forms.Select(SELECT),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data


def records_visible_to(user: User) -> QuerySet[Supervision]:
    """Records on the user's cases, and (issue 11) the 督办 of referrals not yet accepted that the user may see."""
    from referrals.scoping import referrals_visible_to

    return Supervision.objects.filter(
        Q(case__in=cases_visible_to(user)) | Q(case__isnull=True, referral__in=referrals_visible_to(user))
    )


def filter_records(qs: QuerySet[Supervision], form: LedgerFilter) -> QuerySet[Supervision]:
    if not form.is_valid():
        return qs.none() if form.is_bound else qs
    d = form.cleaned_data
    qs = qs.filter(
        Q(case__division_code__startswith=d["area"])
        | Q(case__isnull=True, referral__division_code__startswith=d["area"])
    )
    if d["date_from"]:
        qs = qs.filter(issued_at__gte=local_day_start(d["date_from"]))
    if d["date_to"]:
        qs = qs.filter(issued_at__lt=local_day_start(d["date_to"] + timedelta(days=1)))
    for name in ("kind", "status"):
        if d[name]:
            qs = qs.filter(**{name: d[name]})
    if d["card"]:
        qs = qs.filter(card="" if d["card"] == "NONE" else d["card"])
    return qs


@dataclass(frozen=True)
class LedgerCounts:
    supervised: int  # 督办 issued by a person (CaseEvent "supervise")
    urged: int  # 催办 (CaseEvent "urge")
    replied: int  # 反馈 (CaseEvent "supervision_reply")
    escalated: int  # 逾期升级 / 亮牌 (CaseEvent "supervision_escalate")
    yellow: int  # records now carrying a yellow card
    red: int
    pending: int


def ledger_counts(qs: QuerySet[Supervision]) -> LedgerCounts:
    ev = SupervisionEvent.objects.filter(supervision__in=qs).aggregate(
        supervised=Count("id", filter=Q(kind=SupervisionEventKind.ISSUED, supervision__kind=SupervisionKind.DUBAN)),
        urged=Count("id", filter=Q(kind=SupervisionEventKind.ISSUED, supervision__kind=SupervisionKind.URGE)),
        replied=Count("id", filter=Q(kind=SupervisionEventKind.REPLIED)),
        escalated=Count("id", filter=Q(kind__in=[SupervisionEventKind.ESCALATED, SupervisionEventKind.CARD])),
    )
    rec = qs.aggregate(
        yellow=Count("id", filter=Q(card=CardLevel.YELLOW)),
        red=Count("id", filter=Q(card=CardLevel.RED)),
        pending=Count("id", filter=Q(status=SupervisionStatus.PENDING)),
    )
    return LedgerCounts(**ev, **rec)


def for_ledger(qs: QuerySet[Supervision]) -> QuerySet[Supervision]:
    replies = SupervisionEvent.objects.filter(kind=SupervisionEventKind.REPLIED).select_related("actor")
    return (
        qs.select_related("case", "case__committee", "referral", "referral__receiver", "issued_by", "escalated_from")
        .prefetch_related(Prefetch("events", queryset=replies, to_attr="replies"))
        .order_by("-issued_at", "-id")
    )


COLUMNS = [
    "案号",
    "调委会",
    "类别",
    "层级",
    "督办单位区划",
    "督办人",
    "下发时间",
    "督办意见",
    "反馈期限",
    "状态",
    "警示",
    "升级自",
    "反馈时间",
    "反馈人",
    "反馈内容",
]


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def ledger_rows(records) -> list:
    for s in records:
        reply = s.replies[-1] if s.replies else None
        origin = s.escalated_from
        yield [
            s.subject_label,
            s.case.committee.name if s.case_id else s.referral.receiver.name,
            s.get_kind_display(),
            s.get_level_display(),
            s.division_code,
            s.issuer_label,
            _when(s.issued_at),
            s.instruction,
            f"{s.reply_deadline:%Y-%m-%d}" if s.reply_deadline else "",
            s.get_status_display(),
            s.get_card_display() if s.card else "",
            f"{origin.get_level_display()}{origin.get_kind_display()}（{_when(origin.issued_at)}）" if origin else "",
            _when(s.replied_at),
            reply.actor_label if reply else "",
            reply.text if reply else "",
        ]


def write_ledger(user: User, qs: QuerySet[Supervision], counts: LedgerCounts):
    """The ledger as a spooled .xlsx positioned at 0: a watermark row, the figures, the headers, one row per record.
    Every text cell goes through imports.exports.safe_row (no formula injection from typed instructions/replies)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("督办台账")
    for col, width in zip("ABCDEFGHIJKLMNO", [28, 24, 8, 8, 14, 16, 18, 48, 12, 10, 8, 24, 18, 12, 48], strict=True):
        ws.column_dimensions[col].width = width
    now = timezone.localtime()
    ws.append([f"由{user.display_name}于{now:%Y-%m-%d %H:%M}导出。仅限工作使用，不得外传。"])
    ws.append(
        [
            f"督办{counts.supervised}件，催办{counts.urged}件，反馈{counts.replied}次，逾期升级{counts.escalated}次，"
            f"黄牌{counts.yellow}件，红牌{counts.red}件，待反馈{counts.pending}件"
        ]
    )
    ws.append(_bold_row(ws, COLUMNS))
    for row in ledger_rows(for_ledger(qs).iterator(chunk_size=500)):
        ws.append(safe_row(row))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out
