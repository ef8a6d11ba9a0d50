"""Organisations (调解组织, issue 9 §1): the one door through which a committee is created, edited, deactivated,
reactivated and filed (备案).

Each `do_*` action checks that the actor administers the committee (registry.scoping: a county bureau its county,
a 司法所 the villages of its township, the city bureau the city), checks the rules of domain §5.3, and changes the
row inside one transaction that also writes its registry.history record (snapshot before, record after), so a
change and its record land together or not at all. A refusal is an ActionRefused naming the form field.

Nothing is deleted: a deactivated committee keeps its cases, its mediators and its place in every statistic; it
only stops taking new cases (cases.actions.intake refuses an inactive committee, portal.places picks and lists
active ones only).
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from cases.actions.base import ActionRefused
from cases.uploads import CheckedFile, sha256_of, store
from registry.history import record_change, snapshot
from registry.models import (
    ChangeAction,
    Committee,
    CommitteeKind,
    CommitteeType,
    Division,
    DivisionLevel,
    FilingDocument,
)
from registry.people_services import deactivate_accounts_of_committee
from registry.scoping import creatable_divisions, editable_committees

# The fields an administrator edits on the committee form (the 备案 and deactivation fields have their own actions).
COMMITTEE_FIELDS = (
    "name",
    "short_name",
    "committee_type",
    "kind",
    "industry",
    "division",
    "address",
    "phone",
    "is_regional",
    "is_stationed",
    "stationed_at",
    "court_invited",
    "is_hub",
    "established_on",
    "studio_person",
    "employee_count",
    "host_unit",
)
FILING_FIELDS = ("filing_date", "filing_number", "filing_authority")
DEACTIVATION_FIELDS = ("is_active", "deactivated_on", "deactivation_reason")

# Committee types seated at one level of division: a village or community committee at its village, a township or
# sub-district committee at its township. Enterprise and social-organisation committees sit wherever their host is.
TYPE_LEVEL = {
    CommitteeType.VILLAGE: DivisionLevel.VILLAGE,
    CommitteeType.RESIDENT: DivisionLevel.VILLAGE,
    CommitteeType.TOWNSHIP: DivisionLevel.TOWNSHIP,
    CommitteeType.SUBDISTRICT: DivisionLevel.TOWNSHIP,
}
HOSTED_TYPES = {CommitteeType.ENTERPRISE_INSTITUTION, CommitteeType.SOCIAL_ORG_OTHER}


def required_employees() -> int:
    """Headcount from which the local rules require an enterprise to set up a mediation committee (300 in the
    provincial rules the pilot follows; settings.TIAOJIE["ENTERPRISE_COMMITTEE_EMPLOYEES"] for a province that
    says otherwise)."""
    return int(settings.TIAOJIE.get("ENTERPRISE_COMMITTEE_EMPLOYEES", 300))


def is_required_enterprise(committee: Committee) -> bool:
    """An enterprise committee the rules require (its host has at least `required_employees` employees)."""
    return (
        committee.committee_type == CommitteeType.ENTERPRISE_INSTITUTION
        and committee.employee_count is not None
        and committee.employee_count >= required_employees()
    )


def has_cases(committee: Committee) -> bool:
    return committee.pk is not None and committee.cases.exists()


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Blank the fields that do not apply to the chosen type and form (a studio person on a committee that is no
    studio, a 派驻单位 on one not stationed, a headcount on one that is no enterprise), strip the texts."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if not data.get("is_stationed"):
        data["stationed_at"] = ""
    if data.get("kind") != CommitteeKind.STUDIO:
        data["studio_person"] = ""
    if data.get("committee_type") != CommitteeType.ENTERPRISE_INSTITUTION:
        data["employee_count"] = None
    if data.get("committee_type") not in HOSTED_TYPES:
        data["host_unit"] = ""
    return data


def committee_problems(data: dict[str, Any], committee: Committee | None, today: date) -> list[tuple[str, str]]:
    """(field, Chinese message) for every rule `data` breaks (after `normalise`); empty when it may be saved.
    `committee` is the one being edited (None for a new one)."""
    problems: list[tuple[str, str]] = []
    name, kind, ctype = data.get("name", ""), data.get("kind"), data.get("committee_type")
    division: Division | None = data.get("division")
    if kind == CommitteeKind.STUDIO:
        person = data.get("studio_person", "")
        if not person:
            problems.append(("studio_person", "个人调解工作室须填写领衔调解员姓名"))
        elif person not in name:
            problems.append(("name", f"个人调解工作室以领衔调解员命名，名称中应含有“{person}”"))
    if kind == CommitteeKind.INDUSTRY and not data.get("industry"):
        problems.append(("industry", "行业性专业性调委会须选择行业领域"))
    if data.get("is_stationed") and not data.get("stationed_at"):
        problems.append(("stationed_at", "派驻的调解组织须填写派驻单位"))
    if ctype == CommitteeType.ENTERPRISE_INSTITUTION and not data.get("host_unit"):
        problems.append(("host_unit", "企事业单位调委会须填写设立单位"))
    if division is not None and ctype in TYPE_LEVEL and division.level != TYPE_LEVEL[ctype]:
        level = DivisionLevel(TYPE_LEVEL[ctype]).label
        problems.append(("division", f"{CommitteeType(ctype).label}应设在{level}一级，请选择所在{level}"))
    established = data.get("established_on")
    if established and established > today:
        problems.append(("established_on", "成立日期不能晚于今天"))
    if committee is not None and has_cases(committee):
        if data.get("short_name") != committee.short_name:
            problems.append(("short_name", "该调委会已有案件，案号简称不能再修改（已编的案号会对不上）"))
        if division is not None and division.pk != committee.division_id:
            problems.append(("division", "该调委会已有案件，所在区划不能再修改（案件按原区划统计和监督）"))
    others = Committee.objects.exclude(pk=committee.pk) if committee is not None else Committee.objects.all()
    if name and others.filter(name=name).exists():
        problems.append(("name", "已有同名的调解组织"))
    if data.get("short_name") and others.filter(short_name=data["short_name"]).exists():
        problems.append(("short_name", "该简称已被其他调解组织使用（简称用于案号，须唯一）"))
    return problems


def _check(data: dict[str, Any], committee: Committee | None) -> None:
    problems = committee_problems(data, committee, timezone.localdate())
    if problems:
        field, message = problems[0]
        raise ActionRefused(message, field)


def _lock(actor: User, committee: Committee) -> Committee:
    """The committee, locked, if the actor administers it; else refused."""
    locked = editable_committees(actor).select_for_update().filter(pk=committee.pk).first()
    if locked is None:
        raise ActionRefused("您无权管理该调解组织")
    return locked


def do_create_committee(actor: User, data: dict[str, Any]) -> Committee:
    """∅ → 在用. Preconditions: the division is one the actor may seat a committee in; the §5.3 rules hold
    (`committee_problems`). Side effects: the committee and its CREATE history record."""
    data = normalise({k: data.get(k) for k in COMMITTEE_FIELDS})
    division = data.get("division")
    if division is None or not creatable_divisions(actor).filter(pk=division.pk).exists():
        raise ActionRefused("只能在本辖区内新建调解组织", "division")
    _check(data, None)
    try:
        with transaction.atomic():
            committee = Committee(**data)
            committee.full_clean()
            committee.save()
            record_change(actor, committee, ChangeAction.CREATE, {}, snapshot(committee, COMMITTEE_FIELDS))
    except (IntegrityError, ValidationError):  # the same name or short name saved a moment ago by someone else
        raise ActionRefused("名称或简称刚被其他调解组织使用，请修改后再保存") from None
    return committee


def do_edit_committee(actor: User, committee: Committee, data: dict[str, Any]) -> Committee:
    """Edit a committee's details. Preconditions: the actor administers it and the new division; the §5.3 rules;
    the short name and the division stay once it has cases. Side effects: an EDIT record of what changed (none
    when nothing did)."""
    data = normalise({k: data.get(k) for k in COMMITTEE_FIELDS})
    division = data.get("division")
    if division is None or not creatable_divisions(actor).filter(pk=division.pk).exists():
        raise ActionRefused("只能把调解组织设在本辖区内", "division")
    with transaction.atomic():
        committee = _lock(actor, committee)
        _check(data, committee)
        before = snapshot(committee, COMMITTEE_FIELDS)
        for field, value in data.items():
            setattr(committee, field, value)
        committee.full_clean()
        committee.save()
        after = snapshot(committee, COMMITTEE_FIELDS)
        if after != before:
            record_change(actor, committee, ChangeAction.EDIT, before, after)
    return committee


def do_deactivate_committee(actor: User, committee: Committee, on: date, reason: str) -> Committee:
    """在用 → 已撤销. Preconditions: active; a date not in the future nor before its establishment; a reason.
    Side effects: a DEACTIVATE record; its login accounts are stopped (each recorded). Its cases, mediators and
    statistics stay; it takes no new cases."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("请填写撤销原因", "reason")
    if on > timezone.localdate():
        raise ActionRefused("撤销日期不能晚于今天", "on")
    with transaction.atomic():
        committee = _lock(actor, committee)
        if not committee.is_active:
            raise ActionRefused("该调解组织已撤销")
        if committee.established_on and on < committee.established_on:
            raise ActionRefused("撤销日期不能早于成立日期", "on")
        before = snapshot(committee, DEACTIVATION_FIELDS)
        committee.is_active, committee.deactivated_on, committee.deactivation_reason = False, on, reason[:200]
        committee.save(update_fields=list(DEACTIVATION_FIELDS))
        record_change(actor, committee, ChangeAction.DEACTIVATE, before, snapshot(committee, DEACTIVATION_FIELDS))
        deactivate_accounts_of_committee(actor, committee, reason)
    return committee


def do_reactivate_committee(actor: User, committee: Committee, reason: str) -> Committee:
    """已撤销 → 在用 (a deactivation made in error, or the committee re-established). Preconditions: inactive; a
    reason. Side effects: a REACTIVATE record with the reason and the former deactivation date and reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("请填写恢复的理由", "reason")
    with transaction.atomic():
        committee = _lock(actor, committee)
        if committee.is_active:
            raise ActionRefused("该调解组织在用，无需恢复")
        before = snapshot(committee, DEACTIVATION_FIELDS)
        committee.is_active, committee.deactivated_on, committee.deactivation_reason = True, None, ""
        committee.save(update_fields=list(DEACTIVATION_FIELDS))
        after = snapshot(committee, DEACTIVATION_FIELDS)
        record_change(actor, committee, ChangeAction.REACTIVATE, before, after, note=reason)
    return committee


def do_record_filing(actor: User, committee: Committee, filing_date: date, number: str, authority: str) -> Committee:
    """Record (or correct) a committee's 备案 with the justice bureau. Preconditions: a date not in the future;
    a number and an authority. Side effects: a FILING record of what changed."""
    number, authority = (number or "").strip(), (authority or "").strip()
    if filing_date > timezone.localdate():
        raise ActionRefused("备案日期不能晚于今天", "filing_date")
    if not number:
        raise ActionRefused("请填写备案编号", "filing_number")
    if not authority:
        raise ActionRefused("请填写备案机关", "filing_authority")
    with transaction.atomic():
        committee = _lock(actor, committee)
        if committee.established_on and filing_date < committee.established_on:
            raise ActionRefused("备案日期不能早于成立日期", "filing_date")
        before = snapshot(committee, FILING_FIELDS)
        committee.filing_date, committee.filing_number, committee.filing_authority = filing_date, number, authority
        committee.save(update_fields=list(FILING_FIELDS))
        after = snapshot(committee, FILING_FIELDS)
        if after != before:
            record_change(actor, committee, ChangeAction.FILING, before, after)
    return committee


def do_attach_filing_document(
    actor: User, committee: Committee, f: UploadedFile, checked: CheckedFile, title: str
) -> FilingDocument:
    """Add one 备案材料 file (already checked by content: cases.uploads.check_upload). Stored under
    PRIVATE_FILES_ROOT/filing/<yyyymm>/ with a random name. Side effects: an ATTACH record naming the file.
    A file written before a refused transaction stays on disk unreferenced (nothing is deleted)."""
    title = (title or "").strip()[:100] or checked.original_name[:100]
    committee = _lock_outside(actor, committee)
    digest = sha256_of(f)
    _refuse_duplicate(committee, digest)  # before the file is written: a double submit leaves no second copy
    path = store(f, checked, f"filing/{timezone.localdate():%Y%m}")
    with transaction.atomic():
        committee = _lock(actor, committee)
        _refuse_duplicate(committee, digest)  # again under the lock: two submits at the same moment
        doc = FilingDocument.objects.create(
            committee=committee,
            title=title,
            stored_path=path,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=digest,
            uploaded_by=actor,
        )
        record_change(actor, committee, ChangeAction.ATTACH, {}, {"备案材料": f"{title}（{checked.original_name}）"})
    return doc


def _refuse_duplicate(committee: Committee, digest: str) -> None:
    """The same file (same content) filed twice for one committee is a double submit, not a second document."""
    same = committee.filing_documents.filter(sha256=digest, is_withdrawn=False).first()
    if same is not None:
        raise ActionRefused(f"该文件已作为“{same.title}”上传过，无需重复上传。", "file")


def _lock_outside(actor: User, committee: Committee) -> Committee:
    """The scope check before a file is written (without a lock: no transaction is open yet)."""
    if not editable_committees(actor).filter(pk=committee.pk).exists():
        raise ActionRefused("您无权管理该调解组织")
    return committee


__all__ = [
    "COMMITTEE_FIELDS",
    "committee_problems",
    "do_attach_filing_document",
    "do_create_committee",
    "do_deactivate_committee",
    "do_edit_committee",
    "do_reactivate_committee",
    "do_record_filing",
    "has_cases",
    "is_required_enterprise",
    "normalise",
    "required_employees",
]
