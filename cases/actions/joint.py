"""One dispute, one case (issue 11 §5) and joint mediation (§6).

- do_merge_case: a case still in intake, registered a second time for a dispute another case already carries (the
  same quarrel by 110, 12345 and a walk-in), is merged into the case that goes on: INTAKE → MERGED (row `merge`),
  `merged_into` set, its parties and history kept as they are; every referral it carried moves to the surviving
  case (a `referral_linked` event there), each keeping its own channel, clocks and reply. A MERGED case is not a
  case of its own in any statistic. (A pending referral joins a case through referrals.services.accept_referral
  with `into_case`.)
- do_add_joint_mediator: a mediator of another body joins the case as a co-mediator (联合调解); the presiding
  mediator stays the one the committee assigned. From then on that mediator sees and works on the case
  (cases.scoping, cases.permissions.relations).
- do_invite_participant: a judge, a lawyer, a department's officer or an expert invited to take part
  (referrals.models.JointParticipant), with their body.
- do_record_attendance: who of those took part in a given session or investigation (JointParticipant.sessions); the
  record and the dossier show each participant with their body.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from accounts.models import Role, User
from cases.actions.base import ActionRefused, check, lock, notify_after_commit, now_or, record, require
from cases.enums import CaseStatus
from cases.models import Case, MediationRecord
from cases.permissions import relations
from cases.transitions import Rel
from registry.models import Mediator

# The cases a duplicate may be merged into: a case that goes on (not one that ended without agreement, was closed,
# archived, refused, transferred, or merged itself).
MERGE_TARGET_STATES = frozenset(
    {
        CaseStatus.INTAKE,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_MEDIATION,
        CaseStatus.PAUSED,
        CaseStatus.REMEDIATION,
        CaseStatus.AGREEMENT_REACHED,
        CaseStatus.PERFORMING,
        CaseStatus.NON_PERFORMANCE,
    }
)


def county_of(division_code: str) -> str:
    """The county (区/县) part of a division code: duplicates are looked for, and merged, within one county."""
    return division_code[:6]


def hub_covers(user: User, case: Case) -> bool:
    """A member of a 矛调中心 (Committee.is_hub) acts for the whole area of its division: the intake window of the
    township or county sees what else is registered there (duplicates, merges)."""
    if user.role not in (Role.MEDIATOR, Role.DIRECTOR) or not user.committee_id or not user.is_active:
        return False
    committee = user.committee
    return bool(committee.is_hub and case.division_code.startswith(committee.division_id))


def may_act_on(user: User, case: Case) -> bool:
    """Whether `user` may take a duplicate into, or out of, `case`: a member of the case's committee, a supervisor
    whose division covers it, or a member of the 矛调中心 whose area covers it."""
    return bool(relations(user, case) & {Rel.MEMBER, Rel.SUPERVISOR}) or hub_covers(user, case)


def merge_refusal(case: Case, into: Case) -> str | None:
    """Why `case` cannot be merged into `into` (None: it can), whoever asks."""
    if case.pk == into.pk:
        return "不能将案件并入其自身"
    if case.status != CaseStatus.INTAKE:
        return f"只有待审查的案件可以并案，本案当前状态为“{CaseStatus(case.status).label}”"
    if into.status not in MERGE_TARGET_STATES or into.merged_into_id is not None:
        return f"并入的案件当前状态为“{CaseStatus(into.status).label}”，不能再并入其他案件"
    if county_of(case.division_code) != county_of(into.division_code):
        return "只能在同一县（市、区）内并案"
    return None


def do_merge_case(case: Case, into: Case, actor: User, *, reason: str = "", at: datetime | None = None) -> Case:
    """INTAKE → MERGED (row `merge`), by the director of the case's committee or a supervisor (or a 矛调中心 member
    covering both cases), who must also be able to act on `into`.

    Side effects: `case.merged_into = into`; the parties, records and history of `case` stay as they are (a party
    with a portal account follows `into` too: _link_party_accounts); each
    referral of `case` moves to `into` (a `referral_linked` event on `into`, by the system), keeping its channel,
    clocks and reply; both cases' people are told. Refuses a case merged into itself, a case not in intake, a target
    that does not go on, another county."""
    at = now_or(at)
    from api.webhooks import emit
    from referrals.enums import ReferralEventKind
    from referrals.models import Referral, ReferralEvent

    with transaction.atomic():
        # Lock both in a stable order so that two merges of the same pair serialise.
        first, second = sorted([case.pk, into.pk])
        if first == second:
            check(lock(case), "merge", actor)
            raise ActionRefused("不能将案件并入其自身", "into")
        locked = {c.pk: c for c in (lock(Case(pk=first)), lock(Case(pk=second)))}
        case, into = locked[case.pk], locked[into.pk]
        target = check(case, "merge", actor)
        refusal = merge_refusal(case, into)
        if refusal:
            raise ActionRefused(refusal, "into")
        require(may_act_on(actor, into), "您无权将案件并入该案件（须对两个案件均有管理权限）", "into")
        into_label = into.case_no or into.registration_no
        case.merged_into = into
        case.save(update_fields=["merged_into"])
        referrals = list(Referral.objects.select_for_update().filter(case=case).order_by("pk"))
        linked = _link_party_accounts(case, into)
        record(
            case,
            "merge",
            actor,
            at,
            to=target,
            note=f"并入{into_label}（{into.committee.name}）" + (f"：{reason.strip()}" if reason.strip() else ""),
            data={
                "into": into.pk,
                "into_no": into_label,
                "referrals": [r.pk for r in referrals],
                "parties_linked": linked,
            },
        )
        from triage.decisions import close_pending

        close_pending(case, actor, "并案")  # issue 13: an application's pending suggestion decided by the merger
        for referral in referrals:
            referral.case = into
            referral.save(update_fields=["case", "updated_at"])
            ReferralEvent.objects.create(
                referral=referral,
                kind=ReferralEventKind.MERGED,
                at=at,
                actor=actor,
                note=f"与同一纠纷的案件合并，由{into_label}继续办理",
                data={"from_case": case.pk, "case": into.pk, "case_no": into.case_no or ""},
            )
            # The institution hears of it from the outbox, in this transaction (a thin payload: numbers and times).
            body = {"status": referral.status, "external_no": referral.external_no, "merged_at": at.isoformat()}
            if into.case_no:
                body["case_no"] = into.case_no
            emit("referral.merged", institution=referral.institution, referral=referral, data=body, at=at)
            record(
                into,
                "referral_linked",
                None,
                at,
                note=f"{referral.institution.name}移送的{referral.external_no}随{case.registration_no}并入本案",
                data={"referral": referral.pk, "from_case": case.pk, "channel": referral.channel},
            )
        # The surviving case's own history names the case merged into it.
        check(into, "referral_linked", None)
        record(
            into,
            "referral_linked",
            None,
            at,
            note=f"同一纠纷的{case.registration_no}并入本案",
            data={"merged_case": case.pk, "referrals": [r.pk for r in referrals]},
        )
        notify_after_commit(case, f"本纠纷已与同一纠纷的{into_label}合并办理", actor, at=at)
        notify_after_commit(into, f"同一纠纷的{case.registration_no}已并入本案", actor, at=at)
    return case


def _link_party_accounts(case: Case, into: Case) -> list[int]:
    """A party who follows the merged case in the portal (an online applicant) follows the case that goes on: their
    account is linked to the same party there (same side, and the same ID number where both have one, else the same
    name), if that party has no account yet. Returns the parties of `into` linked."""
    linked = []
    for p in case.parties.exclude(user=None):
        same = into.parties.filter(side=p.side, user=None)
        match = same.filter(id_number_hash=p.id_number_hash).first() if p.id_number_hash else None
        if match is None:
            match = same.filter(name=p.name).first()
        if match is not None and not into.parties.filter(user_id=p.user_id).exists():
            match.user_id = p.user_id
            match.save(update_fields=["user"])
            linked.append(match.pk)
    return linked


def _other_body_mediator(case: Case, mediator: Mediator | None) -> Mediator:
    require(mediator is not None, "请选择联合调解的调解员", "mediator")
    require(mediator.is_active, f"{mediator.name}不是在任调解员", "mediator")
    require(mediator.committee_id != case.committee_id, "本调委会的调解员请通过“指派调解员”安排", "mediator")
    require(
        mediator.committee.division_id[:4] == case.division_code[:4],
        "联合调解的调解员须为本市调解组织的调解员",
        "mediator",
    )
    require(mediator not in case.mediators(), f"{mediator.name}已是本案调解员", "mediator")
    require(not case.recusals.filter(replaced=mediator).exists(), f"{mediator.name}已在本案回避", "mediator")
    return mediator


def do_add_joint_mediator(case: Case, mediator: Mediator, actor: User, *, at: datetime | None = None) -> Case:
    """Self-loop (row `joint_mediator`): the committee director or the presiding mediator asks a mediator of another
    body to mediate the case jointly. The mediator becomes a co-mediator; the presiding mediator stays the one the
    committee assigned (joint mediation needs one: refused before assignment)."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        check(case, "joint_mediator", actor)
        require(case.presiding_mediator_id is not None, "须先指派主持调解员，再邀请其他调解组织的调解员联合调解")
        mediator = _other_body_mediator(case, mediator)
        case.co_mediators.add(mediator)
        body = mediator.committee.name
        record(
            case,
            "joint_mediator",
            actor,
            at,
            note=f"{mediator.name}（{body}）参加联合调解，{case.presiding_mediator.name}主持",
            data={"mediator": mediator.pk, "committee": mediator.committee_id},
        )
        extra = [mediator.user] if mediator.user_id else []
        notify_after_commit(case, f"{mediator.name}（{body}）参加本案联合调解", actor, extra=extra, at=at)
    return case


def do_invite_participant(
    case: Case,
    actor: User,
    *,
    role: str,
    name: str,
    body: str,
    phone: str = "",
    at: datetime | None = None,
):
    """Self-loop (row `invite_participant`): a case's mediator or the director records someone invited to take part
    (a judge, a lawyer, a department's officer, an expert), with the body they come from."""
    from referrals.enums import ParticipantRole
    from referrals.models import JointParticipant

    at = now_or(at)
    require(role in ParticipantRole.values, "请选择参加人员的身份", "role")
    require(bool(name.strip()), "请填写参加人员姓名", "name")
    require(len(name.strip()) <= 50, "姓名不超过50个字", "name")
    require(bool(body.strip()), "请填写参加人员所在单位", "body")
    require(len(body.strip()) <= 100, "所在单位不超过100个字", "body")
    phone = phone.strip()
    require(
        not phone or (phone.isascii() and phone.replace("-", "").isdigit() and len(phone) <= 20),
        "联系电话格式不正确",
        "phone",
    )
    with transaction.atomic():
        case = lock(case)
        check(case, "invite_participant", actor)
        participant = JointParticipant.objects.create(
            case=case,
            role=role,
            name=name.strip(),
            body=body.strip(),
            phone=phone,
            invited_by=actor,
            invited_at=at,
        )
        label = ParticipantRole(role).label
        record(
            case,
            "invite_participant",
            actor,
            at,
            note=f"邀请{participant.body}{label}{participant.name}参加调解",
            data={"participant": participant.pk, "role": role},
        )
    return participant


def do_record_attendance(
    record_: MediationRecord, participants: Iterable, actor: User, *, at: datetime | None = None
) -> MediationRecord:
    """Who of the invited participants took part in a session (or an investigation): adds them to the record
    (JointParticipant.sessions). Taken by the people who record sessions and invite participants (the case's
    mediators, the director), in the states of `invite_participant`; an event on the case names them."""
    at = now_or(at)
    participants = list(participants)
    require(bool(participants), "请选择参加本次调解的人员", "participants")
    with transaction.atomic():
        case = lock(record_.case)
        check(case, "invite_participant", actor)
        for p in participants:
            require(p.case_id == case.pk, f"{p.name}不是本案邀请的参加人员", "participants")
        already = set(record_.joint_participants.values_list("pk", flat=True))
        new = [p for p in participants if p.pk not in already]
        require(bool(new), "所选人员已登记参加本次调解", "participants")
        record_.joint_participants.add(*new)
        names = "、".join(f"{p.name}（{p.body}）" for p in new)
        record(
            case,
            "invite_participant",
            actor,
            at,
            note=f"{record_.held_at:%Y-%m-%d}的{record_.get_kind_display()}参加人员：{names}",
            data={"record": record_.pk, "attended": [p.pk for p in new]},
        )
    return record_
