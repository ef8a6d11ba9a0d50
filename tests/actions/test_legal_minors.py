"""Issue 8, the law: a case involving a minor (or an adult without full civil capacity, 民法典 arts 21–22) is
flagged; its parties' data is shown in full only to the assigned mediators and the director (each full view
logged), masked for everyone else; the guardian's consent to mediation is recorded before assignment
(docs/adr/0003-minors.md)."""

from datetime import date

import pytest
from django.test import Client

from accounts.models import AccessLog
from cases import actions as A
from cases.enums import CivilCapacity
from cases.identity import make_valid_id_number
from cases.permissions import can_view_full_id, sees_protected_in_full
from documents.builders import SINGLE, Viewer
from tests.actions.helpers import S, dt, parties, refused, reload
from tests.world import case_data

MINOR_ID = make_valid_id_number("421202", date(2016, 5, 17), 7)  # 9 years old in March 2026
CHILD_ID = make_valid_id_number("421202", date(2020, 1, 5), 8)  # 6 years old


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register_minor(world, *, guardian="张父", id_number=MINOR_ID, at=None):
    data = case_data(world.party_user)
    data.parties[0].id_number, data.parties[0].guardian_name = id_number, guardian
    return A.do_register_case(world.mediator_a, world.village_a, data, at=at or dt(2026, 3, 2, 9))


def accept(world, case):
    A.do_accept_case(case, world.director_a, at=dt(2026, 3, 3))
    return reload(case)


def assign(world, case):
    at = dt(2026, 3, 4)
    return A.do_assign_mediators(
        case,
        world.director_a,
        presiding=world.mediator_a.mediator,
        rights_notified=True,
        identities_checked=True,
        at=at,
    )


def consent(world, case, actor=None, name="张父"):
    at = dt(2026, 3, 3, 15)
    minor, _ = parties(case)
    return A.do_record_guardian_consent(
        case, actor or world.director_a, party=minor, guardian_name=name, consent_record="监护人到场签署同意书", at=at
    )


def test_a_minor_is_flagged_at_registration(world):
    case = register_minor(world)
    minor, adult = parties(case)
    assert case.involves_minor and not case.involves_incapacity and case.protected
    assert minor.is_minor and minor.capacity == CivilCapacity.LIMITED and minor.needs_guardian
    assert not adult.is_minor and adult.capacity == CivilCapacity.FULL
    young = register_minor(world, id_number=CHILD_ID)
    assert parties(young)[0].capacity == CivilCapacity.NONE  # under 8 (民法典 art. 20)
    assert case.title == "张某与李四邻里纠纷"  # lists, notices and SMS never spell out a minor's name


def test_a_minor_needs_a_guardian(world):
    with refused(None, "第1位当事人为未成年人，须填写法定代理人（监护人）"):
        register_minor(world, guardian="")


def test_an_adult_without_full_capacity_takes_the_same_path(world):
    data = case_data(world.party_user)
    data.parties[1].capacity = CivilCapacity.NONE
    with refused(None, "第2位当事人为无或限制民事行为能力人，须填写法定代理人（监护人）"):
        A.do_register_case(world.mediator_a, world.village_a, data, at=dt(2026, 3, 2, 9))
    data.parties[1].guardian_name = "李四之妻"
    case = A.do_register_case(world.mediator_a, world.village_a, data, at=dt(2026, 3, 2, 9))
    assert case.involves_incapacity and not case.involves_minor and parties(case)[1].needs_guardian
    case = accept(world, case)
    with refused(case, "须先登记李四的监护人（法定代理人）同意调解"):
        assign(world, case)
    _, ward = parties(case)
    A.do_record_guardian_consent(
        case, world.director_a, party=ward, guardian_name="李四之妻", consent_record="书面同意书", at=dt(2026, 3, 3)
    )
    assign(world, case)
    assert reload(case).status == S.IN_MEDIATION


def test_assignment_waits_for_the_guardians_consent(world):
    case = accept(world, register_minor(world))
    with refused(case, "须先登记张三的监护人（法定代理人）同意调解"):
        assign(world, case)
    with refused(case, "您无权对本案执行“登记监护人同意调解”"):
        consent(world, case, actor=world.mediator_a)
    with refused(case, "监护人姓名与登记的法定代理人（张父）不一致"):
        consent(world, case, name="王某")
    consent(world, case)
    minor, _ = parties(case)
    assert minor.guardian_consent_at == dt(2026, 3, 3, 15)
    assert case.events.last().action == "guardian_consent" and "张某的监护人张父同意调解" in case.events.last().note
    with refused(case, "已登记张某的监护人同意调解"):
        consent(world, case)
    assign(world, case)
    assert reload(case).status == S.IN_MEDIATION


def test_consent_is_not_asked_for_an_adult(world):
    case = A.do_register_case(world.mediator_a, world.village_a, case_data(world.party_user), at=dt(2026, 3, 2, 9))
    with refused(case, "张三具有完全民事行为能力，无需监护人同意"):
        consent(world, case)


@pytest.fixture
def minor_case(world):
    case = accept(world, register_minor(world))
    consent(world, case)
    assign(world, case)
    return reload(case)


def test_who_sees_it_in_full(world, minor_case):
    case = minor_case
    for name in ("mediator_a", "director_a"):
        assert sees_protected_in_full(world.personas()[name], case) and can_view_full_id(world.personas()[name], case)
    for name in ("mediator_a2", "sfs_officer", "county_admin", "city_admin"):
        assert not sees_protected_in_full(world.personas()[name], case)
        assert not can_view_full_id(world.personas()[name], case)


def test_supervisors_and_unassigned_members_see_it_masked_and_assigned_staff_in_full_logged(world, minor_case):
    case = minor_case
    for name in ("sfs_officer", "county_admin", "mediator_a2"):
        page = login(world.personas()[name]).get(f"/cases/{case.pk}/").content.decode()
        assert "张某" in page and "13900000001" not in page and "139****0001" in page, name
        assert "桂花村3组" not in page and "（已隐去）" in page and "查看完整号码" not in page, name
        assert "仅承办调解员和调委会主任可查看完整信息" in page
    assert not AccessLog.objects.filter(action="VIEW_PROTECTED_CASE").exists()
    for name in ("mediator_a", "director_a"):
        page = login(world.personas()[name]).get(f"/cases/{case.pk}/").content.decode()
        assert "张三" in page and "13900000001" in page and "桂花村3组" in page and "查看完整号码" in page
    logged = AccessLog.objects.filter(action="VIEW_PROTECTED_CASE", case=case)
    assert sorted(logged.values_list("user__username", flat=True)) == ["director_a", "mediator_a"]


def test_printed_forms_are_masked_for_supervisors(world, minor_case):
    case = minor_case
    masked = SINGLE["application"](case, Viewer.of(world.sfs_officer, case))
    full = SINGLE["application"](case, Viewer.of(world.mediator_a, case))
    flat = repr(masked)
    assert "张三" not in flat and "13900000001" not in flat and "桂花村3组" not in flat
    assert "张三" in repr(full) and "13900000001" in repr(full)


def test_an_adult_case_is_not_masked(world):
    case = A.do_register_case(world.mediator_a, world.village_a, case_data(world.party_user), at=dt(2026, 3, 2, 9))
    assert not case.protected and sees_protected_in_full(world.sfs_officer, case)
    page = login(world.sfs_officer).get(f"/cases/{case.pk}/").content.decode()
    # The ordinary rules apply: the 司法所 sees the phone masked (need-to-know, ADR 0008), nothing is hidden away.
    assert "139****0001" in page and "13900000001" not in page and "（已隐去）" not in page
