"""Excel files the imports app writes: the case-list export (masked by role) and the import error report.

Both are written with openpyxl's write-only mode into a spooled temporary file, so a large export keeps memory
flat, and streamed to the browser from there.
"""

import tempfile
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.models import Role, User
from cases import identity
from cases.enums import CaseSource, CaseStatus, DisputeType, Outcome, PartyType, TerminationReason
from cases.models import Case
from cases.permissions import shown_phone
from imports import crypto
from imports.models import ImportBatch, RowStatus

EXPORT_COLUMNS = [
    "案号",
    "登记日期",
    "受理日期",
    "调委会",
    "纠纷类型",
    "来源",
    "状态",
    "当事人",
    "身份证号",
    "联系电话",
    "涉及金额",
    "调解结果",
]


def _own_case_ids(user: User, qs: QuerySet[Case]) -> set[int]:
    """The committee's cases for its director, the cases they mediate for a mediator; nobody else."""
    if user.role == Role.DIRECTOR and user.committee_id:
        return set(qs.filter(committee_id=user.committee_id).values_list("pk", flat=True))
    if user.role == Role.MEDIATOR and user.committee_id:
        mediator = getattr(user, "mediator", None)
        if mediator is None:
            return set()
        mine = Q(presiding_mediator=mediator) | Q(co_mediators=mediator)
        return set(qs.filter(mine, committee_id=user.committee_id).values_list("pk", flat=True))
    return set()


def full_phone_case_ids(user: User, qs: QuerySet[Case]) -> set[int]:
    """The cases of `qs` (already scoped to the user) for which cases.permissions.can_view_full_phone holds, in one
    query: the director for the committee's cases, a mediator for the cases they mediate; nobody else
    (docs/adr/0008-phone-numbers.md)."""
    return _own_case_ids(user, qs)


def full_id_case_ids(user: User, qs: QuerySet[Case]) -> set[int]:
    """The cases of `qs` (already scoped to the user) for which cases.permissions.can_view_full_id holds, in one
    query instead of one per case: the director for the committee's cases, a mediator for the cases they mediate,
    the court liaison for the cases before their court; nobody else."""
    if user.role in (Role.DIRECTOR, Role.MEDIATOR):
        return _own_case_ids(user, qs)
    if user.role == Role.COURT_LIAISON and user.court_id:
        court = Q(court_id=user.court_id) | Q(judicial_confirmations__court_id=user.court_id)
        # Not in a case involving a minor or a ward: only its mediators and the director (docs/adr/0003-minors.md).
        ordinary = qs.filter(court).exclude(involves_minor=True).exclude(involves_incapacity=True)
        return set(ordinary.values_list("pk", flat=True))
    return set()


def _outcome(case: Case) -> str:
    if case.status == CaseStatus.NOT_ACCEPTED:
        return "不予受理"
    if case.outcome == Outcome.FAILURE and case.termination_reason:
        return f"调解不成功（{TerminationReason(case.termination_reason).label}）"
    return str(Outcome(case.outcome).label) if case.outcome else "—"


def _local_date(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}" if value else ""


def case_rows(cases: Iterable[Case], full_ids: set[int], full_phones: set[int] | None = None) -> Iterable[list]:
    full_phones = set() if full_phones is None else full_phones
    for case in cases:
        full = case.pk in full_ids
        parties = list(case.parties.all())
        ids = []
        for p in parties:
            if p.party_type != PartyType.NATURAL_PERSON:
                ids.append(p.credit_code or "—")
            elif full:
                ids.append(p.full_id_number() or "—")
            else:
                ids.append(p.id_number_masked or "—")
        phones = [shown_phone(p.phone, full=case.pk in full_phones) or "—" for p in parties]
        yield [
            case.case_no or case.registration_no,
            _local_date(case.registered_at),
            _local_date(case.accepted_at),
            case.committee.name,
            str(DisputeType(case.dispute_type).label),
            str(CaseSource(case.source).label),
            str(CaseStatus(case.status).label),
            # A ward's name in full only for those who see the case in full (its mediators, the director).
            "、".join(p.name if (not case.protected or case.pk in full_phones) else p.display_name for p in parties),
            "、".join(ids),
            "、".join(phones),
            float(case.amount_involved or 0),
            _outcome(case),
        ]


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text a spreadsheet would evaluate (a party "named" =HYPERLINK(...), typed by anyone in the portal) is written
    as text with a leading apostrophe: openpyxl stores every string starting with "=" as a formula (OWASP CSV
    injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]


def _bold_row(ws, values: list) -> list:
    cells = []
    for v in values:
        c = WriteOnlyCell(ws, value=v)
        c.font = Font(bold=True)
        cells.append(c)
    return cells


def write_cases(user: User, qs: QuerySet[Case], total: int, full_ids: set[int]):
    """The export as a spooled temporary file positioned at 0. Row 1 names who exported it and when (a plain
    watermark, mediation-domain.md §13.3), row 2 the headers."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案件清单")
    ws.column_dimensions["A"].width = 28
    for col in "BCFG":
        ws.column_dimensions[col].width = 12
    for col in "DEHIJ":
        ws.column_dimensions[col].width = 24
    now = timezone.localtime()
    ws.append([f"由{user.display_name}于{now:%Y-%m-%d %H:%M}导出，共{total}件。含个人信息，仅限工作使用，不得外传。"])
    ws.append(_bold_row(ws, EXPORT_COLUMNS))
    cases = qs.select_related("committee").prefetch_related("parties")
    if not qs.query.order_by:  # the case list's sort when it comes from cases.listing.listed_cases
        cases = cases.order_by("-registered_at", "-id")
    full_phones = full_phone_case_ids(user, qs)
    for row in case_rows(cases.iterator(chunk_size=1000), full_ids, full_phones):
        ws.append(safe_row(row))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


def write_error_report(batch: ImportBatch):
    """The rows that will not be imported, each with its original cells and the reason in Chinese."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误报告")
    ws.append(_bold_row(ws, safe_row(["行号", *batch.headers, "错误说明"])))
    bad = [RowStatus.ERROR, RowStatus.DUPLICATE, RowStatus.FAILED]
    for row in batch.rows.filter(status__in=bad).order_by("row_number").iterator(chunk_size=1000):
        cells = crypto.unseal(row.raw, []) or []
        cells = list(cells) + [""] * (len(batch.headers) - len(cells))
        ws.append(safe_row([row.row_number, *cells[: len(batch.headers)], row.message]))
    # What is imported but worth a look (short facts, ledger numbers rewritten or renumbered, gaps): a second sheet.
    warned = batch.rows.exclude(warning="").exclude(status__in=bad).order_by("row_number")
    if batch.warnings or warned.exists():
        tips = wb.create_sheet("提示")
        tips.append(_bold_row(tips, safe_row(["行号", "提示"])))
        for text in batch.warnings:
            tips.append(safe_row(["全表", text]))
        for row in warned.iterator(chunk_size=1000):
            tips.append(safe_row([row.row_number, row.warning]))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


def mask_preview_cell(value: object) -> object:
    """Preview tables show the file's first rows; an ID number in them is shown masked."""
    if isinstance(value, str) and len(value) == 18 and value[:17].isdigit():
        return identity.mask_id_number(value)
    return value
