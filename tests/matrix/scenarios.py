"""The matrix scenarios: one case per status, plus variants that make the agreement and judicial-confirmation steps
reachable (a pending draft, signed but unsealed, a JC applied for or accepted, court-referred)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cases import actions as A
from cases.actions.base import local_date
from cases.enums import CaseSource, CaseStatus, JCStatus, RetentionClass, SignatureMethod
from cases.models import Case
from tests.matrix.calls import _jc_apply, _jc_on, parties, terms
from tests.world import World, make_case

S = CaseStatus
AFTER_AGREEMENT = [S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE, S.PERFORMED, S.CLOSED]
UNASSIGNED = {S.INTAKE, S.NOT_ACCEPTED, S.TRANSFERRED_OUT, S.ACCEPTED}


# --- scenarios ----------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    status: CaseStatus
    build: Callable[[World], Case]
    draft: bool = False  # a DRAFT written agreement is current
    sealed: bool = False  # ... and already carries the committee seal
    parties_signed: bool = False  # ... and every party has signed it (a party has nothing left to sign)
    jc: JCStatus = JCStatus.NOT_APPLIED
    court_linked: bool = False  # referred by world.court or a JC at world.court
    # SYSTEM events expected after the actor's own event: action -> [(action, from, to)]
    system_after: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # Actions the relation allows but no argument can make succeed. Whether they are offered is left open here (see
    # test_sign_is_not_offered_when_everyone_has_signed in tests/actions/test_agreement.py); the call must be refused.
    no_valid_call: dict[str, str] = field(default_factory=dict)
    # Variants exist to reach the agreement and JC steps: there the do_* calls are limited to these actions (the
    # base scenario of the same status already calls everything); `available_actions` is still checked for all.
    focus: frozenset[str] | None = None

    @property
    def assigned(self) -> bool:
        return self.status not in UNASSIGNED

    @property
    def written_effective(self) -> bool:
        return self.status in [*AFTER_AGREEMENT, S.ARCHIVED, S.DISPOSED]


def last_at(case: Case) -> datetime:
    return case.events.order_by("-at", "-id").first().at + timedelta(hours=1)


def _draft(w: World, case: Case, *, deferred: bool) -> Case:
    at = last_at(case)
    deadline = local_date(at) + timedelta(days=30) if deferred else local_date(at)
    A.do_draft_agreement(
        case,
        w.mediator_a,
        facts=case.brief_facts,
        responsibilities="双方各自承担相应责任",
        terms=terms(case, deadline),
        at=at,
    )
    return case


def _sign_parties(w: World, case: Case) -> None:
    for p in parties(case):
        A.do_sign_agreement(case, w.mediator_a, party=p, method=SignatureMethod.FINGERPRINT, at=last_at(case))


def build_draft(status: CaseStatus) -> Callable[[World], Case]:
    def build(w: World) -> Case:
        return _draft(w, make_case(w, status), deferred=True)

    return build


def build_signed_unsealed(w: World) -> Case:
    case = _draft(w, make_case(w, S.IN_MEDIATION), deferred=True)
    _sign_parties(w, case)
    A.do_sign_agreement(case, w.mediator_a, party=None, method=SignatureMethod.HANDWRITTEN, at=last_at(case))
    return case


def build_sealed_without_mediator(w: World) -> Case:
    case = _draft(w, make_case(w, S.REMEDIATION), deferred=False)
    _sign_parties(w, case)
    A.do_seal_agreement(case, w.director_a, at=last_at(case))
    return case


def build_with_jc(status: CaseStatus, accepted: bool) -> Callable[[World], Case]:
    def build(w: World) -> Case:
        case = make_case(w, S.CLOSED if status == S.ARCHIVED else status)
        _jc_apply(w, case, w.mediator_a, last_at(case))
        if accepted:
            A.do_record_court_acceptance(
                case,
                w.court_liaison,
                accepted=True,
                on=_jc_on(case, last_at(case)),
                court_case_no="（2026）鄂1202民特3号",
                at=last_at(case),
            )
        if status == S.ARCHIVED:
            A.do_archive_case(case, w.mediator_a, retention_class=RetentionClass.Y10, pages=20, at=last_at(case))
        case.refresh_from_db()
        return case

    return build


def build_disposed(w: World) -> Case:
    case = make_case(w, S.ARCHIVED)
    A.do_dispose_case(
        case, w.county_admin, approval="经县司法局档案室审批销毁", at=case.archived_at + timedelta(days=3653 + 5)
    )
    case.refresh_from_db()
    return case


def build_plain(status: CaseStatus) -> Callable[[World], Case]:
    return lambda w: make_case(w, status)


def build_court_referred(w: World) -> Case:
    return make_case(w, S.IN_MEDIATION, source=CaseSource.REFERRED_COURT, court=w.court, court_mode="WEIPAI")


AGREEMENT_STEPS = frozenset({"draft_agreement", "sign_agreement", "seal_agreement", "oral_agreement"})
JC_STEPS = frozenset({"jc_apply", "jc_request", "jc_court_accept", "jc_court_refuse", "jc_decide"})
EFFECTIVE_THEN_PERFORMING = [
    ("agreement_effective", S.IN_MEDIATION, S.AGREEMENT_REACHED),
    ("performance_tracking", S.AGREEMENT_REACHED, S.PERFORMING),
]

SCENARIOS: list[Scenario] = [
    *[Scenario(s.value, s, build_plain(s)) for s in S if s != S.DISPOSED],
    Scenario("DISPOSED", S.DISPOSED, build_disposed),
    *[
        Scenario(f"{s.value}+draft", s, build_draft(s), draft=True, focus=AGREEMENT_STEPS)
        for s in (S.IN_MEDIATION, S.REMEDIATION)
    ],
    Scenario(
        "IN_MEDIATION+signed-unsealed",
        S.IN_MEDIATION,
        build_signed_unsealed,
        draft=True,
        focus=AGREEMENT_STEPS,
        system_after={"seal_agreement": EFFECTIVE_THEN_PERFORMING},
        no_valid_call={"sign_agreement": "every party and the mediator have signed the current text"},
    ),
    Scenario(
        "REMEDIATION+sealed-no-mediator",
        S.REMEDIATION,
        build_sealed_without_mediator,
        draft=True,
        sealed=True,
        parties_signed=True,
        focus=AGREEMENT_STEPS,
        system_after={"sign_agreement": [("agreement_effective", S.REMEDIATION, S.AGREEMENT_REACHED)]},
    ),
    *[
        Scenario(
            f"{s.value}+jc-applied", s, build_with_jc(s, False), jc=JCStatus.APPLIED, court_linked=True, focus=JC_STEPS
        )
        for s in (*AFTER_AGREEMENT, S.ARCHIVED)
    ],
    *[
        Scenario(
            f"{s.value}+jc-accepted", s, build_with_jc(s, True), jc=JCStatus.ACCEPTED, court_linked=True, focus=JC_STEPS
        )
        for s in (*AFTER_AGREEMENT, S.ARCHIVED)
    ],
    Scenario("IN_MEDIATION+court-referred", S.IN_MEDIATION, build_court_referred, court_linked=True),
]
BY_KEY = {sc.key: sc for sc in SCENARIOS}
