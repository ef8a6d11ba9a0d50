"""Validation of one legacy ledger row: required fields, ID numbers (checksum, birth date), dates, Chinese labels,
the committee within the importer's jurisdiction; the result is a JSON-safe payload and a stable row key."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role, User
from cases import identity
from cases.enums import CaseSource, PartySide, PartyType
from imports import mapping as M
from imports.numbering import check_ledger_number
from imports.parsing import ParseError, parse_amount, parse_date, text
from registry.models import Committee, Court, Mediator
from registry.scoping import committees_visible_to
from supervision.config import entry_rules

IMPORT_ROLES = {Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.DIRECTOR}
_ORG_RE = re.compile(r"(公司|厂|商店|店|合作社|集团|医院|卫生院|学校|委员会|中心|银行|协会|事务所|超市|酒店|站|场)$")
_SPLIT_RE = re.compile(r"[、,，;；/与和]+")
_SUFFIX_RE = re.compile(r"(人民调解委员会|调解委员会|调委会)$")


def may_import(user: User) -> bool:
    """County and city bureau administrators (their jurisdiction) and committee directors (their committee)."""
    if not user.is_authenticated or user.role not in IMPORT_ROLES:
        return False
    return bool(user.committee_id) if user.role == Role.DIRECTOR else bool(user.division_id)


def committees_for(user: User) -> QuerySet[Committee]:
    """The committees a user may import into: the active committees they can see, for the roles that import."""
    if not may_import(user):
        return Committee.objects.none()
    return committees_visible_to(user).filter(is_active=True)


@dataclass
class Cast:
    """Whom a committee's ledger can name: its mediators (the presiding mediator of an imported case; the director's
    own mediator record when the ledger names nobody) and the court of its county. The importer, not these people,
    is the actor of the import (cases.actions.historical), so they need no account."""

    director: User | None
    mediators: dict[str, Mediator]  # normalised name -> mediator of the committee (serving ones win a name clash)
    court: Court | None
    court_count: int


@dataclass
class Context:
    user: User
    defaults: dict
    today: date = field(default_factory=timezone.localdate)
    _committees: dict[str, Committee] | None = None
    _casts: dict[int, Cast] = field(default_factory=dict)

    def committees(self) -> dict[str, Committee]:
        if self._committees is None:
            found: dict[str, Committee] = {}
            for c in committees_for(self.user):
                for name in (c.name, c.short_name, _SUFFIX_RE.sub("", c.name)):
                    found.setdefault(M.norm(name), c)
            self._committees = found
        return self._committees

    def committee(self, name: str) -> Committee | None:
        if not name:
            if self.user.role == Role.DIRECTOR:
                return next(iter(self.committees().values()), None)
            unique = {c.pk: c for c in self.committees().values()}
            return next(iter(unique.values())) if len(unique) == 1 else None
        return self.committees().get(M.norm(name)) or self.committees().get(_SUFFIX_RE.sub("", M.norm(name)))

    def cast(self, committee: Committee) -> Cast:
        if committee.pk not in self._casts:
            director = (
                User.objects.filter(committee=committee, role=Role.DIRECTOR, is_active=True)
                .select_related("mediator")
                .order_by("id")
                .first()
            )
            # A ledger names whoever mediated then, who may have left the committee since: every mediator of the
            # committee is recognised, the serving ones taking precedence over a former one of the same name.
            mediators = {
                M.norm(m.name): m for m in Mediator.objects.filter(committee=committee).order_by("is_active", "-id")
            }
            courts = list(Court.objects.filter(division__code__startswith=committee.division_id[:6]))
            self._casts[committee.pk] = Cast(director, mediators, courts[0] if courts else None, len(courts))
        return self._casts[committee.pk]


@dataclass
class Checked:
    payload: dict | None
    errors: list[str]
    key: str = ""
    sort_key: str = ""
    warnings: list[str] = field(default_factory=list)


def _party(side: str, name: str, id_value: str, phone: str, address: str, errors: list[str], who: str) -> dict:
    is_org = bool(_ORG_RE.search(name))
    p = {
        "side": side,
        "name": name[:100],
        "party_type": PartyType.LEGAL_PERSON if is_org else PartyType.NATURAL_PERSON,
        "id_number": "",
        "credit_code": "",
        "phone": phone[:20],
        "address": address[:200],
        "guardian_name": "",
    }
    if not id_value:
        return p
    if is_org:
        err = identity.credit_code_error(id_value)
        if err:
            errors.append(f"{who}统一社会信用代码有误：{err}")
        p["credit_code"] = id_value.strip().upper()
    else:
        p["id_number"] = identity.normalise_id_number(id_value)
    return p


def _parties(rec: dict, errors: list[str]) -> list[dict]:
    names = [n.strip() for n in _SPLIT_RE.split(text(rec.get("parties"))) if n.strip()]
    applicant = text(rec.get("applicant_name")) or (names[0] if names else "")
    respondents = [text(rec.get("respondent_name"))] if text(rec.get("respondent_name")) else []
    if not respondents:
        respondents = [n for n in names if n != applicant][:5]
    if not applicant:
        errors.append("申请人（当事人）姓名不能为空")
        return []
    if not respondents:
        errors.append("缺少被申请人（对方当事人）姓名")
    parties = [
        _party(
            PartySide.APPLICANT,
            applicant,
            text(rec.get("applicant_id")),
            text(rec.get("applicant_phone")),
            text(rec.get("applicant_address")),
            errors,
            "申请人",
        )
    ]
    for i, name in enumerate(respondents):
        first = i == 0
        parties.append(
            _party(
                PartySide.RESPONDENT,
                name,
                text(rec.get("respondent_id")) if first else "",
                text(rec.get("respondent_phone")) if first else "",
                text(rec.get("respondent_address")) if first else "",
                errors,
                "被申请人",
            )
        )
    parties[0]["guardian_name"] = text(rec.get("guardian"))[:50]
    return parties


def _check_identity(parties: list[dict], registered: date | None, errors: list[str]) -> None:
    for p in parties:
        who = "申请人" if p["side"] == PartySide.APPLICANT else "被申请人"
        if p["party_type"] == PartyType.NATURAL_PERSON:
            if not p["id_number"]:
                if p["side"] == PartySide.APPLICANT:
                    errors.append("申请人身份证号不能为空（登记纠纷须核验申请人身份）")
                continue
            err = identity.id_number_error(p["id_number"], registered)
            if err:
                errors.append(f"{who}{err}")
            elif registered and identity.age_on(p["id_number"], registered) < 18 and not p["guardian_name"]:
                errors.append(f"{who}登记时未满18周岁，须填写法定代理人")
        elif p["side"] == PartySide.APPLICANT and not p["credit_code"]:
            errors.append("申请人为单位，须填写统一社会信用代码")


def _date(rec: dict, name: str, label: str, errors: list[str]) -> date | None:
    try:
        return parse_date(rec.get(name))
    except ParseError as exc:
        errors.append(f"{label}：{exc}")
        return None


def _amount(rec: dict, name: str, label: str, errors: list[str]) -> Decimal | None:
    try:
        return parse_amount(rec.get(name))
    except ParseError as exc:
        errors.append(f"{label}：{exc}")
        return None


def row_key(committee_id: int, registered: date, parties: list[dict], facts: str) -> str:
    """Stable identity of a legacy row: committee, registration date, the parties (ID numbers through the keyed
    hash, otherwise names) and the facts, normalised. The same row in any later file gives the same key."""
    who = [identity.hash_id_number(p["id_number"]) if p["id_number"] else M.norm(p["name"]) for p in parties]
    parts = [str(committee_id), registered.isoformat(), *who, M.norm(facts)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def check_row(rec: dict, ctx: Context) -> Checked:
    """Validate one mapped row (field -> cell value). Every problem found is reported, not only the first."""
    errors: list[str] = []
    warnings: list[str] = []
    committee = ctx.committee(text(rec.get("committee")))
    if committee is None:
        name = text(rec.get("committee"))
        errors.append(f"调委会“{name}”不存在或不在您的管辖范围内" if name else "请填写调委会名称")
    registered = _date(rec, "registered_on", "登记日期", errors)
    accepted = _date(rec, "accepted_on", "受理日期", errors)
    outcome_on = _date(rec, "outcome_on", "调解日期", errors)
    closed = _date(rec, "closed_on", "结案日期", errors)
    if not rec.get("accepted_on") and not rec.get("registered_on"):
        errors.append("受理日期不能为空")
    registered = registered or accepted
    accepted = accepted or registered
    outcome_on = outcome_on or closed or accepted
    closed = closed or outcome_on
    dates = [("登记日期", registered), ("受理日期", accepted), ("调解日期", outcome_on), ("结案日期", closed)]
    if any(d and d > ctx.today for _label, d in dates):
        errors.append("日期不能晚于今天")
    known = [(label, d) for label, d in dates if d]
    for (la, a), (lb, b) in zip(known, known[1:], strict=False):
        if b < a:
            errors.append(f"{lb}不能早于{la}")
    raw_type = text(rec.get("dispute_type"))
    dispute_type = M.dispute_type_code(raw_type)
    if not dispute_type:
        errors.append(f"无法识别的纠纷类型“{raw_type}”" if raw_type else "纠纷类型不能为空")
    raw_source = text(rec.get("source"))
    source = M.source_code(raw_source) if raw_source else ctx.defaults.get("source")
    if not source:
        errors.append(f"无法识别的案件来源“{raw_source}”" if raw_source else "案件来源不能为空")
    facts = text(rec.get("facts"))
    min_chars = entry_rules().facts_min_chars
    if not facts:
        errors.append("纠纷简要情况不能为空")
    elif len(facts) < min_chars:
        # History is taken as recorded: a short entry is reported (the entry notice will list it), not refused.
        warnings.append(f"纠纷简要情况仅{len(facts)}字（不足{min_chars}字），导入后将列为信息过于简单")
    amount = _amount(rec, "amount_involved", "涉及金额", errors)
    agreed = _amount(rec, "agreement_amount", "协议金额", errors)
    raw_outcome = text(rec.get("outcome"))
    outcome = M.outcome_code(raw_outcome) if raw_outcome else "OPEN"
    if not outcome:
        errors.append(f"无法识别的调解结果“{raw_outcome}”")
    raw_form = text(rec.get("agreement_form"))
    form = M.agreement_form_code(raw_form) if raw_form else ctx.defaults.get("agreement_form", "WRITTEN")
    if not form:
        errors.append(f"无法识别的协议形式“{raw_form}”")
    raw_perf = text(rec.get("performance"))
    performance = M.performance_code(raw_perf) if raw_perf else "DONE"
    if not performance:
        errors.append(f"无法识别的履行情况“{raw_perf}”")
    parties = _parties(rec, errors)
    _check_identity(parties, registered, errors)
    court_id = mediator_id = None
    if committee is not None:
        cast = ctx.cast(committee)
        if source == CaseSource.REFERRED_COURT:
            if cast.court_count != 1:
                errors.append("法院委托移送的案件无法确定委托法院（本县须有且仅有一个已登记的法院）")
            else:
                court_id = cast.court.pk
        name = text(rec.get("mediator"))
        if name:
            m = cast.mediators.get(M.norm(name))
            if m is None:
                errors.append(f"调解员“{name}”不是{committee.name}的调解员")
            else:
                mediator_id = m.pk
        else:
            m = getattr(cast.director, "mediator", None) if cast.director is not None else None
            if m is None:
                errors.append("未填写调解员，且调委会主任没有调解员档案，无法确定主持调解员")
            else:
                mediator_id = m.pk
    # The ledger's number as written (not NFKC-folded like other cells: a kept number keeps its full-width
    # brackets; imports.numbering folds only to compare).
    cell = rec.get("legacy_no")
    legacy_no = ("" if cell is None else text(cell) if isinstance(cell, (int, float)) else str(cell).strip())[:60]
    kept = None
    if committee is not None:
        ledger = check_ledger_number(legacy_no, committee.short_name, accepted.year if accepted else None)
        if ledger.error:
            errors.append(ledger.error)
        if ledger.warning:
            warnings.append(ledger.warning)
        kept = ledger.number
    if errors or committee is None:
        return Checked(None, errors, warnings=warnings)
    payload = {
        "committee_id": committee.pk,
        "legacy_no": legacy_no,
        "case_no": list(kept) if kept else None,
        "registered_on": registered.isoformat(),
        "accepted_on": accepted.isoformat(),
        "outcome_on": outcome_on.isoformat(),
        "closed_on": closed.isoformat(),
        "dispute_type": dispute_type,
        "source": source,
        "court_id": court_id,
        "parties": parties,
        "facts": facts,
        "claims": text(rec.get("claims")),
        "amount_involved": str(amount if amount is not None else (agreed or Decimal("0"))),
        "outcome": outcome,
        "agreement_form": form,
        "agreement_amount": str(agreed) if agreed is not None else "",
        "agreement_content": text(rec.get("agreement_content")),
        "performance": performance,
        "mediator_id": mediator_id,
    }
    key = row_key(committee.pk, registered, parties, facts)
    # Rows keeping their ledger number are imported first, so that the rows without one are numbered after the
    # highest kept number of their committee and year (and never take a number the ledger has given another row).
    sort_key = f"{0 if kept else 1}|{accepted.isoformat()}"
    return Checked(payload, [], key, sort_key, warnings)
