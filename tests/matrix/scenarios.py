"""The matrix scenarios: one case per status, plus variants that make the agreement and judicial-confirmation steps
reachable (a pending draft, signed but unsealed, a JC applied for or accepted, court-referred)."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cases import actions as A
from cases.actions.base import local_date
from cases.enums import CaseSource, CaseStatus, JCStatus, RetentionClass, SignatureMethod
from cases.identity import make_valid_id_number
from cases.models import Case
from demo.scenarios import Walker
from tests.matrix.calls import _jc_apply, _jc_on, parties, terms
from tests.world import TZ, World, case_data, make_case

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
    oral: bool = False  # the current agreement is an oral one
    oral_written: bool = False  # ... already put in writing (书面化)
    ward: bool = False  # a party is a minor whose guardian's consent is not yet recorded
    retention_over: bool = False  # an archived dossier whose retention period (cases.retention) is over
    duplicate: bool = False  # an intake case with a probable duplicate it can be merged into (issue 11 §5)

    @property
    def assigned(self) -> bool:
        return self.status not in UNASSIGNED

    @property
    def written_effective(self) -> bool:
        return self.status in [*AFTER_AGREEMENT, S.ARCHIVED, S.DISPOSED] and not self.oral


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


def build_retention_over(w: World) -> Case:
    """An archived dossier of class 10 years archived eleven years before today: its retention period is over, so
    the county bureau may dispose of it now (cases.retention). Only the archiving date is moved back."""
    case = make_case(w, S.ARCHIVED)
    Case.objects.filter(pk=case.pk).update(archived_at=datetime.now(TZ) - timedelta(days=11 * 366))
    case.refresh_from_db()
    return case


def build_disposed(w: World) -> Case:
    case = build_retention_over(w)
    A.do_dispose_case(case, w.county_admin, approval="经县司法局档案室审批销毁")
    case.refresh_from_db()
    return case


def build_plain(status: CaseStatus) -> Callable[[World], Case]:
    return lambda w: make_case(w, status)


def build_court_referred(w: World) -> Case:
    return make_case(w, S.IN_MEDIATION, source=CaseSource.REFERRED_COURT, court=w.court, court_mode="WEIPAI")


def build_with_minor(status: CaseStatus) -> Callable[[World], Case]:
    """The applicant (party_user) is 10 years old, represented by their father; no consent recorded yet."""

    def build(w: World) -> Case:
        data = case_data(w.party_user)
        data.parties[0].id_number = make_valid_id_number("421202", date(2016, 5, 17), 7)
        data.parties[0].guardian_name = "张父"
        return make_case(w, status, parties=data.parties)

    return build


def build_oral(status: CaseStatus, written: bool = False) -> Callable[[World], Case]:
    """An oral agreement (immediate, or deferred for PERFORMING/NON_PERFORMANCE), optionally put in writing."""

    def build(w: World) -> Case:
        if status in (S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE):
            case = make_case(w, S.IN_MEDIATION)
            at = last_at(case)
            A.do_record_oral_agreement(
                case,
                w.mediator_a,
                facts=case.brief_facts,
                terms=terms(case, local_date(at) + timedelta(days=0 if status == S.AGREEMENT_REACHED else 30)),
                oral_reason="双方认为无需书面协议",
                at=at,
            )
            if status == S.NON_PERFORMANCE:
                A.do_report_non_performance(case, w.mediator_a, partial=False, note="到期未支付", at=last_at(case))
        else:
            case = A.do_register_case(
                w.mediator_a, w.village_a, case_data(w.party_user), at=datetime(2026, 3, 2, 9, tzinfo=TZ)
            )
            Walker(case, w.cast_a(), datetime(2026, 3, 2, 9, tzinfo=TZ), random.Random(0), oral_share=1.0).walk(status)
        if written:
            signers = [(p, SignatureMethod.FINGERPRINT) for p in parties(case)]
            A.do_put_oral_agreement_in_writing(case, w.mediator_a, signers=signers, at=last_at(case))
        case.refresh_from_db()
        return case

    return build


def build_with_duplicate(w: World) -> Case:
    from demo.scenarios import same_dispute

    case = make_case(w, S.INTAKE)
    twin = A.do_register_case(w.mediator_a, w.village_a, same_dispute(case), at=case.registered_at - timedelta(days=2))
    A.do_accept_case(twin, w.director_a, at=case.registered_at - timedelta(days=1))
    return case


ORAL_STEPS = frozenset({"put_oral_in_writing", "jc_apply"})
AGREEMENT_STEPS = frozenset({"draft_agreement", "sign_agreement", "seal_agreement", "oral_agreement"})
JC_STEPS = frozenset({"jc_apply", "jc_request", "jc_court_accept", "jc_court_refuse", "jc_decide"})
EFFECTIVE_THEN_PERFORMING = [
    ("agreement_effective", S.IN_MEDIATION, S.AGREEMENT_REACHED),
    ("performance_tracking", S.AGREEMENT_REACHED, S.PERFORMING),
]

SCENARIOS: list[Scenario] = [
    *[Scenario(s.value, s, build_plain(s)) for s in S if s != S.DISPOSED],
    # 销毁 is offered only once the retention period is over: the plain ARCHIVED case was archived this year.
    Scenario("ARCHIVED+retention-over", S.ARCHIVED, build_retention_over, retention_over=True),
    Scenario("DISPOSED", S.DISPOSED, build_disposed),
    # 并案 is offered only where a probable duplicate exists: the same dispute registered earlier and accepted.
    Scenario("INTAKE+duplicate", S.INTAKE, build_with_duplicate, duplicate=True, focus=frozenset({"merge"})),
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
    # the law's remaining gaps (issue 8): a minor's guardian consents before assignment; oral agreements in writing
    *[
        Scenario(f"{s.value}+minor", s, build_with_minor(s), ward=True, focus=frozenset({"guardian_consent"}))
        for s in (S.INTAKE, S.ACCEPTED)
    ],
    *[Scenario(f"{s.value}+oral", s, build_oral(s), oral=True, focus=ORAL_STEPS) for s in AFTER_AGREEMENT],
    Scenario(
        "PERFORMED+oral-written",
        S.PERFORMED,
        build_oral(S.PERFORMED, written=True),
        oral=True,
        oral_written=True,
        focus=ORAL_STEPS | JC_STEPS,
    ),
]
BY_KEY = {sc.key: sc for sc in SCENARIOS}
