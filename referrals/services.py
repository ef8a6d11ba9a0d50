"""The one door for every change of a referral (as cases.actions is for cases): each function is one transaction,
checks who may act, writes the append-only ReferralEvent, keeps the referral's clocks (referrals.clocks), and emits
what the institution must hear of as a webhook from the outbox (api.webhooks.emit). Pages, the API, the hub, the
timers and the demo call these functions and nothing else.

Who acts: `user` is a person (a committee member, a hub member, a supervisor, a liaison); `client` is an
institution's API client (api.ApiClient); both None is the system (a timer). Refusals raise
cases.actions.ActionRefused with a Chinese message (and the field it concerns, if any: a payload field, or
`parties[i].name` for the i-th party counted from 0).

Contract (issue 11 skeleton; implemented by h-core). Changes of the case itself go through cases.actions (the one
door); those are imported inside the functions, because cases.actions.base imports this module.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from cases.models import Case
from referrals import clocks
from referrals.enums import (
    CASE_SOURCE_OF_CHANNEL,
    Channel,
    ContactResult,
    CourtTermination,
    Procedure,
    ReferralEventKind,
    ReferralStatus,
)
from referrals.models import Institution, Referral, ReferralEvent, ReferralParty

LIAISON_ROLES = (Role.COURT_LIAISON, Role.INSTITUTION_LIAISON, Role.API_CLIENT)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


@dataclass
class ReferralPartyData:
    side: str  # cases.enums.PartySide
    name: str
    phone: str = ""
    service_address: str = ""
    address: str = ""
    party_type: str = "NATURAL_PERSON"
    # A natural person's resident ID number; for a legal person or another organisation its 统一社会信用代码.
    id_number: str = ""
    consented: bool = False
    consent_how: str = ""


@dataclass
class ReferralData:
    external_no: str
    brief_facts: str
    claims: str
    parties: list[ReferralPartyData] = field(default_factory=list)
    referral_type: str = ""  # WEIPAI / WEITUO / YAOQING for courts
    procedure: str = ""  # ORDINARY / SIMPLE for 委托
    handler_name: str = ""
    handler_phone: str = ""
    dispute_type: str = ""
    cause: str = ""
    place: str = ""
    occurred_on: date | None = None
    amount_involved: Decimal = Decimal("0")
    consent_note: str = ""
    designated_committee_id: int | None = None
    designated_mediator_id: int | None = None
    chosen_by: str = ""
    sent_at: datetime | None = None
    # The kind of matter, where the channel's clock depends on it (data/referral_channels.json "types": 12345
    # CONSULTATION / COMPLAINT, police COMPLEX); "" = the channel's default clock.
    matter_type: str = ""


# --- helpers -------------------------------------------------------------------------------------------------


def _refuse(message: str, field_name: str | None = None):
    from cases.actions.base import ActionRefused

    return ActionRefused(message, field_name)


def _require(condition: bool, message: str, field_name: str | None = None) -> None:
    if not condition:
        raise _refuse(message, field_name)


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("institution", "receiver", "case")
        .get(pk=referral.pk)
    )


def _cn_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _status_label(referral: Referral) -> str:
    return str(ReferralStatus(referral.status).label)


def valid_phone(phone: str) -> bool:
    p = (phone or "").strip().replace(" ", "")
    return bool(_MOBILE.match(p) or _LANDLINE.match(p))


def _event(
    referral: Referral,
    kind: str,
    at: datetime,
    *,
    user: User | None = None,
    client=None,
    note: str = "",
    data: dict | None = None,
) -> ReferralEvent:
    from cases.enums import ActorKind

    if client is not None:
        actor_kind = ActorKind.API_CLIENT
    elif user is not None:
        actor_kind = ActorKind.PERSON
    else:
        actor_kind = ActorKind.SYSTEM
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        at=at,
        actor=user if client is None else None,
        actor_kind=actor_kind,
        api_client=client,
        note=note[:2000],
        data=data or {},
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _emit(referral: Referral, event_type: str, at: datetime, **data) -> None:
    """The thin payload (no names, phones or ID numbers): ids, status, numbers, times."""
    from api.webhooks import emit

    body = {"status": referral.status, "external_no": referral.external_no}
    if referral.case_id and referral.case.case_no:
        body["case_no"] = referral.case.case_no
    body.update({k: v for k, v in data.items()})
    emit(event_type, institution=referral.institution, referral=referral, data=body, at=at)


def receiver_staff_ids(referral: Referral) -> set[int]:
    """Who at the receiving body hears of the referral: its director(s) and members before acceptance; the case's
    director(s) and mediators after it."""
    staff = User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.MEDIATOR])
    if referral.case_id:
        from notifications.services import case_recipient_ids, party_user_ids

        case = referral.case
        return case_recipient_ids(case) - party_user_ids(case)
    return set(staff.filter(committee_id=referral.receiver_id).values_list("pk", flat=True))


def _notify_staff(referral: Referral, kind: str, message: str, at: datetime, *, sms: str | None = None, actor=None):
    from notifications.services import notify

    notify(receiver_staff_ids(referral), kind, message, case=referral.case, actor=actor, at=at, sms=sms)


def _sync(referral: Referral, at: datetime) -> None:
    clocks.sync_clocks(referral, at)


def _is_liaison_of(user: User | None, institution: Institution) -> bool:
    from referrals.scoping import institution_of

    return bool(
        user is not None
        and user.is_active
        and user.role in LIAISON_ROLES
        and (inst := institution_of(user)) is not None
        and inst.pk == institution.pk
    )


def liaison_ids(institution: Institution) -> set[int]:
    """The active liaisons of an institution (a court's also by their registry court)."""
    from django.db.models import Q

    q = Q(institution=institution)
    if institution.court_id:
        q |= Q(role=Role.COURT_LIAISON, court_id=institution.court_id)
    people = User.objects.filter(q, is_active=True, role__in=[Role.COURT_LIAISON, Role.INSTITUTION_LIAISON])
    return set(people.values_list("pk", flat=True))


def _check_sender(institution: Institution, user: User | None, client) -> None:
    if client is not None:
        _require(client.is_active and client.institution_id == institution.pk, "该接口客户端无权代表本机构移送")
    elif user is not None:
        _require(_is_liaison_of(user, institution), "只有本机构的联络员可以办理本机构的移送")


def _is_receiver_member(user: User | None, referral: Referral, *, director: bool = False) -> bool:
    if user is None or not user.is_active or user.committee_id != referral.receiver_id:
        return False
    return user.role == Role.DIRECTOR if director else user.role in (Role.DIRECTOR, Role.MEDIATOR)


def _is_case_staff(user: User | None, referral: Referral) -> bool:
    """A member of the committee that holds the referral's case (not recused)."""
    from cases.permissions import relations
    from cases.transitions import Rel

    if user is None or not referral.case_id:
        return False
    return bool({Rel.MEMBER, Rel.DIRECTOR} & relations(user, referral.case))


def allowed_actions(referral: Referral, user: User) -> set[str]:
    """What `user` may do with the referral now (pages offer exactly these): accept, decline, withdraw, contact,
    reply, report, attach."""
    out: set[str] = set()
    pending = referral.status == ReferralStatus.PENDING
    if pending and _is_receiver_member(user, referral, director=True):
        out |= {"accept", "decline"}
    if pending and _is_liaison_of(user, referral.institution):
        out.add("withdraw")
    if referral.is_open and _is_liaison_of(user, referral.institution):
        out.add("attach")
    accepted = referral.status == ReferralStatus.ACCEPTED
    if accepted and not referral.contact_result and _is_case_staff(user, referral):
        out.add("contact")
    if referral.is_open and (_is_case_staff(user, referral) or _is_receiver_member(user, referral)):
        out.add("reply")
    if accepted and _is_case_staff(user, referral) and awaits_report(referral):
        out.add("report")
    return out


def awaits_report(referral: Referral) -> bool:
    """An accepted referral whose case ended without agreement: the failure report is due (art. 21)."""
    from cases.enums import Outcome

    return bool(
        referral.status == ReferralStatus.ACCEPTED and referral.case_id and referral.case.outcome == Outcome.FAILURE
    )


# --- receiving -----------------------------------------------------------------------------------------------


def _validate_party(p: ReferralPartyData, i: int, today: date) -> None:
    from cases import identity
    from cases.enums import PartySide, PartyType

    where, key = f"第{i + 1}位当事人", f"parties[{i}]"
    _require(bool((p.name or "").strip()), f"{where}的姓名或名称不能为空", f"{key}.name")
    _require(len(p.name.strip()) <= 100, f"{where}的姓名或名称过长", f"{key}.name")
    _require(p.side in PartySide.values, f"{where}的地位无效（申请人或被申请人）", f"{key}.side")
    _require(p.party_type in PartyType.values, f"{where}的类型无效", f"{key}.party_type")
    if p.phone:
        _require(valid_phone(p.phone), f"{where}的联系电话格式不正确", f"{key}.phone")
    _require(len(p.service_address or "") <= 200, f"{where}的送达地址过长", f"{key}.service_address")
    _require(len(p.address or "") <= 200, f"{where}的住所过长", f"{key}.address")
    if p.party_type == PartyType.NATURAL_PERSON:
        if p.side == PartySide.APPLICANT:
            _require(bool(p.id_number), f"{where}（申请人）须提供身份证号码", f"{key}.id_number")
        if p.id_number:
            err = identity.id_number_error(p.id_number, today)
            _require(err is None, f"{where}：{err}", f"{key}.id_number")
            born = identity.birth_date_from_id(p.id_number)
            _require(
                identity.age_at(born, today) >= 18,
                f"{where}为未成年人，须由其法定代理人参加调解，请与调解组织联系后线下移送",
                f"{key}.id_number",
            )
    else:
        if p.side == PartySide.APPLICANT:
            _require(bool(p.id_number), f"{where}（申请人）须提供统一社会信用代码", f"{key}.id_number")
        if p.id_number:
            err = identity.credit_code_error(p.id_number)
            _require(err is None, f"{where}：{err}", f"{key}.id_number")


def _route(data: ReferralData, institution: Institution):
    """The designated committee (or the designated mediator's), else the institution's 矛调中心."""
    from registry.models import Committee, Mediator

    committee = mediator = None
    if data.designated_committee_id is not None:
        committee = Committee.objects.filter(pk=data.designated_committee_id).first()
        _require(committee is not None, "指定的调解组织不存在", "designated_committee_id")
        _require(committee.is_active, f"指定的调解组织“{committee.name}”已停用", "designated_committee_id")
        _require(
            committee.division_id[:4] == institution.division_id[:4],
            f"指定的调解组织“{committee.name}”不在本机构所在市，不能接收本机构的移送",
            "designated_committee_id",
        )
    if data.designated_mediator_id is not None:
        mediator = Mediator.objects.select_related("committee").filter(pk=data.designated_mediator_id).first()
        _require(mediator is not None and mediator.is_active, "指定的调解员不存在或已不在任", "designated_mediator_id")
        if committee is None:
            committee = mediator.committee
            _require(committee.is_active, f"指定调解员所在的调解组织“{committee.name}”已停用", "designated_mediator_id")
            _require(
                committee.division_id[:4] == institution.division_id[:4],
                "指定的调解员不在本机构所在市的调解组织",
                "designated_mediator_id",
            )
        _require(mediator.committee_id == committee.pk, "指定的调解员不属于指定的调解组织", "designated_mediator_id")
    if committee is None:
        committee = institution.default_receiver
        _require(
            committee is not None and committee.is_active,
            "未指定调解组织，且本机构没有可用的默认接收单位（矛调中心）",
            "designated_committee_id",
        )
    return committee, mediator


def validate_referral(data: ReferralData, institution: Institution, at: datetime) -> None:
    """Every check of a referral's payload, naming the field (the API maps it to its error's `field`)."""
    from cases.enums import CourtReferralType, DisputeType, MediatorChosenBy, PartySide

    today = clocks.local_date(at)
    external_no = (data.external_no or "").strip()
    _require(bool(external_no), "请填写来文编号（法院案号、信访件号、工单号或警情号）", "external_no")
    _require(len(external_no) <= 60, "来文编号不能超过60个字符", "external_no")
    _require(len((data.brief_facts or "").strip()) >= 10, "简要案情至少写10个字", "brief_facts")
    _require(bool((data.claims or "").strip()), "请填写诉讼请求或申请事项", "claims")
    _require(bool(data.parties), "请填写当事人", "parties")
    sides = {p.side for p in data.parties}
    _require(
        PartySide.APPLICANT in sides and PartySide.RESPONDENT in sides, "至少需要一名申请人和一名被申请人", "parties"
    )
    for i, p in enumerate(data.parties):
        _validate_party(p, i, today)
    if institution.kind == Channel.COURT:
        # The case registered on acceptance names its court (the 法院委托移送 source requires one): a court institution
        # not linked to the registry's court could be sent to but never accepted, so it is refused up front.
        _require(
            institution.court_id is not None, "该法院尚未关联法院名册，请联系司法局管理员完善机构信息", "institution"
        )
        _require(
            data.referral_type in (CourtReferralType.WEIPAI, CourtReferralType.WEITUO, CourtReferralType.YAOQING),
            "法院移送须注明委派、委托或邀请调解",
            "referral_type",
        )
        if data.referral_type == CourtReferralType.WEITUO:
            _require(
                data.procedure in (Procedure.ORDINARY, Procedure.SIMPLE),
                "委托调解须注明普通程序或简易程序",
                "procedure",
            )
        else:
            _require(data.procedure in ("", *Procedure.values), "审理程序无效", "procedure")
    else:
        _require(not data.referral_type, "只有人民法院的移送才有委派、委托或邀请方式", "referral_type")
        _require(not data.procedure, "只有人民法院委托调解才需注明审理程序", "procedure")
    _require(data.dispute_type in ("", *DisputeType.values), "纠纷类型无效", "dispute_type")
    _require(data.chosen_by in ("", *MediatorChosenBy.values), "调解组织或调解员产生方式无效", "chosen_by")
    _require(
        data.amount_involved is not None and data.amount_involved >= 0 and data.amount_involved < Decimal("1e12"),
        "涉及金额不能为负数",
        "amount_involved",
    )
    if data.handler_phone:
        _require(valid_phone(data.handler_phone), "承办人电话格式不正确", "handler_phone")
    _require(len(data.handler_name or "") <= 50, "承办人姓名过长", "handler_name")
    _require(len(data.cause or "") <= 100, "案由过长", "cause")
    _require(len(data.place or "") <= 200, "纠纷发生地过长", "place")
    _require(len(data.consent_note or "") <= 300, "当事人同意调解情况过长", "consent_note")
    _require(data.occurred_on is None or data.occurred_on <= today, "纠纷发生日期不能晚于今天", "occurred_on")
    _require(data.sent_at is None or data.sent_at <= at + timedelta(minutes=10), "移送时间不能晚于现在", "sent_at")
    if data.matter_type:
        _require(
            data.matter_type in clocks.channel_types(institution.kind),
            "该渠道没有这一事项类别",
            "matter_type",
        )
    live = Referral.objects.filter(institution=institution, external_no=external_no).exclude(
        status__in=[ReferralStatus.DECLINED, ReferralStatus.RETURNED, ReferralStatus.WITHDRAWN]
    )
    _require(not live.exists(), f"来文编号{external_no}的移送已在办理中，请勿重复移送", "external_no")


def _create_referral(**fields) -> Referral:
    """Create the row; a concurrent send of the same live number loses on the unique constraint (refused, 409)."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            return Referral.objects.create(**fields)
    except IntegrityError:
        raise _refuse(f"来文编号{fields['external_no']}的移送已在办理中，请勿重复移送", "external_no") from None


def receive_referral(
    data: ReferralData, *, institution: Institution, user: User | None = None, client=None, at: datetime | None = None
) -> Referral:
    """Record a referral sent by `institution` (through its liaison `user` or its API `client`): validates the
    payload (ActionRefused naming the field), routes it to the designated committee or else the institution's
    default receiver (its 矛调中心), starts the accept-by clock (3 working days) and the channel's clock, notifies
    the receiver, emits referral.received."""
    from cases.enums import PartySide
    from notifications.enums import NoticeKind

    at = _now(at)
    _require(institution.is_active, "该机构已停用，不能移送")
    _check_sender(institution, user, client)
    validate_referral(data, institution, at)
    receiver, mediator = _route(data, institution)
    clock = clocks.channel_clock(institution.kind, data.matter_type)
    with transaction.atomic():
        referral = _create_referral(
            institution=institution,
            channel=institution.kind,
            referral_type=data.referral_type or "",
            procedure=data.procedure or "",
            external_no=data.external_no.strip(),
            handler_name=(data.handler_name or "").strip(),
            handler_phone=(data.handler_phone or "").strip(),
            dispute_type=data.dispute_type or "",
            cause=(data.cause or "").strip(),
            brief_facts=data.brief_facts.strip(),
            claims=data.claims.strip(),
            place=(data.place or "").strip(),
            occurred_on=data.occurred_on,
            amount_involved=data.amount_involved or Decimal("0"),
            consent_note=(data.consent_note or "").strip(),
            designated_committee_id=data.designated_committee_id,
            designated_mediator=mediator,
            chosen_by=data.chosen_by or "",
            receiver=receiver,
            division_code=receiver.division_id,
            sent_at=data.sent_at or at,
            received_at=at,
            accept_by=clocks.accept_by(institution.kind, at),
            channel_due=clocks.channel_due(clock, at)
            if clock and not clocks.channel_starts_at_acceptance(clock)
            else None,
            created_by=user if client is None else None,
            created_by_client=client,
        )
        # Applicants first, in the order sent (the case's parties keep this order).
        ordered = sorted(data.parties, key=lambda p: 0 if p.side == PartySide.APPLICANT else 1)
        for i, p in enumerate(ordered, start=1):
            row = ReferralParty(
                referral=referral,
                side=p.side,
                party_type=p.party_type,
                name=p.name.strip(),
                phone=(p.phone or "").strip().replace(" ", ""),
                service_address=(p.service_address or "").strip(),
                address=(p.address or "").strip(),
                consented=bool(p.consented),
                consent_how=(p.consent_how or "").strip()[:100],
                order=i,
            )
            row.set_id_number(p.id_number)
            row.save()
        _event(
            referral,
            ReferralEventKind.RECEIVED,
            at,
            user=user,
            client=client,
            note=f"收到{institution.name}的移送（{data.external_no.strip()}），由{receiver.name}接收",
            data={
                "receiver": receiver.pk,
                "matter_type": data.matter_type,
                "accept_by": referral.accept_by.isoformat(),
            },
        )
        _sync(referral, at)
        _notify_staff(
            referral,
            NoticeKind.REFERRAL_RECEIVED,
            f"收到{institution.name}移送的纠纷{referral.reference}，请于{_cn_day(referral.accept_by)}前答复是否接收",
            at,
            sms=f"收到{institution.name}移送的纠纷{referral.reference}，请于{_cn_day(referral.accept_by)}前登录调解平台答复是否接收。",
        )
        _emit(
            referral,
            "referral.received",
            at,
            reference=referral.reference,
            received_at=at.isoformat(),
            accept_by=referral.accept_by.isoformat(),
            channel_due=_iso(referral.channel_due),
        )
    return referral


# --- the handshake -------------------------------------------------------------------------------------------


def _case_data(referral: Referral, dispute_type: str):
    from cases import identity
    from cases.actions import CaseData, PartyData
    from cases.enums import PartyType

    parties = []
    for p in referral.parties.all():
        number = identity.decrypt_id_number(p.id_number_encrypted) if p.id_number_encrypted else ""
        natural = p.party_type == PartyType.NATURAL_PERSON
        parties.append(
            PartyData(
                side=p.side,
                name=p.name,
                party_type=p.party_type,
                phone=p.phone,
                address=p.address or p.service_address,
                id_number=number if natural else "",
                credit_code="" if natural else number,
            )
        )
    court = referral.institution.court if referral.channel == Channel.COURT else None
    return CaseData(
        source=CASE_SOURCE_OF_CHANNEL[Channel(referral.channel)],
        dispute_type=dispute_type,
        brief_facts=referral.brief_facts,
        claims=referral.claims,
        parties=parties,
        amount_involved=referral.amount_involved,
        occurred_on=referral.occurred_on,
        referral_body=referral.institution.name,
        court=court,
        court_mode=referral.referral_type if court is not None else "",
        court_case_no=referral.external_no if court is not None else "",
    )


def _triage_suggestion(referral: Referral, opt_out: bool):
    """BEFORE the acceptance's transaction (triage is advice: no lock held while the model loads, and the acceptance
    goes on if it fails): what triage suggests for the referral's facts; None when the director ticked the party's
    opt-out (PIPL art. 24), triage is switched off or the engine failed."""
    from triage import decisions

    if opt_out:
        return None
    return decisions.compute(
        decisions.case_text(referral.brief_facts, referral.claims),
        headcount=len(referral.parties.all()) or None,
        amount_yuan=referral.amount_involved or None,
        division_code=referral.division_code,
    )


def _triage_decided(referral: Referral, case: Case, user: User, suggestion, level: str, route: str) -> None:
    from triage import decisions
    from triage.enums import Subject

    stored = decisions.record_suggestion(
        Subject.REFERRAL,
        decisions.case_text(referral.brief_facts, referral.claims),
        suggestion,
        case=case,
        obj=referral,
        division_code=referral.division_code,
    )
    if stored is not None:
        decisions.decide_as_suggested_but(stored, user, dispute_type=case.dispute_type, risk_level=level, route=route)


def accept_referral(
    referral: Referral,
    user: User,
    *,
    at: datetime | None = None,
    into_case: Case | None = None,
    dispute_type: str = "",
    note: str = "",
    triage_level: str = "",
    triage_route: str = "",
    triage_opt_out: bool = False,
) -> Case:
    """The receiving committee accepts (在线调解规则 art. 12): registers and accepts a case (cases.actions) with the
    referral's parties, source and court data, or joins `into_case` (a duplicate, §5); starts the contact clock (3
    working days) and the mediation clock (30 / 15 / 7 days from acceptance); emits referral.accepted.

    Only the director of the receiving body accepts (as they accept a case). `dispute_type` classifies a referral
    that came without one. A court referral's mediation clock becomes the new case's time limit. Issue 13: the
    triage suggestion for the referral's facts is stored with the director's decision (the case's type, the
    level and route confirmed: `triage_level` / `triage_route`, blank = as suggested) in this transaction; none
    when `triage_opt_out` (PIPL art. 24) and none for a referral joined to an existing case (nobody decides there)."""
    from cases import actions as A
    from cases.actions.base import check, lock, record
    from cases.enums import DisputeType, SystemJob
    from cases.permissions import relations
    from cases.transitions import Rel

    at = _now(at)
    suggestion = _triage_suggestion(referral, triage_opt_out) if into_case is None else None
    with transaction.atomic():
        referral = _lock(referral)
        _require(referral.status == ReferralStatus.PENDING, f"该移送当前为“{_status_label(referral)}”，不能再接收")
        _require(
            _is_receiver_member(user, referral, director=True),
            f"只有{referral.receiver.name}的调委会主任可以接收该移送",
        )
        court_due = None
        if referral.channel == Channel.COURT:
            court_due = clocks.court_mediation_due(referral.referral_type, referral.procedure, at)
        if into_case is None:
            dtype = dispute_type or referral.dispute_type
            _require(dtype in DisputeType.values, "请选择纠纷类型", "dispute_type")
            # The case reaches the system the moment the referral is accepted (not later: nobody typed it in).
            case = A.do_register_case(user, referral.receiver, _case_data(referral, dtype), at=at, entered_at=at)
            case = A.do_accept_case(case, user, note=note, at=at, time_limit_due=court_due)
            case = lock(case)
            action = "referral_accepted"
        else:
            case = lock(into_case)
            _require(
                bool({Rel.MEMBER, Rel.DIRECTOR} & relations(user, case)),
                "只能并入本调委会办理的案件",
                "into_case",
            )
            action = "referral_linked"
        check(case, action, None)
        record(
            case,
            action,
            None,
            at,
            note=f"接收{referral.institution.name}的移送{referral.reference}（{referral.external_no}）",
            data={"referral": referral.pk, "by": user.pk},
            job=SystemJob.REFERRAL_MONITOR,
        )
        if into_case is None:
            _triage_decided(referral, case, user, suggestion, triage_level, triage_route)
        referral.status = ReferralStatus.ACCEPTED
        referral.accepted_at, referral.accepted_by, referral.case = at, user, case
        referral.contact_by = clocks.contact_by(referral.channel, at)
        referral.mediation_due = case.time_limit_due if into_case is None and court_due is not None else court_due
        clock = clocks.channel_clock(referral.channel, clocks._matter_type(referral))
        if clocks.channel_starts_at_acceptance(clock):
            referral.channel_due = clocks.channel_due(clock, at)
        referral.save()
        _event(
            referral,
            ReferralEventKind.ACCEPTED,
            at,
            user=user,
            note=note.strip() or f"{referral.receiver.name}接收，案号{case.case_no or case.registration_no}",
            data={"case": case.pk, "into_case": into_case is not None},
        )
        _sync(referral, at)
        _emit(
            referral,
            "referral.accepted",
            at,
            accepted_at=at.isoformat(),
            contact_by=_iso(referral.contact_by),
            mediation_due=_iso(referral.mediation_due),
            channel_due=_iso(referral.channel_due),
        )
    return case


def decline_referral(referral: Referral, user: User, reason: str, *, at: datetime | None = None) -> Referral:
    """Decline with written reasons (outside the statutory scope or the industry, outside the mediator's speciality,
    other unsuitability); emits referral.declined."""
    from notifications.enums import NoticeKind
    from notifications.services import notify_supervisors

    at = _now(at)
    reason = (reason or "").strip()
    _require(len(reason) >= 4, "请写明拒绝接收的理由", "reason")
    with transaction.atomic():
        referral = _lock(referral)
        _require(referral.status == ReferralStatus.PENDING, f"该移送当前为“{_status_label(referral)}”，不能拒绝接收")
        _require(
            _is_receiver_member(user, referral, director=True),
            f"只有{referral.receiver.name}的调委会主任可以拒绝接收该移送",
        )
        referral.status = ReferralStatus.DECLINED
        referral.declined_at, referral.decline_reason = at, reason
        referral.save(update_fields=["status", "declined_at", "decline_reason", "updated_at"])
        _event(referral, ReferralEventKind.DECLINED, at, user=user, note=reason)
        _sync(referral, at)
        if referral.channel == Channel.COURT:
            notify_supervisors(
                NoticeKind.REFERRAL_REFUSED,
                referral.division_code,
                f"{referral.receiver.name}拒绝接收{referral.institution.name}的移送{referral.reference}：{reason[:60]}",
                at=at,
            )
        _emit(referral, "referral.declined", at, declined_at=at.isoformat())
    return referral


def return_unanswered(referral: Referral, at: datetime) -> Referral:
    """The system returns a referral nobody accepted or declined by accept_by; emits referral.returned."""
    from notifications.enums import NoticeKind
    from notifications.services import notify, notify_supervisors

    with transaction.atomic():
        referral = _lock(referral)
        _require(referral.status == ReferralStatus.PENDING, f"该移送当前为“{_status_label(referral)}”，无需退回")
        _require(clocks.local_date(at) > referral.accept_by, "接收答复期限尚未届满")
        referral.status = ReferralStatus.RETURNED
        referral.declined_at = at
        referral.save(update_fields=["status", "declined_at", "updated_at"])
        _event(
            referral,
            ReferralEventKind.RETURNED,
            at,
            note=f"{referral.receiver.name}未在{_cn_day(referral.accept_by)}前答复，已自动退回{referral.institution.name}",
            data={"accept_by": referral.accept_by.isoformat()},
        )
        _sync(referral, at)
        message = (
            f"{referral.institution.name}移送的纠纷{referral.reference}未在{_cn_day(referral.accept_by)}前答复，"
            "已自动退回移送机构"
        )
        _notify_staff(referral, NoticeKind.REFERRAL_RETURNED, message, at)
        notify(liaison_ids(referral.institution), NoticeKind.REFERRAL_RETURNED, message, at=at)
        notify_supervisors(NoticeKind.REFERRAL_RETURNED, referral.division_code, message, at=at)
        _emit(referral, "referral.returned", at, returned_at=at.isoformat(), accept_by=referral.accept_by.isoformat())
    return referral


def withdraw_referral(
    referral: Referral, *, user: User | None = None, client=None, reason: str = "", at: datetime | None = None
) -> Referral:
    """The institution withdraws a referral not yet accepted; emits referral.withdrawn."""
    from notifications.enums import NoticeKind

    at = _now(at)
    with transaction.atomic():
        referral = _lock(referral)
        _check_sender(referral.institution, user, client)
        _require(
            referral.status == ReferralStatus.PENDING,
            f"该移送当前为“{_status_label(referral)}”，只能撤回尚未接收的移送",
        )
        referral.status = ReferralStatus.WITHDRAWN
        referral.save(update_fields=["status", "updated_at"])
        _event(referral, ReferralEventKind.WITHDRAWN, at, user=user, client=client, note=(reason or "").strip())
        _sync(referral, at)
        _notify_staff(
            referral, NoticeKind.REFERRAL_CLOCK, f"{referral.institution.name}已撤回移送{referral.reference}", at
        )
        _emit(referral, "referral.withdrawn", at, withdrawn_at=at.isoformat())
    return referral


# --- after acceptance ----------------------------------------------------------------------------------------


def record_contact(
    referral: Referral,
    user: User,
    result: str,
    note: str = "",
    *,
    at: datetime | None = None,
    party=None,
    routes: list[str] | None = None,
):
    """The other party contacted (CONTACTED), unreachable or refusing (art. 15): the last two end the referral's
    mediation (the case is terminated with the matching ground); emits referral.party_contacted / _unreachable /
    _refused.

    UNREACHABLE terminates the case (do_terminate_mediation, reason PARTY_UNREACHABLE); REFUSED records the refusal
    of `party` (default: the first respondent) through do_record_party_refusal. `routes` told to the parties
    default to litigation. The referral then awaits its failure report (file_failure_report)."""
    from cases import actions as A
    from cases.enums import PartySide, Route, TerminationReason

    at = _now(at)
    _require(
        result in (ContactResult.CONTACTED, ContactResult.UNREACHABLE, ContactResult.REFUSED),
        "请选择联系结果",
        "result",
    )
    note = (note or "").strip()
    if result != ContactResult.CONTACTED:
        _require(len(note) >= 4, "请写明联系经过（时间、方式、结果）", "note")
    routes = routes or [Route.LITIGATION]
    with transaction.atomic():
        referral = _lock(referral)
        _require(
            referral.status == ReferralStatus.ACCEPTED, f"该移送当前为“{_status_label(referral)}”，不能登记联系结果"
        )
        _require(not referral.contact_result, "已登记过联系对方当事人的结果")
        _require(_is_case_staff(user, referral), "只有承办本案的调委会人员可以登记联系结果")
        referral.contact_result, referral.contacted_at = result, at
        kind, event_type = {
            ContactResult.CONTACTED: (ReferralEventKind.PARTY_CONTACTED, "referral.party_contacted"),
            ContactResult.UNREACHABLE: (ReferralEventKind.PARTY_UNREACHABLE, "referral.party_unreachable"),
            ContactResult.REFUSED: (ReferralEventKind.PARTY_REFUSED, "referral.party_refused"),
        }[ContactResult(result)]
        if result == ContactResult.UNREACHABLE:
            referral.termination_ground = CourtTermination.UNREACHABLE
        elif result == ContactResult.REFUSED:
            referral.termination_ground = CourtTermination.UNWILLING
        referral.save(update_fields=["contact_result", "contacted_at", "termination_ground", "updated_at"])
        _event(referral, kind, at, user=user, note=note)
        _emit(referral, event_type, at, contacted_at=at.isoformat())
        case = referral.case
        if result == ContactResult.UNREACHABLE:
            A.do_terminate_mediation(
                case,
                user,
                reason=TerminationReason.PARTY_UNREACHABLE,
                note=f"对方当事人无法联系：{note}",
                routes=routes,
                at=at,
            )
        elif result == ContactResult.REFUSED:
            party = party or case.parties.filter(side=PartySide.RESPONDENT).order_by("order").first()
            _require(party is not None and party.case_id == case.pk, "请选择拒绝调解的当事人", "party")
            A.do_record_party_refusal(case, user, party=party, statement=note, routes=routes, at=at)
        referral.refresh_from_db()
        _sync(referral, at)
    return referral


def reply_to_channel(referral: Referral, user: User, text: str, *, at: datetime | None = None) -> Referral:
    """Feedback to the institution (police 24 h, 12345 3/13 working days, 信访 handling): satisfies the channel
    clock; emits referral.replied."""
    at = _now(at)
    text = (text or "").strip()
    _require(len(text) >= 4, "请填写反馈内容", "text")
    _require(len(text) <= 2000, "反馈内容不能超过2000字", "text")
    with transaction.atomic():
        referral = _lock(referral)
        _require(referral.is_open, f"该移送当前为“{_status_label(referral)}”，不能再反馈")
        _require(
            _is_case_staff(user, referral) or _is_receiver_member(user, referral),
            "只有接收单位或承办本案的调委会人员可以向移送机构反馈",
        )
        first = referral.replied_at is None
        if first:
            referral.replied_at = at
        referral.reply_text = text
        referral.save(update_fields=["replied_at", "reply_text", "updated_at"])
        on_time = referral.channel_due is None or at <= referral.channel_due
        _event(referral, ReferralEventKind.REPLIED, at, user=user, note=text, data={"on_time": on_time})
        _sync(referral, at)
        _emit(referral, "referral.replied", at, replied_at=at.isoformat(), on_time=on_time)
    return referral


def file_failure_report(
    referral: Referral,
    user: User,
    *,
    ground: str,
    course: str,
    reason: str,
    cost_conduct: str = "",
    other: str = "",
    undisputed_facts: str = "",
    materials_returned: str = "",
    at: datetime | None = None,
) -> Referral:
    """The failure report of art. 21 (four parts), the ground of art. 25, the undisputed facts, the materials
    returned: concludes a referral whose case ended without agreement; emits referral.concluded.

    A court referral needs all four parts (write 无 where there is nothing) and the materials returned."""
    from cases.actions.base import check, lock, record
    from cases.enums import Outcome, SystemJob

    at = _now(at)
    grounds = [g for g in CourtTermination.values if g not in ("", CourtTermination.AGREEMENT)]
    _require(ground in grounds, "请选择终止调解的情形", "ground")
    course, reason = (course or "").strip(), (reason or "").strip()
    cost_conduct, other = (cost_conduct or "").strip(), (other or "").strip()
    _require(len(course) >= 4, "请写明调解的基本经过", "course")
    _require(len(reason) >= 4, "请写明调解不成的原因", "reason")
    with transaction.atomic():
        referral = _lock(referral)
        _require(
            referral.status == ReferralStatus.ACCEPTED,
            f"该移送当前为“{_status_label(referral)}”，不能报送调解不成功报告",
        )
        _require(_is_case_staff(user, referral), "只有承办本案的调委会人员可以报送调解不成功报告")
        case = lock(referral.case)
        _require(case.outcome == Outcome.FAILURE, "案件尚未以调解不成功终结，不能报送调解不成功报告")
        if referral.channel == Channel.COURT:
            _require(
                bool(cost_conduct), "请写明是否存在导致其他当事人诉讼成本增加的行为（没有的写“无”）", "cost_conduct"
            )
            _require(bool(other), "请写明需要向人民法院提示的其他情形（没有的写“无”）", "other")
            _require(bool((materials_returned or "").strip()), "请写明退回材料的情况", "materials_returned")
        referral.status = ReferralStatus.FAILED
        referral.concluded_at = at
        referral.termination_ground = ground
        referral.report_course, referral.report_reason = course, reason
        referral.report_cost_conduct, referral.report_other = cost_conduct, other
        referral.undisputed_facts = (undisputed_facts or "").strip()
        referral.materials_returned = (materials_returned or "").strip()
        referral.save()
        _event(
            referral,
            ReferralEventKind.CONCLUDED,
            at,
            user=user,
            note=f"调解不成功：{CourtTermination(ground).label}",
            data={"outcome": Outcome.FAILURE, "ground": ground},
        )
        check(case, "referral_report", None)
        record(
            case,
            "referral_report",
            None,
            at,
            note=f"向{referral.institution.name}报送调解不成功报告（{CourtTermination(ground).label}）",
            data={"referral": referral.pk, "by": user.pk, "outcome": Outcome.FAILURE},
            job=SystemJob.REFERRAL_MONITOR,
        )
        _sync(referral, at)
        _emit(
            referral,
            "referral.concluded",
            at,
            outcome=Outcome.FAILURE,
            termination_ground=ground,
            concluded_at=at.isoformat(),
        )
    return referral


def add_attachment(
    referral: Referral, upload, title: str, *, user: User | None = None, client=None, at: datetime | None = None
):
    """A file sent with or after the referral (content-sniffed, size-checked, stored privately)."""
    from referrals import files

    at = _now(at)
    title = (title or "").strip()
    _require(bool(title), "请填写材料名称", "title")
    _require(len(title) <= 100, "材料名称不能超过100个字", "title")
    _check_sender(referral.institution, user, client)
    with transaction.atomic():
        referral = _lock(referral)
        _require(referral.is_open, f"该移送当前为“{_status_label(referral)}”，不能再补充材料")
        attachment = files.store_attachment(referral, upload, title, user=user, client=client, at=at)
        _event(
            referral,
            ReferralEventKind.ATTACHMENT_ADDED,
            at,
            user=user,
            client=client,
            note=title,
            data={"attachment": attachment.pk},
        )
        _emit(referral, "referral.attachment_added", at, attachment_id=attachment.pk, added_at=at.isoformat())
    return attachment


def case_event_recorded(case: Case, event) -> None:
    """Called by cases.actions.base.record for every case event, inside its transaction: when the case carries
    referrals, what the institutions must hear of (extended, paused/resumed, agreement effective → concluded with
    the agreement, termination → awaiting the failure report, judicial confirmation requested) becomes their
    referral events and webhooks. Must be cheap when the case has no referral (one indexed query at most)."""
    from referrals import feedback

    if event.action not in feedback.HOOKED:
        return None
    return feedback.case_event_recorded(case, event)
