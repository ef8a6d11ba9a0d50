"""Historical cases (历史台账导入): the one door for entering cases that were handled before the platform existed.

A legacy ledger row is not news: its case was registered, accepted, mediated and closed years ago. Replaying it
through the interactive actions (register → accept → assign → draft → sign ×N → seal → perform → close) costs some
130 queries per case, has to invent what those actions ask of a live case (rights notices, future deadlines) and
notifies people about things that happened long ago. `do_import_historical_cases` is the batch form of the same
door, for a whole chunk of cases in ONE transaction:

* For each item it derives the steps the case went through and checks every step against the single transition
  table (`cases.transitions.find_row(action, status)`, the rows the interactive actions apply): an impossible
  history (closed without acceptance, an agreement without assigned mediators, closed while still performing)
  is refused, never stored.
* The guards that make sense for history are the interactive ones: ID numbers and credit codes by the same
  validation (`cases.actions.intake.validate_case_data`, at the registration date), the national dispute types and
  sources, mediators of the case's committee, agreement terms, termination reasons with the routes told to the
  parties, dates in the order of the steps and none in the future. Guards that only make sense for a live case
  (deadlines not before today, the rights notice just delivered) are not applied to the past.
* The relation check of the interactive actions ("the director accepts", "an assigned mediator signs") is replaced
  by the importer's jurisdiction over the committee: the importer (a county or city bureau administrator, or the
  committee's director) is who puts these facts on the platform and answers for them, so they are recorded as the
  actor of every import event (and as registering/accepting user, drafter, recorder of the signatures). The
  mediators named by the ledger are recorded where the model has a place for them (presiding mediator, the
  mediator's signature). Steps that the table gives to the SYSTEM (an agreement taking effect, the performance
  period starting) keep actor None, as in the interactive flow. The scope is the one of `cases.scoping`: checked
  per item before writing, and the created cases are re-read through `cases_visible_to(actor)` before commit.
* Case numbers are issued gap-free per committee and year in the order of acceptance within the chunk, under
  `select_for_update` of the CaseSequence rows: one lock and one update per committee-year per chunk. Callers
  that import several chunks pass them in acceptance order (imports.services does), so numbers follow the ledger.
  An item may instead carry the number its ledger already gave it (`HistoricalCase.number`, checked by the caller
  against the numbering rule): that number is kept, and the committee-year counter is moved up to at least its
  sequence, so that numbers issued afterwards (the chunk's unnumbered items, live acceptances) come after it.
* Facts: an old ledger's 纠纷简要情况 may be shorter than the 10 characters a live registration requires; history
  is taken as recorded (non-empty), and the import reports the short ones as a warning.
* It sends NO notifications and no SMS: these are historical cases; nobody is to act on them, and an inbox full
  of "new case registered" for cases closed in 2019 would bury the real work. The events carry the note
  "历史台账导入" and `data.historical = True`, so every report can tell entered-late history from live work.
* Everything is written with one `bulk_create` per model per chunk; `entered_at` is the import time while every
  event carries its historical time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Role, User
from cases import identity
from cases.actions.base import ActionRefused, local_date, require
from cases.actions.intake import CaseData, PartyData, format_case_no, routes_text, validate_case_data
from cases.enums import (
    AgreementForm,
    AgreementStatus,
    CaseSource,
    CaseStatus,
    MediatorChosenBy,
    Outcome,
    PartyType,
    PerformanceStatus,
    Route,
    SignatureMethod,
    SignerRole,
    TerminationReason,
)
from cases.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Case,
    CaseEvent,
    CaseSequence,
    Party,
    PerformanceRecord,
)
from cases.models.agreement import text_digest
from cases.scoping import cases_visible_to
from cases.transitions import LABELS, TABLE, Rel, Row
from registry.models import Committee, Mediator
from workdays.calendar import mediation_due_date

HISTORICAL_NOTE = "历史台账导入"
# The transition table itself, indexed by (action, source) for the thousands of look-ups of a chunk: the same rows
# `find_row` scans, not a second copy of the rules.
_ROWS: dict[tuple[str, str], Row] = {}
for _row in TABLE:
    _ROWS.setdefault((_row.action, _row.source), _row)
_FORMS, _METHODS = frozenset(AgreementForm.values), frozenset(SignatureMethod.values)
_REASONS, _ROUTES = frozenset(TerminationReason.values), frozenset(Route.values)
IMPORTER_ROLES = frozenset({Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.DIRECTOR})


@dataclass
class HistoricalTerm:
    """One obligation of a historical agreement; obligor and obligee are indexes into `HistoricalCase.parties`."""

    obligor: int
    obligee: int
    content: str
    manner: str
    deadline: date
    amount: Decimal | None = None
    place: str = ""


@dataclass
class HistoricalAgreement:
    form: str  # AgreementForm
    facts: str
    terms: list[HistoricalTerm]
    responsibilities: str = ""
    oral_reason: str = ""  # oral agreements: why no written one (口头协议登记表)
    signature_method: str = SignatureMethod.HANDWRITTEN  # how the parties signed the paper agreement


@dataclass
class HistoricalTermination:
    reason: str  # TerminationReason
    note: str
    routes: list[str]  # Route values: what the parties were told (PML 26)


@dataclass
class HistoricalCase:
    """The final facts of one case handled before the platform: what the ledger and the dossier say happened.

    Which steps the case went through follows from which facts are given: accepted_at → accepted, presiding →
    mediators assigned, agreement or termination at outcome_at, performed_at → performed on the spot (即时履行),
    closed_at → closed. The table decides whether that sequence is possible."""

    committee: Committee
    data: CaseData
    registered_at: datetime
    accepted_at: datetime | None = None
    presiding: Mediator | None = None
    co_mediators: list[Mediator] = field(default_factory=list)
    assigned_at: datetime | None = None  # defaults to accepted_at
    agreement: HistoricalAgreement | None = None
    termination: HistoricalTermination | None = None
    outcome_at: datetime | None = None
    performed_at: datetime | None = None
    performance_note: str = ""
    closed_at: datetime | None = None
    closing_summary: str = ""
    note: str = ""  # where this case comes from (row, legacy number): appended to the note of every event
    number: tuple[int, int, str] | None = None  # (year, seq, case_no) kept from the ledger; None: issue a new one

    @property
    def parties(self) -> list[PartyData]:
        return self.data.parties


class HistoricalRefused(ActionRefused):
    """An item of a batch is refused; `index` says which (the whole batch is rolled back)."""

    def __init__(self, index: int, refusal: ActionRefused) -> None:
        super().__init__(refusal.message, refusal.field)
        self.index = index


@dataclass
class _Step:
    action: str
    source: str  # "" for the registration, which creates the case
    target: str
    at: datetime
    actor_is_system: bool
    note: str
    data: dict


def in_import_scope(actor: User, committee: Committee) -> bool:
    """Whether `actor` may put historical cases of `committee` on the platform: the same jurisdiction as
    `cases.scoping.cases_visible_to` (a director: their committee; a county/city administrator: committees whose
    division code starts with theirs), restricted to the roles that answer for a ledger (not mediators, 司法所
    staff, courts or parties)."""
    if not (actor.is_authenticated and actor.is_active) or actor.role not in IMPORTER_ROLES:
        return False
    if actor.role == Role.DIRECTOR:
        return bool(actor.committee_id) and actor.committee_id == committee.pk
    return bool(actor.division_id) and committee.division_id.startswith(actor.division_id)


def _step(steps: list[_Step], status: str, action: str, at: datetime, note: str, data: dict | None = None) -> str:
    """Append the step if the transition table has a row for (action, current status); refuse otherwise."""
    row = _ROWS.get((action, status))
    if row is None:
        shown = CaseStatus(status).label if status else "未登记"
        raise ActionRefused(f"历史记录不符合办案流程：案件处于“{shown}”时不能“{LABELS[action]}”")
    steps.append(_Step(action, status, row.target, at, row.rels == frozenset({Rel.SYSTEM}), note, data or {}))
    return row.target


def _validate_terms(item: HistoricalCase, terms: list[HistoricalTerm]) -> None:
    """The term guards of the interactive agreement actions, except "deadline not before today" (history)."""
    require(bool(terms), "协议至少需要一项条款", "terms")
    n = len(item.parties)
    for i, t in enumerate(terms, start=1):
        where = f"第{i}项条款"
        require(0 <= t.obligor < n and 0 <= t.obligee < n, f"{where}：义务人和权利人须为本案当事人")
        require(t.obligor != t.obligee, f"{where}：义务人和权利人不能是同一人")
        require(len(t.content.strip()) >= 2, f"{where}：请填写协议内容")
        require(bool(t.manner.strip()), f"{where}：请填写履行方式")
        require(t.amount is None or t.amount >= 0, f"{where}：金额不能为负数")
        if t.amount:
            require(bool(t.place.strip()), f"{where}：涉及金钱给付的，须写明履行地点")


def _mediator_of(item: HistoricalCase, m: Mediator, label: str) -> None:
    # Serving *then*: a mediator who has since left the committee still mediated the case, so only membership of
    # the committee is checked, not whether they still serve today.
    require(m.committee_id == item.committee.pk, f"{label}必须是{item.committee.name}的调解员")


def plan_historical_case(item: HistoricalCase, actor: User, now: datetime | None = None) -> list[_Step]:
    """Check one historical case and return its steps (no database writes, no queries beyond what the given
    objects already hold). Raises ActionRefused with a Chinese message. Callers may use it to sort out refused
    rows before a batch; `do_import_historical_cases` calls it again for every item."""
    now = now or timezone.now()
    require(in_import_scope(actor, item.committee), f"{item.committee.name}不在您的管辖范围内，不能导入其案件")
    today = local_date(item.registered_at)
    validate_case_data(item.data, item.committee, today, min_facts_chars=1)
    if item.number is not None:
        require(item.accepted_at is not None, "未受理的案件不能带有案号")
        require(item.number[0] == local_date(item.accepted_at).year, f"案号{item.number[2]}的年度与受理年度不一致")
        require(item.number[1] >= 1, f"案号{item.number[2]}的序号无效")
    require(not (item.agreement and item.termination), "同一案件不能既达成协议又终止调解")
    require(item.presiding is not None or not item.co_mediators, "有参与调解员时须写明主持调解员")
    note_source = f"来源：{CaseSource(item.data.source).label}"
    steps: list[_Step] = []
    status = CaseStatus.INTAKE
    steps.append(_Step("register", "", status, item.registered_at, False, note_source, {}))
    if item.accepted_at is not None:
        status = _step(steps, status, "accept", item.accepted_at, "受理")
    if item.presiding is not None:
        _mediator_of(item, item.presiding, "主持调解员")
        for m in item.co_mediators:
            _mediator_of(item, m, "参与调解员")
        require(item.presiding not in item.co_mediators, "主持调解员不能同时列为参与调解员")
        at = item.assigned_at or item.accepted_at or item.registered_at
        names = "、".join(m.name for m in [item.presiding, *item.co_mediators])
        data = {"presiding": item.presiding.pk, "co": [m.pk for m in item.co_mediators]}
        status = _step(steps, status, "assign", at, f"调解员：{names}", {**data, "chosen_by": "COMMITTEE"})
    outcome_at = item.outcome_at
    if item.agreement is not None or item.termination is not None:
        require(outcome_at is not None, "请填写调解（协议或终止）日期", "outcome_at")
    if item.agreement is not None:
        a = item.agreement
        require(a.form in _FORMS, "协议形式无效")
        require(bool(a.facts.strip()), "请写明纠纷主要事实和争议事项", "facts")
        _validate_terms(item, a.terms)
        if a.form == AgreementForm.WRITTEN:
            require(a.signature_method in _METHODS, "请选择签署方式", "method")
            status = _step(steps, status, "draft_agreement", outcome_at, f"协议共{len(a.terms)}项条款")
            method = SignatureMethod(a.signature_method).label
            for p in item.parties:
                status = _step(steps, status, "sign_agreement", outcome_at, f"{p.name.strip()}已{method}")
            who = item.presiding.name if item.presiding else ""
            status = _step(steps, status, "sign_agreement", outcome_at, f"调解员{who}已签名")
            status = _step(steps, status, "seal_agreement", outcome_at, "已加盖调委会印章")
            status = _step(
                steps, status, "agreement_effective", outcome_at, "各方当事人、调解员签名并加盖调委会印章，协议生效"
            )
        else:
            require(len(a.oral_reason.strip()) >= 2, "请写明采用口头协议的原因", "oral_reason")
            status = _step(steps, status, "oral_agreement", outcome_at, f"达成口头协议：{a.oral_reason.strip()}")
        if any(t.deadline > local_date(outcome_at) for t in a.terms):
            status = _step(steps, status, "performance_tracking", outcome_at, "协议约定延期履行，进入履行期")
    if item.termination is not None:
        t = item.termination
        require(t.reason in _REASONS, "请选择终止原因", "reason")
        require(len(t.note.strip()) >= 4, "请写明终止调解的具体情况", "note")
        require(
            bool(t.routes) and all(r in _ROUTES for r in t.routes),
            "须告知当事人可以通过仲裁、行政、司法等途径解决",
        )
        label = TerminationReason(t.reason).label
        status = _step(steps, status, "terminate", outcome_at, f"{label}：{t.note.strip()}", {"routes": t.routes})
        if t.reason == TerminationReason.TIME_LIMIT_NO_CONSENT:
            require(local_date(outcome_at) > _due(item), "调解期限尚未届满，不能以此为由终止", "reason")
    if item.performed_at is not None:
        require(len(item.performance_note.strip()) >= 2, "请记录履行情况及凭证", "note")
        status = _step(steps, status, "immediate_performance", item.performed_at, item.performance_note.strip())
    if item.closed_at is not None:
        require(len(item.closing_summary.strip()) >= 4, "请填写结案情况", "summary")
        status = _step(steps, status, "close", item.closed_at, item.closing_summary.strip())
    # The steps happened in this order, so their dates must too; and all of it is in the past.
    for before, after in zip(steps, steps[1:], strict=False):
        require(
            after.at >= before.at,
            f"历史日期先后顺序不对：“{LABELS[after.action]}”早于“{LABELS[before.action]}”",
        )
    require(steps[-1].at <= now, "历史记录的日期不能晚于现在")
    return steps


def _due(item: HistoricalCase) -> date:
    return mediation_due_date(local_date(item.accepted_at), settings.TIAOJIE["MEDIATION_PERIOD_MONTHS"])


class _Listed(list):
    """A list that answers `.order_by(...)` with itself (already in order), for `_canonical_text`."""

    def order_by(self, *_fields: str) -> "_Listed":
        return self


def _canonical_text(form: str, facts: str, responsibilities: str, terms: list[dict]) -> str:
    """The agreement's own `Agreement.canonical_text()`, run on the values in memory instead of re-reading the
    terms: the model method reads `self.terms.order_by(...)` and `term.instalments.order_by(...)`; here those
    accessors answer from the rows just built (historical terms have no instalments). One text function, no query
    per agreement; tests check that the stored hash equals `agreement.text_hash()` read back from the database."""
    view = SimpleNamespace(
        form=form,
        facts=facts,
        responsibilities=responsibilities,
        terms=_Listed(SimpleNamespace(**t, instalments=_Listed()) for t in sorted(terms, key=lambda t: t["order"])),
    )
    return Agreement.canonical_text(view)  # type: ignore[arg-type]


class RowWriter:
    """The rows of one model for this chunk, written in one go: a multi-row INSERT … RETURNING id where the ids
    are needed (cases, parties, agreements), one executemany otherwise.

    Public for the import's own bookkeeping rows (imports.services), which are written in the same chunks.
    Why not `bulk_create`: measured on this machine, bulk_create costs ~115 µs per CaseEvent (25 µs of model
    __init__, the rest the SQL compiler's generic per-field preparation), these rows ~35 µs; a 100k-row ledger
    writes some 1.5 million rows, so that is the difference between minutes and the target of under a minute.
    Values are given by attname with their Python types; each column goes through the database backend's own
    adapter (`connection.ops.adapt_*`, and the field's own `get_db_prep_save` for JSON), and unset columns take
    the field's default (auto_now/auto_now_add: the import time), so the stored rows are the ones bulk_create would
    store. Works on SQLite (≥ 3.35, RETURNING) and PostgreSQL."""

    def __init__(self, model: type[models.Model], now: datetime) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        ops = connection.ops
        self.convert: list = []
        self.default: dict[str, object] = {}
        memo: dict = {}
        for f in self.fields:
            if isinstance(f, models.DateTimeField):

                def conv(v, _m=memo):  # events of a case share their times: adapt each once
                    if v not in _m:
                        _m[v] = ops.adapt_datetimefield_value(v)
                    return _m[v]
            elif isinstance(f, models.DateField):
                conv = ops.adapt_datefield_value
            elif isinstance(f, models.DecimalField):
                conv = lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)  # noqa: E731
            elif isinstance(f, models.JSONField):
                conv = lambda v, f=f: f.get_db_prep_save(v, connection)  # noqa: E731
            else:
                conv = None
            self.convert.append(conv)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.default[f.attname] = now
            else:  # what a model instance would hold ("" for text, None where nullable or required)
                self.default[f.attname] = f.get_default()
        self.names = [f.attname for f in self.fields]
        self.rows: list[tuple] = []

    def add(self, **values: object) -> int:
        """Queue one row; returns its index (for `ids` after `write`)."""
        default = self.default
        row = []
        for name, conv in zip(self.names, self.convert, strict=True):
            v = values[name] if name in values else default[name]
            row.append(conv(v) if conv is not None and v is not None else v)
        self.rows.append(tuple(row))
        return len(self.rows) - 1

    def _sql(self) -> tuple[str, str]:
        q = connection.ops.quote_name
        cols = ", ".join(q(f.column) for f in self.fields)
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        return f"INSERT INTO {q(self.model._meta.db_table)} ({cols}) VALUES ", one

    def write(self, *, returning: bool = False) -> list[int]:
        if not self.rows:
            return []
        head, one = self._sql()
        with connection.cursor() as cursor:
            if not returning:
                cursor.executemany(head + one, self.rows)
                return []
            ids: list[int] = []
            per = max(1, (connection.features.max_query_params or 65535) // len(self.fields))
            pk = connection.ops.quote_name(self.model._meta.pk.column)
            for i in range(0, len(self.rows), per):
                batch = self.rows[i : i + per]
                cursor.execute(head + ", ".join([one] * len(batch)) + f" RETURNING {pk}", [v for r in batch for v in r])
                ids += [r[0] for r in cursor.fetchall()]
            return ids


def _allocate_numbers(items: list[HistoricalCase]) -> list[tuple[int, int, str] | None]:
    """Gap-free (year, seq, case_no) per committee-year, in acceptance order within the chunk: each CaseSequence
    row involved is locked once (select_for_update, in a stable order so that concurrent chunks cannot deadlock)
    and written once. Items carrying their ledger number keep it; the counter then stands at least at the highest
    kept sequence, and the chunk's other items are numbered after it."""
    numbers: list[tuple[int, int, str] | None] = [None] * len(items)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        if item.accepted_at is not None:
            groups[(item.committee.pk, local_date(item.accepted_at).year)].append(i)
    if not groups:
        return numbers
    keys = sorted(groups)
    # One locking read for the chunk, rows in pk order (no deadlock between concurrent chunks). It may also lock
    # another year's counter of the same committees: harmless, those committees are being imported into anyway.
    committee_ids, years = {k[0] for k in keys}, {k[1] for k in keys}
    locked = CaseSequence.objects.select_for_update().filter(committee_id__in=committee_ids, year__in=years)
    rows = {(r.committee_id, r.year): r for r in locked.order_by("pk")}
    for key in keys:
        if key not in rows:
            rows[key], _created = CaseSequence.objects.select_for_update().get_or_create(
                committee_id=key[0], year=key[1]
            )
    for key in keys:
        row, year = rows[key], key[1]
        short = items[groups[key][0]].committee.short_name
        kept = [i for i in groups[key] if items[i].number is not None]
        for i in kept:
            numbers[i] = items[i].number
            row.last = max(row.last, items[i].number[1])
        for i in sorted(set(groups[key]) - set(kept), key=lambda i: (items[i].accepted_at, i)):
            row.last += 1
            numbers[i] = (year, row.last, format_case_no(short, year, row.last))
    # One statement for all counters of the chunk (bulk_update's CASE WHEN over hundreds of rows costs seconds).
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {q(CaseSequence._meta.db_table)} SET {q('last')} = %s WHERE {q('id')} = %s",
            [(rows[k].last, rows[k].pk) for k in keys],
        )
    return numbers


class Imported(NamedTuple):
    case_id: int
    case_no: str | None


_AGREEMENT_STEPS = {"draft_agreement", "sign_agreement", "seal_agreement", "agreement_effective", "oral_agreement"}


def do_import_historical_cases(
    items: list[HistoricalCase], actor: User, *, source_note: str, entered_at: datetime | None = None
) -> list[Imported]:
    """Create the historical cases of one chunk in ONE transaction, every step checked against the transition
    table, with one append-only CaseEvent per step at its historical time. All or nothing: if any item is
    refused, `HistoricalRefused` says which (`.index`) and nothing is written; callers sort refused items out
    beforehand with `plan_historical_case`. Returns the new cases (id, number) in the order of `items`. Sends no
    notifications (see the module docstring)."""
    now = timezone.now()
    entered_at = entered_at or now
    plans: list[list[_Step]] = []
    for i, item in enumerate(items):
        try:
            plans.append(plan_historical_case(item, actor, now))
        except ActionRefused as refusal:
            raise HistoricalRefused(i, refusal) from None
    if not items:
        return []
    prefix = f"{HISTORICAL_NOTE}（{source_note}" if source_note else f"{HISTORICAL_NOTE}（"
    scratch = Party()  # Party.set_id_number encrypts, hashes and masks: run it, keep its three values
    with transaction.atomic():
        numbers = _allocate_numbers(items)
        cases = RowWriter(Case, now)
        for item, steps, number in zip(items, plans, numbers, strict=True):
            d = item.data
            referred = d.source == CaseSource.REFERRED_COURT
            v: dict = {
                "committee_id": item.committee.pk,
                "division_code": item.committee.division_id,
                "status": steps[-1].target,
                "source": d.source,
                "referral_body": d.referral_body,
                "court_id": d.court.pk if referred and d.court else None,
                "court_mode": d.court_mode if referred else "",
                "court_case_no": d.court_case_no if referred else "",
                "dispute_type": d.dispute_type,
                "brief_facts": d.brief_facts.strip(),
                "claims": d.claims.strip(),
                "amount_involved": d.amount_involved,
                "is_difficult": d.is_difficult,
                "occurred_on": d.occurred_on,
                "registered_by_id": actor.pk,
                "registered_at": item.registered_at,
                "entered_at": entered_at,
                "not_accepted_reason": "",
                "routes_informed": "",
                "transferred_to": "",
                "termination_note": "",
                "closing_summary": "",
            }
            if number is not None:
                v["year"], v["seq"], v["case_no"] = number
                v["accepted_at"], v["accepted_by_id"] = item.accepted_at, actor.pk
                v["time_limit_due"] = _due(item)
            if item.presiding is not None:
                v["presiding_mediator_id"] = item.presiding.pk
                v["mediator_chosen_by"] = MediatorChosenBy.COMMITTEE
                v["rights_notified_at"] = next(s.at for s in steps if s.action == "assign")
            v["party_count"] = len(item.parties)  # the roll-ups of Case (see cases.models.case)
            if item.agreement is not None:
                v["outcome"] = Outcome.SUCCESS
                v["agreement_form"] = item.agreement.form  # its only agreement, written EFFECTIVE below
                if any(s.action == "performance_tracking" for s in steps):
                    v["performance_status"] = PerformanceStatus.PERFORMING
            if item.termination is not None:
                t = item.termination
                v["outcome"] = Outcome.FAILURE
                v["termination_reason"], v["termination_note"] = t.reason, t.note.strip()
                v["routes_informed"] = routes_text(t.routes)
            if item.performed_at is not None:
                v["performance_status"] = PerformanceStatus.IMMEDIATE
            if item.closed_at is not None:
                v["closed_at"], v["closing_summary"] = item.closed_at, item.closing_summary.strip()
            cases.add(**v)
        case_ids = cases.write(returning=True)
        # The jurisdiction, once more through the one door for reading: every new case must be visible to the
        # importer (the per-item check above uses the same notion; this makes any divergence fail loudly).
        if cases_visible_to(actor).filter(pk__in=case_ids).count() != len(case_ids):
            raise ActionRefused("所导入的案件不在您的管辖范围内")

        parties = RowWriter(Party, now)
        party_index: list[list[int]] = []
        for item, case_id in zip(items, case_ids, strict=True):
            verified = item.presiding is not None
            mine = []
            for n, p in enumerate(item.parties, start=1):
                v = {
                    "case_id": case_id,
                    "side": p.side,
                    "party_type": p.party_type,
                    "name": p.name.strip(),
                    "gender": p.gender,
                    "ethnicity": p.ethnicity,
                    "occupation": p.occupation,
                    "phone": p.phone,
                    "address": p.address,
                    "credit_code": p.credit_code.strip().upper(),
                    "legal_representative": p.legal_representative,
                    "guardian_name": p.guardian_name,
                    "user_id": p.user.pk if p.user else None,
                    "order": n,
                    "identity_verified": verified,
                    "birth_date": p.birth_date,
                    "id_number_encrypted": "",
                    "id_number_hash": "",
                    "id_number_masked": "",
                }
                if p.party_type == PartyType.NATURAL_PERSON and p.id_number:
                    scratch.set_id_number(p.id_number)
                    v["id_number_encrypted"] = scratch.id_number_encrypted
                    v["id_number_hash"] = scratch.id_number_hash
                    v["id_number_masked"] = scratch.id_number_masked
                    v["birth_date"] = identity.birth_date_from_id(p.id_number)
                    v["gender"] = p.gender or identity.gender_from_id(p.id_number)
                mine.append(parties.add(**v))
            party_index.append(mine)
        party_ids = parties.write(returning=True)
        pids = [[party_ids[k] for k in mine] for mine in party_index]
        through = RowWriter(Case.co_mediators.through, now)
        for item, case_id in zip(items, case_ids, strict=True):
            for m in item.co_mediators:
                through.add(case_id=case_id, mediator_id=m.pk)
        through.write()

        agreements = RowWriter(Agreement, now)
        with_agreement = [i for i, item in enumerate(items) if item.agreement is not None]
        for i in with_agreement:
            a, at = items[i].agreement, items[i].outcome_at
            written = a.form == AgreementForm.WRITTEN
            agreements.add(
                case_id=case_ids[i],
                form=a.form,
                status=AgreementStatus.EFFECTIVE,
                facts=a.facts.strip(),
                responsibilities=a.responsibilities.strip() if written else "",
                oral_reason="" if written else a.oral_reason.strip(),
                drafted_by_id=actor.pk,
                drafted_at=at,
                effective_at=at,
            )
        agreement_ids = dict(zip(with_agreement, agreements.write(returning=True), strict=True))
        terms, signatures = RowWriter(AgreementTerm, now), RowWriter(AgreementSignature, now)
        hashes: dict[int, str] = {}
        cent = Decimal("0.01")
        for i, agreement_id in agreement_ids.items():
            item, a = items[i], items[i].agreement
            values = [
                {
                    "order": n,
                    "obligor_id": pids[i][t.obligor],
                    "obligee_id": pids[i][t.obligee],
                    "content": t.content.strip(),
                    # As the database gives it back (2 places), so that the text hashed now is the text read later.
                    "amount": t.amount.quantize(cent) if t.amount is not None else None,
                    "manner": t.manner.strip(),
                    "place": t.place.strip(),
                    "deadline": t.deadline,
                }
                for n, t in enumerate(a.terms, start=1)
            ]
            for t in values:
                terms.add(agreement_id=agreement_id, **t)
            if a.form != AgreementForm.WRITTEN:
                continue
            written_facts = a.facts.strip()
            text = _canonical_text(a.form, written_facts, a.responsibilities.strip(), values)
            digest = hashes[i] = text_digest(text)
            common = {"agreement_id": agreement_id, "signed_at": item.outcome_at, "recorded_by_id": actor.pk}
            common |= {"signed_text": text, "text_hash": digest, "party_id": None, "mediator_id": None}
            for party_id in pids[i]:
                signatures.add(
                    **{**common, "party_id": party_id}, signer_role=SignerRole.PARTY, method=a.signature_method
                )
            signatures.add(
                **{**common, "mediator_id": item.presiding.pk},
                signer_role=SignerRole.MEDIATOR,
                method=SignatureMethod.HANDWRITTEN,
            )
            signatures.add(**common, signer_role=SignerRole.SEAL, method=SignatureMethod.SEAL)
        terms.write()
        signatures.write()
        performance = RowWriter(PerformanceRecord, now)
        for item, case_id in zip(items, case_ids, strict=True):
            if item.performed_at is not None:
                performance.add(
                    case_id=case_id,
                    kind="IMMEDIATE",
                    on=local_date(item.performed_at),
                    note=item.performance_note.strip(),
                    recorded_by_id=actor.pk,
                )
        performance.write()

        events = RowWriter(CaseEvent, now)
        for i, (item, case_id, steps, number) in enumerate(zip(items, case_ids, plans, numbers, strict=True)):
            where = prefix + (("，" if source_note else "") + item.note if item.note else "") + "）："
            for s in steps:
                data = {"historical": True, **s.data}
                if s.action == "accept":
                    data |= {"case_no": number[2], "due": _due(item).isoformat()}
                elif s.action in _AGREEMENT_STEPS:
                    data["agreement"] = agreement_ids[i]
                    if s.action == "sign_agreement":
                        data["hash"] = hashes[i]
                events.add(
                    case_id=case_id,
                    action=s.action,
                    from_status=s.source,
                    to_status=s.target,
                    actor_id=None if s.actor_is_system else actor.pk,
                    at=s.at,
                    note=where + s.note,
                    data=data,
                )
        events.write()
        # The raw INSERTs above fire no post_save signal: index the new cases here, in the chunk's transaction, so
        # that search, the case list's q filter and similar cases see them at once (and never half of a chunk).
        from search.index import reindex

        reindex(Case.objects.filter(pk__in=case_ids))
    return [Imported(case_id, n[2] if n else None) for case_id, n in zip(case_ids, numbers, strict=True)]


__all__ = [
    "HISTORICAL_NOTE",
    "HistoricalAgreement",
    "HistoricalCase",
    "HistoricalRefused",
    "HistoricalTerm",
    "HistoricalTermination",
    "Imported",
    "RowWriter",
    "do_import_historical_cases",
    "in_import_scope",
    "plan_historical_case",
]
