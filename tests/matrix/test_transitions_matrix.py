"""Role × action × status matrix: `available_actions` and the `do_*` functions both obey cases.transitions.TABLE.

For every scenario (one case per status, plus variants that make the agreement and judicial-confirmation steps
reachable) and every persona, each non-SYSTEM action is checked three ways:

* offered by `available_actions` iff the table has a row (action, status) whose relations intersect the persona's
  relations (written out by hand below, not computed by `cases.permissions.relations`) and the extra availability
  predicate (`extra_ok`) holds;
* if not offered, the `do_*` function raises ActionRefused with a Chinese message (the table's own wording when the
  row or the relation is missing), and neither the case nor any other record changes;
* if offered, the `do_*` function, called with valid arguments inside a savepoint that is rolled back afterwards,
  moves the case to the table's target and appends exactly the expected events (including the SYSTEM steps that
  follow a last signature or seal).
"""

import re
from datetime import datetime

import pytest
from django.db import transaction
from django.db.models import Count

from accounts.models import User
from cases import actions as A
from cases.enums import CaseStatus, JCStatus
from cases.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Case,
    CaseEvent,
    CaseSequence,
    Extension,
    FollowUp,
    Instalment,
    JudicialConfirmation,
    MediationRecord,
    Notification,
    Party,
    PerformanceRecord,
    RecusalRequest,
)
from cases.permissions import available_actions
from cases.transitions import LABELS, TABLE, Rel
from portal.models import JCRequest
from tests.matrix.calls import CALLS, MATRIX_ACTIONS, SYSTEM_ONLY, _parties_cache
from tests.matrix.scenarios import BY_KEY, SCENARIOS, Scenario, last_at
from tests.world import PERSONAS, World
from workdays import calendar

S = CaseStatus
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def fresh_caches():
    calendar.clear_cache()
    _parties_cache.clear()
    yield
    calendar.clear_cache()
    _parties_cache.clear()


# --- the expectation, written from the table ------------------------------------------------------------------


def expected_rels(persona: str, sc: Scenario) -> set[Rel]:
    """Relations of each persona to a village-A case presided over by mediator_a, with party_user as applicant."""
    if persona == "director_a":
        return {Rel.MEMBER, Rel.DIRECTOR}
    if persona == "mediator_a":
        return {Rel.MEMBER, Rel.MEDIATOR, Rel.PRESIDING} if sc.assigned else {Rel.MEMBER}
    if persona == "mediator_a2":
        return {Rel.MEMBER}
    if persona == "county_admin":
        return {Rel.COUNTY, Rel.SUPERVISOR}
    if persona in ("sfs_officer", "city_admin"):
        return {Rel.SUPERVISOR}
    if persona == "court_liaison":
        return {Rel.COURT} if sc.court_linked else set()
    if persona == "party_user":
        return {Rel.PARTY}
    return set()  # mediator_b, mediator_c, other_county_admin, outsider


def extra_ok(action: str, sc: Scenario, rels: set[Rel] | frozenset[Rel] = frozenset()) -> bool:
    if action in ("jc_apply", "jc_request"):
        in_writing = sc.written_effective or sc.oral_written
        return in_writing and sc.jc in (JCStatus.NOT_APPLIED, JCStatus.WITHDRAWN, JCStatus.NOT_ACCEPTED)
    if action == "put_oral_in_writing":
        return sc.oral and not sc.oral_written
    if action == "guardian_consent":
        return sc.ward
    if action in ("jc_court_accept", "jc_court_refuse"):
        return sc.jc == JCStatus.APPLIED
    if action == "jc_decide":
        return sc.jc == JCStatus.ACCEPTED
    if action == "sign_agreement":
        # A party signs only as themselves: once every party has signed, a party alone has nothing to sign.
        return sc.draft and not (rels and set(rels) <= {Rel.PARTY} and sc.parties_signed)
    if action == "seal_agreement":
        return sc.draft and not sc.sealed
    if action == "recuse":
        return sc.assigned
    if action == "dispose":
        return sc.retention_over
    if action == "merge":  # issue 11 §5: only where a probable duplicate exists
        return sc.duplicate
    if action == "dispatch":  # issue 11 §4: only a 矛调中心's members, and no committee of this world is one
        return False
    return True


def table_rows(action: str, status: CaseStatus):
    return [r for r in TABLE if r.action == action and r.source == status and Rel.SYSTEM not in r.rels]


def expected_allowed(action: str, sc: Scenario, rels: set[Rel]) -> bool:
    return any(rels & r.rels for r in table_rows(action, sc.status)) and extra_ok(action, sc, rels)


def expected_refusal(action: str, sc: Scenario, rels: set[Rel]) -> str | None:
    """The exact message for a refusal by the table or the relation; None when a guard refuses."""
    if not table_rows(action, sc.status):
        return f"案件当前状态为“{sc.status.label}”，不能执行“{LABELS[action]}”"
    if not any(rels & r.rels for r in table_rows(action, sc.status)):
        return f"您无权对本案执行“{LABELS[action]}”"
    return None


# --- helpers --------------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


COUNTED = (
    Case,
    CaseEvent,
    Party,
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Instalment,
    JudicialConfirmation,
    MediationRecord,
    Extension,
    FollowUp,
    PerformanceRecord,
    RecusalRequest,
    CaseSequence,
    Notification,
    JCRequest,
)


def snapshot(case_pk: int) -> dict:
    counts = {m.__name__: m.objects.count() for m in COUNTED}
    return {
        "case": Case.objects.filter(pk=case_pk).values().get(),
        **counts,
        "co_mediators": list(Case.objects.get(pk=case_pk).co_mediators.values_list("pk", flat=True)),
    }


def event_rows(case_pk: int, after_id: int) -> list[tuple]:
    return list(
        CaseEvent.objects.filter(case_id=case_pk, pk__gt=after_id)
        .order_by("id")
        .values_list("action", "from_status", "to_status", "actor_id")
    )


def last_event_id(case_pk: int) -> int:
    return CaseEvent.objects.filter(case_id=case_pk).order_by("-id").values_list("id", flat=True).first() or 0


def try_allowed(w: World, sc: Scenario, case_pk: int, action: str, user: User, at: datetime) -> str | None:
    """Run an offered action in a savepoint, check target and events, roll back. Returns an error or None."""
    call = CALLS[action]
    row = table_rows(action, sc.status)[0]
    error: str | None = None
    try:
        with transaction.atomic():
            case = Case.objects.get(pk=case_pk)
            if call.prepare:
                call.prepare(w, case, at)
                case = Case.objects.get(pk=case_pk)
            before = last_event_id(case_pk)
            call.run(w, case, user, at)
            got = event_rows(case_pk, before)
            source = case.status
            want = [(action, source, row.target, user.pk)]
            want += [(a, f, t, None) for a, f, t in sc.system_after.get(action, [])]
            final = Case.objects.get(pk=case_pk).status
            if got != want:
                error = f"events {got} != expected {want}"
            elif final != want[-1][2]:
                error = f"status {final} != expected {want[-1][2]}"
            raise _Rollback
    except _Rollback:
        pass
    except A.ActionRefused as exc:
        error = f"refused although offered: {exc.message}"
    return error


def status_and_event_count(case_pk: int) -> tuple[str, int]:
    return Case.objects.filter(pk=case_pk).annotate(n=Count("events")).values_list("status", "n").get()


def try_refused(
    w: World, sc: Scenario, case: Case, action: str, user: User, at: datetime, rels: set[Rel], before: tuple[str, int]
) -> str | None:
    """`before` is (status, number of events) of the untouched case; the whole database is compared per persona."""
    try:
        CALLS[action].run(w, case, user, at)
    except A.ActionRefused as exc:
        message = exc.message
    else:
        return "not refused although not offered"
    if not message or not CHINESE.search(message):
        return f"refusal message not Chinese: {message!r}"
    want = expected_refusal(action, sc, rels)
    if want is not None and message != want:
        return f"refusal message {message!r} != {want!r}"
    after = status_and_event_count(case.pk)
    if after != before:
        return f"refused call changed (status, events) from {before} to {after}"
    return None


# --- tests ----------------------------------------------------------------------------------------------------


def test_every_non_system_action_has_a_call():
    assert set(CALLS) == set(MATRIX_ACTIONS)
    assert SYSTEM_ONLY == {
        "agreement_effective",
        "performance_tracking",
        "mark_overdue",
        "auto_terminate",
        "supervision_escalate",
        # issue 11: consequences of a referral's or a dispatch's own events (referrals.services, referrals.hub)
        "referral_accepted",
        "referral_linked",
        "referral_report",
        "dispatch_accepted",
        "dispatch_returned",
        "dispatch_escalated",
    }


def test_every_table_row_is_offered_to_someone_in_some_scenario():
    """The scenarios are rich enough: every non-SYSTEM (action, status) row gets an allowed, executed call."""
    personas = list(PERSONAS)
    uncovered = []
    for row in TABLE:
        if Rel.SYSTEM in row.rels or row.action not in MATRIX_ACTIONS:
            continue
        if row.action == "dispatch":  # needs a 矛调中心: tests/referrals/test_hub_services.py runs it allowed
            continue
        covered = any(
            sc.status == row.source
            and row.action not in sc.no_valid_call
            and (sc.focus is None or row.action in sc.focus)
            and any(expected_allowed(row.action, sc, expected_rels(p, sc) & row.rels) for p in personas)
            for sc in SCENARIOS
        )
        if not covered:
            uncovered.append((row.action, row.source.value))
    assert uncovered == []
    assert {sc.status for sc in SCENARIOS} == set(S)


@pytest.mark.parametrize("key", list(BY_KEY))
def test_matrix(world, key):
    sc = BY_KEY[key]
    case = sc.build(world)
    case.refresh_from_db()
    assert case.status == sc.status
    at = last_at(case)
    baseline = snapshot(case.pk)
    before = status_and_event_count(case.pk)
    assert before[0] == sc.status
    errors: list[str] = []
    for persona, user in world.personas().items():
        rels = expected_rels(persona, sc)
        case = Case.objects.get(pk=case.pk)
        offered = {a for a, _label in available_actions(case, user)}
        assert offered <= set(MATRIX_ACTIONS), f"{persona}: SYSTEM action offered: {offered - set(MATRIX_ACTIONS)}"
        for action in MATRIX_ACTIONS:
            allowed = expected_allowed(action, sc, rels)
            where = f"[{key}] {persona} {action}"
            if allowed and action in sc.no_valid_call:
                error = try_refused(world, sc, case, action, user, at, rels, before)
            else:
                if (action in offered) != allowed:
                    errors.append(f"{where}: offered={action in offered}, table says {allowed}")
                if sc.focus is not None and action not in sc.focus:
                    continue
                if allowed:
                    error = try_allowed(world, sc, case.pk, action, user, at)
                else:
                    error = try_refused(world, sc, case, action, user, at, rels, before)
            if error:
                errors.append(f"{where}: {error}")
        if snapshot(case.pk) != baseline:
            errors.append(f"[{key}] {persona}: the database changed after the calls (refusal leaked a write?)")
            baseline, before = snapshot(case.pk), status_and_event_count(case.pk)
    assert not errors, "\n".join(errors)
