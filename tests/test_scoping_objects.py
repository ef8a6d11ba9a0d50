"""Visibility of the objects that are not cases, each decided by one scoping function beside cases.scoping, as a
persona × object matrix; the pages that fetch them answer 404 outside it."""

from datetime import date, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cases.enums import CaseStatus
from imports.models import ImportBatch
from imports.scoping import access_import_batch_by_id, import_batches_visible_to
from messaging.models import Booking, Slot
from messaging.scoping import bookings_visible_in, thread_access
from portal.models import Evidence
from portal.scoping import access_evidence_by_id, draft_evidence_of, evidence_visible_to
from registry.scoping import access_committee_by_id, committees_visible_to, mediators_visible_to
from supervision.models import SpotCheck, SpotCheckCase, SpotCheckResult, SpotCheckStatus
from supervision.scoping import (
    access_spot_check_by_id,
    spot_check_entries_visible_to,
    spot_check_results_visible_to,
    spot_checks_visible_to,
)
from tests.world import PERSONAS, World, make_case

XIANAN = {"village_a", "village_b", "township"}
COMMITTEES = {
    "director_a": {"village_a"},
    "mediator_a": {"village_a"},
    "mediator_a2": {"village_a"},
    "mediator_b": {"village_b"},
    "mediator_c": {"village_c"},
    "sfs_officer": XIANAN,
    "county_admin": XIANAN,
    "other_county_admin": {"village_c"},
    "city_admin": XIANAN | {"village_c"},
    "court_liaison": set(),
    "party_user": set(),
    "outsider": set(),
}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(world: World, committees) -> set[str]:
    by_pk = {getattr(world, n).pk: n for n in ("village_a", "village_b", "township", "village_c")}
    return {by_pk[c.pk] for c in committees}


# --- committees and mediators -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_committees_visible_to_each_persona(world, persona):
    user = getattr(world, persona)
    assert names(world, committees_visible_to(user)) == COMMITTEES[persona]
    assert names(world, {m.committee for m in mediators_visible_to(user)}) <= COMMITTEES[persona]
    for name in ("village_a", "village_c"):
        committee = getattr(world, name)
        if name in COMMITTEES[persona]:
            assert access_committee_by_id(user, committee.pk) == committee
        else:
            with pytest.raises(Exception, match="调委会不存在"):
                access_committee_by_id(user, committee.pk)


def test_an_inactive_account_sees_no_committee(world):
    world.county_admin.is_active = False
    assert not committees_visible_to(world.county_admin).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("county_admin", 404), ("other_county_admin", 200), ("city_admin", 200)]
)
def test_committee_pages_are_404_outside_the_scope(world, persona, status):
    client = login(getattr(world, persona))
    assert client.get(f"/console/committees/{world.village_c.pk}/").status_code == status
    dashboard = client.get(f"/insights/?area={getattr(world, persona).division_id}&committee={world.village_c.pk}")
    assert dashboard.status_code == status


# --- spot checks ----------------------------------------------------------------------------------------------


def _check(world: World, committee, status=SpotCheckStatus.DRAFT) -> SpotCheck:
    check = SpotCheck.objects.create(
        title=f"评查{committee.short_name}",
        area=committee.division,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        sample_size=1,
        seed=1,
        population_count=1,
        population_digest="x",
        checklist={},
        created_by=world.city_admin,
        created_at=timezone.now(),
    )
    case = make_case(world, CaseStatus.INTAKE) if committee == world.village_a else None
    if case is not None:
        SpotCheckCase.objects.create(spot_check=check, case=case, committee=committee, order=1)
    SpotCheckResult.objects.create(spot_check=check, committee=committee, cases=1, average=90, grade="优秀")
    if status == SpotCheckStatus.PUBLISHED:
        SpotCheck.objects.filter(pk=check.pk).update(status=status, published_at=timezone.now())
    return check


CHECKS = {"county_admin": {"a"}, "other_county_admin": {"c"}, "city_admin": {"a", "c"}}
RESULTS = {**CHECKS, "director_a": {"a"}, "director_c": set()}  # director_c's check is not published


@pytest.mark.parametrize("persona", [*PERSONAS, "director_c"])
def test_spot_checks_results_and_entries_visible_to_each_persona(world, persona):
    checks = {"a": _check(world, world.village_a, SpotCheckStatus.PUBLISHED), "c": _check(world, world.village_c)}
    label = {c.pk: k for k, c in checks.items()}
    user = getattr(world, persona)
    assert {label[c.pk] for c in spot_checks_visible_to(user)} == CHECKS.get(persona, set())
    assert {label[r.spot_check_id] for r in spot_check_results_visible_to(user)} == RESULTS.get(persona, set())
    entries = {label[e.spot_check_id] for e in spot_check_entries_visible_to(user)}
    assert entries == RESULTS.get(persona, set()) & {"a"}
    for key, check in checks.items():
        if key in CHECKS.get(persona, set()):
            assert access_spot_check_by_id(user, check.pk) == check
        else:
            with pytest.raises(Exception, match="评查不存在"):
                access_spot_check_by_id(user, check.pk)


def test_spot_check_pages_are_404_outside_the_scope(world):
    check = _check(world, world.village_c)
    assert login(world.county_admin).get(f"/supervision/spot-checks/{check.pk}/").status_code == 404
    assert login(world.other_county_admin).get(f"/supervision/spot-checks/{check.pk}/").status_code == 200


# --- import batches -------------------------------------------------------------------------------------------


def test_an_import_batch_exists_only_for_its_uploader(world):
    batch = ImportBatch.objects.create(created_by=world.county_admin, file_name="台账.xlsx", file_sha256="0" * 64)
    assert list(import_batches_visible_to(world.county_admin)) == [batch]
    assert access_import_batch_by_id(world.county_admin, batch.pk) == batch
    for persona in ("city_admin", "other_county_admin", "director_a", "sfs_officer", "outsider"):
        user = getattr(world, persona)
        assert not import_batches_visible_to(user).exists(), persona
        response = login(user).get(f"/imports/{batch.pk}/")
        assert response.status_code in (403, 404), persona
    assert login(world.city_admin).get(f"/imports/{batch.pk}/").status_code == 404
    # The uploader who may no longer import (moved to a township office) no longer sees it.
    world.county_admin.role = "SFS_OFFICER"
    assert not import_batches_visible_to(world.county_admin).exists()


# --- evidence ---------------------------------------------------------------------------------------------------


def _evidence(user, case=None) -> Evidence:
    return Evidence.objects.create(
        case=case,
        uploaded_by=user,
        path="evidence/x.pdf",
        original_name="证据.pdf",
        content_type="application/pdf",
        size=1,
    )


EVIDENCE = {
    "party_user": {"own", "draft"},
    "director_a": {"own", "other"},
    "mediator_a": {"own", "other"},
    "mediator_a2": {"own", "other"},
    "sfs_officer": {"own", "other"},
    "county_admin": {"own", "other"},
    "city_admin": {"own", "other"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_visible_to_each_persona(world, persona):
    case = make_case(world, CaseStatus.INTAKE)
    respondent = case.parties.exclude(user=world.party_user).first()
    from accounts.models import Role, User

    other_user = User.objects.create(username="party_b", role=Role.PARTY)
    respondent.user = other_user
    respondent.save(update_fields=["user"])
    files = {
        "own": _evidence(world.party_user, case),
        "other": _evidence(other_user, case),
        "draft": _evidence(world.party_user),
    }
    files["removed"] = _evidence(world.party_user, case)
    Evidence.objects.filter(pk=files["removed"].pk).update(removed_at=timezone.now())
    label = {e.pk: k for k, e in files.items()}
    user = getattr(world, persona)
    assert {label[e.pk] for e in evidence_visible_to(user)} == EVIDENCE.get(persona, set())
    for key, ev in files.items():
        if key in EVIDENCE.get(persona, set()):
            assert access_evidence_by_id(user, ev.pk) == ev
        else:
            with pytest.raises(Exception, match="文件不存在"):
                access_evidence_by_id(user, ev.pk)


def test_removed_and_submitted_evidence(world):
    draft = _evidence(world.party_user)
    assert list(evidence_visible_to(world.party_user)) == [draft]
    draft.removed_at = timezone.now()
    draft.save(update_fields=["removed_at"])
    assert not evidence_visible_to(world.party_user).exists()
    assert not draft_evidence_of(world.outsider).exists()


# --- bookings -------------------------------------------------------------------------------------------------


def test_a_party_sees_only_their_own_bookings_of_a_thread(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    from accounts.models import Role, User

    other_user = User.objects.create(username="party_b", role=Role.PARTY)
    own, other = case.parties.order_by("order")[:2]
    other.user = other_user
    other.save(update_fields=["user"])
    day = timezone.localdate() + timedelta(days=5)
    bookings = {}
    for key, party, booked_by, hour in (("own", own, world.party_user, 9), ("other", other, other_user, 10)):
        slot = Slot.objects.create(
            committee=world.village_a, date=day, start=time(hour), end=time(hour, 30), published_by=world.mediator_a
        )
        bookings[key] = Booking.objects.create(
            case=case, party=party, slot=slot, requested_slot=slot, booked_by=booked_by
        )
    label = {b.pk: k for k, b in bookings.items()}
    assert {label[b.pk] for b in bookings_visible_in(thread_access(world.party_user, case.pk))} == {"own"}
    assert {label[b.pk] for b in bookings_visible_in(thread_access(other_user, case.pk))} == {"other"}
    assert {label[b.pk] for b in bookings_visible_in(thread_access(world.mediator_a, case.pk))} == {"own", "other"}
    for persona in ("director_a", "county_admin", "mediator_c", "outsider"):
        with pytest.raises(Exception, match="案件不存在"):
            thread_access(getattr(world, persona), case.pk)
