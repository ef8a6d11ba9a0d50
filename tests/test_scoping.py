"""Who sees which cases (`cases_visible_to`), who may act (`available_actions`), who sees full ID numbers."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from cases import actions as A
from cases.actions.base import local_date
from cases.enums import CaseSource, CaseStatus
from cases.models import Case
from cases.permissions import available_actions, can_view_full_id, current_agreement
from cases.scoping import access_case_by_id, cases_visible_to, parties_visible_to
from demo.scenarios import Cast, Walker
from registry.models import Court
from tests.world import TZ, World, case_data, make_case

S = CaseStatus


def register(world: World, committee, registrar: User, party_user: User | None = None, **overrides) -> Case:
    at = datetime(2026, 3, 2, 9, tzinfo=TZ)
    return A.do_register_case(registrar, committee, case_data(party_user, **overrides), at=at)


@pytest.fixture
def cases(world) -> dict[str, Case]:
    """A at village A; B at village B; C at village C (other county, party_user is a party); a case referred by
    world.court (at village B); a case at village A with a judicial confirmation at world.court (party_user)."""
    a = make_case(world, S.IN_MEDIATION, party_user=None)
    b = register(world, world.village_b, world.mediator_b)
    c = register(world, world.village_c, world.mediator_c, party_user=world.party_user)
    referred = register(
        world,
        world.village_b,
        world.mediator_b,
        source=CaseSource.REFERRED_COURT,
        court=world.court,
        court_mode="WEIPAI",
        court_case_no="（2026）鄂1202民诉前调12号",
    )
    jc = make_case(world, S.AGREEMENT_REACHED)
    at = jc.events.order_by("-at").first().at + timedelta(hours=1)
    applicant, respondent = jc.parties.order_by("order")[:2]
    A.do_apply_judicial_confirmation(
        jc,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=local_date(current_agreement(jc).effective_at),
        at=at,
    )
    return {"A": a, "B": b, "C": c, "referred": referred, "jc": jc}


VISIBLE = {
    "director_a": {"A", "jc"},
    "mediator_a": {"A", "jc"},
    "mediator_a2": {"A", "jc"},
    "mediator_b": {"B", "referred"},
    "mediator_c": {"C"},
    "sfs_officer": {"A", "B", "referred", "jc"},
    "county_admin": {"A", "B", "referred", "jc"},
    "other_county_admin": {"C"},
    "city_admin": {"A", "B", "C", "referred", "jc"},
    "court_liaison": {"referred", "jc"},
    "party_user": {"C", "jc"},
    "outsider": set(),
}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_cases_visible_to(world, cases, persona):
    user = world.personas()[persona]
    names = {pk: name for name, pk in ((n, c.pk) for n, c in cases.items())}
    visible = {names[pk] for pk in cases_visible_to(user).values_list("pk", flat=True)}
    assert visible == VISIBLE[persona]
    for name, case in cases.items():
        if name in VISIBLE[persona]:
            assert access_case_by_id(user, case.pk) == case
        else:
            with pytest.raises(Http404):
                access_case_by_id(user, case.pk)
    parties = set(parties_visible_to(user).values_list("case_id", flat=True))
    assert parties == {cases[n].pk for n in VISIBLE[persona]}


def test_inactive_anonymous_and_unattached_users_see_nothing(world, cases):
    assert not cases_visible_to(AnonymousUser()).exists()
    world.city_admin.is_active = False
    world.city_admin.save()
    assert not cases_visible_to(world.city_admin).exists()
    loose = [
        User.objects.create_user(username="m_none", password="x", role=Role.MEDIATOR),
        User.objects.create_user(username="sfs_none", password="x", role=Role.SFS_OFFICER),
        User.objects.create_user(username="court_none", password="x", role=Role.COURT_LIAISON),
    ]
    for user in loose:
        assert not cases_visible_to(user).exists(), user.username
    for bad in ("abc", None, 10**9):
        with pytest.raises(Http404):
            access_case_by_id(world.city_admin, bad)


def test_liaison_of_another_court_sees_nothing(world, cases):
    other = Court.objects.create(name="嘉鱼县人民法院", division=world.village_c.division.parent.parent)
    liaison = User.objects.create_user(username="liaison_jy", password="x", role=Role.COURT_LIAISON, court=other)
    assert not cases_visible_to(liaison).exists()


SUPERVISORS = ["sfs_officer", "county_admin", "city_admin", "other_county_admin"]


@pytest.mark.parametrize("status", [S.IN_MEDIATION, S.PAUSED, S.REMEDIATION, S.ACCEPTED, S.PERFORMING])
@pytest.mark.parametrize("persona", SUPERVISORS)
def test_supervisors_are_read_only_on_open_cases(world, status, persona):
    """Supervisors change nothing of an open case; they may only press the committee (督办, 催办)."""
    case = make_case(world, status)
    pressing = [("supervise", "督办"), ("urge", "催办")] if persona != "other_county_admin" else []
    assert available_actions(case, world.personas()[persona]) == pressing


def test_only_the_county_bureau_disposes_archived_cases(world):
    case = make_case(world, S.ARCHIVED)
    # Archived this year: the retention period runs (issue 13: the county bureau may still correct the type).
    assert available_actions(case, world.county_admin) == [("reclassify", "重新分类")]
    # A 10-year dossier archived eleven years ago (cases.retention): now the county bureau may dispose of it.
    Case.objects.filter(pk=case.pk).update(archived_at=timezone.now() - timedelta(days=11 * 366))
    case.refresh_from_db()
    assert available_actions(case, world.county_admin) == [("dispose", "销毁"), ("reclassify", "重新分类")]
    for persona in ("sfs_officer", "city_admin", "other_county_admin"):
        assert available_actions(case, world.personas()[persona]) == []


def test_outsiders_and_other_committees_have_no_actions(world):
    case = make_case(world, S.IN_MEDIATION)
    for persona in ("mediator_b", "mediator_c", "outsider", "court_liaison"):
        assert available_actions(case, world.personas()[persona]) == [], persona
    assert dict(available_actions(case, world.mediator_a))  # the presiding mediator does have some


FULL_ID = {
    "director_a": True,
    "mediator_a": True,
    "mediator_a2": False,  # same committee, not assigned
    "mediator_b": False,
    "mediator_c": False,
    "sfs_officer": False,
    "county_admin": False,
    "other_county_admin": False,
    "city_admin": False,
    "court_liaison": False,
    "party_user": False,
    "outsider": False,
}


@pytest.mark.parametrize("persona", list(FULL_ID))
def test_can_view_full_id(world, persona):
    case = make_case(world, S.IN_MEDIATION)
    assert can_view_full_id(world.personas()[persona], case) is FULL_ID[persona]


def test_full_id_for_co_mediator_and_only_assigned_mediators(world):
    intake = make_case(world, S.INTAKE)
    assert can_view_full_id(world.director_a, intake)
    assert not can_view_full_id(world.mediator_a, intake)  # not assigned yet
    case = make_case(world, S.ACCEPTED)
    A.do_assign_mediators(
        case,
        world.director_a,
        presiding=world.mediator_a.mediator,
        co_mediators=[world.mediator_a2.mediator],
        rights_notified=True,
        identities_checked=True,
        at=case.accepted_at + timedelta(hours=1),
    )
    assert can_view_full_id(world.mediator_a2, case)


def test_court_liaison_sees_full_ids_only_of_court_cases(world, cases):
    assert can_view_full_id(world.court_liaison, cases["referred"])
    assert can_view_full_id(world.court_liaison, cases["jc"])
    assert not can_view_full_id(world.court_liaison, cases["A"])
    assert not can_view_full_id(world.court_liaison, cases["C"])


def test_a_mediator_of_the_township_does_not_see_village_cases(world):
    township_user = User.objects.create_user(
        username="m_town", password="x", role=Role.MEDIATOR, committee=world.township
    )
    case = Walker(
        register(world, world.village_a, world.mediator_a),
        Cast(world.director_a, world.mediator_a),
        datetime(2026, 3, 2, 10, tzinfo=TZ),
    ).walk(S.ACCEPTED)
    assert not cases_visible_to(township_user).filter(pk=case.pk).exists()
    assert available_actions(case, township_user) == []
