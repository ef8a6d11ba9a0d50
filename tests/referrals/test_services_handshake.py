"""accept / decline / withdraw: role × jurisdiction, the case a referral becomes (source, court data, parties with
their ID numbers, the court's clock as its limit), joining an existing case, and what the institution hears."""

from datetime import date

import pytest

from cases.actions import ActionRefused
from cases.enums import CaseSource, CaseStatus
from cases.models import Case, CaseEvent
from referrals import services
from referrals.enums import ReferralEventKind, ReferralStatus
from referrals.models import Referral
from tests.referrals.factories import (
    accept,
    at,
    party_id,
    referral_events,
    rworld,  # noqa: F401
    send,
    webhook_types,
)

pytestmark = pytest.mark.django_db
T0, T1 = at(2026, 3, 2, 10), at(2026, 3, 3, 10)  # Monday, Tuesday

PEOPLE = [
    "hub_director",
    "hub_mediator",
    "township_director",
    "village_director",
    "sfs_officer",
    "county_admin",
    "city_admin",
    "court_liaison",
    "police_liaison",
]


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_receivers_director_accepts(rworld, who):  # noqa: F811
    r = send(rworld.court, T0)
    user = getattr(rworld, who)
    if who == "hub_director":
        case = accept(r, user, T1)
        assert case.committee == rworld.hub and case.status == CaseStatus.ACCEPTED
        return
    with pytest.raises(ActionRefused):
        accept(r, user, T1)
    r.refresh_from_db()
    assert r.status == ReferralStatus.PENDING and r.case is None and Case.objects.count() == 0
    assert webhook_types(r) == ["referral.received"]


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_receivers_director_declines(rworld, who):  # noqa: F811
    r = send(rworld.court, T0)
    user = getattr(rworld, who)
    if who == "hub_director":
        services.decline_referral(r, user, "不属于本中心受理范围", at=T1)
        r.refresh_from_db()
        assert r.status == ReferralStatus.DECLINED and r.decline_reason == "不属于本中心受理范围"
        assert webhook_types(r) == ["referral.received", "referral.declined"]
        return
    with pytest.raises(ActionRefused):
        services.decline_referral(r, user, "不属于本中心受理范围", at=T1)
    r.refresh_from_db()
    assert r.status == ReferralStatus.PENDING


def test_a_decline_needs_a_reason(rworld):  # noqa: F811
    r = send(rworld.court, T0)
    with pytest.raises(ActionRefused) as info:
        services.decline_referral(r, rworld.hub_director, " ", at=T1)
    assert info.value.field == "reason"


def test_a_court_referral_becomes_a_case_with_the_courts_data_and_parties(rworld):  # noqa: F811
    r = send(rworld.court, T0)
    case = accept(r, rworld.hub_director, T1)
    r.refresh_from_db()
    assert r.status == ReferralStatus.ACCEPTED and r.case == case and r.accepted_by == rworld.hub_director
    assert case.source == CaseSource.REFERRED_COURT
    assert case.court == rworld.court_registry and case.court_mode == "WEIPAI" and case.court_case_no == r.external_no
    assert case.brief_facts == r.brief_facts and case.claims == r.claims
    parties = list(case.parties.order_by("order"))
    assert [(p.name, p.side, p.phone) for p in parties] == [
        ("刘一", "APPLICANT", "13900001001"),
        ("陈二", "RESPONDENT", "13900001002"),
    ]
    assert parties[0].full_id_number() == party_id(1) and parties[1].full_id_number() == party_id(2)
    # 委派: 30 days from acceptance (3/3 + 30 = 4/2, a Thursday), the case's limit too.
    assert r.mediation_due == date(2026, 4, 2) == case.time_limit_due
    assert r.contact_by == date(2026, 3, 6)
    actions = list(case.events.order_by("id").values_list("action", "actor_kind", "system_job"))
    assert actions == [
        ("register", "PERSON", ""),
        ("accept", "PERSON", ""),
        ("referral_accepted", "SYSTEM", "REFERRAL_MONITOR"),
    ]
    assert referral_events(r) == [ReferralEventKind.RECEIVED, ReferralEventKind.ACCEPTED]
    assert webhook_types(r) == ["referral.received", "referral.accepted"]
    data = r.webhook_events.get(event_type="referral.accepted").payload["data"]
    assert data["case_no"] == case.case_no and data["mediation_due"] == "2026-04-02"
    assert data["contact_by"] == "2026-03-06" and data["status"] == "ACCEPTED"


@pytest.mark.parametrize(
    ("referral_type", "procedure", "due"),
    [
        ("WEIPAI", "", date(2026, 4, 2)),  # 30 days
        ("WEITUO", "ORDINARY", date(2026, 3, 18)),  # 15 days
        ("WEITUO", "SIMPLE", date(2026, 3, 10)),  # 7 days
        ("YAOQING", "", None),  # the judge leads: no court clock, the case's one month
    ],
)
def test_the_courts_clock_is_30_15_or_7_days_from_acceptance(rworld, referral_type, procedure, due):  # noqa: F811
    r = send(rworld.court, T0, referral_type=referral_type, procedure=procedure)
    case = accept(r, rworld.hub_director, T1)
    r.refresh_from_db()
    assert r.mediation_due == due
    assert case.time_limit_due == (due or date(2026, 4, 3))


def test_a_last_day_on_a_rest_day_moves_to_the_next_working_day(rworld):  # noqa: F811
    # Accepted Friday 3/27: 7 days → Friday 4/3; 15 days → Saturday 4/11 → Monday 4/13; 4/4–4/6 is 清明.
    r = send(rworld.court, at(2026, 3, 26, 10), referral_type="WEITUO", procedure="ORDINARY")
    accept(r, rworld.hub_director, at(2026, 3, 27, 10))
    r.refresh_from_db()
    assert r.mediation_due == date(2026, 4, 13)


def test_a_police_referral_becomes_a_case_with_its_source_and_the_ordinary_limit(rworld):  # noqa: F811
    r = send(rworld.police, T0)
    case = accept(r, rworld.hub_director, T1)
    r.refresh_from_db()
    assert case.source == CaseSource.REFERRED_POLICE and case.referral_body == rworld.police.name
    assert case.court is None and case.court_case_no == ""
    assert r.mediation_due is None and case.time_limit_due == date(2026, 4, 3)


def test_a_referral_without_a_dispute_type_needs_one_at_acceptance(rworld):  # noqa: F811
    r = send(rworld.hotline, T0, dispute_type="")
    with pytest.raises(ActionRefused) as info:
        accept(r, rworld.hub_director, T1)
    assert info.value.field == "dispute_type"
    case = accept(r, rworld.hub_director, T1, dispute_type="NEIGHBOR")
    assert case.dispute_type == "NEIGHBOR"


def test_a_referral_accepted_twice_or_after_a_decline_is_refused(rworld):  # noqa: F811
    r = send(rworld.court, T0)
    accept(r, rworld.hub_director, T1)
    with pytest.raises(ActionRefused):
        accept(r, rworld.hub_director, T1)
    with pytest.raises(ActionRefused):
        services.decline_referral(r, rworld.hub_director, "不属于受理范围", at=T1)
    assert Case.objects.count() == 1


def test_a_duplicate_joins_an_existing_case_of_the_committee(rworld):  # noqa: F811
    first = send(rworld.court, T0)
    case = accept(first, rworld.hub_director, T1)
    second = send(rworld.police, at(2026, 3, 3, 11))
    joined = accept(second, rworld.hub_director, at(2026, 3, 3, 12), into_case=case)
    second.refresh_from_db()
    assert joined.pk == case.pk and second.case == case and Case.objects.count() == 1
    assert second.mediation_due is None  # the police's referral carries no court clock
    assert list(case.events.filter(action="referral_linked").values_list("data__referral", flat=True)) == [second.pk]
    assert webhook_types(second) == ["referral.received", "referral.accepted"]


def test_a_duplicate_cannot_join_another_committees_case(rworld):  # noqa: F811
    to_township = send(rworld.court, T0, designated_committee_id=rworld.township.pk)
    case = accept(to_township, rworld.township_director, T1)
    r = send(rworld.police, T0)
    with pytest.raises(ActionRefused) as info:
        accept(r, rworld.hub_director, T1, into_case=case)
    assert info.value.field == "into_case"
    r.refresh_from_db()
    assert r.status == ReferralStatus.PENDING
    assert not CaseEvent.objects.filter(action="referral_linked").exists()


@pytest.mark.parametrize("who", ["police_liaison", "court_liaison", "hub_director", "county_admin"])
def test_only_the_sending_institution_withdraws_and_only_before_acceptance(rworld, who):  # noqa: F811
    r = send(rworld.police, T0)
    user = getattr(rworld, who)
    if who != "police_liaison":
        with pytest.raises(ActionRefused):
            services.withdraw_referral(r, user=user, at=T1)
        return
    services.withdraw_referral(r, user=user, reason="当事人已自行和解", at=T1)
    r.refresh_from_db()
    assert r.status == ReferralStatus.WITHDRAWN
    assert webhook_types(r) == ["referral.received", "referral.withdrawn"]
    assert not services.clocks.live(r).exists()


def test_an_accepted_referral_cannot_be_withdrawn(rworld):  # noqa: F811
    r = send(rworld.police, T0)
    accept(r, rworld.hub_director, T1)
    with pytest.raises(ActionRefused):
        services.withdraw_referral(r, user=rworld.police_liaison, at=T1)
    assert Referral.objects.get(pk=r.pk).status == ReferralStatus.ACCEPTED


def test_allowed_actions_follow_the_rules(rworld):  # noqa: F811
    r = send(rworld.court, T0)
    assert services.allowed_actions(r, rworld.hub_director) == {"accept", "decline", "reply"}
    assert services.allowed_actions(r, rworld.hub_mediator) == {"reply"}
    assert services.allowed_actions(r, rworld.court_liaison) == {"withdraw", "attach"}
    assert services.allowed_actions(r, rworld.county_admin) == set()
    case = accept(r, rworld.hub_director, T1)
    r.refresh_from_db()
    assert services.allowed_actions(r, rworld.hub_director) == {"contact", "reply"}
    assert services.allowed_actions(r, rworld.court_liaison) == {"attach"}
    assert services.allowed_actions(r, rworld.township_director) == set()
    assert case.pk
