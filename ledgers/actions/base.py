"""The shared base's actions: a bureau's departments and who does what (LedgerRole). Done by the bureau's office,
or by the bureau's administrator account (Role.COUNTY_ADMIN / CITY_ADMIN of that very division), who grants the
first office role. Each writes a LedgerEvent (ledger BASE); a department is closed and a role ended, never deleted."""

from datetime import datetime

from django.db import transaction

from accounts.models import Role, User
from cases.actions.base import ActionRefused, now_or, require
from ledgers.events import record
from ledgers.models import BureauDepartment, LedgerName, LedgerRole, LedgerRoleKind
from ledgers.scoping import access_of, forget_access
from registry.models import Division


def may_manage(user: User, bureau: Division | str) -> bool:
    bureau_id = bureau if isinstance(bureau, str) else bureau.pk
    if not (user.is_authenticated and user.is_active):
        return False
    if access_of(user).is_(LedgerRoleKind.OFFICE, bureau_id):
        return True
    admin = user.role in (Role.COUNTY_ADMIN, Role.CITY_ADMIN) and user.division_id == bureau_id
    return admin and not access_of(user).has_roles


def bureau_users(bureau: Division | str):
    """The accounts of the bureau itself (administrator accounts of that division), who may hold ledger roles."""
    bureau_id = bureau if isinstance(bureau, str) else bureau.pk
    return User.objects.filter(
        division_id=bureau_id, role__in=(Role.COUNTY_ADMIN, Role.CITY_ADMIN), is_active=True
    ).order_by("id")


def _check(actor: User, bureau: Division) -> None:
    if not may_manage(actor, bureau):
        raise ActionRefused("只有本局办公室可以设置科室和职责")


def do_add_department(
    bureau: Division, actor: User, *, name: str, is_office: bool = False, at: datetime | None = None
) -> BureauDepartment:
    at = now_or(at)
    name = name.strip()
    require(2 <= len(name) <= 40, "请填写科室名称", "name")
    _check(actor, bureau)
    with transaction.atomic():
        require(not BureauDepartment.objects.filter(bureau=bureau, name=name).exists(), "该科室已存在", "name")
        order = BureauDepartment.objects.filter(bureau=bureau).count()
        department = BureauDepartment.objects.create(bureau=bureau, name=name, is_office=is_office, order=order)
        record(
            ledger=LedgerName.BASE,
            bureau=bureau,
            target=department,
            action="department_added",
            summary=f"设立科室：{name}",
            actor=actor,
            changes={"name": [None, name], "is_office": [None, is_office]},
            at=at,
        )
    return department


def do_grant_role(
    bureau: Division,
    actor: User,
    *,
    user: User,
    kind: str,
    department: BureauDepartment | None = None,
    title: str = "",
    at: datetime | None = None,
) -> LedgerRole:
    at = now_or(at)
    _check(actor, bureau)
    require(kind in LedgerRoleKind.values, "请选择职责", "kind")
    require(bureau_users(bureau).filter(pk=user.pk).exists(), "只能为本局的账号设置职责", "user")
    if kind == LedgerRoleKind.DEPARTMENT:
        require(department is not None, "科室承办人须选择所在科室", "department")
    if department is not None:
        require(department.bureau_id == bureau.pk and department.active, "请选择本局的在用科室", "department")
    with transaction.atomic():
        live = LedgerRole.objects.filter(
            user=user, bureau=bureau, kind=kind, department=department, ended_at__isnull=True
        )
        require(not live.exists(), "该账号已有此职责", "kind")
        role = LedgerRole.objects.create(
            user=user, bureau=bureau, kind=kind, department=department, title=title.strip(), granted_by=actor
        )
        where = f"（{department.name}）" if department else ""
        record(
            ledger=LedgerName.BASE,
            bureau=bureau,
            target=role,
            action="role_granted",
            summary=f"{user.display_name}：{role.get_kind_display()}{where}",
            actor=actor,
            changes={"kind": [None, kind], "department": [None, department.name if department else None]},
            at=at,
        )
    forget_access(user)
    return role


def do_end_role(role: LedgerRole, actor: User, *, at: datetime | None = None) -> LedgerRole:
    at = now_or(at)
    _check(actor, role.bureau)
    with transaction.atomic():
        role = LedgerRole.objects.select_for_update(of=("self",)).select_related("user", "bureau").get(pk=role.pk)
        require(role.ended_at is None, "该职责已终止")
        if role.kind == LedgerRoleKind.OFFICE and role.user_id == actor.pk:
            others = LedgerRole.objects.filter(
                bureau=role.bureau, kind=LedgerRoleKind.OFFICE, ended_at__isnull=True
            ).exclude(pk=role.pk)
            require(others.exists(), "不能终止本局最后一名办公室人员的职责")
        role.ended_at = at
        role.save(update_fields=["ended_at"])
        record(
            ledger=LedgerName.BASE,
            bureau=role.bureau,
            target=role,
            action="role_ended",
            summary=f"{role.user.display_name}：终止{role.get_kind_display()}职责",
            actor=actor,
            changes={"ended_at": [None, at]},
            at=at,
        )
    forget_access(role.user)
    return role
