"""Legacy import: stage (validate every row), then import the valid rows as historical cases, chunk by chunk.

Each valid row becomes a `HistoricalCase` (the final facts the ledger records) and goes through the one door for
history, `cases.actions.historical.do_import_historical_cases`: one transaction per chunk, every step of the case
checked against the transition table, one event per step at its historical time, no notifications. The importer
(the user who uploaded the batch) is the actor. The action checks every item of a chunk before writing any and
names the one it refuses: that row is reported on its own and the rest of the chunk goes in without it; if the
chunk still fails (a row imported meanwhile by a concurrent run, a numbering clash), it is retried row by row.
A row's stable key goes to ImportedKey (unique) in the same transaction as its case: importing the same file
again adds nothing.

What a paper ledger does not record but the case model needs is filled in with values that say so
(“原台账未记载…”, “按原台账记载…”); the ledger has dates only, so the steps of a day are placed at fixed office
hours in their order (registration 9:00, acceptance 9:30, assignment 9:40, outcome 15:00, performance 15:30,
closing 17:00).
"""

import hashlib
import logging
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from cases.actions.base import ActionRefused
from cases.actions.historical import (
    HistoricalAgreement,
    HistoricalCase,
    HistoricalRefused,
    HistoricalTerm,
    HistoricalTermination,
    Imported,
    RowWriter,
    do_import_historical_cases,
)
from cases.actions.intake import CaseData, PartyData
from cases.enums import AgreementForm, Route, TerminationReason
from imports import crypto
from imports.mapping import FIELD_NAMES, mapping
from imports.models import BatchStatus, ImportBatch, ImportedKey, ImportRow, RowStatus
from imports.numbering import gap_warning, gaps
from imports.validation import Context, check_row
from registry.models import Committee, Court, Mediator

log = logging.getLogger(__name__)
CHUNK = 1000
__all__ = ["ImportResult", "import_rows", "new_batch", "run_step", "stage_rows"]


@dataclass
class ImportResult:
    batch_id: int
    total: int
    valid: int
    errors: int
    duplicates: int
    skipped: int
    imported: int
    failed: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


def new_batch(user: User, file_name: str = "", file_bytes: bytes = b"", mapping_name: str = "default") -> ImportBatch:
    return ImportBatch.objects.create(
        created_by=user,
        file_name=file_name[:200] or "（直接导入）",
        file_sha256=hashlib.sha256(file_bytes).hexdigest(),
        file_size=len(file_bytes),
        mapping_name=mapping_name,
    )


def records_from(rows: Iterable[tuple[int, list[Any]]], col_map: dict[str, int]) -> Iterable[tuple[int, dict, list]]:
    """(row number, field -> value, original cells) for spreadsheet rows under a field -> column mapping."""
    for number, cells in rows:
        rec = {f: cells[i] for f, i in col_map.items() if f in FIELD_NAMES and 0 <= i < len(cells)}
        yield number, rec, cells


def stage_rows(batch: ImportBatch, records: Iterable[tuple[int, dict, list]], user: User) -> ImportBatch:
    """Validate every row and stage it (VALID, ERROR, DUPLICATE within the file, SKIPPED = already imported).
    Replaces any earlier staging of the batch (the mapping may have changed).

    The case numbers the ledger carries (imports.numbering): a number used by two rows of the file, or already by a
    case on the platform, makes the row an error; gaps in a committee's series of a year are the batch's warnings.
    """
    ctx = Context(user=user, defaults=mapping(batch.mapping_name).get("defaults", {}))
    staged: list[ImportRow] = []
    first_seen: dict[str, int] = {}
    kept: dict[int, tuple[int, int, str]] = {}  # index in staged -> (year, seq, case_no) kept from the ledger
    for number, rec, cells in records:
        checked = check_row(rec, ctx)
        row = ImportRow(batch=batch, row_number=number, raw=crypto.seal(cells), warning="；".join(checked.warnings))
        if checked.errors:
            row.status, row.message = RowStatus.ERROR, "；".join(checked.errors)
        elif checked.key in first_seen:
            row.status, row.key = RowStatus.DUPLICATE, checked.key
            row.message = f"与第{first_seen[checked.key]}行重复"
        else:
            first_seen[checked.key] = number
            row.status, row.key, row.sort_key = RowStatus.VALID, checked.key, checked.sort_key
            row.payload = crypto.seal(checked.payload)
            row.committee_id = checked.payload["committee_id"]
            if checked.payload.get("case_no"):
                kept[len(staged)] = tuple(checked.payload["case_no"])
        staged.append(row)
    already = set()
    keys = list(first_seen)
    for i in range(0, len(keys), 500):
        already |= set(ImportedKey.objects.filter(key__in=keys[i : i + 500]).values_list("key", flat=True))
    for row in staged:
        if row.status == RowStatus.VALID and row.key in already:
            row.status, row.payload, row.message = RowStatus.SKIPPED, "", "已导入，跳过"
    warnings = _check_kept_numbers(staged, {i: n for i, n in kept.items() if staged[i].status == RowStatus.VALID})
    counts = {s: 0 for s in RowStatus.values}
    for row in staged:
        counts[row.status] += 1
    with transaction.atomic():
        batch.rows.all().delete()
        writer = RowWriter(ImportRow, timezone.now())
        fields = ("row_number", "status", "key", "sort_key", "raw", "payload", "message", "warning")
        for row in staged:
            writer.add(batch_id=batch.pk, case_id=None, **{f: getattr(row, f) for f in fields})
        writer.write()
        batch.total_rows = len(staged)
        batch.valid_rows = counts[RowStatus.VALID]
        batch.error_rows = counts[RowStatus.ERROR]
        batch.duplicate_rows = counts[RowStatus.DUPLICATE]
        batch.skipped_rows = counts[RowStatus.SKIPPED]
        batch.imported_rows = batch.failed_rows = 0
        batch.warnings = warnings
        batch.status = BatchStatus.VALIDATED
        batch.validated_at = timezone.now()
        batch.save()
    return batch


def _check_kept_numbers(staged: list[ImportRow], kept: dict[int, tuple[int, int, str]]) -> list[str]:
    """Row errors for a ledger number used twice in the file or already by a case; the gaps of each committee's
    series of a year (the file's kept numbers with the platform's existing cases) as the batch's warnings."""
    from cases.models import Case

    def refuse(row: ImportRow, message: str) -> None:
        row.status, row.payload, row.sort_key, row.message = RowStatus.ERROR, "", "", message

    seen: dict[tuple[int, int, int], int] = {}  # (committee, year, seq) -> row number
    for i, (year, seq, case_no) in sorted(kept.items(), key=lambda x: staged[x[0]].row_number):
        row = staged[i]
        key = (row.committee_id, year, seq)
        if key in seen:
            refuse(row, f"案号“{case_no}”与第{seen[key]}行重复")
        else:
            seen[key] = row.row_number
    valid = {i: n for i, n in kept.items() if staged[i].status == RowStatus.VALID}
    series = {(staged[i].committee_id, year) for i, (year, _seq, _no) in valid.items()}
    existing: dict[tuple[int, int], set[int]] = {k: set() for k in series}
    used_numbers: set[str] = set()
    wanted = [n for _y, _s, n in valid.values()]
    for i in range(0, len(wanted), 500):
        used_numbers |= set(Case.objects.filter(case_no__in=wanted[i : i + 500]).values_list("case_no", flat=True))
    if series:
        committees = {c for c, _y in series}
        years = {y for _c, y in series}
        for committee_id, year, seq in Case.objects.filter(
            committee_id__in=committees, year__in=years, seq__isnull=False
        ).values_list("committee_id", "year", "seq"):
            if (committee_id, year) in existing:
                existing[(committee_id, year)].add(seq)
    for i, (year, seq, case_no) in valid.items():
        row = staged[i]
        if case_no in used_numbers or seq in existing[(row.committee_id, year)]:
            refuse(row, f"案号“{case_no}”已被平台上的案件使用")
    numbers: dict[tuple[int, int], set[int]] = {k: set(v) for k, v in existing.items()}
    for i, (year, seq, _no) in kept.items():
        if staged[i].status == RowStatus.VALID:
            numbers[(staged[i].committee_id, year)].add(seq)
    names = dict(Committee.objects.filter(pk__in={c for c, _y in numbers}).values_list("pk", "name"))
    warnings = []
    for (committee_id, year), seqs in sorted(numbers.items(), key=lambda x: (names.get(x[0][0], ""), x[0][1])):
        missing = gaps(seqs)
        if missing:
            warnings.append(gap_warning(names.get(committee_id, ""), year, missing))
    return warnings


class _Lookups:
    """Committees, mediators and courts named by a chunk's rows, read once per chunk (in_bulk), not per row."""

    def __init__(self, payloads: list[dict]) -> None:
        self.committees = Committee.objects.in_bulk({p["committee_id"] for p in payloads})
        self.mediators = Mediator.objects.in_bulk({p["mediator_id"] for p in payloads if p.get("mediator_id")})
        self.courts = Court.objects.in_bulk({p["court_id"] for p in payloads if p.get("court_id")})


def _at(day: str, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), time(hour, minute)))


def historical_case(p: dict, row_number: int, look: _Lookups) -> HistoricalCase:
    """The HistoricalCase a validated row describes. Raises ActionRefused if what it names no longer exists."""
    committee = look.committees.get(p["committee_id"])
    mediator = look.mediators.get(p["mediator_id"])
    if committee is None or mediator is None:
        raise ActionRefused("行中的调委会或调解员已不存在，请重新上传校验")
    data = CaseData(
        source=p["source"],
        dispute_type=p["dispute_type"],
        brief_facts=p["facts"],
        claims=p["claims"] or "原台账未记载申请事项",
        amount_involved=Decimal(p["amount_involved"]),
        court=look.courts.get(p["court_id"]) if p["court_id"] else None,
        parties=[
            PartyData(
                side=x["side"],
                name=x["name"],
                party_type=x["party_type"],
                id_number=x["id_number"],
                credit_code=x["credit_code"],
                phone=x["phone"],
                address=x["address"],
                guardian_name=x["guardian_name"],
            )
            for x in p["parties"]
        ],
    )
    accepted = _at(p["accepted_on"], 9, 30)
    item = HistoricalCase(
        committee=committee,
        data=data,
        registered_at=_at(p["registered_on"], 9),
        accepted_at=accepted,
        presiding=mediator,
        assigned_at=accepted + timedelta(minutes=10),
        note=f"第{row_number}行" + (f"，原编号{p['legacy_no']}" if p["legacy_no"] and not p.get("case_no") else ""),
        number=tuple(p["case_no"]) if p.get("case_no") else None,
    )
    if p["outcome"] == "OPEN":
        return item
    done = _at(p["outcome_on"], 15)
    item.outcome_at = done
    closed = max(_at(p["closed_on"], 17), done + timedelta(hours=1))
    if p["outcome"] == "FAILURE":
        item.termination = HistoricalTermination(
            reason=TerminationReason.NO_PROSPECT,
            note="原台账记载调解不成功（告知其他解决途径的情况以原卷宗为准）",
            routes=[Route.LITIGATION],
        )
        item.closed_at, item.closing_summary = closed, "原台账记载调解不成功，调解终止，结案"
        return item
    # The applicant is the obligee and the first respondent the obligor: the ledger records one agreed sum.
    parties = item.parties
    amount = Decimal(p["agreement_amount"]) if p["agreement_amount"] else None
    performing = p["performance"] == "PERFORMING"
    # The ledger records no performance deadline: "in performance" rows get 30 days from the agreement (labelled
    # in the manner of performance), performed rows the day of the agreement.
    deadline = date.fromisoformat(p["outcome_on"]) + timedelta(days=30 if performing else 0)
    content = p["agreement_content"] or (
        f"{parties[1].name}向{parties[0].name}支付{amount}元" if amount else "按原台账记载的调解协议履行"
    )
    manner = "按原台账记载履行（原台账未记载履行期限）" if performing else "按原台账记载履行"
    term = HistoricalTerm(
        obligor=1,
        obligee=0,
        content=content[:500],
        manner=manner,
        deadline=deadline,
        amount=amount,
        place=f"{committee.name}（原台账未记载履行地点）" if amount else "",
    )
    oral = p["agreement_form"] == AgreementForm.ORAL
    item.agreement = HistoricalAgreement(
        form=AgreementForm.ORAL if oral else AgreementForm.WRITTEN,
        facts=p["facts"],
        terms=[term],
        oral_reason="原台账记载为口头协议" if oral else "",
    )
    if performing:
        return item
    item.performed_at = done + timedelta(minutes=30)
    item.performance_note = "原台账记载协议已履行"
    item.closed_at, item.closing_summary = closed, "原台账记载协议已履行完毕，结案"
    return item


def _write(
    batch: ImportBatch, user: User, now: datetime, pairs: list[tuple[ImportRow, HistoricalCase]]
) -> list[Imported]:
    """One chunk in one transaction: the cases through the action, and the rows' import keys beside them."""
    with transaction.atomic():
        cases = do_import_historical_cases(
            [item for _row, item in pairs], user, source_note=f"批次{batch.pk}", entered_at=now
        )
        keys = RowWriter(ImportedKey, timezone.now())
        for (row, _item), case in zip(pairs, cases, strict=True):
            keys.add(
                key=row.key, case_id=case.case_id, batch_id=batch.pk, row_number=row.row_number, legacy_no=row.legacy_no
            )
        keys.write()
    return cases


def _import_chunk(batch: ImportBatch, user: User, now: datetime, pairs: list[tuple[ImportRow, HistoricalCase]]) -> None:
    """Write the chunk. The action checks every item before it writes anything and names the first one it refuses:
    that row gets the refusal and the rest of the chunk is tried again (refusals are rare here, since staging
    validated the rows). If the chunk fails as a whole otherwise, retry row by row so each row gets a verdict."""
    pending = list(pairs)
    while pending:
        try:
            cases = _write(batch, user, now, pending)
        except HistoricalRefused as refusal:
            row, _item = pending.pop(refusal.index)
            row.status, row.message = RowStatus.FAILED, refusal.message
            continue
        except IntegrityError:
            for row, item in pending:
                _import_one(batch, user, now, row, item)
            return
        for (row, _item), case in zip(pending, cases, strict=True):
            row.status, row.case_id, row.message = RowStatus.IMPORTED, case.case_id, case.case_no or ""
        return


def _import_one(batch: ImportBatch, user: User, now: datetime, row: ImportRow, item: HistoricalCase) -> None:
    try:
        (case,) = _write(batch, user, now, [(row, item)])
    except ActionRefused as refusal:
        row.status, row.message = RowStatus.FAILED, refusal.message
    except IntegrityError:
        from cases.models import Case

        if ImportedKey.objects.filter(key=row.key).exists():  # imported meanwhile by a concurrent run
            row.status, row.message = RowStatus.SKIPPED, "已导入，跳过"
        elif item.number is not None and Case.objects.filter(case_no=item.number[2]).exists():
            row.status, row.message = RowStatus.FAILED, f"案号“{item.number[2]}”已被平台上的案件使用"
        else:
            log.exception("import row %s of batch %s failed", row.row_number, batch.pk)
            row.status, row.message = RowStatus.FAILED, "导入时发生系统错误，请联系管理员"
    else:
        row.status, row.case_id, row.message = RowStatus.IMPORTED, case.case_id, case.case_no or ""


def _save_verdicts(rows: list[ImportRow]) -> None:
    """Each row's status, case, message, and its staged payload cleared: one executemany (bulk_update builds a
    CASE WHEN over every row and field, which cost more than the import itself at 1000 rows per chunk)."""
    q = connection.ops.quote_name
    sql = (
        f"UPDATE {q(ImportRow._meta.db_table)} SET {q('status')} = %s, {q('case_id')} = %s, {q('message')} = %s, "
        f"{q('payload')} = '' WHERE {q('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(r.status, r.case_id, r.message, r.pk) for r in rows])


def run_step(batch: ImportBatch, budget_seconds: float = 2.0, chunk: int = CHUNK) -> ImportBatch:
    """Import the next valid rows (oldest acceptance first, so case numbers follow the ledger's order), chunk by
    chunk, for about `budget_seconds`; the page calls this again until the batch is done. Safe to repeat or to
    run twice at once: a row already imported is found by its unique key and recorded as skipped."""
    if batch.status == BatchStatus.VALIDATED:
        batch.status, batch.started_at = BatchStatus.RUNNING, timezone.now()
        batch.save(update_fields=["status", "started_at"])
    if batch.status != BatchStatus.RUNNING:
        return batch
    user = batch.created_by
    now = batch.started_at or timezone.now()
    deadline = clock.monotonic() + budget_seconds
    while clock.monotonic() < deadline:
        rows = list(batch.rows.filter(status=RowStatus.VALID).order_by("sort_key", "row_number")[:chunk])
        if not rows:
            break
        already = set(ImportedKey.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True))
        payloads: dict[int, dict] = {}
        for row in rows:
            payload = crypto.unseal(row.payload, {}) or {}
            row.payload = ""
            if row.key in already:
                row.status, row.message = RowStatus.SKIPPED, "已导入，跳过"
            elif not payload:
                row.status, row.message = RowStatus.FAILED, "暂存的行数据无法读取，请重新上传校验"
            else:
                payloads[row.pk] = payload
        look = _Lookups(list(payloads.values()))
        pairs: list[tuple[ImportRow, HistoricalCase]] = []
        for row in rows:
            if row.pk not in payloads:
                continue
            row.legacy_no = payloads[row.pk]["legacy_no"]  # not a field: carried to the row's ImportedKey
            try:
                item = historical_case(payloads[row.pk], row.row_number, look)
            except ActionRefused as refusal:
                row.status, row.message = RowStatus.FAILED, refusal.message
            else:
                pairs.append((row, item))
        # The cases, their keys, the rows' verdicts and the batch counters commit together.
        with transaction.atomic():
            if pairs:
                _import_chunk(batch, user, now, pairs)
            counts = {s: sum(1 for r in rows if r.status == s) for s in RowStatus.values}
            _save_verdicts(rows)
            batch.imported_rows += counts[RowStatus.IMPORTED]
            batch.failed_rows += counts[RowStatus.FAILED]
            batch.skipped_rows += counts[RowStatus.SKIPPED]
            batch.valid_rows -= counts[RowStatus.SKIPPED]
            batch.save(update_fields=["imported_rows", "failed_rows", "skipped_rows", "valid_rows"])
    if not batch.rows.filter(status=RowStatus.VALID).exists():
        batch.status, batch.finished_at = BatchStatus.DONE, timezone.now()
        batch.save(update_fields=["status", "finished_at"])
    return batch


def result_of(batch: ImportBatch, seconds: float) -> ImportResult:
    return ImportResult(
        batch_id=batch.pk,
        total=batch.total_rows,
        valid=batch.valid_rows,
        errors=batch.error_rows,
        duplicates=batch.duplicate_rows,
        skipped=batch.skipped_rows,
        imported=batch.imported_rows,
        failed=batch.failed_rows,
        seconds=seconds,
    )


def import_rows(batch: ImportBatch | None, rows: Iterable[dict[str, Any]], user: User) -> ImportResult:
    """Validate and import mapped rows (dicts keyed by imports.mapping.FIELD_NAMES, values as found in a ledger
    cell) in one go: the entry point of the management command and of the benchmark. `batch` None creates one."""
    started = clock.monotonic()
    batch = batch or new_batch(user, "import_rows")
    records = ((i, dict(rec), [rec.get(f, "") for f in FIELD_NAMES]) for i, rec in enumerate(rows, start=2))
    stage_rows(batch, records, user)
    while batch.status != BatchStatus.DONE:
        run_step(batch, budget_seconds=30.0)
    return result_of(batch, clock.monotonic() - started)
