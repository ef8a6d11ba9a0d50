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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count

from accounts.models import User
from cases import actions as A
from cases.actions.base import local_date
from cases.enums import (
    CaseSource,
    CaseStatus,
    FollowUpOutcome,
    JCStatus,
    RecordKind,
    RetentionClass,
    Route,
    Satisfaction,
    SignatureMethod,
    TerminationReason,
)
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
from cases.permissions import available_actions, current_agreement, current_jc
from cases.transitions import ACTIONS, LABELS, TABLE, Rel
from tests.world import TZ, World, make_case
from workdays import calendar

S = CaseStatus
AFTER_AGREEMENT = [S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE, S.PERFORMED, S.CLOSED]
UNASSIGNED = {S.INTAKE, S.NOT_ACCEPTED, S.TRANSFERRED_OUT, S.ACCEPTED}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def fresh_caches():
    calendar.clear_cache()
    _parties_cache.clear()
    yield
    calendar.clear_cache()
    _parties_cache.clear()


# --- valid arguments for every action ------------------------------------------------------------------------


_parties_cache: dict[int, list[Party]] = {}


def parties(case: Case) -> list[Party]:
    """The case's parties in order (memoised per test: parties never change in these scenarios)."""
    if case.pk not in _parties_cache:
        _parties_cache[case.pk] = list(case.parties.order_by("order", "id"))
    return _parties_cache[case.pk]


def party_for(case: Case, actor: User) -> Party:
    """The actor's own party if the actor is a party to the case, else the applicant."""
    own = [p for p in parties(case) if p.user_id == actor.pk]
    return own[0] if own else parties(case)[0]


def other_party(case: Case, party: Party) -> Party:
    return next(p for p in parties(case) if p.pk != party.pk)


def terms(case: Case, deadline) -> list[A.TermData]:
    obligee, obligor = parties(case)[:2]
    return [
        A.TermData(
            obligor=obligor,
            obligee=obligee,
            content="被申请人向申请人支付排水沟修复费用",
            amount=Decimal("1500"),
            manner="银行转账",
            place="桂花村调委会",
            deadline=deadline,
        )
    ]


def at_on(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def _extend(w: World, case: Case, actor: User, at: datetime) -> None:
    due = case.time_limit_due
    if due is not None and local_date(at) < due - timedelta(days=3):
        at = at_on(due - timedelta(days=3))  # inside the 7-day window before the due date
    today = local_date(at)
    base = max(due or today, today)
    A.do_extend_time_limit(
        case,
        actor,
        new_due=base + timedelta(days=10),
        reason="等待双方补充证据材料",
        consent_record="双方当事人当面表示同意延长",
        consenting_parties=parties(case),
        at=at,
    )


def _sign(w: World, case: Case, actor: User, at: datetime) -> None:
    agreement = current_agreement(case)
    signed = set(agreement.valid_signatures().values_list("party_id", flat=True)) if agreement else set()
    unsigned = [p for p in parties(case) if p.pk not in signed]
    A.do_sign_agreement(case, actor, party=unsigned[0] if unsigned else None, method=SignatureMethod.HANDWRITTEN, at=at)


def _dispose(w: World, case: Case, actor: User, at: datetime) -> None:
    if case.archived_at is not None:
        at = max(at, case.archived_at + timedelta(days=3653 + 5))  # ten years of retention have passed
    A.do_dispose_case(case, actor, approval="经县司法局档案室审批销毁", at=at)


def _jc_apply(w: World, case: Case, actor: User, at: datetime) -> None:
    agreement = current_agreement(case)
    applied_on = local_date(agreement.effective_at) if agreement and agreement.effective_at else local_date(at)
    applicant = party_for(case, actor)
    A.do_apply_judicial_confirmation(
        case,
        actor,
        applicant=applicant,
        consenting=other_party(case, applicant),
        court=w.court,
        applied_on=applied_on,
        at=at,
    )


def _jc_on(case: Case, at: datetime, accepted: bool = False):
    jc = current_jc(case)
    if jc is None:
        return local_date(at)
    return (jc.accepted_on or jc.applied_on) if accepted else jc.applied_on


def _prepare_confirm(w: World, case: Case, at: datetime) -> None:
    A.do_record_follow_up(
        case,
        w.mediator_a,
        party=parties(case)[0],
        visited_on=local_date(at),
        outcome=FollowUpOutcome.PERFORMED,
        satisfaction=Satisfaction.SATISFIED,
        notes="回访确认款项已付清",
        at=at,
    )


def _prepare_close(w: World, case: Case, at: datetime) -> None:
    if case.status == S.NON_PERFORMANCE:  # closing from NON_PERFORMANCE needs a failed urging first
        A.do_urge_performance(case, w.mediator_a, note="电话督促义务人履行", at=at)
        A.do_report_non_performance(case, w.mediator_a, partial=False, note="督促后仍未履行", at=at)


Run = Callable[[World, Case, User, datetime], object]


@dataclass
class Call:
    run: Run
    prepare: Callable[[World, Case, datetime], None] | None = None


CALLS: dict[str, Call] = {
    "accept": Call(lambda w, c, u, at: A.do_accept_case(c, u, at=at)),
    "refuse": Call(
        lambda w, c, u, at: A.do_refuse_case(c, u, reason="纠纷已由法院立案受理", routes=[Route.LITIGATION], at=at)
    ),
    "transfer": Call(
        lambda w, c, u, at: A.do_transfer_case(
            c, u, reason="涉及跨区域纠纷，移交有关部门", to_authority="咸安区人力资源和社会保障局", at=at
        )
    ),
    "assign": Call(
        lambda w, c, u, at: A.do_assign_mediators(
            c, u, presiding=w.mediator_a.mediator, rights_notified=True, identities_checked=True, at=at
        )
    ),
    "recuse": Call(
        lambda w, c, u, at: A.do_recuse_mediator(
            c,
            u,
            party=parties(c)[0],
            replaced=c.presiding_mediator or w.mediator_a.mediator,
            replacement=w.mediator_a2.mediator,
            reason="调解员与对方当事人有亲属关系",
            at=at,
        )
    ),
    "record_investigation": Call(
        lambda w, c, u, at: A.do_record_mediation(
            c,
            u,
            kind=RecordKind.INVESTIGATION,
            held_at=at,
            place="村委会调解室",
            subject="张三",
            content="向申请人了解排水沟堵塞经过并查看现场。",
            at=at,
        )
    ),
    "record_session": Call(
        lambda w, c, u, at: A.do_record_mediation(
            c,
            u,
            kind=RecordKind.SESSION,
            held_at=at,
            place="调解室",
            subject="双方当事人",
            content="双方陈述事实，调解员释法说理，提出调解方案。",
            result="双方同意协商",
            at=at,
        )
    ),
    "extend": Call(_extend),
    "pause": Call(lambda w, c, u, at: A.do_pause_mediation(c, u, reason="等待伤情鉴定结论", at=at)),
    "resume": Call(lambda w, c, u, at: A.do_resume_mediation(c, u, note="鉴定结论已出", at=at)),
    "draft_agreement": Call(
        lambda w, c, u, at: A.do_draft_agreement(
            c,
            u,
            facts=c.brief_facts,
            responsibilities="双方各自承担相应责任",
            terms=terms(c, local_date(at) + timedelta(days=30)),
            at=at,
        )
    ),
    "sign_agreement": Call(_sign),
    "seal_agreement": Call(lambda w, c, u, at: A.do_seal_agreement(c, u, at=at)),
    "oral_agreement": Call(
        lambda w, c, u, at: A.do_record_oral_agreement(
            c, u, facts=c.brief_facts, terms=terms(c, local_date(at)), oral_reason="双方当场履行，无需书面协议", at=at
        )
    ),
    "terminate": Call(
        lambda w, c, u, at: A.do_terminate_mediation(
            c,
            u,
            reason=TerminationReason.NO_PROSPECT,
            note="双方分歧较大，无法达成一致",
            routes=[Route.LITIGATION, Route.ARBITRATION],
            at=at,
        )
    ),
    "party_refusal": Call(
        lambda w, c, u, at: A.do_record_party_refusal(
            c, u, party=party_for(c, u), statement="不愿意调解", routes=[Route.LITIGATION], at=at
        )
    ),
    "immediate_performance": Call(
        lambda w, c, u, at: A.do_record_immediate_performance(c, u, on=local_date(at), note="当场支付，收条附卷", at=at)
    ),
    "record_payment": Call(
        lambda w, c, u, at: A.do_record_payment(c, u, on=local_date(at), note="银行转账", amount=Decimal("100"), at=at)
    ),
    "record_follow_up": Call(
        lambda w, c, u, at: A.do_record_follow_up(
            c,
            u,
            party=parties(c)[0],
            visited_on=local_date(at),
            outcome=FollowUpOutcome.PERFORMED,
            satisfaction=Satisfaction.SATISFIED,
            notes="当事人关系缓和",
            at=at,
        )
    ),
    "confirm_performed": Call(
        lambda w, c, u, at: A.do_confirm_performed(c, u, note="已履行完毕", at=at), prepare=_prepare_confirm
    ),
    "report_non_performance": Call(
        lambda w, c, u, at: A.do_report_non_performance(c, u, partial=True, note="到期只支付了一半", at=at)
    ),
    "urge_performance": Call(lambda w, c, u, at: A.do_urge_performance(c, u, note="上门督促义务人履行", at=at)),
    "remediate": Call(
        lambda w, c, u, at: A.do_start_remediation(
            c, u, reason="双方对履行方式产生新争议", revoke=False, consenting_parties=parties(c), at=at
        )
    ),
    "close": Call(
        lambda w, c, u, at: A.do_close_case(c, u, summary="案件办理完毕，予以结案", advised_litigation=True, at=at),
        prepare=_prepare_close,
    ),
    "archive": Call(lambda w, c, u, at: A.do_archive_case(c, u, retention_class=RetentionClass.Y10, pages=12, at=at)),
    "dispose": Call(_dispose),
    "jc_apply": Call(_jc_apply),
    "jc_court_accept": Call(
        lambda w, c, u, at: A.do_record_court_acceptance(
            c, u, accepted=True, on=_jc_on(c, at), court_case_no="（2026）鄂1202民特15号", at=at
        )
    ),
    "jc_court_refuse": Call(
        lambda w, c, u, at: A.do_record_court_acceptance(
            c, u, accepted=False, on=_jc_on(c, at), reason="申请材料不全", at=at
        )
    ),
    "jc_decide": Call(
        lambda w, c, u, at: A.do_record_court_decision(c, u, valid=True, on=_jc_on(c, at, accepted=True), at=at)
    ),
}

SYSTEM_ONLY = {a for a in ACTIONS if all(Rel.SYSTEM in r.rels for r in TABLE if r.action == a)}
MATRIX_ACTIONS = [a for a in ACTIONS if a not in SYSTEM_ONLY]


# --- scenarios ----------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    status: CaseStatus
    build: Callable[[World], Case]
    draft: bool = False  # a DRAFT written agreement is current
    sealed: bool = False  # ... and already carries the committee seal
    jc: JCStatus = JCStatus.NOT_APPLIED
    court_linked: bool = False  # referred by world.court or a JC at world.court
    # SYSTEM events expected after the actor's own event: action -> [(action, from, to)]
    system_after: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # Actions the relation allows but no argument can make succeed. Whether they are offered is left open here (see
    # test_sign_is_not_offered_when_everyone_has_signed in test_actions_guards.py); the call must be refused.
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
JC_STEPS = frozenset({"jc_apply", "jc_court_accept", "jc_court_refuse", "jc_decide"})
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


# --- the expectation, written from the table ------------------------------------------------------------------


def expected_rels(persona: str, sc: Scenario) -> set[Rel]:
    """Relations of each persona to a village-A case presided over by mediator_a, with party_user as applicant."""
    if persona == "director_a":
        return {Rel.MEMBER, Rel.DIRECTOR}
    if persona == "mediator_a":
        return {Rel.MEMBER, Rel.MEDIATOR} if sc.assigned else {Rel.MEMBER}
    if persona == "mediator_a2":
        return {Rel.MEMBER}
    if persona == "county_admin":
        return {Rel.COUNTY}
    if persona == "court_liaison":
        return {Rel.COURT} if sc.court_linked else set()
    if persona == "party_user":
        return {Rel.PARTY}
    return set()  # mediator_b, mediator_c, sfs_officer, other_county_admin, city_admin, outsider


def extra_ok(action: str, sc: Scenario) -> bool:
    if action == "jc_apply":
        return sc.written_effective and sc.jc in (JCStatus.NOT_APPLIED, JCStatus.WITHDRAWN, JCStatus.NOT_ACCEPTED)
    if action in ("jc_court_accept", "jc_court_refuse"):
        return sc.jc == JCStatus.APPLIED
    if action == "jc_decide":
        return sc.jc == JCStatus.ACCEPTED
    if action == "sign_agreement":
        return sc.draft
    if action == "seal_agreement":
        return sc.draft and not sc.sealed
    if action == "recuse":
        return sc.assigned
    return True


def table_rows(action: str, status: CaseStatus):
    return [r for r in TABLE if r.action == action and r.source == status and Rel.SYSTEM not in r.rels]


def expected_allowed(action: str, sc: Scenario, rels: set[Rel]) -> bool:
    return any(rels & r.rels for r in table_rows(action, sc.status)) and extra_ok(action, sc)


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
    assert SYSTEM_ONLY == {"agreement_effective", "performance_tracking"}


def test_every_table_row_is_offered_to_someone_in_some_scenario():
    """The scenarios are rich enough: every non-SYSTEM (action, status) row gets an allowed, executed call."""
    personas = [
        "director_a",
        "mediator_a",
        "mediator_a2",
        "mediator_b",
        "mediator_c",
        "sfs_officer",
        "county_admin",
        "other_county_admin",
        "city_admin",
        "court_liaison",
        "party_user",
        "outsider",
    ]
    uncovered = []
    for row in TABLE:
        if Rel.SYSTEM in row.rels:
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
