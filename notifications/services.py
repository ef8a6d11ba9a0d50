"""The one notifications module: recipients, channels, preferences, and the outbox.

Every notice is written inside the transaction of the action that causes it: the in-app row (cases.Notification)
and, where the person has SMS for that kind, an OutboxMessage that the worker delivers after commit
(notifications.delivery). Nothing is sent inside a request, so a gateway outage never undoes or breaks an action.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from notifications import rules
from notifications.enums import Channel, NoticeKind
from notifications.models import NoticePreference, OutboxMessage

SMS_PREFIX = "【人民调解】"

logger = logging.getLogger(__name__)


def wants_sms(user: User, kind: str, prefs: dict[tuple[int, str], bool] | None = None) -> bool:
    """The person's own choice for `kind` (NoticePreference), else the default of their role and jurisdiction in
    data/notice_rules.json."""
    if prefs is not None and (user.pk, kind) in prefs:
        return prefs[(user.pk, kind)]
    if prefs is None:
        chosen = NoticePreference.objects.filter(user=user, kind=kind).values_list("sms", flat=True).first()
        if chosen is not None:
            return chosen
    return rules.sms_by_default(user.role, kind, rules.user_division_code(user))


# Set while data that describes the past is written (the demo seeder): the in-app notices are written as the
# actions would have written them, but no SMS is queued for events that happened months ago.
_NO_SMS: ContextVar[bool] = ContextVar("notifications_no_sms", default=False)


@contextmanager
def no_sms_for_past_events() -> Iterator[None]:
    token = _NO_SMS.set(True)
    try:
        yield
    finally:
        _NO_SMS.reset(token)


def notify(
    users: Iterable[User | int],
    kind: str,
    message: str,
    *,
    case=None,
    actor: User | None = None,
    at: datetime | None = None,
    sms: str | None = None,
    link: str = "",
) -> None:
    """Write the in-app notice for each user (not the actor) and queue an SMS for those who want one for `kind`.
    `link` is the path of the page the notice is about when it is not the case's (a risk, a screening report).

    `sms` is the text of the SMS (system text only: nothing a user typed goes out under the sender's name); without
    it no SMS is queued. Must run inside the caller's transaction; delivery is kicked after commit."""
    from cases.models import Notification

    created = at or timezone.now()
    ids = {u.pk if isinstance(u, User) else int(u) for u in users}
    if actor is not None:
        ids.discard(actor.pk)
    if not ids:
        return
    people = list(User.objects.filter(pk__in=ids, is_active=True).select_related("committee"))
    Notification.objects.bulk_create(
        [
            Notification(user=u, case=case, kind=kind, message=message[:200], link=link[:200], created_at=created)
            for u in people
        ]
    )
    if sms is None or _NO_SMS.get():
        return
    chosen = NoticePreference.objects.filter(user__in=people, kind=kind).values_list("user_id", "kind", "sms")
    prefs = {(uid, k): sms_wanted for uid, k, sms_wanted in chosen}
    queue = [u for u in people if u.phone and wants_sms(u, kind, prefs)]
    for user in queue:
        queue_sms(user.phone, sms, kind, user=user, case=case, at=created)


def queue_sms(phone: str, text: str, kind: str, *, user: User | None = None, case=None, at=None) -> OutboxMessage:
    """Queue one SMS in the outbox (in the caller's transaction) and ask the worker to deliver it after commit.

    The message carries the division it concerns (the case's, else the recipient's jurisdiction) so that the
    delivery log shows it to the administrators of that area only."""
    msg = OutboxMessage.objects.create(
        channel=Channel.SMS,
        kind=kind,
        user=user,
        case=case,
        division_code=_division_of(case, user),
        address=phone,
        body=f"{SMS_PREFIX}{text}" if not text.startswith(SMS_PREFIX) else text,
        created_at=at or timezone.now(),
        next_attempt_at=timezone.now(),
    )
    pk = msg.pk
    transaction.on_commit(lambda: kick(pk), robust=True)
    return msg


def _division_of(case, user: User | None) -> str:
    if case is not None and case.division_code:
        return case.division_code
    return rules.user_division_code(user) if user is not None else ""


def kick(message_id: int) -> None:
    """Hand a committed message to the worker. A queue that cannot be reached is logged, never raised: the
    action has committed, and the worker's periodic sweep delivers the message later."""
    from notifications.tasks import deliver_message

    try:
        deliver_message(message_id)
    except Exception:  # noqa: BLE001 - the page of a committed action must not fail because of the queue
        logger.exception("could not enqueue outbox message %s; the sweep will deliver it", message_id)


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
    """Tell everyone on a case (and `extra`) of a step, in the action's transaction: the staff in the action's
    own words, the parties in the words written for them (data/notice_rules.json "party_texts", for the step the
    case has just gone through), in-app and by SMS."""
    from notifications.party_texts import latest_event, party_sms, party_text

    targets = case_recipient_ids(case) | {u.pk for u in extra}
    parties = party_user_ids(case) & targets
    notify(targets - parties, kind, message, case=case, actor=actor, at=at, sms=case_progress_sms(case))
    if parties:
        step, data = latest_event(case)
        text = party_text(case, step, detail=message, data=data)
        sms = party_sms(party_text(case, step, data=data))  # without {detail}: nothing a user typed goes by SMS
        notify(parties, kind, text, case=case, actor=actor, at=at, sms=sms)


def party_user_ids(case) -> set[int]:
    """The accounts of the case's parties (a guardian or agent acting for a party has the party's account)."""
    return set(case.parties.exclude(user=None).values_list("user_id", flat=True))


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
    link: str = "",
) -> None:
    """Tell the supervisors that the rules name for `kind` (data/notice_rules.json, read by notice_rules) about
    something in `division_code`, in the caller's transaction."""
    wanted = list(roles) if roles is not None else notice_rule_roles(kind, division_code)
    if not wanted:
        return
    notify(supervisor_ids(division_code, wanted), kind, message, case=case, at=at, sms=sms, link=link)


def notice_rule_roles(kind: str, division_code: str = "") -> list[str]:
    """Which supervisor roles hear of `kind` (data/notice_rules.json "supervisors", with the jurisdiction's
    override for `division_code` when it has one)."""
    return rules.supervisor_roles(kind, division_code)
