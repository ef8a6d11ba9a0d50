"""receive_referral: who may send for an institution, every payload check naming its field (and writing nothing),
routing (designated committee or mediator, else the 矛调中心), parties with encrypted ID numbers, the accept-by
clock on working days, the receiver told, referral.received in the outbox."""

from datetime import date

import pytest

from api.models import WebhookEvent
from cases import identity
from cases.actions import ActionRefused
from cases.enums import ActorKind, PartySide
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from referrals.clocks import REFERRAL_KINDS
from referrals.enums import ReferralEventKind, ReferralStatus
from referrals.models import Referral, ReferralEvent, ReferralParty
from tests.referrals.factories import (
    at,
    party_data,
    party_id,
    referral_data,
    rworld,  # noqa: F401
    send,
    webhook_types,
)

pytestmark = pytest.mark.django_db


def counts() -> dict:
    models = (Referral, ReferralParty, ReferralEvent, WebhookEvent, Notification, Timer)
    return {m.__name__: m.objects.count() for m in models}


def refused_field(rworld, institution, user, data, field):  # noqa: F811
    from referrals import services

    before = counts()
    with pytest.raises(ActionRefused) as info:
        services.receive_referral(data, institution=institution, user=user, at=at(2026, 3, 2, 10))
    assert info.value.field == field, info.value.message
    assert counts() == before
    return info.value.message


def test_a_court_referral_is_recorded_routed_to_the_hub_and_announced(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10))  # a Monday
    assert r.status == ReferralStatus.PENDING
    assert r.channel == "COURT" and r.referral_type == "WEIPAI"
    assert r.receiver == rworld.hub and r.division_code == rworld.hub.division_id
    assert r.accept_by == date(2026, 3, 5)  # 3 working days
    assert r.created_by == rworld.court_liaison
    applicant, respondent = r.parties.order_by("order")
    assert (applicant.side, respondent.side) == (PartySide.APPLICANT, PartySide.RESPONDENT)
    assert applicant.id_number_encrypted and party_id(1) not in applicant.id_number_encrypted
    assert identity.decrypt_id_number(applicant.id_number_encrypted) == party_id(1)
    assert applicant.id_number_masked == identity.mask_id_number(party_id(1))
    assert applicant.id_number_hash == identity.hash_id_number(party_id(1))
    event = r.events.get()
    assert (event.kind, event.actor, event.actor_kind) == (ReferralEventKind.RECEIVED, rworld.court_liaison, "PERSON")
    # The hub's director and members hear of it; nobody else.
    told = set(Notification.objects.filter(kind=NoticeKind.REFERRAL_RECEIVED).values_list("user", flat=True))
    assert told == {rworld.hub_director.pk, rworld.hub_mediator.pk}
    assert webhook_types(r) == ["referral.received"]
    payload = WebhookEvent.objects.get(referral=r).payload
    assert payload["data"]["referral_id"] == r.pk and payload["data"]["accept_by"] == "2026-03-05"
    text = str(payload)
    assert "刘一" not in text and party_id(1) not in text and "13900001001" not in text  # thin: no personal data
    timers = Timer.objects.filter(
        target_type="referrals.Referral", target_id=r.pk, cancelled_at=None, kind__in=REFERRAL_KINDS
    )
    assert sorted(timers.values_list("kind", "rule")) == [
        (TimerKind.REFERRAL_ACCEPT_DUE, "ACCEPT:remind"),
        (TimerKind.REFERRAL_ACCEPT_DUE, "ACCEPT:return"),
    ]


@pytest.mark.parametrize(
    ("received", "accept_by"),
    [
        (at(2026, 4, 30, 10), date(2026, 5, 8)),  # 劳动节 5/1–5/5 are not working days
        (at(2026, 5, 6, 10), date(2026, 5, 9)),  # Saturday 5/9 is a make-up working day
        (at(2026, 3, 6, 16), date(2026, 3, 11)),  # a Friday: the weekend does not count
    ],
)
def test_accept_by_counts_working_days_of_the_calendar(rworld, received, accept_by):  # noqa: F811
    assert send(rworld.police, received).accept_by == accept_by


@pytest.mark.parametrize(
    "sender",
    ["court_liaison", "other_court_liaison", "police_liaison", "hub_director", "county_admin", "city_admin"],
)
def test_only_the_institutions_own_liaison_may_send_for_it(rworld, sender):  # noqa: F811
    from referrals import services

    user = getattr(rworld, sender)
    data = referral_data(rworld.court)
    if sender == "court_liaison":
        r = services.receive_referral(data, institution=rworld.court, user=user, at=at(2026, 3, 2, 10))
        assert r.created_by == user
        return
    before = counts()
    with pytest.raises(ActionRefused):
        services.receive_referral(data, institution=rworld.court, user=user, at=at(2026, 3, 2, 10))
    assert counts() == before


def test_an_inactive_institution_cannot_send(rworld):  # noqa: F811
    from referrals import services

    rworld.police.is_active = False
    rworld.police.save()
    with pytest.raises(ActionRefused):
        services.receive_referral(referral_data(rworld.police), institution=rworld.police, user=rworld.police_liaison)


def _bad(rworld, case):  # noqa: F811
    """(institution, payload, field) for each invalid payload."""
    c, p = rworld.court, rworld.police
    two = [party_data(PartySide.APPLICANT, 1), party_data(PartySide.RESPONDENT, 2)]
    return {
        "no_number": (c, referral_data(c, external_no="  "), "external_no"),
        "long_number": (c, referral_data(c, external_no="号" * 61), "external_no"),
        "short_facts": (c, referral_data(c, brief_facts="漏水"), "brief_facts"),
        "no_claims": (c, referral_data(c, claims=""), "claims"),
        "no_parties": (c, referral_data(c, parties=[]), "parties"),
        "no_respondent": (c, referral_data(c, parties=[two[0]]), "parties"),
        "no_name": (
            c,
            referral_data(c, parties=[two[0], party_data(PartySide.RESPONDENT, 2, name=" ")]),
            "parties[1].name",
        ),
        "bad_phone": (
            c,
            referral_data(c, parties=[two[0], party_data(PartySide.RESPONDENT, 2, phone="12345")]),
            "parties[1].phone",
        ),
        "bad_id": (
            c,
            referral_data(c, parties=[party_data(id_number="360502198203140000"), two[1]]),
            "parties[0].id_number",
        ),
        "applicant_without_id": (
            c,
            referral_data(c, parties=[party_data(id_number=""), two[1]]),
            "parties[0].id_number",
        ),
        "bad_side": (c, referral_data(c, parties=[*two, party_data("WITNESS", 3)]), "parties[2].side"),
        "court_without_type": (c, referral_data(c, referral_type=""), "referral_type"),
        "weituo_without_procedure": (c, referral_data(c, referral_type="WEITUO", procedure=""), "procedure"),
        "police_with_court_type": (p, referral_data(p, referral_type="WEIPAI"), "referral_type"),
        "bad_dispute_type": (c, referral_data(c, dispute_type="ALIENS"), "dispute_type"),
        "bad_handler_phone": (c, referral_data(c, handler_phone="abc"), "handler_phone"),
        "future_occurrence": (c, referral_data(c, occurred_on=date(2027, 1, 1)), "occurred_on"),
        "unknown_matter_type": (p, referral_data(p, matter_type="COMPLAINT"), "matter_type"),
        "unknown_committee": (c, referral_data(c, designated_committee_id=987654), "designated_committee_id"),
        "other_city_committee": (
            c,
            referral_data(c, designated_committee_id=rworld.other_city_committee.pk),
            "designated_committee_id",
        ),
    }[case]


BAD_CASES = [
    "no_number",
    "long_number",
    "short_facts",
    "no_claims",
    "no_parties",
    "no_respondent",
    "no_name",
    "bad_phone",
    "bad_id",
    "applicant_without_id",
    "bad_side",
    "court_without_type",
    "weituo_without_procedure",
    "police_with_court_type",
    "bad_dispute_type",
    "bad_handler_phone",
    "future_occurrence",
    "unknown_matter_type",
    "unknown_committee",
    "other_city_committee",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_an_invalid_payload_is_refused_naming_the_field_and_writes_nothing(rworld, case):  # noqa: F811
    institution, data, field = _bad(rworld, case)
    refused_field(rworld, institution, rworld.liaison_of(institution), data, field)


def test_an_inactive_designated_committee_is_refused(rworld):  # noqa: F811
    rworld.township.is_active = False
    rworld.township.save()
    data = referral_data(rworld.court, designated_committee_id=rworld.township.pk)
    message = refused_field(rworld, rworld.court, rworld.court_liaison, data, "designated_committee_id")
    assert "已停用" in message


def test_the_same_number_twice_is_refused_while_the_first_is_live_and_allowed_after_a_decline(rworld):  # noqa: F811
    from referrals import services

    first = send(rworld.court, at(2026, 3, 2, 10), external_no="（2026）赣0502民诉前调88号")
    data = referral_data(rworld.court, external_no="（2026）赣0502民诉前调88号")
    refused_field(rworld, rworld.court, rworld.court_liaison, data, "external_no")
    services.decline_referral(first, rworld.hub_director, "不属于人民调解范围", at=at(2026, 3, 3, 10))
    again = services.receive_referral(data, institution=rworld.court, user=rworld.court_liaison, at=at(2026, 3, 4, 10))
    assert again.status == ReferralStatus.PENDING


def test_no_designation_and_no_default_receiver_is_refused(rworld):  # noqa: F811
    rworld.petition.default_receiver = None
    rworld.petition.save()
    refused_field(
        rworld, rworld.petition, rworld.petition_liaison, referral_data(rworld.petition), "designated_committee_id"
    )


def test_a_designated_committee_or_mediator_receives_it(rworld):  # noqa: F811
    to_committee = send(rworld.court, at(2026, 3, 2, 10), designated_committee_id=rworld.township.pk)
    assert to_committee.receiver == rworld.township and to_committee.division_code == "360502001"
    mediator = rworld.village_mediator.mediator
    to_mediator = send(rworld.court, at(2026, 3, 2, 11), designated_mediator_id=mediator.pk)
    assert to_mediator.receiver == rworld.village and to_mediator.designated_mediator == mediator
    told = set(Notification.objects.filter(kind=NoticeKind.REFERRAL_RECEIVED).values_list("user", flat=True))
    assert told == {
        rworld.township_director.pk,
        rworld.township_mediator.pk,
        rworld.village_director.pk,
        rworld.village_mediator.pk,
    }
    data = referral_data(rworld.court, designated_committee_id=rworld.township.pk, designated_mediator_id=mediator.pk)
    refused_field(rworld, rworld.court, rworld.court_liaison, data, "designated_mediator_id")


def api_client(institution):
    from oauth2_provider.models import Application

    from accounts.models import Role, User
    from api.models import ApiClient

    user = User.objects.create_user(username=f"api-{institution.code}", role=Role.API_CLIENT, institution=institution)
    app = Application.objects.create(
        name=institution.code, client_type="confidential", authorization_grant_type="client-credentials"
    )
    return ApiClient.objects.create(
        institution=institution, application=app, service_user=user, name="接口", allowed_scopes="referrals:write"
    )


def test_an_api_client_sends_as_its_institution_only(rworld):  # noqa: F811
    from referrals import services

    client = api_client(rworld.police)
    r = services.receive_referral(
        referral_data(rworld.police), institution=rworld.police, client=client, at=at(2026, 3, 2, 10)
    )
    assert r.created_by_client == client and r.created_by is None
    event = r.events.get()
    assert (event.actor_kind, event.api_client, event.actor) == (ActorKind.API_CLIENT, client, None)
    before = counts()
    with pytest.raises(ActionRefused):
        services.receive_referral(referral_data(rworld.court), institution=rworld.court, client=client)
    from django.utils import timezone

    client.revoked_at = timezone.now()
    client.save()
    with pytest.raises(ActionRefused):
        services.receive_referral(referral_data(rworld.police), institution=rworld.police, client=client)
    assert counts() == before
