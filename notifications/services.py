"""The one notifications module: recipients, channels, preferences, and the outbox.

Every notice is written inside the transaction of the action that causes it: the in-app row (cases.Notification)
and, where the person has SMS for that kind, an OutboxMessage that the worker delivers after commit
(notifications.delivery). Nothing is sent inside a request, so a gateway outage never undoes or breaks an action.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from notifications.enums import Channel, NoticeKind
from notifications.models import NoticePreference, OutboxMessage

SMS_PREFIX = "【人民调解】"

# Default channel per kind when a person has not chosen: parties hear of every step of their case by SMS as well
# (they may not open the portal); staff get SMS only for what presses them.
PARTY_SMS_DEFAULT = {NoticeKind.CASE_PROGRESS}
STAFF_SMS_DEFAULT = {NoticeKind.SUPERVISION, NoticeKind.SUPERVISION_ESCALATED, NoticeKind.AUTO_TERMINATED}


def wants_sms(user: User, kind: str, prefs: dict[tuple[int, str], bool] | None = None) -> bool:
    if prefs is not None and (user.pk, kind) in prefs:
        return prefs[(user.pk, kind)]
    default = PARTY_SMS_DEFAULT if user.role == Role.PARTY else STAFF_SMS_DEFAULT
    return kind in default


def notify(
    users: Iterable[User | int],
    kind: str,
    message: str,
    *,
    case=None,
    actor: User | None = None,
    at: datetime | None = None,
    sms: str | None = None,
) -> None:
    """Write the in-app notice for each user (not the actor) and queue an SMS for those who want one for `kind`.

    `sms` is the text of the SMS (system text only: nothing a user typed goes out under the sender's name); without
    it no SMS is queued. Must run inside the caller's transaction; delivery is kicked after commit."""
    from cases.models import Notification

    created = at or timezone.now()
    ids = {u.pk if isinstance(u, User) else int(u) for u in users}
    if actor is not None:
        ids.discard(actor.pk)
    if not ids:
        return
    people = list(User.objects.filter(pk__in=ids, is_active=True))
    Notification.objects.bulk_create(
        [Notification(user=u, case=case, kind=kind, message=message[:200], created_at=created) for u in people]
    )
    if sms is None:
        return
    prefs = {
        (p.user_id, p.kind): p.sms for p in NoticePreference.objects.filter(user__in=people, kind=kind).only("sms")
    }
    queue = [u for u in people if u.phone and wants_sms(u, kind, prefs)]
    for user in queue:
        queue_sms(user.phone, sms, kind, user=user, case=case, at=created)


def queue_sms(phone: str, text: str, kind: str, *, user: User | None = None, case=None, at=None) -> OutboxMessage:
    """Queue one SMS in the outbox (in the caller's transaction) and ask the worker to deliver it after commit."""
    msg = OutboxMessage.objects.create(
        channel=Channel.SMS,
        kind=kind,
        user=user,
        case=case,
        address=phone,
        body=f"{SMS_PREFIX}{text}" if not text.startswith(SMS_PREFIX) else text,
        created_at=at or timezone.now(),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _kick(msg.pk))
    return msg


def _kick(message_id: int) -> None:
    from notifications.tasks import deliver_message

    deliver_message(message_id)


def case_recipient_ids(case) -> set[int]:
    """Who hears about a case: the accounts of its mediators, the committee's director(s), and the parties with
    accounts. Four small indexed queries rather than one OR across joins, which SQLite's planner turns into a scan
    of every user × case once statistics exist (6.5 s per action at 10k cases after ANALYZE)."""
    active = User.objects.filter(is_active=True)
    ids = set(active.filter(committee_id=case.committee_id, role=Role.DIRECTOR).values_list("pk", flat=True))
    ids |= set(active.filter(pk__in=case.parties.exclude(user=None).values("user_id")).values_list("pk", flat=True))
    ids |= set(active.filter(mediator__co_cases=case).values_list("pk", flat=True))
    if case.presiding_mediator_id is not None:  # never filter on mediator=None: that matches every non-mediator
        ids |= set(active.filter(mediator__pk=case.presiding_mediator_id).values_list("pk", flat=True))
    return ids


def case_progress_sms(case) -> str:
    # The SMS names only what the system itself wrote (case number, status): notice texts may carry names typed by
    # a party, and nothing typed by a user goes out under the 【人民调解】 sender.
    return (
        f"您的调解案件{case.case_no or case.registration_no}有新进展，当前状态：{case.get_status_display()}。"
        "详情请登录调解平台查看。"
    )


def notify_case(
    case,
    message: str,
    actor: User | None,
    *,
    kind: str = NoticeKind.CASE_PROGRESS,
    extra: Iterable[User] = (),
    at: datetime | None = None,
) -> None:
    """Tell everyone on a case (and `extra`) of a step, in the action's transaction."""
    targets = case_recipient_ids(case) | {u.pk for u in extra}
    notify(targets, kind, message, case=case, actor=actor, at=at, sms=case_progress_sms(case))


def supervisor_ids(division_code: str, roles: Iterable[str]) -> set[int]:
    """The active supervisors of the given roles whose jurisdiction covers `division_code` (a township officer of
    its township, the county bureau of its county, the city bureau of its city)."""
    prefixes = {division_code[:n] for n in (2, 4, 6, 9, 12) if len(division_code) >= n}
    return set(
        User.objects.filter(is_active=True, role__in=list(roles), division_id__in=prefixes).values_list("pk", flat=True)
    )


def notify_supervisors(
    kind: str,
    division_code: str,
    message: str,
    *,
    case=None,
    at: datetime | None = None,
    sms: str | None = None,
    roles: Iterable[str] | None = None,
) -> None:
    """Tell the supervisors that the rules name for `kind` (data/notice_rules.json, read by notice_rules) about
    something in `division_code`, in the caller's transaction."""
    wanted = list(roles) if roles is not None else notice_rule_roles(kind)
    if not wanted:
        return
    notify(supervisor_ids(division_code, wanted), kind, message, case=case, at=at, sms=sms)


def notice_rule_roles(kind: str) -> list[str]:
    """Which supervisor roles hear of `kind`. Default: the township office and the county bureau."""
    return [Role.SFS_OFFICER, Role.COUNTY_ADMIN]
