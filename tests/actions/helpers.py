"""Shared by the do_* guard tests: dates in Asia/Shanghai, the `refused` check, and builders that walk a case
through registration, mediation and a written agreement with explicit `at=` times.
"""

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from cases import actions as A
from cases.enums import CaseStatus, SignatureMethod
from cases.models import (
    Agreement,
    AgreementSignature,
    Case,
    CaseEvent,
    Extension,
    FollowUp,
    JudicialConfirmation,
    MediationRecord,
    Party,
    PerformanceRecord,
    RecusalRequest,
)
from cases.permissions import current_agreement
from tests.world import TZ, World, case_data

S = CaseStatus


def dt(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


COUNTED = (
    Case,
    CaseEvent,
    Party,
    Agreement,
    AgreementSignature,
    JudicialConfirmation,
    MediationRecord,
    Extension,
    FollowUp,
    PerformanceRecord,
    RecusalRequest,
)


def snapshot(case: Case | None = None) -> dict:
    state: dict = {m.__name__: m.objects.count() for m in COUNTED}
    if case is not None:
        state["case"] = Case.objects.filter(pk=case.pk).values().get()
        state["co"] = sorted(Case.objects.get(pk=case.pk).co_mediators.values_list("pk", flat=True))
        state["sigs"] = list(AgreementSignature.objects.filter(agreement__case=case).values().order_by("id"))
        state["jcs"] = list(JudicialConfirmation.objects.filter(case=case).values().order_by("id"))
        state["agreements"] = list(Agreement.objects.filter(case=case).values().order_by("id"))
    return state


@contextmanager
def refused(case: Case | None, message: str):
    """The block must raise ActionRefused with exactly `message` and leave the database as it was."""
    before = snapshot(case)
    with pytest.raises(A.ActionRefused) as info:
        yield info
    assert info.value.message == message
    assert snapshot(case) == before


def events(case: Case) -> list[tuple]:
    return list(case.events.order_by("id").values_list("action", "from_status", "to_status", "actor_id"))


def new_events(case: Case, before: int) -> list[tuple]:
    return events(case)[before:]


def parties(case: Case) -> tuple[Party, Party]:
    applicant, respondent = case.parties.order_by("order")[:2]
    return applicant, respondent


def register(world: World, at: datetime, **overrides) -> Case:
    overrides.setdefault("party_user", world.party_user)
    party_user = overrides.pop("party_user")
    return A.do_register_case(world.mediator_a, world.village_a, case_data(party_user, **overrides), at=at)


def mediating_case(world: World, accepted_at: datetime, **overrides) -> Case:
    """INTAKE at accepted_at − 1 h, ACCEPTED at accepted_at, IN_MEDIATION (mediator_a presiding) 1 h later."""
    case = register(world, accepted_at - timedelta(hours=1), **overrides)
    A.do_accept_case(case, world.director_a, at=accepted_at)
    A.do_assign_mediators(
        case,
        world.director_a,
        presiding=world.mediator_a.mediator,
        rights_notified=True,
        identities_checked=True,
        at=accepted_at + timedelta(hours=1),
    )
    case.refresh_from_db()
    return case


def term(case: Case, deadline: date, amount: Decimal = Decimal("1500")) -> A.TermData:
    applicant, respondent = parties(case)
    return A.TermData(
        obligor=respondent,
        obligee=applicant,
        content="被申请人向申请人支付排水沟修复费用",
        amount=amount,
        manner="银行转账",
        place="桂花村调委会",
        deadline=deadline,
    )


def draft(world: World, case: Case, at: datetime, deadline: date, amount: Decimal = Decimal("1500")) -> Agreement:
    return A.do_draft_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        responsibilities="双方各自承担相应责任",
        terms=[term(case, deadline, amount)],
        at=at,
    )


def sign(world: World, case: Case, who: str, at: datetime):
    applicant, respondent = parties(case)
    if who == "seal":
        return A.do_seal_agreement(case, world.director_a, at=at)
    party = {"applicant": applicant, "respondent": respondent, "mediator": None}[who]
    return A.do_sign_agreement(case, world.mediator_a, party=party, method=SignatureMethod.FINGERPRINT, at=at)


def written_agreement(world: World, case: Case, at: datetime, deadline: date) -> Agreement:
    draft(world, case, at, deadline)
    for i, who in enumerate(["applicant", "respondent", "mediator", "seal"], start=1):
        sign(world, case, who, at + timedelta(minutes=i))
    case.refresh_from_db()
    return current_agreement(case)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
