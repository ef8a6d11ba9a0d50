"""Loading a bureau's existing committee and mediator lists from Excel (issue 9 §2).

The lists' columns, labels, templates and reading are registry.roster_format. An uploaded file passes the case
import's upload checks (cases.uploads.check_upload, imports.bounds.check_workbook) before openpyxl reads it;
`read_roster` finds the header row and `check_rows` validates every row against the database and the uploader's
area, reporting every problem of a row. The preview is kept server-side (the view seals it with imports.crypto into
the session); `do_load_roster` re-validates the sealed rows inside one transaction and loads the rows that are
valid — rows with errors are never loaded — each with a history record (ChangeAction.IMPORT). If a row that was
valid in the preview is no longer valid (the registry changed meanwhile), nothing is loaded (`RosterChanged`) and
the user uploads again.

Who may load what: county and city administrators into the divisions and committees of their county or city;
a 司法所 officer into the villages (communities) of their township only.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts.models import Role, User
from cases import identity
from imports.parsing import ParseError, parse_date
from registry.history import record_change, snapshot
from registry.models import (
    ChangeAction,
    Committee,
    CommitteeKind,
    CommitteeType,
    Division,
    DivisionLevel,
    Mediator,
    MediatorRole,
)
from registry.roster_format import (
    CATEGORY_LABELS,
    COLUMNS,
    COMMITTEES,
    GENDER_LABELS,
    INDUSTRY_LABELS,
    KIND_LABELS,
    MEDIATORS,
    NO,
    PREVIEW_KEYS,
    ROLE_LABELS,
    TITLES,
    TYPE_LABELS,
    YES,
    Roster,
    norm,
    read_roster,
    template_workbook,
    text,
)
from registry.scoping import admin_division

IMPORT_ROLES = {Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.SFS_OFFICER}
_SUFFIX_RE = re.compile(r"(人民调解委员会|调解委员会|调委会)$")
_PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


class RosterChanged(Exception):
    """A row valid in the preview is not valid any more: nothing was loaded."""


def may_import_roster(user: User) -> bool:
    """A registry administrator attached to a division of their own level (registry.scoping.admin_division): a
    司法所 account wrongly attached to its county must not load committees into the county's villages."""
    return user.is_authenticated and user.role in IMPORT_ROLES and admin_division(user) is not None


def target_divisions(user: User) -> QuerySet[Division]:
    """Where the user may place committees: their county or city; a 司法所 only the villages of its township."""
    if not may_import_roster(user):
        return Division.objects.none()
    qs = Division.objects.filter(code__startswith=user.division_id)
    if user.role == Role.SFS_OFFICER:
        qs = qs.filter(level=DivisionLevel.VILLAGE)
    return qs


def target_committees(user: User) -> QuerySet[Committee]:
    """The committees in use the user may load mediators into (within the same area as target_divisions)."""
    if not may_import_roster(user):
        return Committee.objects.none()
    return Committee.objects.filter(is_active=True, division__in=target_divisions(user))


# ------------------------------------------------------------------------------------------------ checking


@dataclass
class RowResult:
    number: int
    shown: dict[str, str]  # the preview's cells (ID numbers masked)
    errors: list[str]
    payload: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return not self.errors


class _Context:
    """What a file's rows are checked against, read once per check."""

    def __init__(self, user: User, kind: str, today: date) -> None:
        self.user, self.kind, self.today = user, kind, today
        self.divisions: dict[str, Division] = {}
        self.by_name: dict[str, list[Division]] = {}
        self.paths: dict[str, str] = {}  # code -> names below the user's division ("温泉街道桂花村")
        self.committees: dict[str, Committee] = {}
        if kind == COMMITTEES:
            self._index_divisions()
        else:
            for c in target_committees(user).select_related("division"):
                for name in (c.name, c.short_name, _SUFFIX_RE.sub("", c.name)):
                    self.committees.setdefault(norm(name), c)

    def _index_divisions(self) -> None:
        scope = Division.objects.filter(code__startswith=self.user.division_id)
        every = {d.code: d for d in scope}
        allowed = set(target_divisions(self.user).values_list("code", flat=True))
        for d in every.values():
            if d.code not in allowed:
                continue
            self.divisions[d.code] = d
            # Names along the chain below the user's division: "桂花村", "温泉街道桂花村", "咸安区温泉街道桂花村".
            chain, node = [d.name], every.get(d.parent_id or "")
            keys = {norm(d.name)}
            while node is not None and len(node.code) >= len(self.user.division_id):
                chain.insert(0, node.name)
                keys.add(norm("".join(chain)))
                node = every.get(node.parent_id or "")
            for k in keys:
                self.by_name.setdefault(k, []).append(d)
            self.paths[d.code] = "".join(chain)

    def division(self, value: str, errors: list[str]) -> Division | None:
        v = norm(value)
        if not v:
            errors.append("请填写所在区划")
            return None
        if v.isdigit():
            code = v
            while len(code) > 6 and code.endswith("000"):
                code = code[:-3]  # 421202001000 is the township 421202001
            if code in self.divisions:
                return self.divisions[code]
            if Division.objects.filter(code=code).exists():
                errors.append(f"区划代码“{v}”不在您的管辖范围内{self._where()}")
            else:
                errors.append(f"区划代码“{v}”不存在")
            return None
        found = self.by_name.get(v, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            errors.append(f"区划名称“{value}”有{len(found)}处同名，请写明所属乡镇（街道）或填写区划代码")
        elif Division.objects.filter(name=value.strip()).exists():
            errors.append(f"区划“{value}”不在您的管辖范围内{self._where()}")
        else:
            errors.append(f"未找到区划“{value}”，请核对名称或填写区划代码")
        return None

    def _where(self) -> str:
        return "（司法所只能导入本乡镇（街道）所辖村（社区）的调解组织）" if self.user.role == Role.SFS_OFFICER else ""

    def committee(self, value: str, errors: list[str]) -> Committee | None:
        v = norm(value)
        if not v:
            errors.append("请填写所在调委会")
            return None
        found = self.committees.get(v) or self.committees.get(_SUFFIX_RE.sub("", v))
        if found is None:
            errors.append(f"调委会“{value}”不存在、已撤销或不在您的管辖范围内")
        return found


def _choice(rec: dict, key: str, label: str, table: dict[str, str], errors: list[str], default: str = "") -> str:
    raw = text(rec.get(key))
    if not raw:
        return default
    value = table.get(norm(raw))
    if value is None:
        errors.append(f"无法识别的{label}“{raw}”")
        return default
    return value


def _flag(rec: dict, key: str, label: str, errors: list[str]) -> bool:
    raw = norm(rec.get(key)).lower()
    if raw in YES:
        return True
    if raw not in NO:
        errors.append(f"{label}应填“是”或“否”，而不是“{text(rec.get(key))}”")
    return False


def _date(rec: dict, key: str, label: str, errors: list[str], today: date, past_only: bool = True) -> date | None:
    try:
        value = parse_date(rec.get(key))
    except ParseError as exc:
        errors.append(f"{label}：{exc}")
        return None
    if value and past_only and value > today:
        errors.append(f"{label}不能晚于今天")
    return value


def _limited(rec: dict, key: str, label: str, limit: int, errors: list[str]) -> str:
    value = text(rec.get(key))
    if len(value) > limit:
        errors.append(f"{label}不能超过{limit}个字")
    return value[:limit]


def _phone(rec: dict, errors: list[str], limit: int) -> str:
    value = _limited(rec, "phone", "电话", limit, errors)
    if value and not _PHONE_RE.match(value.replace(" ", "")):
        errors.append(f"电话“{value}”格式不正确（手机号11位，固定电话如 0715-8123456）")
    return value.replace(" ", "")


def _check_committee(rec: dict, ctx: _Context, errors: list[str]) -> dict[str, Any]:
    name = _limited(rec, "name", "名称", 100, errors)
    short = _limited(rec, "short_name", "简称", 20, errors)
    if not name:
        errors.append("名称不能为空")
    if not short:
        errors.append("简称不能为空")
    ctype = _choice(rec, "committee_type", "类型", TYPE_LABELS, errors)
    if not text(rec.get("committee_type")):
        errors.append("类型不能为空")
    kind = _choice(rec, "kind", "组织形式", KIND_LABELS, errors, CommitteeKind.STANDARD)
    industry = _choice(rec, "industry", "行业领域", INDUSTRY_LABELS, errors)
    if kind == CommitteeKind.INDUSTRY and not industry:
        errors.append("行业性专业性调委会须填写行业领域")
    if industry and kind != CommitteeKind.INDUSTRY:
        errors.append("只有行业性专业性调委会填写行业领域")
    division = ctx.division(text(rec.get("division")), errors)
    if division is not None and ctype:
        if ctype in (CommitteeType.VILLAGE, CommitteeType.RESIDENT) and division.level != DivisionLevel.VILLAGE:
            errors.append(f"村（居）调委会应设在村（社区），“{division.name}”不是村（社区）")
        if ctype in (CommitteeType.TOWNSHIP, CommitteeType.SUBDISTRICT) and division.level != DivisionLevel.TOWNSHIP:
            errors.append(f"乡镇（街道）调委会应设在乡镇（街道），“{division.name}”不是乡镇（街道）")
    stationed = _flag(rec, "is_stationed", "派驻", errors)
    stationed_at = _limited(rec, "stationed_at", "派驻单位", 100, errors)
    if stationed and not stationed_at:
        errors.append("派驻的调解组织须填写派驻单位")
    studio_person = _limited(rec, "studio_person", "工作室领衔调解员", 50, errors)
    if kind == CommitteeKind.STUDIO and not studio_person:
        errors.append("个人调解工作室须填写领衔调解员")
    employees_raw = text(rec.get("employee_count"))
    employees = None
    if employees_raw:
        if employees_raw.isdigit() and int(employees_raw) < 10**7:
            employees = int(employees_raw)
        else:
            errors.append(f"职工人数应为整数，而不是“{employees_raw}”")
    established = _date(rec, "established_on", "成立日期", errors, ctx.today)
    filed = _date(rec, "filing_date", "备案日期", errors, ctx.today)
    if established and filed and filed < established:
        errors.append("备案日期不能早于成立日期")
    return {
        "name": name,
        "short_name": short,
        "committee_type": ctype,
        "kind": kind,
        "industry": industry,
        "division_id": division.code if division else "",
        "address": _limited(rec, "address", "地址", 200, errors),
        "phone": _phone(rec, errors, 30),
        "established_on": established.isoformat() if established else None,
        "is_regional": _flag(rec, "is_regional", "区域性", errors),
        "is_stationed": stationed,
        "stationed_at": stationed_at,
        "court_invited": _flag(rec, "court_invited", "特邀调解组织", errors),
        "studio_person": studio_person,
        "host_unit": _limited(rec, "host_unit", "设立单位", 100, errors),
        "employee_count": employees,
        "filing_date": filed.isoformat() if filed else None,
        "filing_number": _limited(rec, "filing_number", "备案编号", 50, errors),
        "filing_authority": _limited(rec, "filing_authority", "备案机关", 100, errors),
    }


def _check_mediator(rec: dict, ctx: _Context, errors: list[str]) -> dict[str, Any]:
    name = _limited(rec, "name", "姓名", 50, errors)
    if not name:
        errors.append("姓名不能为空")
    committee = ctx.committee(text(rec.get("committee")), errors)
    category = _choice(rec, "category", "专兼职", CATEGORY_LABELS, errors)
    if not text(rec.get("category")):
        errors.append("专兼职不能为空（专职或兼职）")
    role = _choice(rec, "role", "职务", ROLE_LABELS, errors, MediatorRole.MEMBER)
    id_number = identity.normalise_id_number(text(rec.get("id_number")))
    if id_number:
        err = identity.id_number_error(id_number, ctx.today)
        if err:
            errors.append(err)
            id_number = ""
    gender = _choice(rec, "gender", "性别", GENDER_LABELS, errors)
    if id_number:
        from_id = identity.gender_from_id(id_number)
        if gender and gender != from_id:
            errors.append("性别与身份证号码不符")
        gender = gender or from_id
    if not gender and not text(rec.get("gender")):
        errors.append("请填写性别（或身份证号码）")
    start = _date(rec, "term_start", "任期开始", errors, ctx.today, past_only=False)
    end = _date(rec, "term_end", "任期结束", errors, ctx.today, past_only=False)
    if start and end and end < start:
        errors.append("任期结束不能早于任期开始")
    if end and end < ctx.today:
        errors.append("任期已结束（已离任的调解员不必导入；续聘的请填写新的任期）")
    return {
        "name": name,
        "committee_id": committee.pk if committee else None,
        "committee_name": committee.name if committee else "",
        "gender": gender,
        "category": category,
        "role": role,
        "phone": _phone(rec, errors, 20),
        "id_number": id_number,
        "term_start": start.isoformat() if start else None,
        "term_end": end.isoformat() if end else None,
        "specialties": _limited(rec, "specialties", "擅长领域", 200, errors),
        "qualifications": _limited(rec, "qualifications", "资质与培训", 200, errors),
        "education": _limited(rec, "education", "学历", 20, errors),
        "is_court_invited": _flag(rec, "is_court_invited", "特邀调解员", errors),
    }


def _shown(kind: str, rec: dict) -> dict[str, str]:
    shown = {k: text(rec.get(k))[:60] for k in PREVIEW_KEYS[kind]}
    if "id_number" in shown and shown["id_number"]:
        shown["id_number"] = identity.mask_id_number(shown["id_number"])
    return shown


def _duplicates_committees(results: list[RowResult]) -> None:
    """Names and short names must be unique: within the file, and against every committee (also deactivated)."""
    valid = [r for r in results if r.payload]
    for key, label in (("name", "名称"), ("short_name", "简称")):
        values = [r.payload[key] for r in valid if r.payload[key]]
        taken = set(Committee.objects.filter(**{f"{key}__in": values}).values_list(key, flat=True))
        first: dict[str, int] = {}
        for r in valid:
            v = r.payload[key]
            if not v:
                continue
            if v in taken:
                r.errors.append(f"{label}“{v}”已被已有的调解组织使用")
            elif v in first:
                r.errors.append(f"{label}“{v}”与第{first[v]}行重复")
            else:
                first[v] = r.number


def _duplicates_mediators(results: list[RowResult]) -> None:
    """One person once: an ID number once in the file and not already serving; a name once per committee; one
    主任 per committee."""
    valid = [r for r in results if r.payload and r.payload["committee_id"]]
    hashes = {r.number: identity.hash_id_number(r.payload["id_number"]) for r in valid if r.payload["id_number"]}
    serving = set(
        Mediator.objects.filter(is_active=True, id_number_hash__in=hashes.values()).values_list(
            "id_number_hash", flat=True
        )
    )
    committees = {r.payload["committee_id"] for r in valid}
    names = set(
        Mediator.objects.filter(is_active=True, committee_id__in=committees).values_list("committee_id", "name")
    )
    directors = set(
        Mediator.objects.filter(is_active=True, committee_id__in=committees, role=MediatorRole.DIRECTOR).values_list(
            "committee_id", flat=True
        )
    )
    seen_id: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    seen_director: dict[int, int] = {}
    for r in valid:
        p = r.payload
        h = hashes.get(r.number)
        if h and h in serving:
            r.errors.append("该身份证号码的调解员已在册（在任）")
        elif h and h in seen_id:
            r.errors.append(f"身份证号码与第{seen_id[h]}行重复")
        elif h:
            seen_id[h] = r.number
        pair = (p["committee_id"], p["name"])
        if pair in names:
            r.errors.append(f"{p['committee_name']}已有在任调解员“{p['name']}”")
        elif pair in seen_name:
            r.errors.append(f"与第{seen_name[pair]}行重复（同一调委会同名）")
        else:
            seen_name[pair] = r.number
        if p["role"] == MediatorRole.DIRECTOR:
            if p["committee_id"] in directors:
                r.errors.append(f"{p['committee_name']}已有在任主任")
            elif p["committee_id"] in seen_director:
                r.errors.append(f"第{seen_director[p['committee_id']]}行已是该调委会主任，一个调委会只有一名主任")
            else:
                seen_director[p["committee_id"]] = r.number


def check_rows(user: User, kind: str, rows: list[tuple[int, dict[str, Any]]], today: date) -> list[RowResult]:
    """Every row checked; a row's payload is kept only when it has no error."""
    ctx = _Context(user, kind, today)
    check = _check_committee if kind == COMMITTEES else _check_mediator
    results = []
    for number, rec in rows:
        errors: list[str] = []
        payload = check(rec, ctx, errors)
        results.append(RowResult(number, _shown(kind, rec), errors, payload))
    for r in results:
        if r.errors:
            r.payload = None
    (_duplicates_committees if kind == COMMITTEES else _duplicates_mediators)(results)
    for r in results:
        if r.errors:
            r.payload = None
        elif kind == COMMITTEES:  # the preview names what a valid row resolved to
            r.shown["division"] = ctx.paths[r.payload["division_id"]]
        else:
            r.shown["committee"] = r.payload["committee_name"]
    return results


# ------------------------------------------------------------------------------------------------ loading


def _create(kind: str, payload: dict[str, Any]) -> Committee | Mediator:
    p = dict(payload)
    for key in ("established_on", "filing_date", "term_start", "term_end"):
        if p.get(key):
            p[key] = date.fromisoformat(p[key])
    if kind == COMMITTEES:
        return Committee.objects.create(**p)
    id_number = p.pop("id_number")
    p.pop("committee_name")
    mediator = Mediator(**p)
    mediator.set_id_number(id_number)
    mediator.save()
    return mediator


def do_load_roster(
    user: User, kind: str, rows: list[tuple[int, dict[str, Any]]], valid_numbers: list[int], file_name: str, today: date
) -> list[Committee | Mediator]:
    """Load the valid rows of a previewed file in one transaction, each with a history record (IMPORT).

    The rows are checked again inside the transaction, against the registry and the user's area as they are now;
    if the rows valid now are not exactly those the preview showed as valid, nothing is loaded (RosterChanged)."""
    if not may_import_roster(user):
        raise RosterChanged("您没有导入名册的权限")
    with transaction.atomic():
        results = check_rows(user, kind, rows, today)
        valid = [r for r in results if r.valid]
        if sorted(r.number for r in valid) != sorted(valid_numbers):
            raise RosterChanged("自预览以来名册数据已有变化，未导入任何一行，请重新上传文件核对")
        created = []
        try:
            with transaction.atomic():
                for r in valid:
                    obj = _create(kind, r.payload)
                    note = f"Excel导入：{file_name} 第{r.number}行"
                    record_change(user, obj, ChangeAction.IMPORT, {}, snapshot(obj), note)
                    created.append(obj)
        except IntegrityError as exc:  # a name taken by a concurrent change between the check and the insert
            raise RosterChanged("导入时发现名称或简称已被占用，未导入任何一行，请重新上传文件核对") from exc
    return created


def summary(results: list[RowResult]) -> dict[str, int]:
    counts = Counter("valid" if r.valid else "error" for r in results)
    return {"total": len(results), "valid": counts["valid"], "error": counts["error"]}


__all__ = [
    "COLUMNS",
    "COMMITTEES",
    "MEDIATORS",
    "PREVIEW_KEYS",
    "TITLES",
    "Roster",
    "RosterChanged",
    "check_rows",
    "do_load_roster",
    "may_import_roster",
    "read_roster",
    "target_committees",
    "target_divisions",
    "template_workbook",
]
