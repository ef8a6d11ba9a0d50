"""One append-only base (tiaojie.models.AppendOnlyModel) for every history: a stored row cannot be saved again,
deleted, or changed through a queryset, whichever way it is tried; a new row can always be written."""

from datetime import date, time, timedelta

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessKind, AccessLog
from api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from cases.enums import CaseStatus
from cases.models import CaseEvent
from ledgers.events import record as record_ledger_event
from ledgers.models import BureauDepartment, LedgerEvent
from messaging.models import Booking, BookingEvent, Message, Slot
from notifications.enums import NoticeKind
from notifications.models import DeliveryAttempt, OutboxMessage
from referrals.models import Institution, Referral, ReferralEvent
from registry.history import record_change
from registry.models import ChangeAction, RegistryChange
from screening.models import Finding, RiskAssessment, RiskEvent, RiskMeeting
from supervision.models import PublishedError, SpotCheck, SpotCheckLog, SpotCheckResult
from tests.world import World, make_case
from tiaojie.models import AppendOnlyModel, UndeletableModel
from workdays.models import DayKind, HolidayChange

EXPECTED = {
    CaseEvent,
    BookingEvent,
    SpotCheckLog,
    SpotCheckResult,
    AccessLog,
    DeliveryAttempt,
    HolidayChange,
    RegistryChange,
    ReferralEvent,
    WebhookEvent,
    WebhookAttempt,
    RiskEvent,
    RiskMeeting,
    LedgerEvent,
}


def _institution(world: World) -> Institution:
    return Institution.objects.create(
        kind="POLICE",
        name="测试派出所",
        code="T-POLICE",
        division=world.village_a.division,
        default_receiver=world.village_a,
    )


def _webhook_event(world: World) -> WebhookEvent:
    return WebhookEvent.objects.create(
        msg_id="msg_test", institution=_institution(world), event_type="referral.received", payload={"type": "x"}
    )


def _booking(world: World, case) -> Booking:
    slot = Slot.objects.create(
        committee=world.village_a,
        date=timezone.localdate() + timedelta(days=3),
        start=time(9),
        end=time(10),
        published_by=world.mediator_a,
    )
    party = case.parties.order_by("order").first()
    return Booking.objects.create(case=case, party=party, slot=slot, requested_slot=slot, booked_by=world.party_user)


def _spot_check(world: World) -> SpotCheck:
    return SpotCheck.objects.create(
        title="评查",
        area=world.village_a.division,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        sample_size=1,
        seed=1,
        population_count=1,
        population_digest="x",
        checklist={},
        created_by=world.county_admin,
        created_at=timezone.now(),
    )


def make_row(model: type, world: World):
    """One stored row of `model`, written the ordinary way."""
    case = make_case(world, CaseStatus.INTAKE)
    now = timezone.now()
    if model is CaseEvent:
        return case.events.order_by("id").last()
    if model is BookingEvent:
        booking = _booking(world, case)
        return BookingEvent.objects.create(
            booking=booking, action="request", to_status=booking.status, actor=world.party_user, slot_text="x"
        )
    if model is SpotCheckLog:
        return SpotCheckLog.objects.create(
            spot_check=_spot_check(world), actor=world.county_admin, at=now, action="create"
        )
    if model is SpotCheckResult:
        return SpotCheckResult.objects.create(
            spot_check=_spot_check(world), committee=world.village_a, cases=1, average=90, grade="优秀"
        )
    if model is AccessLog:
        return AccessLog.objects.create(
            user=world.county_admin, action=AccessKind.VIEW_CASE, case=case, detail="查看案件"
        )
    if model is DeliveryAttempt:
        msg = OutboxMessage.objects.create(kind=NoticeKind.CASE_PROGRESS, address="13800000000", body="x")
        return DeliveryAttempt.objects.create(message=msg, ok=False, error="gateway down")
    if model is HolidayChange:
        return HolidayChange.objects.create(
            actor=world.city_admin,
            date=date(2026, 10, 1),
            after_kind=DayKind.HOLIDAY,
            after_name="国庆节",
            reason="通知",
        )
    if model is RegistryChange:
        return record_change(world.county_admin, world.village_a, ChangeAction.EDIT, {"电话": ""}, {"电话": "1"})
    if model is ReferralEvent:
        referral = Referral.objects.create(
            institution=_institution(world),
            channel="POLICE",
            external_no="JQ-1",
            brief_facts="邻里因排水发生争执",
            claims="赔偿损失",
            receiver=world.village_a,
            division_code=world.village_a.division_id,
            sent_at=now,
            accept_by=now.date(),
        )
        return ReferralEvent.objects.create(referral=referral, kind="RECEIVED", at=now, note="收到")
    if model is WebhookEvent:
        return _webhook_event(world)
    if model is WebhookAttempt:
        event = _webhook_event(world)
        endpoint = WebhookEndpoint.objects.create(
            institution=event.institution, url="https://example.invalid/hook", secret_encrypted="x"
        )
        delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint)
        return WebhookAttempt.objects.create(delivery=delivery, ok=False, error="timeout")
    if model in (RiskEvent, RiskMeeting):
        finding = Finding.objects.create(
            committee=world.village_a,
            division_code=world.village_a.division_id,
            found_on=now.date(),
            place="桂花村三组",
            parties="张某与李某",
            dispute_type="NEIGHBOR",
            facts="两户因排水沟发生争执",
            created_by=world.mediator_a,
        )
        risk = RiskAssessment.objects.create(
            finding=finding,
            committee=world.village_a,
            division_code=finding.division_code,
            title="排水纠纷可能激化",
            level="ORANGE",
            reasons="双方情绪激动",
            created_by=world.mediator_a,
        )
        if model is RiskEvent:
            return RiskEvent.objects.create(risk=risk, kind="ASSESSED", at=now, actor=world.mediator_a, text="研判")
        meeting = RiskMeeting.objects.create(
            division=world.sfs_officer.division,
            held_on=now.date(),
            title="第一周研判会",
            chair="温泉司法所",
            attendees="司法所、综治中心",
            minutes="研判排水纠纷",
            created_by=world.sfs_officer,
        )
        meeting.risks.add(risk)
        return meeting
    if model is LedgerEvent:
        department = BureauDepartment.objects.create(bureau=world.county_admin.division, name="办公室", is_office=True)
        return record_ledger_event(
            ledger="BASE",
            bureau=department.bureau,
            target=department,
            action="department_created",
            summary="设立科室：办公室",
            actor=world.county_admin,
        )
    raise AssertionError(model)


def test_the_histories_are_exactly_the_append_only_models():
    concrete = {m for m in apps.get_models() if issubclass(m, AppendOnlyModel)}
    assert concrete == EXPECTED


@pytest.mark.parametrize("model", sorted(EXPECTED, key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_a_stored_row_cannot_be_changed_or_deleted(world, model):
    row = make_row(model, world)
    qs = model.objects.filter(pk=row.pk)
    before = list(qs.values())
    text_field = next(
        f.name
        for f in model._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField") and not f.choices
    )
    setattr(row, text_field, "篡改")
    reread = model.objects.get(pk=row.pk)
    attempts = {
        "save": row.save,
        "save of a fresh read": reread.save,
        "delete": row.delete,
        "queryset update": lambda: qs.update(**{text_field: "篡改"}),
        "queryset delete": lambda: model.objects.all().delete(),
        "bulk_update": lambda: model.objects.bulk_update([row], [text_field]),
        "update_or_create": lambda: model.objects.update_or_create(pk=row.pk, defaults={text_field: "篡改"}),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PermissionError), transaction.atomic():
            attempt()
            pytest.fail(f"{model.__name__}: {name} did not raise")
    assert list(qs.values()) == before


def test_a_new_row_with_the_primary_key_of_a_stored_one_does_not_overwrite_it(world):
    row = make_row(AccessLog, world)
    forged = AccessLog(pk=row.pk, user=world.outsider, action=AccessKind.VIEW_CASE, detail="伪造")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 -- IntegrityError, whatever the database
        forged.save()
    assert AccessLog.objects.get(pk=row.pk).detail == "查看案件"


def test_a_model_can_raise_its_own_error(world):
    row = make_row(SpotCheckResult, world)
    with pytest.raises(PublishedError, match="已发布的评查结果不能修改"):
        row.save()


def test_undeletable_records_change_but_are_never_deleted(world):
    case = make_case(world, CaseStatus.INTAKE)
    message = Message.objects.create(
        case=case, sender=world.mediator_a, sender_role="调解员", sender_name="x", body="a"
    )
    assert isinstance(message, UndeletableModel)
    message.body = "b"
    message.save()
    assert Message.objects.get(pk=message.pk).body == "b"
    for attempt in (message.delete, lambda: Message.objects.filter(pk=message.pk).delete()):
        with pytest.raises(PermissionError):
            attempt()
    assert Message.objects.filter(pk=message.pk).exists()
