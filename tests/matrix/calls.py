"""Valid arguments for every non-SYSTEM action of cases.transitions: one `Call` per action for the matrix test, with
a `prepare` step where the action needs more than the status (a follow-up before confirming performance, ...)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from cases import actions as A
from cases.actions.base import local_date
from cases.enums import (
    CaseStatus,
    FollowUpOutcome,
    RecordKind,
    RetentionClass,
    Route,
    Satisfaction,
    SignatureMethod,
    TerminationReason,
)
from cases.models import Case, Party
from cases.permissions import current_agreement, current_jc
from cases.transitions import ACTIONS, TABLE, Rel
from tests.documents.paper import png_bytes, upload
from tests.world import TZ, World

S = CaseStatus


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
    online = {}
    if actor.role == Role.PARTY and agreement is not None:  # a party signs online: the text read and the session
        online = {"expected_hash": agreement.text_hash(), "session_ref": "0" * 64, "user_agent": "matrix"}
    party = unsigned[0] if unsigned else None
    A.do_sign_agreement(case, actor, party=party, method=SignatureMethod.HANDWRITTEN, at=at, **online)


def _dispose(w: World, case: Case, actor: User, at: datetime) -> None:
    # Today, as available_actions sees it: offered (and done) only where the retention period is over by now.
    at = max(at, timezone.now())
    A.do_dispose_case(case, actor, approval="经县司法局档案室审批销毁", at=at)


def _jc_apply(w: World, case: Case, actor: User, at: datetime) -> None:
    agreement = current_agreement(case)
    applied_on = local_date(agreement.effective_at) if agreement and agreement.effective_at else local_date(at)
    applicant = party_for(case, actor)
    consenting = other_party(case, applicant)
    requested_at = None
    if actor.role == Role.PARTY and applicant.user_id == actor.pk:
        # A party never applies alone: the other party asked online (an hour ago, from their own account, linked by
        # _prepare_jc_apply) and this party's consent completes the application, dated the day of the consent.
        consenting, applicant = applicant, Party.objects.get(pk=consenting.pk)
        requested_at, applied_on = at - timedelta(hours=1), local_date(at)
    A.do_apply_judicial_confirmation(
        case,
        actor,
        applicant=applicant,
        consenting=consenting,
        court=w.court,
        applied_on=applied_on,
        at=at,
        requested_at=requested_at,
    )


def _jc_request(w: World, case: Case, actor: User, at: datetime) -> None:
    """A party asks online that the other side apply jointly (the other side has an account: _prepare_jc_apply)."""
    A.do_request_joint_confirmation(
        case,
        actor,
        applicant=party_for(case, actor),
        court=w.court,
        address="桂花村3组",
        materials=["application", "agreement", "identity", "addresses"],
        at=at,
    )


def _prepare_jc_apply(w: World, case: Case, at: datetime) -> None:
    """The respondent has a portal account (the outsider's), so that they can have made the online request."""
    Party.objects.filter(case=case, user__isnull=True).exclude(pk=parties(case)[0].pk).update(user=w.outsider)


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


def _ward(case: Case) -> Party:
    """The party whose guardian consents (a minor in the +minor scenarios; elsewhere the applicant, refused)."""
    return next((p for p in parties(case) if p.needs_guardian), parties(case)[0])


def _joint():
    from cases.actions import joint

    return joint


def _hub():
    from referrals import hub

    return hub


def _merge(case: Case, actor: User, at: datetime):
    from referrals.duplicates import duplicates_of_case

    into = next((m.obj for m in duplicates_of_case(case) if m.kind == "case"), case)
    return _joint().do_merge_case(case, into, actor, reason="同一纠纷重复登记", at=at)


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
            # Before assignment no mediation has failed: the parties could not be reached.
            reason=TerminationReason.PARTY_UNREACHABLE if c.status == S.ACCEPTED else TerminationReason.NO_PROSPECT,
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
    "jc_apply": Call(_jc_apply, prepare=_prepare_jc_apply),
    "jc_request": Call(_jc_request, prepare=_prepare_jc_apply),
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
    "guardian_consent": Call(
        lambda w, c, u, at: A.do_record_guardian_consent(
            c, u, party=_ward(c), guardian_name="张父", consent_record="监护人到调委会当面签署同意书", at=at
        )
    ),
    "put_oral_in_writing": Call(
        lambda w, c, u, at: A.do_put_oral_agreement_in_writing(
            c, u, signers=[(p, SignatureMethod.FINGERPRINT) for p in parties(c)], at=at
        )
    ),
    # issue 8 §3, supervision
    "supervise": Call(
        lambda w, c, u, at: A.do_supervise_case(c, u, instruction="请抓紧办理本案并书面反馈进展情况", at=at)
    ),
    "urge": Call(lambda w, c, u, at: A.do_urge_case(c, u, text="请抓紧办理本案", at=at)),
    # issue 9 §3: a scan of a paper document filed in the dossier (a real PNG made here)
    "attach_scan": Call(
        lambda w, c, u, at: A.do_attach_scan(
            c, u, kind="identity", title="身份证复印件", upload=upload("id.png", png_bytes()), at=at
        )
    ),
    # issue 11 §5, §6: 并案 (into the case's probable duplicate; without one, into itself, which is refused) and
    # joint mediation (a mediator of village B joins; a judge is invited)
    "merge": Call(lambda w, c, u, at: _merge(c, u, at)),
    # No committee of the matrix's world is a 矛调中心: dispatching is refused to everyone here (tests/referrals/
    # test_hub_* cover the hub's members).
    "dispatch": Call(lambda w, c, u, at: _hub().dispatch(c, tier="SIMPLE", user=u, to_committee=w.village_b, at=at)),
    "joint_mediator": Call(lambda w, c, u, at: _joint().do_add_joint_mediator(c, w.mediator_b.mediator, u, at=at)),
    "invite_participant": Call(
        lambda w, c, u, at: _joint().do_invite_participant(
            c, u, role="JUDGE", name="张法官", body="咸宁市咸安区人民法院", at=at
        )
    ),
    # issue 13: 重新分类 to another type than the case's own
    "reclassify": Call(
        lambda w, c, u, at: A.do_reclassify(
            c, u, "CONTRACT" if c.dispute_type != "CONTRACT" else "NEIGHBOR", "经核实纠纷类型登记有误", at=at
        )
    ),
}

# Actions with a matrix of their own: the reply needs a pending 督办 record, which no scenario has
# (tests/supervision/test_duban_actions.py: who may reply, who may not, and that a refusal writes nothing).
OWN_MATRIX = {"supervision_reply"}

SYSTEM_ONLY = {a for a in ACTIONS if all(Rel.SYSTEM in r.rels for r in TABLE if r.action == a)}
MATRIX_ACTIONS = [a for a in ACTIONS if a not in SYSTEM_ONLY and a not in OWN_MATRIX]
