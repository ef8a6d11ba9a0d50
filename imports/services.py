"""Legacy import: stage (validate every row), then import the valid rows through cases.actions, in steps.

Each row becomes a case by the same actions a committee uses (register → accept → assign → agreement or
termination → performance → close), with the historical dates from the ledger and entered_at = the import time.
Rows are processed in chunks of one transaction each, every row inside its own savepoint, so a refused row rolls
back alone and a chunk costs one commit. A row's stable key goes to ImportedKey (unique) in the row's savepoint:
importing the same file again adds nothing.
"""

import hashlib
import logging
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import actions as A
from cases.enums import AgreementForm, Route, SignatureMethod, TerminationReason
from cases.models import Case, Notification
from imports import crypto
from imports.mapping import FIELD_NAMES, mapping
from imports.models import BatchStatus, ImportBatch, ImportedKey, ImportRow, RowStatus
from imports.validation import Context, check_row
from registry.models import Committee, Court, Mediator

log = logging.getLogger(__name__)
CHUNK = 50
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
    Replaces any earlier staging of the batch (the mapping may have changed)."""
    ctx = Context(user=user, defaults=mapping(batch.mapping_name).get("defaults", {}))
    staged: list[ImportRow] = []
    first_seen: dict[str, int] = {}
    for number, rec, cells in records:
        checked = check_row(rec, ctx)
        row = ImportRow(batch=batch, row_number=number, raw=crypto.seal(cells))
        if checked.errors:
            row.status, row.message = RowStatus.ERROR, "；".join(checked.errors)
        elif checked.key in first_seen:
            row.status, row.key = RowStatus.DUPLICATE, checked.key
            row.message = f"与第{first_seen[checked.key]}行重复"
        else:
            first_seen[checked.key] = number
            row.status, row.key, row.sort_key = RowStatus.VALID, checked.key, checked.sort_key
            row.payload = crypto.seal(checked.payload)
        staged.append(row)
    already = set()
    keys = list(first_seen)
    for i in range(0, len(keys), 500):
        already |= set(ImportedKey.objects.filter(key__in=keys[i : i + 500]).values_list("key", flat=True))
    for row in staged:
        if row.status == RowStatus.VALID and row.key in already:
            row.status, row.payload, row.message = RowStatus.SKIPPED, "", "已导入，跳过"
    counts = {s: 0 for s in RowStatus.values}
    for row in staged:
        counts[row.status] += 1
    with transaction.atomic():
        batch.rows.all().delete()
        ImportRow.objects.bulk_create(staged, batch_size=1000)
        batch.total_rows = len(staged)
        batch.valid_rows = counts[RowStatus.VALID]
        batch.error_rows = counts[RowStatus.ERROR]
        batch.duplicate_rows = counts[RowStatus.DUPLICATE]
        batch.skipped_rows = counts[RowStatus.SKIPPED]
        batch.imported_rows = batch.failed_rows = 0
        batch.status = BatchStatus.VALIDATED
        batch.validated_at = timezone.now()
        batch.save()
    return batch


class _Actors:
    """Per-batch caches so that rows of one committee do not repeat the same lookups."""

    def __init__(self) -> None:
        self.committees: dict[int, Committee] = {}
        self.directors: dict[int, User | None] = {}
        self.mediators: dict[int, Mediator] = {}
        self.courts: dict[int, Court] = {}

    def committee(self, pk: int) -> Committee:
        if pk not in self.committees:
            self.committees[pk] = Committee.objects.select_related("division").get(pk=pk)
        return self.committees[pk]

    def director(self, committee: Committee) -> User | None:
        if committee.pk not in self.directors:
            from accounts.models import Role

            self.directors[committee.pk] = (
                User.objects.filter(committee=committee, role=Role.DIRECTOR, is_active=True)
                .select_related("mediator")
                .order_by("id")
                .first()
            )
        return self.directors[committee.pk]

    def mediator(self, pk: int) -> Mediator:
        if pk not in self.mediators:
            self.mediators[pk] = Mediator.objects.select_related("user").get(pk=pk)
        return self.mediators[pk]

    def court(self, pk: int | None) -> Court | None:
        if pk is None:
            return None
        if pk not in self.courts:
            self.courts[pk] = Court.objects.get(pk=pk)
        return self.courts[pk]


def _at(day: str, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), time(hour, minute)))


def import_payload(p: dict, batch: ImportBatch, row_number: int, actors: _Actors, now: datetime) -> Case:
    """Turn one validated row into a case through the actions, dated as in the ledger. The director of the
    committee registers, accepts, assigns and seals (what the ledger records them as having done); the presiding
    mediator records the agreement or termination, the performance and the closing."""
    committee = actors.committee(p["committee_id"])
    director = actors.director(committee)
    if director is None:
        raise A.ActionRefused(f"{committee.name}没有在用的调委会主任账号")
    mediator = actors.mediator(p["mediator_id"])
    mediator_user = mediator.user
    provenance = f"历史台账导入（批次{batch.pk}第{row_number}行" + (
        f"，原编号{p['legacy_no']}）" if p["legacy_no"] else "）"
    )
    data = A.CaseData(
        source=p["source"],
        dispute_type=p["dispute_type"],
        brief_facts=p["facts"],
        claims=p["claims"] or "原台账未记载申请事项",
        amount_involved=Decimal(p["amount_involved"]),
        court=actors.court(p["court_id"]),
        parties=[
            A.PartyData(
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
    case = A.do_register_case(director, committee, data, at=_at(p["registered_on"], 9), entered_at=now)
    ImportedKey.objects.create(key=p["_key"], case=case, batch=batch, row_number=row_number, legacy_no=p["legacy_no"])
    accepted = _at(p["accepted_on"], 9, 30)
    case = A.do_accept_case(case, director, note=provenance, at=accepted)
    case = A.do_assign_mediators(
        case,
        director,
        presiding=mediator,
        rights_notified=True,
        identities_checked=True,
        at=accepted + timedelta(minutes=10),
    )
    if p["outcome"] == "OPEN":
        return case
    done = _at(p["outcome_on"], 15)
    closed = _at(p["closed_on"], 17)
    if p["outcome"] == "FAILURE":
        A.do_terminate_mediation(
            case,
            mediator_user,
            reason=TerminationReason.NO_PROSPECT,
            note="原台账记载调解不成功（告知其他解决途径的情况以原卷宗为准）",
            routes=[Route.LITIGATION],
            at=done,
        )
        A.do_close_case(case, mediator_user, summary="原台账记载调解不成功，调解终止，结案", at=closed)
        return case
    parties = list(case.parties.all())
    obligee, obligor = parties[0], parties[1]
    amount = Decimal(p["agreement_amount"]) if p["agreement_amount"] else None
    performing = p["performance"] == "PERFORMING"
    deadline = date.fromisoformat(p["outcome_on"]) + timedelta(days=30 if performing else 0)
    content = p["agreement_content"] or (
        f"{obligor.name}向{obligee.name}支付{amount}元" if amount else "按原台账记载的调解协议履行"
    )
    terms = [
        A.TermData(
            obligor=obligor,
            obligee=obligee,
            content=content[:500],
            manner="按原台账记载履行",
            deadline=deadline,
            amount=amount,
            place=committee.name if amount else "",
        )
    ]
    if p["agreement_form"] == AgreementForm.ORAL:
        A.do_record_oral_agreement(
            case, mediator_user, facts=p["facts"], terms=terms, oral_reason="原台账记载为口头协议", at=done
        )
    else:
        A.do_draft_agreement(
            case, mediator_user, facts=p["facts"], responsibilities="见原台账记载", terms=terms, at=done
        )
        for i, party in enumerate(parties, start=1):
            A.do_sign_agreement(
                case, mediator_user, party=party, method=SignatureMethod.HANDWRITTEN, at=done + timedelta(minutes=i)
            )
        A.do_sign_agreement(
            case, mediator_user, party=None, method=SignatureMethod.HANDWRITTEN, at=done + timedelta(minutes=10)
        )
        A.do_seal_agreement(case, director, at=done + timedelta(minutes=11))
    if performing:
        return case
    A.do_record_immediate_performance(
        case,
        mediator_user,
        on=date.fromisoformat(p["outcome_on"]),
        note="原台账记载协议已履行",
        at=done + timedelta(minutes=30),
    )
    close_at = max(closed, done + timedelta(hours=1))
    A.do_close_case(case, mediator_user, summary="原台账记载协议已履行完毕，结案", at=close_at)
    return case


def run_step(batch: ImportBatch, budget_seconds: float = 2.0, chunk: int = CHUNK) -> ImportBatch:
    """Import the next valid rows (oldest acceptance first, so case numbers follow the ledger's order) for about
    `budget_seconds`; the page calls this again until the batch is done. Safe to repeat or to run twice at once:
    a row already imported is refused by the unique key and recorded as skipped."""
    if batch.status == BatchStatus.VALIDATED:
        batch.status, batch.started_at = BatchStatus.RUNNING, timezone.now()
        batch.save(update_fields=["status", "started_at"])
    if batch.status != BatchStatus.RUNNING:
        return batch
    actors = _Actors()
    now = batch.started_at or timezone.now()
    deadline = clock.monotonic() + budget_seconds
    while clock.monotonic() < deadline:
        rows = list(batch.rows.filter(status=RowStatus.VALID).order_by("sort_key", "row_number")[:chunk])
        if not rows:
            break
        imported = failed = skipped = 0
        created: list[int] = []
        with transaction.atomic():
            for row in rows:
                payload = crypto.unseal(row.payload, {}) or {}
                payload["_key"] = row.key
                row.payload = ""
                if ImportedKey.objects.filter(key=row.key).exists():
                    row.status, row.message = RowStatus.SKIPPED, "已导入，跳过"
                    skipped += 1
                    continue
                try:
                    with transaction.atomic():
                        case = import_payload(payload, batch, row.row_number, actors, now)
                except A.ActionRefused as refusal:
                    row.status, row.message = RowStatus.FAILED, refusal.message
                    failed += 1
                except Exception:  # one bad row must not stop the batch; the row says so
                    log.exception("import row %s of batch %s failed", row.row_number, batch.pk)
                    row.status, row.message = RowStatus.FAILED, "导入时发生系统错误，请联系管理员"
                    failed += 1
                else:
                    row.status, row.case, row.message = RowStatus.IMPORTED, case, case.case_no or ""
                    created.append(case.pk)
                    imported += 1
            ImportRow.objects.bulk_update(rows, ["status", "case", "message", "payload"])
            batch.imported_rows += imported
            batch.failed_rows += failed
            batch.skipped_rows += skipped
            batch.valid_rows -= skipped
            batch.save(update_fields=["imported_rows", "failed_rows", "skipped_rows", "valid_rows"])
        # The actions notified the committee as if these historical steps had just happened (after the commit
        # above). They are history, not news: file them as read rather than flood the inboxes.
        Notification.objects.filter(case_id__in=created, read_at__isnull=True, created_at__lt=now).update(
            read_at=timezone.now()
        )
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
