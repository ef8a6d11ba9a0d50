# ruff: noqa: F811
"""Issue 11 §5, one dispute, one case: probable duplicates (by phone; by name, place and dates; never across
counties), who may merge what, and what a merge does (INTAKE → MERGED, the referrals move with their own channel,
clocks and reply, the institution hears of it, the merged case counts nowhere)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import User
from api.models import WebhookEvent
from cases import actions as A
from cases.actions.joint import do_merge_case
from cases.enums import CaseSource, CaseStatus, DisputeType, PartySide
from cases.models import Case, CaseEvent
from cases.permissions import available_actions
from referrals import duplicates as dup
from referrals import services
from referrals.enums import ReferralEventKind, ReferralStatus
from referrals.models import ReferralEvent
from registry.models import Committee, CommitteeType, Division, Mediator, MediatorCategory, MediatorRole
from tests.referrals.factories import at, make_referral, party_data, party_id, referral_data, rworld  # noqa: F401

T0 = at(2026, 3, 9, 10)


def register(
    committee: Committee,
    actor: User,
    *,
    when=T0,
    applicant=("刘一", "13900001001"),
    respondent=("陈二", ""),
    address="渝水区城南街道抱石社区",
    n=1,
) -> Case:
    """A walk-in registered at `committee` (applicant with an ID number, respondent without)."""
    data = A.CaseData(
        source=CaseSource.ON_APPLICATION,
        dispute_type=DisputeType.NEIGHBOR,
        brief_facts="双方因房屋漏水造成楼下住户财产损失发生纠纷，协商未果。",
        claims="请求对方赔偿装修损失",
        amount_involved=Decimal("8000"),
        parties=[
            A.PartyData(
                side=PartySide.APPLICANT, name=applicant[0], phone=applicant[1], id_number=party_id(n), address=address
            ),
            A.PartyData(side=PartySide.RESPONDENT, name=respondent[0], phone=respondent[1], address=address),
        ],
    )
    return A.do_register_case(actor, committee, data, at=when)


def accepted(committee: Committee, director: User, **kw) -> Case:
    case = register(committee, director, **kw)
    return A.do_accept_case(case, director, at=kw.get("when", T0) + timedelta(hours=2))


def keys(matches) -> set[tuple[str, int]]:
    return {(m.kind, m.obj.pk) for m in matches}


# --- detection ---------------------------------------------------------------------------------------------------


def test_a_police_referral_with_the_same_phone_is_a_probable_duplicate_of_the_walk_in(rworld):
    walk_in = register(rworld.village, rworld.village_mediator, applicant=("刘一", "139 0000 1001"))
    # 110 hands over the same quarrel two days later: another spelling of the name, the same mobile number.
    referral = make_referral(
        rworld.police,
        at=T0 + timedelta(days=2),
        parties=[
            party_data(PartySide.APPLICANT, 1, name="刘先生", phone="13900001001"),
            party_data(PartySide.RESPONDENT, 2, name="王五", phone="13900009999"),
        ],
        place="城南街道抱石社区3栋",
    )
    matches = dup.duplicates_of_referral(referral)
    assert keys(matches) == {("case", walk_in.pk)}
    m = matches[0]
    assert m.reasons[0] == "同一当事人电话"
    assert "相隔2天" in m.reasons
    assert any(r.startswith("同一发生地") for r in m.reasons)
    # And the other way round: the walk-in still in intake sees the pending referral.
    assert keys(dup.duplicates_of_case(walk_in)) == {("referral", referral.pk)}


def test_same_names_same_place_close_dates_without_any_phone(rworld):
    first = accepted(rworld.village, rworld.village_director, applicant=("刘一", ""))
    second = register(rworld.village, rworld.village_mediator, applicant=("刘一", ""), when=T0 + timedelta(days=3), n=3)
    (m,) = dup.duplicates_of_case(second)
    assert m.obj.pk == first.pk
    assert m.reasons == ["双方当事人姓名相同", "同一发生地（抱石社区）", "相隔3天"]
    assert m.score == 40 + 20 + round(20 - 15 * 3 / 15)


def test_one_common_name_alone_far_apart_elsewhere_is_not_a_duplicate(rworld):
    accepted(rworld.village, rworld.village_director, applicant=("刘一", ""), address="")
    other = register(
        rworld.village2,
        rworld.village2_director,
        applicant=("刘一", ""),
        respondent=("赵六", ""),
        address="渝水区水北镇水北村",
        when=T0 + timedelta(days=40),
        n=4,
    )
    assert dup.duplicates_of_case(other) == []


def test_nothing_in_common_but_place_and_date_is_never_a_duplicate(rworld):
    accepted(rworld.village, rworld.village_director)
    other = register(
        rworld.village, rworld.village_mediator, applicant=("孙七", "13700000007"), respondent=("周八", ""), n=5
    )
    assert dup.duplicates_of_case(other) == []


def test_not_across_counties(rworld):
    fenyi = Division.objects.create(code="360521100001", name="城东村", level=5, parent=rworld.other_county)
    far = Committee.objects.create(
        name="城东村人民调解委员会", short_name="城东", committee_type=CommitteeType.VILLAGE, division=fenyi
    )
    far_director = User.objects.create_user(
        username="far_director", password="x-pass-1234", role="DIRECTOR", full_name="城东主任", committee=far
    )
    Mediator.objects.create(
        committee=far,
        user=far_director,
        name="城东主任",
        gender="M",
        role=MediatorRole.DIRECTOR,
        category=MediatorCategory.PART_TIME,
    )
    there = accepted(far, far_director, address="分宜县城东村")
    here = register(rworld.village, rworld.village_mediator)
    assert ("case", there.pk) not in keys(dup.duplicates_of_case(here))
    assert dup.duplicates_of_case(here) == []


def test_a_merged_or_ended_case_is_no_candidate_and_only_intake_cases_are_subjects(rworld):
    first = accepted(rworld.village, rworld.village_director)
    second = register(rworld.village, rworld.village_mediator, when=T0 + timedelta(days=1), n=3)
    assert dup.duplicates_of_case(first) == []  # accepted: not a subject
    do_merge_case(second, first, rworld.village_director, at=T0 + timedelta(days=1, hours=3))
    third = register(rworld.village, rworld.village_mediator, when=T0 + timedelta(days=2), n=4)
    assert keys(dup.duplicates_of_case(third)) == {("case", first.pk)}  # not the merged one


# --- who may merge ------------------------------------------------------------------------------------------------

MERGERS = {
    # persona: may merge the village's intake case into the village's accepted case
    "village_director": True,
    "village_mediator": False,  # the row is the director's (or a supervisor's)
    "sfs_officer": True,  # 城南街道司法所 covers the village
    "sfs_officer2": False,  # 水北镇司法所 does not
    "county_admin": True,
    "city_admin": True,
    "other_county_admin": False,
    "hub_director": False,  # the hub's area covers the village, but the case is the village's: its director decides
    "village2_director": False,
}


@pytest.mark.parametrize("persona", list(MERGERS))
def test_merge_role_matrix(rworld, persona):
    user = getattr(rworld, persona)
    first = accepted(rworld.village, rworld.village_director)
    second = register(rworld.village, rworld.village_mediator, when=T0 + timedelta(days=1), n=3)
    offered = "merge" in dict(available_actions(second, user))
    assert offered is MERGERS[persona]
    if MERGERS[persona]:
        do_merge_case(second, first, user, at=T0 + timedelta(days=1, hours=3))
        second.refresh_from_db()
        assert second.status == CaseStatus.MERGED and second.merged_into_id == first.pk
        assert second.events.last().action == "merge" and second.events.last().actor_id == user.pk
    else:
        with pytest.raises(A.ActionRefused) as exc:
            do_merge_case(second, first, user, at=T0 + timedelta(days=1, hours=3))
        assert exc.value.message
        second.refresh_from_db()
        assert second.status == CaseStatus.INTAKE and second.merged_into_id is None


def test_merge_not_offered_without_a_probable_duplicate(rworld):
    accepted(rworld.village, rworld.village_director, applicant=("孙七", "13700000007"), respondent=("周八", ""))
    second = register(rworld.village, rworld.village_mediator, when=T0 + timedelta(days=1), n=3)
    assert "merge" not in dict(available_actions(second, rworld.village_director))
    assert "merge" not in dict(available_actions(second, rworld.county_admin))


def test_merge_refusals(rworld):
    first = accepted(rworld.village, rworld.village_director)
    second = register(rworld.village, rworld.village_mediator, when=T0 + timedelta(days=1), n=3)
    with pytest.raises(A.ActionRefused, match="不能将案件并入其自身"):
        do_merge_case(second, second, rworld.village_director)
    with pytest.raises(A.ActionRefused, match="不能执行"):  # the accepted case is not in intake
        do_merge_case(first, second, rworld.village_director)
    do_merge_case(second, first, rworld.village_director)
    third = register(rworld.village, rworld.village_mediator, when=T0 + timedelta(days=2), n=4)
    with pytest.raises(A.ActionRefused, match="不能再并入"):
        do_merge_case(third, Case.objects.get(pk=second.pk), rworld.village_director)


# --- what a merge does --------------------------------------------------------------------------------------------


def test_merge_moves_the_referrals_each_keeping_its_channel_clock_and_reply(rworld):
    # The hub registered a walk-in and took the police's referral of the same quarrel into it; a township case of
    # the dispute already runs. The county bureau merges the hub's intake case into the township's case.
    surviving = accepted(rworld.township, rworld.township_director, address="渝水区城南街道抱石社区")
    intake = register(rworld.hub, rworld.hub_mediator, when=T0 + timedelta(days=1), n=3)
    referral = make_referral(rworld.police, at=T0 + timedelta(days=1, hours=1))
    services.accept_referral(referral, rworld.hub_director, into_case=intake, at=T0 + timedelta(days=1, hours=2))
    referral.refresh_from_db()
    assert referral.case_id == intake.pk and referral.status == ReferralStatus.ACCEPTED
    before = {f: getattr(referral, f) for f in ("channel", "contact_by", "mediation_due", "channel_due", "replied_at")}
    parties_before = list(intake.parties.values_list("name", "phone", "id_number_hash"))

    merge_at = T0 + timedelta(days=2)
    do_merge_case(intake, surviving, rworld.county_admin, reason="同一纠纷", at=merge_at)

    intake.refresh_from_db()
    referral.refresh_from_db()
    assert intake.status == CaseStatus.MERGED and intake.merged_into_id == surviving.pk
    assert list(intake.parties.values_list("name", "phone", "id_number_hash")) == parties_before  # kept as they were
    assert referral.case_id == surviving.pk
    assert {f: getattr(referral, f) for f in before} == before  # its own channel and clocks
    assert referral.status == ReferralStatus.ACCEPTED
    linked = CaseEvent.objects.filter(case=surviving, action="referral_linked").order_by("id")
    assert [e.data.get("referral") for e in linked if "referral" in e.data] == [referral.pk]
    assert any(e.data.get("merged_case") == intake.pk for e in linked)
    assert ReferralEvent.objects.filter(referral=referral, kind=ReferralEventKind.MERGED).count() == 1
    merged_hook = WebhookEvent.objects.get(referral=referral, event_type="referral.merged")
    assert merged_hook.payload["data"]["case_no"] == surviving.case_no
    assert "刘一" not in str(merged_hook.payload) and "1390000" not in str(merged_hook.payload)  # thin


def test_a_pending_referral_joins_a_case_of_the_body_that_holds_it(rworld):
    case = accepted(rworld.hub, rworld.hub_director)
    referral = make_referral(rworld.hotline, at=T0 + timedelta(days=1))
    item, other = dup.referral_item(referral), dup.case_item(case)
    assert dup.compare(item, other) is not None
    assert dup.may_merge_into(rworld.hub_director, item, other)
    assert not dup.may_merge_into(rworld.hub_mediator, item, other)  # accepting is the director's
    assert not dup.may_merge_into(rworld.county_admin, item, other)  # the supervisor does not accept referrals


def test_merged_case_counts_nowhere_in_the_monthly_form(world):
    """Hubei world: village A's accepted case and its duplicate merged into it, both in March 2026."""
    from insights.base import make_period
    from insights.metrics import dashboard_metrics, monthly_form
    from insights.slices import received_cases
    from supervision import entries as E
    from tests.world import make_case

    merged = make_case(world, CaseStatus.MERGED)
    assert merged.status == CaseStatus.MERGED
    march = make_period(2026, "month", 3)
    everything, without = Case.objects.all(), Case.objects.exclude(pk=merged.pk)
    today = march.end
    form_all, form_without = monthly_form(everything, "4212", march, today), monthly_form(without, "4212", march, today)
    assert form_all.cube == form_without.cube and form_all.areas == form_without.areas
    assert sum(row.get("received", 0) or 0 for row in form_all.cube) == sum(
        row.get("received", 0) or 0 for row in form_without.cube
    )
    assert dashboard_metrics(everything, "4212", march, today=today) == dashboard_metrics(
        without, "4212", march, today=today
    )
    assert merged.pk not in set(received_cases(everything, march).values_list("pk", flat=True))
    quarter = make_period(2026, "quarter", 1)  # the case that goes on was registered a few days earlier
    assert set(received_cases(everything, quarter).values_list("pk", flat=True)) == {merged.merged_into_id}
    assert merged.pk not in set(E.of_period(everything, march).values_list("pk", flat=True))


# --- pages --------------------------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_list_and_merge_pages(rworld):
    first = accepted(rworld.village, rworld.village_director)
    second = register(rworld.village, rworld.village_mediator, when=T0 + timedelta(days=1), n=3)
    url = "/console/referrals/duplicates/"
    page = client_for(rworld.county_admin).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert second.registration_no in body and first.case_no in body and "相隔1天" in body
    merge_url = f"/console/referrals/duplicates/case/{second.pk}/merge/{first.pk}/"
    assert merge_url in body
    # Other county, other township, another village: the pair is not theirs.
    for user in (rworld.other_county_admin, rworld.sfs_officer2, rworld.village2_director):
        other = client_for(user).get(url).content.decode()
        assert second.registration_no not in other
        assert client_for(user).get(merge_url).status_code == 404
    # Institutions' liaisons and parties: no such page.
    assert client_for(rworld.police_liaison).get(url).status_code == 404
    assert client_for(rworld.party_user).get(url).status_code == 404
    # The case page's 并案 action lands on the case's duplicates.
    assert client_for(rworld.village_director).get(f"/cases/{second.pk}/do/merge/").url == f"{url}?case={second.pk}"
    # Confirmation required, then merged.
    director = client_for(rworld.village_director)
    assert director.get(merge_url).status_code == 200
    refused = director.post(merge_url, {"reason": "同一纠纷"})
    assert refused.status_code == 200 and "请确认已核实为同一纠纷" in refused.content.decode()
    done = director.post(merge_url, {"reason": "同一纠纷", "confirm": "on"})
    assert done.status_code == 302 and done.url == f"/cases/{first.pk}/"
    second.refresh_from_db()
    assert second.status == CaseStatus.MERGED
    assert second.registration_no not in client_for(rworld.county_admin).get(url).content.decode()
    # The merged case's page says where it went.
    assert first.case_no in director.get(f"/cases/{second.pk}/").content.decode()


def test_referral_merge_page_accepts_it_into_the_case(rworld):
    case = accepted(rworld.hub, rworld.hub_director)
    referral = make_referral(rworld.hotline, at=T0 + timedelta(days=1), data=referral_data(rworld.hotline))
    url = f"/console/referrals/duplicates/referral/{referral.pk}/merge/{case.pk}/"
    hub = client_for(rworld.hub_director)
    listing = hub.get("/console/referrals/duplicates/").content.decode()
    assert url in listing
    assert 'href="/console/referrals/duplicates/"' in listing  # the hub's menu has the page
    assert (
        'href="/console/referrals/duplicates/"'
        not in client_for(rworld.village_director).get("/", follow=True).content.decode()
    )
    assert client_for(rworld.hub_mediator).get(url).status_code == 404
    done = hub.post(url, {"confirm": "on"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.case_id == case.pk and referral.status == ReferralStatus.ACCEPTED


def test_an_online_applicant_follows_the_case_that_goes_on(world):
    """Hubei world: party_user applied (the walker's case, in intake); the same dispute was registered earlier."""
    from tests.world import make_case

    merged = make_case(world, CaseStatus.MERGED)
    into = merged.merged_into
    assert merged.parties.filter(user=world.party_user).exists()  # still theirs
    assert into.parties.get(user=world.party_user).name == "张三"
    assert merged.events.get(action="merge").data["parties_linked"] == [into.parties.get(user=world.party_user).pk]
    assert client_for(world.party_user).get(f"/portal/cases/{into.pk}/").status_code == 200
