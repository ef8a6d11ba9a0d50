"""Case messages (with attachments and private caucus notes) and appointment booking (预约).

Messages and booking history are records of the mediation: nothing here is ever hard-deleted. A booking holds its
slot through a partial unique constraint, so two parties can never hold the same slot, whatever the database.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiaojie.models import AppendOnlyModel, UndeletableModel


class NoDelete(UndeletableModel):
    """Messages, files, slots and bookings are part of the mediation record: withdrawn or cancelled, never
    deleted."""

    class Meta:
        abstract = True


class Message(NoDelete):
    """One message in a case's thread. `caucus_party` set = a private caucus note: visible only to the case's
    mediators and to the account of that party (背对背调解)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Snapshot of how the sender stood towards the case when writing ("调解员" / "申请人" ...), so that the
    # thread still reads correctly after a recusal or a change of parties.
    sender_role = models.CharField(_("身份"), max_length=20)
    sender_name = models.CharField(_("发送人"), max_length=100)
    caucus_party = models.ForeignKey(
        "cases.Party",
        verbose_name=_("单独沟通对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("案件消息")
        verbose_name_plural = _("案件消息")
        indexes = [models.Index(fields=["case", "id"])]

    @property
    def is_caucus(self) -> bool:
        return self.caucus_party_id is not None


class Attachment(NoDelete):
    """A checked file stored under PRIVATE_FILES_ROOT; streamed only by messaging.views.attachment."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    path = models.CharField(max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ReadMark(models.Model):
    """The last message of a case a user has seen: the unread count is what came after it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    last_read_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="messaging_readmark_unique")]


class SlotMode(models.TextChoices):
    IN_PERSON = "IN_PERSON", _("到场")
    VIDEO = "VIDEO", _("视频")
    PHONE = "PHONE", _("电话")


class Slot(NoDelete):
    """A published time a mediator (or, with `mediator` empty, the committee) can receive a party. Capacity 1."""

    committee = models.ForeignKey("registry.Committee", on_delete=models.PROTECT, related_name="+")
    mediator = models.ForeignKey(
        "registry.Mediator",
        verbose_name=_("调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slots",
    )
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    mode = models.CharField(_("方式"), max_length=10, choices=SlotMode.choices, default=SlotMode.IN_PERSON)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(_("可约人数"), default=1)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["date", "start", "id"]
        verbose_name = _("可预约时段")
        verbose_name_plural = _("可预约时段")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="messaging_slot_end_after_start"),
            models.CheckConstraint(condition=Q(capacity=1), name="messaging_slot_capacity_one"),
        ]
        indexes = [models.Index(fields=["committee", "date"]), models.Index(fields=["mediator", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def where(self) -> str:
        if self.mode == SlotMode.IN_PERSON:
            return self.place or "调委会"
        return f"{self.get_mode_display()}{('（' + self.place + '）') if self.place else ''}"

    @property
    def owner_label(self) -> str:
        return self.mediator.name if self.mediator_id else "调委会"

    def starts_at(self):
        from datetime import datetime

        return timezone.make_aware(datetime.combine(self.date, self.start))


class BookingStatus(models.TextChoices):
    REQUESTED = "REQUESTED", _("待确认")
    CONFIRMED = "CONFIRMED", _("已确认")
    PROPOSED = "PROPOSED", _("调解员建议改期")
    DECLINED = "DECLINED", _("当事人未接受改期")
    CANCELLED = "CANCELLED", _("已取消")


ACTIVE_BOOKING = [BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.PROPOSED]


class Booking(NoDelete):
    """A party's appointment for a case. While active it holds `slot` (one active booking per slot, one per party
    and case); a proposal by the mediator moves it to another slot and frees the first."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="bookings")
    party = models.ForeignKey("cases.Party", verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    requested_slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.REQUESTED)
    note = models.CharField(_("预约事由"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=ACTIVE_BOOKING), name="messaging_one_active_booking_per_slot"
            ),
            models.UniqueConstraint(
                fields=["case", "party"],
                condition=Q(status__in=ACTIVE_BOOKING),
                name="messaging_one_active_booking_per_party",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BOOKING

    @property
    def proposal_note(self) -> str:
        """The mediator's explanation of the latest proposal (uses prefetched events when present)."""
        events = list(self.events.all())
        return events[-1].note if events and events[-1].action == "propose" else ""


class BookingEvent(AppendOnlyModel):
    """Append-only status history of a booking."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, choices=BookingStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    slot_text = models.CharField(max_length=120)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
