"""Mediators and login accounts, administered by the justice bureaus (issue 9 §2).

Who administers what (a narrower rule than `registry.scoping.committees_visible_to`, which decides what a
supervisor may *see*):
- a county bureau administrator: every committee of the county, and the 司法所 officers' accounts of its townships;
- a township 司法所 officer: the committees of the villages and communities of the township (村/社区 level);
- a city bureau administrator: every committee of the city, and the county administrators' accounts of its
  counties.
Anything else does not exist for the user (404). Every action is one transaction that locks the row it changes
and writes a `RegistryChange` (registry.history) with the fields before and after. Nothing is deleted: a mediator
who leaves keeps the record with `left_on`/`left_reason`, an account is deactivated.

ID numbers are checked (cases.identity: format, birth date, checksum), stored encrypted with a keyed hash and a
masked copy (Mediator.set_id_number), and never shown in full anywhere — not even to administrators: a mediator's
record needs the number only to identify the person, and the masked form with the hash (duplicates) does that, so
there is no reveal and no VIEW_MEDIATOR_ID access-log row to write.

Passwords handed over by an administrator (a new account, a reset) are generated here, returned to the view to be
shown once, stored only as Django's hash and never written to a history or log row; the user must change them at
the first sign-in (`User.must_change_password`, accounts.middleware.PasswordChangeRequiredMiddleware).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from accounts.access import log_access
from accounts.models import COMMITTEE_ROLES, AccessKind, Role, User
from accounts.passwords import generate_password
from cases import identity
from cases.actions.base import ActionRefused
from registry.history import record_change, snapshot
from registry.models import (
    ChangeAction,
    Committee,
    Division,
    DivisionLevel,
    Mediator,
    MediatorRole,
)
from registry.scoping import admin_division, committees_visible_to

ADMIN_ROLES = {Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN}
# The fields of a mediator an administrator edits (the ID number goes through Mediator.set_id_number).
MEDIATOR_FIELDS = [
    "name",
    "gender",
    "category",
    "role",
    "term_start",
    "term_end",
    "specialties",
    "qualifications",
    "education",
    "phone",
    "is_court_invited",
]
_MEDIATOR_SNAPSHOT = [*MEDIATOR_FIELDS, "id_number_masked", "is_active", "left_on", "left_reason", "user"]
_ACCOUNT_SNAPSHOT = ["username", "full_name", "phone", "role", "committee", "division", "is_active"]
# Which staff accounts an administrator opens: city → the county administrators of its counties, county → the
# 司法所 officers of its townships.
_STAFF_ROLE = {
    Role.CITY_ADMIN: (Role.COUNTY_ADMIN, DivisionLevel.COUNTY),
    Role.COUNTY_ADMIN: (Role.SFS_OFFICER, DivisionLevel.TOWNSHIP),
}
TERM_WARNING_DAYS = 60


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    """A new record's snapshot without its empty fields (a creation lists what was entered)."""
    return {label: value for label, value in values.items() if value not in (None, "", False)}


# --- who administers what -------------------------------------------------------------------------------------


def is_administrator(user: User) -> bool:
    """A county or city bureau administrator or a 司法所 officer attached to a division of their own level
    (registry.scoping.admin_division): an account attached to another level administers nothing (fail closed), as
    on the organisation pages — a 司法所 account wrongly attached to its county must not reach the county's
    villages."""
    return admin_division(user) is not None


def administrable_committees(user: User) -> QuerySet[Committee]:
    """The committees whose mediators and accounts the user administers (see the module docstring)."""
    if not is_administrator(user):
        return Committee.objects.none()
    qs = committees_visible_to(user)
    if user.role == Role.SFS_OFFICER:
        qs = qs.filter(division__level=DivisionLevel.VILLAGE)
    return qs


def access_administrable_committee(user: User, committee_id: object) -> Committee:
    try:
        return administrable_committees(user).select_related("division").get(pk=int(str(committee_id)))
    except (Committee.DoesNotExist, ValueError, TypeError):
        raise Http404("调委会不存在") from None


def may_administer_mediator(user: User, mediator: Mediator) -> bool:
    return administrable_committees(user).filter(pk=mediator.committee_id).exists()


def access_mediator(user: User, mediator_id: object, *, administer: bool = False) -> Mediator:
    """A mediator of a committee the user administers (`administer`) or may see as a supervisor, or Http404."""
    if not is_administrator(user):
        raise Http404("调解员不存在")
    committees = administrable_committees(user) if administer else committees_visible_to(user)
    try:
        return (
            Mediator.objects.filter(committee__in=committees)
            .select_related("committee__division", "user")
            .get(pk=int(str(mediator_id)))
        )
    except (Mediator.DoesNotExist, ValueError, TypeError):
        raise Http404("调解员不存在") from None


def staff_role_for(user: User) -> Role | None:
    """The role of the staff accounts the user opens, or None."""
    entry = _STAFF_ROLE.get(user.role) if is_administrator(user) else None
    return entry[0] if entry else None


def staff_divisions(user: User) -> QuerySet[Division]:
    """The divisions the user may open staff accounts for (the counties of a city, the townships of a county)."""
    entry = _STAFF_ROLE.get(user.role) if is_administrator(user) else None
    if entry is None:
        return Division.objects.none()
    return Division.objects.filter(code__startswith=user.division_id, level=entry[1]).order_by("code")


def administrable_accounts(user: User) -> QuerySet[User]:
    """The login accounts the user administers: the mediators' and directors' of the committees they administer,
    and the staff accounts of the divisions they open them for. Never their own."""
    if not is_administrator(user):
        return User.objects.none()
    q = Q(role__in=COMMITTEE_ROLES, committee__in=administrable_committees(user))
    role = staff_role_for(user)
    if role is not None:
        q |= Q(role=role, division__in=staff_divisions(user))
    # Developers' accounts (Django admin) are nobody's to reset from the console.
    return User.objects.filter(q).exclude(pk=user.pk).exclude(is_superuser=True).exclude(is_staff=True)


def access_account(user: User, account_id: object) -> User:
    try:
        return (
            administrable_accounts(user)
            .select_related("committee", "division", "mediator")
            .get(pk=int(str(account_id)))
        )
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("账号不存在") from None


def _require_committee(actor: User, committee: Committee) -> None:
    """The scope check of every action, in the service itself (not only in the views): a caller that forgets it —
    an import, a script, a future page — still cannot act outside the actor's area."""
    if not administrable_committees(actor).filter(pk=committee.pk).exists():
        raise ActionRefused("您无权管理该调委会的调解员。")


def _require_mediator(actor: User, mediator: Mediator) -> None:
    if not may_administer_mediator(actor, mediator):
        raise ActionRefused("您无权管理该调解员。")


def _require_account(actor: User, account: User) -> None:
    if not administrable_accounts(actor).filter(pk=account.pk).exists():
        raise ActionRefused("您无权管理该账号。")


# --- mediators ------------------------------------------------------------------------------------------------


def _check_mediator(committee: Committee, data: dict[str, Any], id_number: str, mediator: Mediator | None) -> None:
    """Refusals that need the database: one 主任 per committee (人民调解法 art. 9), one record per person (the
    same ID number, or on a new record the same name unless both ID numbers tell the two apart)."""
    others = Mediator.objects.filter(committee=committee, is_active=True)
    if mediator is not None:
        others = others.exclude(pk=mediator.pk)
    if data.get("role") == MediatorRole.DIRECTOR:
        director = others.filter(role=MediatorRole.DIRECTOR).first()
        if director is not None:
            raise ActionRefused(f"本调委会已有主任（{director.name}），请先修改其职务或登记其离任。", "role")
    if id_number and others.filter(id_number_hash=identity.hash_id_number(id_number)).exists():
        raise ActionRefused("该身份证号码已登记为本调委会的在任调解员。", "id_number")
    name = (data.get("name") or "").strip()
    namesake = others.filter(name=name).first() if mediator is None and name else None
    if namesake is not None and not (id_number and namesake.id_number_hash):
        # A double submit (or a second clerk entering the same person) would otherwise make two serving records
        # of one person; a real namesake is told apart by the ID number.
        raise ActionRefused(
            f"本调委会已登记在任调解员“{name}”。如是同名的另一人，请填写双方的身份证号码以便区分。", "name"
        )


def do_add_mediator(actor: User, committee: Committee, data: dict[str, Any], id_number: str = "") -> Mediator:
    """A new serving mediator of `committee` (which `actor` administers); recorded as CREATE."""
    _require_committee(actor, committee)
    with transaction.atomic():
        committee = Committee.objects.select_for_update().get(pk=committee.pk)
        if not committee.is_active:
            raise ActionRefused("该调委会已撤销，不能再增加调解员。")
        _check_mediator(committee, data, id_number, None)
        mediator = Mediator(committee=committee, **{k: data[k] for k in MEDIATOR_FIELDS if k in data})
        mediator.set_id_number(id_number)
        mediator.save()
        record_change(actor, mediator, ChangeAction.CREATE, {}, _filled(snapshot(mediator, _MEDIATOR_SNAPSHOT)))
    return mediator


def _sync_account(actor: User, mediator: Mediator) -> None:
    """A mediator's account follows the record: name, and 主任 ↔ director role."""
    account = mediator.user
    if account is None:
        return
    account = User.objects.select_for_update().get(pk=account.pk)
    before = snapshot(account, _ACCOUNT_SNAPSHOT)
    account.full_name = mediator.name
    account.role = Role.DIRECTOR if mediator.role == MediatorRole.DIRECTOR else Role.MEDIATOR
    after = snapshot(account, _ACCOUNT_SNAPSHOT)
    if after != before:
        account.save(update_fields=["full_name", "role"])
        record_change(actor, account, ChangeAction.EDIT, before, after, note="随调解员信息更新")


def do_edit_mediator(actor: User, mediator: Mediator, data: dict[str, Any], id_number: str = "") -> Mediator:
    """Change a mediator's record; an empty `id_number` keeps the stored one. Recorded as EDIT (what changed)."""
    _require_mediator(actor, mediator)
    with transaction.atomic():
        mediator = (
            Mediator.objects.select_for_update(of=("self",)).select_related("committee", "user").get(pk=mediator.pk)
        )
        _check_mediator(mediator.committee, data, id_number, mediator)
        before = snapshot(mediator, _MEDIATOR_SNAPSHOT)
        for key in MEDIATOR_FIELDS:
            if key in data:
                setattr(mediator, key, data[key])
        if id_number:
            mediator.set_id_number(id_number)
        after = snapshot(mediator, _MEDIATOR_SNAPSHOT)
        if after != before:
            mediator.save()
            record_change(actor, mediator, ChangeAction.EDIT, before, after)
            _sync_account(actor, mediator)
    return mediator


def do_record_leaving(
    actor: User, mediator: Mediator, left_on: date, reason: str, today: date | None = None
) -> Mediator:
    """离任: the mediator no longer serves (off the roster, no new cases); their account is deactivated the same
    day. The record stays. Recorded as DEACTIVATE (and ACCOUNT_DEACTIVATE for the account)."""
    _require_mediator(actor, mediator)
    today = today or date.today()
    with transaction.atomic():
        mediator = (
            Mediator.objects.select_for_update(of=("self",)).select_related("committee", "user").get(pk=mediator.pk)
        )
        if not mediator.is_active:
            raise ActionRefused("该调解员已登记离任。")
        if left_on > today:
            raise ActionRefused("离任日期不能晚于今天：请在离任当天登记。", "left_on")
        if mediator.term_start and left_on < mediator.term_start:
            raise ActionRefused("离任日期不能早于任期开始日期。", "left_on")
        before = snapshot(mediator, _MEDIATOR_SNAPSHOT)
        mediator.is_active = False
        mediator.left_on = left_on
        mediator.left_reason = reason.strip()[:200]
        mediator.save(update_fields=["is_active", "left_on", "left_reason"])
        record_change(
            actor, mediator, ChangeAction.DEACTIVATE, before, snapshot(mediator, _MEDIATOR_SNAPSHOT), f"离任：{reason}"
        )
        if mediator.user is not None and mediator.user.is_active:
            _deactivate(actor, mediator.user, f"调解员离任：{reason}")
    return mediator


# --- accounts ---------------------------------------------------------------------------------------------------


@dataclass
class Handover:
    """An account and the password to hand over, shown once on the result page and never stored in clear."""

    account: User
    password: str


def _set_generated_password(account: User) -> str:
    password = generate_password()
    account.set_password(password)
    account.must_change_password = True
    return password


USERNAME_TAKEN = "该用户名已被使用，请换一个。"


def _check_username(username: str) -> None:
    if User.objects.filter(username__iexact=username).exists():
        raise ActionRefused(USERNAME_TAKEN, "username")


def _save_new_account(account: User) -> None:
    """Insert the account; the same username saved a moment ago by a double submit or another administrator (after
    `_check_username` passed) is the same refusal, not a server error. A savepoint keeps the outer transaction
    usable on PostgreSQL."""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ActionRefused(USERNAME_TAKEN, "username") from None


def do_create_mediator_account(actor: User, mediator: Mediator, username: str) -> Handover:
    """A login account for a serving mediator, scoped to their committee: role 调委会主任 for the 主任, otherwise
    调解员. Recorded as ACCOUNT_CREATE on the account and as EDIT (登录账号) on the mediator."""
    _require_mediator(actor, mediator)
    with transaction.atomic():
        mediator = Mediator.objects.select_for_update(of=("self",)).select_related("committee").get(pk=mediator.pk)
        if mediator.user_id is not None:
            raise ActionRefused("该调解员已有登录账号。")
        if not mediator.is_active:
            raise ActionRefused("该调解员已离任，不能开通账号。")
        # The committee locked, so that a dissolution committing at the same moment (which stops the committee's
        # accounts under this lock) is seen: no account is opened in a committee that was just dissolved.
        mediator.committee = Committee.objects.select_for_update().get(pk=mediator.committee_id)
        if not mediator.committee.is_active:
            raise ActionRefused("该调委会已撤销，不能开通账号。")
        _check_username(username)
        account = User(
            username=username,
            full_name=mediator.name,
            role=Role.DIRECTOR if mediator.role == MediatorRole.DIRECTOR else Role.MEDIATOR,
            committee=mediator.committee,
        )
        password = _set_generated_password(account)
        _save_new_account(account)
        record_change(actor, account, ChangeAction.ACCOUNT_CREATE, {}, _filled(snapshot(account, _ACCOUNT_SNAPSHOT)))
        before = snapshot(mediator, _MEDIATOR_SNAPSHOT)
        mediator.user = account
        mediator.save(update_fields=["user"])
        record_change(
            actor, mediator, ChangeAction.EDIT, before, snapshot(mediator, _MEDIATOR_SNAPSHOT), "开通登录账号"
        )
    return Handover(account, password)


def do_create_staff_account(
    actor: User, division: Division, username: str, full_name: str, phone: str = ""
) -> Handover:
    """A 司法所 officer's account (by a county administrator) or a county administrator's (by the city's), scoped
    to `division`, which must be one of `staff_divisions(actor)`."""
    role = staff_role_for(actor)
    if role is None or not staff_divisions(actor).filter(pk=division.pk).exists():
        raise Http404("区划不存在")
    with transaction.atomic():
        _check_username(username)
        account = User(
            username=username, full_name=full_name.strip(), phone=phone.strip(), role=role, division=division
        )
        password = _set_generated_password(account)
        _save_new_account(account)
        record_change(actor, account, ChangeAction.ACCOUNT_CREATE, {}, _filled(snapshot(account, _ACCOUNT_SNAPSHOT)))
    return Handover(account, password)


def do_reset_password(actor: User, account: User, request: HttpRequest) -> Handover:
    """A new generated password the person must change at the next sign-in; the failed-login lockout of the
    username is lifted. Recorded as PASSWORD_RESET and in the access log (RESET_PASSWORD)."""
    _require_account(actor, account)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        if not account.is_active:
            raise ActionRefused("该账号已停用，请先恢复账号再重置密码。")
        password = _set_generated_password(account)
        account.save(update_fields=["password", "must_change_password"])
        record_change(actor, account, ChangeAction.PASSWORD_RESET, {}, {}, "已生成新的初始密码，须在登录时修改")
        log_access(request, AccessKind.RESET_PASSWORD, detail=f"重置账号 {account.username} 的密码")
    _lift_lockout(account.username)
    return Handover(account, password)


def _lift_lockout(username: str) -> None:
    try:
        from axes.utils import reset

        reset(username=username)
    except Exception:  # noqa: BLE001 — the reset itself has happened; a lockout row left over expires by itself
        pass


def _deactivate(actor: User, account: User, reason: str) -> None:
    account = User.objects.select_for_update().get(pk=account.pk)
    before = snapshot(account, _ACCOUNT_SNAPSHOT)
    account.is_active = False
    account.save(update_fields=["is_active"])
    record_change(actor, account, ChangeAction.ACCOUNT_DEACTIVATE, before, snapshot(account, _ACCOUNT_SNAPSHOT), reason)


def do_deactivate_account(actor: User, account: User, reason: str) -> User:
    """The account can no longer sign in (its open sessions end at their next request: Django refuses an inactive
    user). Recorded as ACCOUNT_DEACTIVATE with the reason."""
    _require_account(actor, account)
    with transaction.atomic():
        if not User.objects.select_for_update().get(pk=account.pk).is_active:
            raise ActionRefused("该账号已停用。")
        _deactivate(actor, account, reason.strip())
    account.refresh_from_db()
    return account


def deactivate_accounts_of_committee(actor: User, committee: Committee, reason: str) -> int:
    """A dissolved committee's login accounts stop the same day (each with its ACCOUNT_DEACTIVATE record).
    Call inside the dissolution's transaction. Returns how many were stopped."""
    accounts = list(User.objects.filter(committee=committee, is_active=True).order_by("pk"))
    for account in accounts:
        _deactivate(actor, account, f"调解组织撤销：{reason}"[:200])
    return len(accounts)


def do_reactivate_account(actor: User, account: User) -> User:
    """The account may sign in again — not for a mediator who has left, nor for a committee that was dissolved."""
    _require_account(actor, account)
    with transaction.atomic():
        # The committee first (the order a dissolution takes: committee, then its accounts), so that a dissolution
        # committing at the same moment is seen and the two never wait on each other.
        committee_id = User.objects.filter(pk=account.pk).values_list("committee_id", flat=True).first()
        if committee_id is not None:
            Committee.objects.select_for_update().get(pk=committee_id)
        account = User.objects.select_for_update(of=("self",)).select_related("committee").get(pk=account.pk)
        if account.is_active:
            raise ActionRefused("该账号未停用。")
        mediator = Mediator.objects.filter(user=account).first()
        if mediator is not None and not mediator.is_active:
            raise ActionRefused("该调解员已离任，不能恢复其账号。")
        if account.committee is not None and not account.committee.is_active:
            raise ActionRefused("该调委会已撤销，不能恢复其账号。")
        before = snapshot(account, _ACCOUNT_SNAPSHOT)
        account.is_active = True
        account.save(update_fields=["is_active"])
        record_change(actor, account, ChangeAction.ACCOUNT_REACTIVATE, before, snapshot(account, _ACCOUNT_SNAPSHOT))
    return account


# --- terms of office --------------------------------------------------------------------------------------------


def terms_ending(user: User, today: date | None = None, days: int = TERM_WARNING_DAYS) -> QuerySet[Mediator]:
    """Serving mediators of the user's area whose term ends within `days` days or has already ended, soonest
    first."""
    today = today or date.today()
    if not is_administrator(user):
        return Mediator.objects.none()
    return (
        Mediator.objects.filter(
            committee__in=committees_visible_to(user),
            committee__is_active=True,
            is_active=True,
            term_end__isnull=False,
            term_end__lte=today + timedelta(days=days),
        )
        .select_related("committee__division", "user")
        .order_by("term_end", "committee__division_id", "name")
    )


__all__ = [
    "ADMIN_ROLES",
    "Handover",
    "access_account",
    "access_administrable_committee",
    "access_mediator",
    "administrable_accounts",
    "administrable_committees",
    "do_add_mediator",
    "do_create_mediator_account",
    "do_create_staff_account",
    "do_deactivate_account",
    "do_edit_mediator",
    "do_reactivate_account",
    "do_record_leaving",
    "do_reset_password",
    "may_administer_mediator",
    "staff_divisions",
    "staff_role_for",
    "terms_ending",
]
