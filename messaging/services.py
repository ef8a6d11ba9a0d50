"""The one door for messaging and booking: who may read and write, and every write in one transaction.

Who belongs to a thread: the parties with portal accounts (Rel.PARTY) and the case's assigned mediators
(Rel.MEDIATOR). Everyone else — directors, supervisors, courts, other committees — gets a 404, as for a case outside
their jurisdiction. Bookings are handled on the staff side by the case's mediators, and for committee slots also
by the committee director. Notices are written in the transaction (notifications.services); SMS go out after
commit.
"""

from collections.abc import Iterable
from datetime import date, datetime, time

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from cases.actions import ActionRefused
from cases.models import Case, Party
from cases.scoping import cases_visible_to
from cases.uploads import CheckedFile, store
from messaging.models import (
    ACTIVE_BOOKING,
    Attachment,
    Booking,
    BookingEvent,
    BookingStatus,
    Message,
    ReadMark,
    Slot,
)
from messaging.scoping import (  # noqa: F401 -- re-exported: callers reach the access checks through services
    THREAD_RELS,
    Access,
    BookingSide,
    access_for,
    attachment_for,
    booking_side,
    bookings_to_handle,
    bookings_visible_in,
    is_writable,
    my_slots,
    thread_access,
    visible_messages,
)
from notifications.enums import NoticeKind
from notifications.services import notify
from workdays.calendar import is_working_day

MAX_ATTACHMENTS = 5
MAX_BODY = 2000


# --------------------------------------------------------------------------------------------------------- access
# Who may see which thread, message, attachment, slot and booking: messaging.scoping (re-exported here).


def caucus_parties(case: Case) -> list[Party]:
    """Parties a mediator can write to alone: only those with a portal account can read the note."""
    return list(case.parties.filter(user__isnull=False).order_by("order", "pk"))


def mediator_user_ids(case: Case) -> set[int]:
    ids = set(case.co_mediators.filter(user__isnull=False).values_list("user_id", flat=True))
    if case.presiding_mediator_id and case.presiding_mediator.user_id:
        ids.add(case.presiding_mediator.user_id)
    return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


def _notify(case: Case, user_ids: Iterable[int], text: str, actor: User) -> None:
    """Tell the thread's people of a new message or a booking step, in the caller's transaction (kind MESSAGE):
    the in-app notice, and an SMS for those who chose SMS for messages. The SMS names only the case number: the
    notice text carries names typed by users."""
    notify(
        set(user_ids),
        NoticeKind.MESSAGE,
        text,
        case=case,
        actor=actor,
        sms=f"您的调解案件{case_label(case)}有新的消息或预约变动，请登录调解平台查看。",
    )


def case_label(case: Case) -> str:
    return case.case_no or case.registration_no


# ------------------------------------------------------------------------------------------------------- messages
def sender_role_label(access: Access) -> str:
    if access.is_mediator:
        return "调解员"
    return access.own_party.get_side_display() if access.own_party else "当事人"


def post_message(
    user: User,
    access: Access,
    body: str,
    files: list[tuple[UploadedFile, CheckedFile]] = (),
    caucus_party: Party | None = None,
) -> Message:
    """Append a message (files already checked by cases.uploads.check_upload) and notify its readers."""
    body = (body or "").strip()
    if not body and not files:
        raise ActionRefused("请填写消息内容或添加附件", "body")
    if len(body) > MAX_BODY:
        raise ActionRefused(f"消息最多 {MAX_BODY} 字", "body")
    if len(files) > MAX_ATTACHMENTS:
        raise ActionRefused(f"每条消息最多 {MAX_ATTACHMENTS} 个附件", "files")
    case = access.case
    if caucus_party is not None:
        if caucus_party.case_id != case.pk or caucus_party.user_id is None:
            raise ActionRefused("请选择本案有账号的当事人", "to")
        if not access.is_mediator and (access.own_party is None or caucus_party.pk != access.own_party.pk):
            raise ActionRefused("当事人只能与调解员单独沟通", "to")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not is_writable(locked):
            raise ActionRefused(f"案件{locked.get_status_display()}，沟通记录只能查看，不能再发消息")
        name = user.display_name if access.is_mediator else (access.own_party.name if access.own_party else str(user))
        message = Message.objects.create(
            case=locked,
            sender=user,
            sender_role=sender_role_label(access),
            sender_name=name[:100],
            caucus_party=caucus_party,
            body=body,
        )
        for f, checked in files:
            rel = store(f, checked, f"messages/{case.pk}")
            Attachment.objects.create(
                message=message,
                path=rel,
                original_name=checked.original_name,
                content_type=checked.content_type,
                size=checked.size,
            )
        mark_read(user, case, message.pk)
        readers = mediator_user_ids(locked)
        if caucus_party is not None:
            readers.add(caucus_party.user_id)
            text = f"{case_label(locked)}：{name}发来一条单独沟通消息"
        else:
            readers |= set(locked.parties.filter(user__isnull=False).values_list("user_id", flat=True))
            text = f"{case_label(locked)}：{name}发来一条新消息"
        _notify(locked, readers, text, user)
    return message


def mark_read(user: User, case: Case, upto_id: int) -> None:
    """Move the user's read mark forward (never back)."""
    mark, _created = ReadMark.objects.get_or_create(user=user, case=case)
    if upto_id > mark.last_read_id:
        ReadMark.objects.filter(pk=mark.pk, last_read_id__lt=upto_id).update(last_read_id=upto_id)


def unread_count(user: User, access: Access) -> int:
    mark = ReadMark.objects.filter(user=user, case=access.case).values_list("last_read_id", flat=True).first() or 0
    return visible_messages(user, access).filter(pk__gt=mark).exclude(sender=user).count()


# ------------------------------------------------------------------------------------------------- availability
def slot_starts_in_future(slot_date: date, start: time, now: datetime | None = None) -> bool:
    local = timezone.localtime(now or timezone.now())
    return slot_date > local.date() or (slot_date == local.date() and start > local.time())


def check_slot_time(slot_date: date, start: time, end: time) -> None:
    """Shared by publishing and proposing: future, a working day, end after start."""
    if end <= start:
        raise ActionRefused("结束时间必须晚于开始时间", "end")
    if not slot_starts_in_future(slot_date, start):
        raise ActionRefused("只能选择今后的时间", "date")
    if not is_working_day(slot_date):
        raise ActionRefused(f"{slot_date:%Y年%m月%d日}不是工作日，请选择工作日", "date")


def free_slots() -> QuerySet[Slot]:
    active = Booking.objects.filter(slot_id=OuterRef("pk"), status__in=ACTIVE_BOOKING)
    return Slot.objects.filter(withdrawn_at__isnull=True).exclude(Exists(active))


def _overlapping(qs: QuerySet[Slot], slot_date: date, start: time, end: time) -> Slot | None:
    return qs.filter(withdrawn_at__isnull=True, date=slot_date, start__lt=end, end__gt=start).first()


def publish_slots(
    user: User,
    *,
    slot_date: date,
    start: time,
    end: time,
    mode: str,
    place: str,
    for_committee: bool = False,
    repeat: int = 1,
) -> list[Slot]:
    """Publish one slot, or the same hours on `repeat` consecutive working days (non-working days skipped)."""
    if user.role not in (Role.MEDIATOR, Role.DIRECTOR) or not user.committee_id:
        raise ActionRefused("只有调解员和调委会主任可以发布可预约时段")
    mediator = None
    if for_committee:
        if user.role != Role.DIRECTOR:
            raise ActionRefused("只有调委会主任可以以调委会名义发布时段", "for_committee")
    else:
        mediator = getattr(user, "mediator", None)
        if mediator is None:
            raise ActionRefused("您没有调解员档案，不能发布个人时段")
    check_slot_time(slot_date, start, end)
    dates: list[date] = []
    d = slot_date
    from datetime import timedelta

    while len(dates) < max(1, min(repeat, 10)):
        if is_working_day(d):
            dates.append(d)
        d += timedelta(days=1)
    owner = (
        Slot.objects.filter(mediator=mediator)
        if mediator
        else Slot.objects.filter(mediator__isnull=True, committee_id=user.committee_id)
    )
    created = []
    with transaction.atomic():
        for day in dates:
            clash = _overlapping(owner, day, start, end)
            if clash:
                raise ActionRefused(f"与已发布的时段 {clash} 重叠", "start")
            created.append(
                Slot.objects.create(
                    committee_id=user.committee_id,
                    mediator=mediator,
                    date=day,
                    start=start,
                    end=end,
                    mode=mode,
                    place=place.strip(),
                    published_by=user,
                )
            )
    return created


def withdraw_slot(user: User, slot_id: int) -> Slot:
    with transaction.atomic():
        slot = my_slots(user).select_for_update().filter(pk=slot_id).first()
        if slot is None:
            raise Http404("时段不存在")
        if slot.bookings.filter(status__in=ACTIVE_BOOKING).exists():
            raise ActionRefused("该时段已有预约，请先取消或改期预约，再撤回时段")
        if slot.withdrawn_at is None:
            slot.withdrawn_at = timezone.now()
            Slot.objects.filter(pk=slot.pk).update(withdrawn_at=slot.withdrawn_at)
    return slot


# ------------------------------------------------------------------------------------------------------ bookings
def case_mediator_ids(case: Case) -> list[int]:
    ids = list(case.co_mediators.values_list("pk", flat=True))
    if case.presiding_mediator_id:
        ids.append(case.presiding_mediator_id)
    return ids


def bookable_slots(case: Case) -> list[Slot]:
    """Free future slots on working days of the case's assigned mediators and of the case's committee."""
    owners = Q(mediator_id__in=case_mediator_ids(case)) | Q(mediator__isnull=True, committee_id=case.committee_id)
    today = timezone.localdate()
    qs = free_slots().filter(owners, date__gte=today).select_related("mediator")
    return [s for s in qs if slot_starts_in_future(s.date, s.start) and is_working_day(s.date)]


def _event(booking: Booking, action: str, before: str, actor: User, note: str = "") -> None:
    BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=before,
        to_status=booking.status,
        actor=actor,
        slot_text=f"{booking.slot} {booking.slot.where}"[:120],
        note=note[:200],
    )


def _move(booking: Booking, status: str, action: str, actor: User, note: str = "") -> None:
    """Change a booking's status and record the step in its history."""
    before = booking.status
    booking.status = status
    booking.save(update_fields=["status", "updated_at"])
    _event(booking, action, before, actor, note)


def staff_user_ids(booking: Booking) -> set[int]:
    """Who answers a booking: the case's mediators, and for a committee slot also the committee's director(s)."""
    ids = mediator_user_ids(booking.case)
    if booking.slot.mediator_id is None:
        ids |= set(
            User.objects.filter(role=Role.DIRECTOR, committee_id=booking.case.committee_id, is_active=True).values_list(
                "pk", flat=True
            )
        )
    return ids


def book_slot(user: User, access: Access, slot_id: int, note: str = "") -> Booking:
    """A party books a free slot for this case. The slot row is locked and the partial unique constraint
    (one active booking per slot) makes a double booking impossible even when two requests race."""
    if not access.is_party:
        raise Http404
    case = access.case
    if not is_writable(case):
        raise ActionRefused("案件已办结，不能再预约")
    refused = ActionRefused("该时段已被预约或已撤回，请选择其他时段", "slot")
    try:
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case.pk)
            slot = Slot.objects.select_for_update().filter(pk=slot_id).first()
            if slot is None or slot.withdrawn_at is not None:
                raise refused
            owners_ok = (slot.mediator_id in case_mediator_ids(case)) or (
                slot.mediator_id is None and slot.committee_id == case.committee_id
            )
            if not owners_ok:
                raise ActionRefused("只能预约本案调解员或本调委会发布的时段", "slot")
            if not slot_starts_in_future(slot.date, slot.start):
                raise ActionRefused("该时段已过，请选择其他时段", "slot")
            if not is_working_day(slot.date):
                raise ActionRefused("该时段不在工作日，请选择其他时段", "slot")
            if Booking.objects.filter(slot=slot, status__in=ACTIVE_BOOKING).exists():
                raise refused
            if Booking.objects.filter(case=case, party=access.own_party, status__in=ACTIVE_BOOKING).exists():
                raise ActionRefused("您在本案已有一个进行中的预约，请先取消后再预约其他时段", "slot")
            booking = Booking.objects.create(
                case=case,
                party=access.own_party,
                slot=slot,
                requested_slot=slot,
                booked_by=user,
                note=note.strip()[:200],
            )
            _event(booking, "book", "", user, booking.note)
            _notify(
                case,
                staff_user_ids(booking),
                f"{case_label(case)}：{access.own_party.name}预约了 {slot}（{slot.where}），请确认",
                user,
            )
    except IntegrityError:
        raise refused from None
    return booking


PARTY_ACTIONS = {"accept", "decline", "cancel"}
STAFF_ACTIONS = {"confirm", "propose", "cancel"}
ACTION_LABELS = {
    "confirm": "确认预约",
    "propose": "建议改期",
    "accept": "接受改期",
    "decline": "不接受改期",
    "cancel": "取消预约",
}


def actions_for(bs: BookingSide) -> list[str]:
    status = bs.booking.status
    if not bs.booking.is_active or not is_writable(bs.booking.case):
        return []
    if bs.side == "party":
        return ["accept", "decline", "cancel"] if status == BookingStatus.PROPOSED else ["cancel"]
    if status == BookingStatus.REQUESTED:
        return ["confirm", "propose", "cancel"]
    return ["propose", "cancel"]


def _locked(bs: BookingSide, action: str) -> Booking:
    booking = Booking.objects.select_for_update().select_related("case", "slot", "party").get(pk=bs.booking.pk)
    if action not in actions_for(BookingSide(booking, bs.side)):
        raise ActionRefused(f"预约当前为“{booking.get_status_display()}”，不能{ACTION_LABELS[action]}")
    return booking


def _tell_other_side(booking: Booking, side: str, text: str, actor: User) -> None:
    targets = {booking.party.user_id} if side == "staff" else staff_user_ids(booking)
    _notify(booking.case, {t for t in targets if t}, f"{case_label(booking.case)}：{text}", actor)


def confirm_booking(user: User, bs: BookingSide) -> Booking:
    with transaction.atomic():
        booking = _locked(bs, "confirm")
        _move(booking, BookingStatus.CONFIRMED, "confirm", user)
        _tell_other_side(
            booking, "staff", f"{user.display_name}确认了您预约的 {booking.slot}（{booking.slot.where}）", user
        )
    return booking


def propose_booking(
    user: User, bs: BookingSide, *, slot_date: date, start: time, end: time, mode: str, place: str, note: str = ""
) -> Booking:
    """Offer the party another time: a new slot held by this booking; the old slot becomes free again."""
    check_slot_time(slot_date, start, end)
    try:
        with transaction.atomic():
            booking = _locked(bs, "propose")
            old = booking.slot
            mediator = old.mediator if old.mediator_id else None
            if mediator is not None and getattr(user, "mediator", None) is not None:
                mediator = user.mediator
            owner = (
                Slot.objects.filter(mediator=mediator)
                if mediator
                else Slot.objects.filter(mediator__isnull=True, committee_id=booking.case.committee_id)
            )
            clash = _overlapping(owner.exclude(pk=old.pk), slot_date, start, end)
            same = clash is not None and (clash.start, clash.end) == (start, end)
            if clash and (not same or clash.bookings.filter(status__in=ACTIVE_BOOKING).exists()):
                raise ActionRefused(f"与已发布的时段 {clash} 重叠", "start")
            if clash:  # the same hours already published and free: use that slot rather than a twin
                new = Slot.objects.select_for_update().get(pk=clash.pk)
            else:
                new = Slot.objects.create(
                    committee_id=booking.case.committee_id,
                    mediator=mediator,
                    date=slot_date,
                    start=start,
                    end=end,
                    mode=mode,
                    place=place.strip(),
                    published_by=user,
                )
            before = booking.status
            booking.slot = new
            booking.status = BookingStatus.PROPOSED
            booking.save(update_fields=["slot", "status", "updated_at"])
            _event(booking, "propose", before, user, note)
            _tell_other_side(
                booking, "staff", f"{user.display_name}建议把预约改到 {new}（{new.where}），请确认是否接受", user
            )
    except IntegrityError:
        raise ActionRefused("该时间已被预约，请另选时间", "start") from None
    return booking


def accept_proposal(user: User, bs: BookingSide) -> Booking:
    with transaction.atomic():
        booking = _locked(bs, "accept")
        if not slot_starts_in_future(booking.slot.date, booking.slot.start):
            raise ActionRefused("建议的时间已过，请取消后重新预约")
        _move(booking, BookingStatus.CONFIRMED, "accept", user)
        _tell_other_side(
            booking, "party", f"{booking.party.name}接受了改期：{booking.slot}（{booking.slot.where}）", user
        )
    return booking


def decline_proposal(user: User, bs: BookingSide, note: str = "") -> Booking:
    with transaction.atomic():
        booking = _locked(bs, "decline")
        _move(booking, BookingStatus.DECLINED, "decline", user, note)
        _tell_other_side(booking, "party", f"{booking.party.name}未接受改期建议（{booking.slot}）", user)
    return booking


def cancel_booking(user: User, bs: BookingSide, reason: str) -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("请填写取消原因", "reason")
    with transaction.atomic():
        booking = _locked(bs, "cancel")
        _move(booking, BookingStatus.CANCELLED, "cancel", user, reason)
        who = booking.party.name if bs.side == "party" else user.display_name
        _tell_other_side(booking, bs.side, f"{who}取消了 {booking.slot} 的预约：{reason}", user)
    return booking


def next_appointment(case: Case, access: Access) -> Booking | None:
    """The nearest active future booking the user can see (a party sees their own)."""
    qs = bookings_visible_in(access).filter(status__in=ACTIVE_BOOKING).select_related("slot", "party")
    today = timezone.localdate()
    items = [b for b in qs.filter(slot__date__gte=today) if slot_starts_in_future(b.slot.date, b.slot.end)]
    items.sort(key=lambda b: (b.slot.date, b.slot.start))
    return items[0] if items else None


def unread_threads(user: User, limit: int = 5) -> list[tuple[Case, int]]:
    """Cases the mediator works on with unread messages (for the workbench panel)."""
    mediator = getattr(user, "mediator", None)
    if mediator is None:
        return []
    cases = (
        cases_visible_to(user)
        .filter(Q(presiding_mediator=mediator) | Q(co_mediators=mediator))
        .filter(Exists(Message.objects.filter(case_id=OuterRef("pk")).exclude(sender=user)))
        .distinct()
    )
    result = []
    for case in cases:
        access = access_for(user, case)
        if access is None:
            continue
        n = unread_count(user, access)
        if n:
            result.append((case, n))
    return result[:limit]
