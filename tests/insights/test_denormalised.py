"""The roll-ups the statistics read for speed (Case.agreement_form, Case.party_count) equal the records.

Cases are driven through the actions to every status the Walker reaches (written and oral agreements, deferred
performance, re-mediation with change and with revocation, a new agreement after re-mediation, termination,
transfer) and imported through the historical import; for each, the stored columns must equal what the agreements
and parties say (insights.checks: the original correlated-subquery definitions), and verify_case_facts must find no
difference. Hand-written expectations pin the semantics for the cases where they matter.
"""

import random
from datetime import datetime, timedelta

import pytest

from cases import actions as A
from cases.actions.historical import HistoricalTermination, do_import_historical_cases
from cases.enums import AgreementForm, AgreementStatus, CaseStatus, PartySide, Route, TerminationReason
from cases.models import Case
from demo.scenarios import PATHS, Walker
from insights.base import make_period
from insights.checks import verify_case_facts, with_record_facts
from insights.metrics import case_cube, cube_sum
from insights.slices import Slice
from tests.actions.test_historical import written
from tests.world import TZ, applicant_id, case_data

START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def stored_vs_records(case: Case) -> tuple[tuple[str, int], tuple[str, int]]:
    row = with_record_facts(Case.objects.filter(pk=case.pk)).get()
    return (row.agreement_form, row.party_count), (row.record_agreement_form, row.record_party_count)


def walk(world, status: CaseStatus, *, seed: int = 0, oral: float = 0.0, parties: int = 2) -> Case:
    data = case_data(world.party_user)
    if parties == 3:
        extra = A.PartyData(side=PartySide.RESPONDENT, name="王五", id_number=applicant_id(3), phone="13900000003")
        data.parties = [*data.parties, extra]
    case = A.do_register_case(world.mediator_a, world.village_a, data, at=START)
    return Walker(case, world.cast_a(), START, random.Random(seed), oral_share=oral).walk(status)


def remediate(world, case: Case, *, revoke: bool) -> Case:
    A.do_start_remediation(
        case,
        world.mediator_a,
        reason="双方对协议履行方式产生新争议",
        revoke=revoke,
        consenting_parties=list(case.parties.all()),
        at=START + timedelta(days=40),
    )
    case.refresh_from_db()
    return case


# Expected (agreement_form, party_count) per status when walked with written (oral=0) / oral (oral=1) agreements.
EXPECTED = {
    CaseStatus.INTAKE: ("", ""),
    CaseStatus.NOT_ACCEPTED: ("", ""),
    CaseStatus.TRANSFERRED_OUT: ("", ""),
    CaseStatus.ACCEPTED: ("", ""),
    CaseStatus.IN_MEDIATION: ("", ""),
    CaseStatus.PAUSED: ("", ""),
    CaseStatus.TERMINATED: ("", ""),
    CaseStatus.AGREEMENT_REACHED: ("WRITTEN", "WRITTEN"),  # written_now whatever the oral share
    CaseStatus.PERFORMING: ("WRITTEN", "WRITTEN"),
    CaseStatus.NON_PERFORMANCE: ("WRITTEN", "WRITTEN"),
    CaseStatus.PERFORMED: ("WRITTEN", "ORAL"),
    CaseStatus.REMEDIATION: ("", ""),  # the written agreement was changed: no current agreement
    CaseStatus.CLOSED: ("WRITTEN", "ORAL"),
    CaseStatus.ARCHIVED: ("WRITTEN", "ORAL"),
    CaseStatus.MERGED: ("", ""),  # issue 11 §5: merged at intake, before any agreement
}


def test_the_expectations_cover_every_status_the_walker_reaches():
    assert set(EXPECTED) == set(PATHS)


@pytest.mark.parametrize("oral", [0.0, 1.0], ids=["written", "oral"])
@pytest.mark.parametrize("status", list(PATHS), ids=lambda s: s.value)
def test_every_status_stores_what_the_records_say(world, status, oral):
    case = walk(world, status, oral=oral, parties=3 if status == CaseStatus.CLOSED else 2)
    stored, records = stored_vs_records(case)
    assert stored == records
    expected_form = EXPECTED[status][int(oral)]
    expected_parties = 3 if status == CaseStatus.CLOSED else 2
    assert stored == (expected_form, expected_parties)
    assert verify_case_facts() == []


@pytest.mark.parametrize("revoke", [False, True], ids=["changed", "revoked"])
def test_remediation_clears_the_form_and_a_new_oral_agreement_sets_it(world, revoke):
    case = walk(world, CaseStatus.PERFORMING)
    assert case.agreement_form == AgreementForm.WRITTEN
    case = remediate(world, case, revoke=revoke)
    assert case.status == CaseStatus.REMEDIATION
    assert case.agreements.get().status == (AgreementStatus.REVOKED if revoke else AgreementStatus.CHANGED)
    assert case.agreement_form == ""
    # A new written draft is not an agreement yet: still none.
    walker = Walker(case, world.cast_a(), START + timedelta(days=41), random.Random(3))
    A.do_draft_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        responsibilities="双方各自承担相应责任",
        terms=walker._terms(False),
        at=walker.tick(1, 2),
    )
    case.refresh_from_db()
    assert case.agreement_form == ""
    # The parties agree orally instead: the draft is revoked, the oral agreement is the current one.
    A.do_record_oral_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        terms=walker._terms(False),
        oral_reason="双方当场履行，认为无需书面协议",
        at=walker.tick(1, 2),
    )
    case.refresh_from_db()
    assert case.agreement_form == AgreementForm.ORAL
    stored, records = stored_vs_records(case)
    assert stored == records == ("ORAL", 2)
    assert verify_case_facts() == []


def test_remediation_then_a_new_written_agreement(world):
    case = remediate(world, walk(world, CaseStatus.PERFORMING, seed=5), revoke=True)
    walker = Walker(case, world.cast_a(), START + timedelta(days=41), random.Random(4))
    walker.step("written_now")
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREEMENT_REACHED
    assert case.agreements.count() == 2
    stored, records = stored_vs_records(case)
    assert stored == records == ("WRITTEN", 2)


def test_historical_import_writes_the_columns(world):
    termination = HistoricalTermination(TerminationReason.NO_PROSPECT, "双方分歧太大", [Route.LITIGATION])
    t0 = datetime(2025, 3, 2, 10, tzinfo=TZ)
    failed = written(world, 1, t0, agreement=None, termination=termination, performed_at=None)
    oral = written(world, 2, t0 + timedelta(days=1))
    oral.agreement.form, oral.agreement.oral_reason = AgreementForm.ORAL, "当事人认为无需书面协议"
    still_open = written(
        world, 3, t0 + timedelta(days=2), agreement=None, outcome_at=None, performed_at=None, closed_at=None
    )
    paper = written(world, 4, t0 + timedelta(days=3))
    made = do_import_historical_cases([failed, oral, still_open, paper], world.county_admin, source_note="批次T")
    cases = [Case.objects.get(pk=m.case_id) for m in made]
    assert [(c.agreement_form, c.party_count) for c in cases] == [("", 2), ("ORAL", 2), ("", 2), ("WRITTEN", 2)]
    assert verify_case_facts() == []


def test_verify_reports_and_fixes_a_drifted_row(world):
    good = walk(world, CaseStatus.CLOSED, oral=1.0)
    other = walk(world, CaseStatus.IN_MEDIATION, seed=2)
    # Rows written outside the actions (e.g. a manual SQL repair) drift from the records.
    Case.objects.filter(pk=good.pk).update(agreement_form=AgreementForm.WRITTEN)
    Case.objects.filter(pk=other.pk).update(party_count=7)
    diffs = verify_case_facts()
    assert [(d.case_id, d.stored_agreement_form, d.record_agreement_form) for d in diffs] == [
        (good.pk, "WRITTEN", "ORAL"),
        (other.pk, "", ""),
    ]
    assert [(d.stored_party_count, d.record_party_count) for d in diffs] == [(2, 2), (7, 2)]
    assert verify_case_facts(Case.objects.filter(pk=other.pk)) == [diffs[1]]
    assert verify_case_facts(fix=True) == diffs
    assert verify_case_facts() == []
    assert Case.objects.get(pk=good.pk).agreement_form == AgreementForm.ORAL
    assert Case.objects.get(pk=other.pk).party_count == 2


def test_cube_and_case_list_read_the_same_column(world):
    """The form's agreement-form rows and the case lists behind them agree (they filter the same column)."""
    walk(world, CaseStatus.CLOSED, seed=1)  # written
    walk(world, CaseStatus.CLOSED, seed=2, oral=1.0)  # oral
    walk(world, CaseStatus.REMEDIATION, seed=3)  # none
    walk(world, CaseStatus.PERFORMED, seed=4, oral=1.0, parties=3)  # oral, 3 parties
    period = make_period(2026, "month", 3)
    cube = case_cube(Case.objects.all(), period)
    for form, n in (("WRITTEN", 1), ("ORAL", 2)):
        flt = {"agreement_form": (form,)}
        assert cube_sum(cube, "cases", flt) == n
        assert Slice("", period, "cases", None, flt).queryset(Case.objects.all()).count() == n
    # The case in 重新调解 is being mediated again: 在办, not one of the 调解案件 (issue 9 §4, ended in the period).
    assert cube_sum(cube, "cases") == 3 and cube_sum(cube, "open") == 1
    assert Slice("", period, "open").queryset(Case.objects.all()).count() == 1
    assert cube_sum(cube, "parties") == 7
    assert cube_sum(cube, "parties", {"agreement_form": ("ORAL",)}) == 5
    # The duration (SQLite: computed with julianday, not Django's per-row Python function) to the microsecond.
    closed = Case.objects.filter(closed_at__isnull=False)
    assert closed.count() == 2 and any(c.closed_at.microsecond for c in closed)
    expected = sum(((c.closed_at - c.accepted_at) for c in closed), timedelta())
    assert cube_sum(cube, "duration_seconds") == int(expected.total_seconds())
