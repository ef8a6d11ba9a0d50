"""Registration, acceptance, refusal, transfer, assignment, recusal, and the voluntariness rule."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import AccessKind, AccessLog, Role, User
from cases import identity
from cases.actions.base import ActionRefused, check, local_date, lock, notify_after_commit, now_or, record, require
from cases.enums import (
    EXCLUSION_ROUTE,
    CaseSource,
    CaseStatus,
    CivilCapacity,
    DisputeType,
    Exclusion,
    MediatorChosenBy,
    Outcome,
    PartySide,
    PartyType,
    Route,
    TerminationReason,
)
from cases.models import Case, CaseSequence, Party, RecusalRequest
from cases.permissions import parties_awaiting_guardian_consent
from cases.transitions import find_row
from notifications.enums import NoticeKind
from notifications.services import notify_supervisors
from registry.models import Committee, Court, Mediator
from workdays.calendar import mediation_due_date


@dataclass
class PartyData:
    side: str
    name: str
    party_type: str = PartyType.NATURAL_PERSON
    gender: str = ""
    ethnicity: str = ""
    birth_date: date | None = None
    occupation: str = ""
    phone: str = ""
    address: str = ""
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    guardian_name: str = ""
    capacity: str = CivilCapacity.FULL
    user: User | None = None


@dataclass
class CaseData:
    source: str
    dispute_type: str
    brief_facts: str
    claims: str
    parties: list[PartyData] = field(default_factory=list)
    amount_involved: Decimal = Decimal("0")
    is_difficult: bool = False
    occurred_on: date | None = None
    referral_body: str = ""
    court: Court | None = None
    court_mode: str = ""
    court_case_no: str = ""
    # RGD 22, as the registrar found it ("" = not examined, e.g. an online application).
    exclusion: str = ""
    exclusion_note: str = ""


def routes_text(routes: list[str]) -> str:
    return "、".join(str(Route(r).label) for r in routes)


def _validate_party(p: PartyData, index: int, today: date) -> None:
    where = f"第{index}位当事人"
    require(bool(p.name.strip()), f"{where}的姓名或名称不能为空")
    require(p.side in PartySide.values, f"{where}的地位无效")
    if p.party_type == PartyType.NATURAL_PERSON:
        if p.side == PartySide.APPLICANT:
            require(bool(p.id_number), f"{where}（申请人）须填写身份证号码")
        if p.id_number:
            err = identity.id_number_error(p.id_number, today)
            require(err is None, f"{where}：{err}")
        born = identity.birth_date_from_id(p.id_number) if p.id_number else p.birth_date
        if born is not None and identity.age_at(born, today) < 18:
            require(bool(p.guardian_name.strip()), f"{where}为未成年人，须填写法定代理人（监护人）")
        require(p.capacity in CivilCapacity.values, f"{where}的民事行为能力无效")
        if p.capacity != CivilCapacity.FULL:
            # 民法典 arts 21–23: an adult without full capacity acts through their guardian (法定代理人).
            require(bool(p.guardian_name.strip()), f"{where}为无或限制民事行为能力人，须填写法定代理人（监护人）")
    else:
        require(p.party_type in PartyType.values, f"{where}的类型无效")
        if p.side == PartySide.APPLICANT:
            require(bool(p.credit_code), f"{where}（申请人）须填写统一社会信用代码")
        if p.credit_code:
            err = identity.credit_code_error(p.credit_code)
            require(err is None, f"{where}：{err}")


def _capacity(p: PartyData, born: date | None, today: date) -> tuple[bool, str]:
    """(is a minor, civil capacity) on `today`: under 8 no capacity, 8–17 limited (民法典 arts 19–20), an adult
    as recorded."""
    if born is not None and identity.age_at(born, today) < 18:
        return True, CivilCapacity.NONE if identity.age_at(born, today) < 8 else CivilCapacity.LIMITED
    return False, p.capacity


def _create_parties(case: Case, parties: list[PartyData], today: date) -> None:
    """Create the parties and keep the case's flags (involves_minor, involves_incapacity) as of `today`."""
    for i, p in enumerate(parties, start=1):
        party = Party(
            case=case,
            side=p.side,
            party_type=p.party_type,
            name=p.name.strip(),
            gender=p.gender,
            ethnicity=p.ethnicity,
            occupation=p.occupation,
            phone=p.phone,
            address=p.address,
            credit_code=p.credit_code.strip().upper(),
            legal_representative=p.legal_representative,
            guardian_name=p.guardian_name,
            user=p.user,
            order=i,
        )
        if p.party_type == PartyType.NATURAL_PERSON and p.id_number:
            party.set_id_number(p.id_number)
            party.birth_date = identity.birth_date_from_id(p.id_number)
            party.gender = party.gender or identity.gender_from_id(p.id_number)
        else:
            party.birth_date = p.birth_date
        if party.party_type == PartyType.NATURAL_PERSON:
            party.is_minor, party.capacity = _capacity(p, party.birth_date, today)
            case.involves_minor |= party.is_minor
            case.involves_incapacity |= not party.is_minor and party.capacity != CivilCapacity.FULL
        party.save()
    case.save(update_fields=["involves_minor", "involves_incapacity"])


def _open_intake(
    committee: Committee,
    data: CaseData,
    actor: User,
    at: datetime,
    entered_at: datetime,
    *,
    note: str,
    event: dict | None = None,
) -> Case:
    """Create an INTAKE case with its parties and its first event (registration, or receipt of a transfer).
    `entered_at` is when the case reached the system: later than `at` for backdated entries (seeder, import)."""
    case = Case.objects.create(
        committee=committee,
        division_code=committee.division_id,
        status=CaseStatus.INTAKE,
        source=data.source,
        referral_body=data.referral_body,
        court=data.court,
        court_mode=data.court_mode,
        court_case_no=data.court_case_no,
        dispute_type=data.dispute_type,
        party_count=len(data.parties),  # the parties created just below (no action adds or removes one later)
        brief_facts=data.brief_facts.strip(),
        claims=data.claims.strip(),
        amount_involved=data.amount_involved,
        is_difficult=data.is_difficult,
        occurred_on=data.occurred_on,
        exclusion=data.exclusion,
        exclusion_note=data.exclusion_note.strip(),
        registered_by=actor,
        registered_at=at,
        entered_at=entered_at,
    )
    _create_parties(case, data.parties, local_date(at))
    record(case, "register", actor, at, to=CaseStatus.INTAKE, from_status="", note=note, data=event)
    return case


_DISPUTE_TYPES, _SOURCES = frozenset(DisputeType.values), frozenset(CaseSource.values)


def validate_case_data(data: CaseData, committee: Committee, today: date, *, min_facts_chars: int = 10) -> None:
    """The registration guards (type, source, facts, claims, amount, both sides, each party as of `today`, a court
    of the same city for court referrals). Shared by do_register_case and the historical import (which accepts
    the short facts an old ledger carries: `min_facts_chars=1`, the import reports them as a warning)."""
    require(data.dispute_type in _DISPUTE_TYPES, "请选择纠纷类型", "dispute_type")
    require(data.source in _SOURCES, "请选择案件来源", "source")
    facts_ok = len(data.brief_facts.strip()) >= min_facts_chars
    short_msg = f"纠纷简要情况至少写{min_facts_chars}个字" if min_facts_chars > 1 else "请填写纠纷简要情况"
    require(facts_ok, short_msg, "brief_facts")
    require(bool(data.claims.strip()), "请填写申请事项", "claims")
    require(data.exclusion in ("", *Exclusion.values), "不得受理情形的选项无效", "exclusion")
    require(data.amount_involved is not None and data.amount_involved >= 0, "涉及金额不能为负数", "amount_involved")
    sides = {p.side for p in data.parties}
    require(PartySide.APPLICANT in sides and PartySide.RESPONDENT in sides, "至少需要一名申请人和一名被申请人")
    for i, p in enumerate(data.parties, start=1):
        _validate_party(p, i, today)
    if data.source == CaseSource.REFERRED_COURT:
        require(data.court is not None, "法院委托移送的案件须选择法院", "court")
        require(data.court.division_id[:4] == committee.division_id[:4], "只能选择本市的法院", "court")


def do_register_case(
    actor: User, committee: Committee, data: CaseData, *, at: datetime | None = None, entered_at: datetime | None = None
) -> Case:
    """∅ → INTAKE (table row 1). A committee member records a walk-in, proactive or referred dispute.

    Preconditions: the actor belongs to `committee` (or is a party applying); at least one applicant and one
    respondent; valid ID numbers / credit codes; a national dispute type and source. Side effects: the case and
    its parties are created, the INTAKE event is written, the committee director is notified."""
    at = now_or(at)
    today = local_date(at)
    if actor.role in (Role.MEDIATOR, Role.DIRECTOR):
        require(actor.committee_id == committee.pk, "只能为本调委会登记纠纷")
    else:
        require(actor.role == Role.PARTY, "您无权登记纠纷")
    require(committee.is_active, "该调委会已停用")
    validate_case_data(data, committee, today)
    if data.source != CaseSource.REFERRED_COURT:
        # A court is linked (and its liaison sees the case) only when the court referred it.
        data.court, data.court_mode, data.court_case_no = None, "", ""
    with transaction.atomic():
        case = _open_intake(
            committee, data, actor, at, entered_at or timezone.now(), note=f"来源：{CaseSource(data.source).label}"
        )
        notify_after_commit(case, f"新登记纠纷待审查：{case.title}", actor, at=at)
    return case


def _next_seq(committee_id: int, year: int) -> int:
    """Gap-free sequence per committee per year: the counter row is locked for the rest of the transaction, so
    concurrent acceptances queue; a rolled-back acceptance releases its number with the rollback."""
    row, _created = CaseSequence.objects.select_for_update().get_or_create(committee_id=committee_id, year=year)
    CaseSequence.objects.filter(pk=row.pk).update(last=F("last") + 1)
    row.refresh_from_db(fields=["last"])
    return row.last


def format_case_no(short_name: str, year: int, seq: int) -> str:
    return settings.TIAOJIE["CASE_NUMBER_FORMAT"].format(year=year, short=short_name, seq=seq)


def exclusion_refusal(exclusion: str) -> str:
    """The reason a committee may not take a dispute (RGD 22) and the route the party must be told (RGD 24)."""
    return (
        f"本纠纷{Exclusion(exclusion).label}，依照《人民调解工作若干规定》第二十二条，人民调解委员会不予受理。"
        f"应告知当事人：{Route(EXCLUSION_ROUTE[exclusion]).label}"
    )


def do_accept_case(
    case: Case,
    actor: User,
    *,
    note: str = "",
    exclusion: str | None = None,
    exclusion_note: str = "",
    at: datetime | None = None,
    time_limit_due: date | None = None,
    dispute_type: str | None = None,
) -> Case:
    """INTAKE → ACCEPTED (row 2), by the committee director.

    Preconditions: a civil dispute within the committee's remit that no party has refused (a refusal takes the
    party_refusal path instead), and not a matter a committee may not take (RGD 22): `exclusion` is the
    director's finding at acceptance (None: the registrar's finding stands, "" there meaning none was found); any
    finding other than NONE refuses the acceptance with the reason and the route, to be taken by do_refuse_case.
    Side effects: the finding is kept on the case, the case number （年）简称人调字第N号 is issued, the one-month
    mediation clock starts (due date on a working day), parties with accounts are notified. `time_limit_due`
    replaces the one-month limit with a court's own mediation clock (30 / 15 / 7 days from acceptance, 在线调解规则
    art. 24), given only by referrals.services.accept_referral. `dispute_type` is the type the director decides at
    acceptance (issue 13: an online application's type, with the triage suggestion beside it; None keeps the
    registered one); a change is named in the event's data (type_from, type_to)."""
    at = now_or(at)
    require(exclusion is None or exclusion in Exclusion.values, "请选择是否存在不得受理的情形", "exclusion")
    require(dispute_type is None or dispute_type in _DISPUTE_TYPES, "请选择纠纷类型", "dispute_type")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "accept", actor)
        finding = (case.exclusion or Exclusion.NONE) if exclusion is None else exclusion
        if finding != Exclusion.NONE:
            raise ActionRefused(exclusion_refusal(finding), "exclusion")
        case.exclusion = Exclusion.NONE
        case.exclusion_note = exclusion_note.strip() or case.exclusion_note
        retyped = {}
        if dispute_type and dispute_type != case.dispute_type:
            retyped = {"type_from": case.dispute_type, "type_to": dispute_type}
            case.dispute_type = dispute_type
        case.save(update_fields=["exclusion", "exclusion_note", "dispute_type"])
        year = local_date(at).year
        seq = _next_seq(case.committee_id, year)
        case.year, case.seq = year, seq
        case.case_no = format_case_no(case.committee.short_name, year, seq)
        case.accepted_at, case.accepted_by = at, actor
        case.time_limit_due = time_limit_due or mediation_due_date(
            local_date(at), settings.TIAOJIE["MEDIATION_PERIOD_MONTHS"]
        )
        case.save(update_fields=["year", "seq", "case_no", "accepted_at", "accepted_by", "time_limit_due"])
        record(
            case,
            "accept",
            actor,
            at,
            to=target,
            note=note,
            data={
                "case_no": case.case_no,
                "due": case.time_limit_due.isoformat(),
                "exclusion": Exclusion.NONE,
                **retyped,
            },
        )
        notify_after_commit(
            case, f"纠纷已受理，案号{case.case_no}，调解期限至{case.time_limit_due:%Y年%m月%d日}", actor, at=at
        )
    return case


def do_refuse_case(
    case: Case,
    actor: User,
    *,
    reason: str,
    routes: list[str],
    calming_measures: str = "",
    exclusion: str | None = None,
    at: datetime | None = None,
) -> Case:
    """INTAKE → NOT_ACCEPTED (row 3). Requires the reason and the routes the party was told about (RGD 24).

    `exclusion` is the director's RGD 22 finding (None: the one on the case). When the dispute is one a committee
    may not take, the route proper to it (the court, arbitration body or organ already seized, or the specialised
    authority) must be among the routes told to the party."""
    at = now_or(at)
    require(len(reason.strip()) >= 4, "请写明不予受理的理由", "reason")
    require(bool(routes), "请选择已告知当事人的其他解决途径", "routes")
    require(exclusion is None or exclusion in Exclusion.values, "不得受理情形的选项无效", "exclusion")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "refuse", actor)
        finding = case.exclusion if exclusion is None else exclusion
        if finding and finding != Exclusion.NONE:
            route = EXCLUSION_ROUTE[finding]
            require(route in routes, f"本纠纷{Exclusion(finding).label}，须告知当事人：{Route(route).label}", "routes")
        case.exclusion = finding
        case.not_accepted_reason = reason.strip()
        case.routes_informed = routes_text(routes)
        case.save(update_fields=["not_accepted_reason", "routes_informed", "exclusion"])
        record(
            case,
            "refuse",
            actor,
            at,
            to=target,
            note=reason.strip(),
            data={"routes": routes, "calming_measures": calming_measures, "exclusion": finding},
        )
        _triage_closed(case, actor, "不予受理")
        notify_after_commit(case, "您的调解申请不予受理，理由及其他解决途径请查看案件", actor, at=at)
        if case.source == CaseSource.REFERRED_COURT or case.court_id:
            # A court's referral refused: the township office and the county hear of it (data/notice_rules.json).
            label = case.case_no or case.registration_no
            notify_supervisors(
                NoticeKind.REFERRAL_REFUSED,
                case.division_code,
                f"{case.committee.name}对法院委派（委托）的纠纷{label}不予受理：{reason.strip()[:60]}",
                case=case,
                at=at,
                sms=f"{case.committee.name}对法院委派（委托）的纠纷{label}不予受理，请登录调解平台查看。",
            )
    return case


def _triage_closed(case: Case, actor: User, step: str) -> None:
    """Issue 13: an online application's triage suggestion, still undecided, is decided by this step."""
    from triage.decisions import close_pending

    close_pending(case, actor, step)


def do_transfer_case(
    case: Case,
    actor: User,
    *,
    reason: str,
    to_committee: Committee | None = None,
    to_authority: str = "",
    at: datetime | None = None,
) -> Case:
    """INTAKE/ACCEPTED → TRANSFERRED_OUT (row 4): a hard or cross-area dispute goes up (village → township) or to
    the competent authority. A receiving committee on the platform gets a linked INTAKE case with the same parties."""
    at = now_or(at)
    require(len(reason.strip()) >= 4, "请写明移交理由", "reason")
    require(bool(to_committee) != bool(to_authority.strip()), "请选择接收的调委会，或填写接收机关（二选一）")
    require(to_committee is None or to_committee.pk != case.committee_id, "不能移交给本调委会")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "transfer", actor)
        data: dict = {}
        if to_committee is not None:
            parties = [
                PartyData(
                    side=p.side,
                    name=p.name,
                    party_type=p.party_type,
                    gender=p.gender,
                    phone=p.phone,
                    address=p.address,
                    id_number=p.full_id_number(),
                    credit_code=p.credit_code,
                    user=p.user,
                    ethnicity=p.ethnicity,
                    birth_date=p.birth_date,
                    occupation=p.occupation,
                    legal_representative=p.legal_representative,
                    guardian_name=p.guardian_name,
                    capacity=p.capacity,
                )
                for p in case.parties.all()
            ]
            data_in = CaseData(
                source=case.source,
                dispute_type=case.dispute_type,
                brief_facts=case.brief_facts,
                claims=case.claims,
                parties=parties,
                amount_involved=case.amount_involved,
                is_difficult=case.is_difficult,
                occurred_on=case.occurred_on,
                referral_body=case.committee.name,
                court=case.court,
                court_mode=case.court_mode,
                court_case_no=case.court_case_no,
            )
            # Registered by whoever made the transfer (the receiving committee has done nothing yet).
            new = _open_intake(
                to_committee,
                data_in,
                actor,
                at,
                at,
                note=f"由{case.committee.name}移交：{reason.strip()}",
                event={"transferred_from": case.pk},
            )
            # The parties' identity numbers now go to another committee: a transfer of personal data, logged.
            AccessLog.objects.bulk_create(
                [
                    AccessLog(
                        user=actor,
                        action=AccessKind.TRANSFER_PERSONAL_DATA,
                        case=case,
                        party=p,
                        detail=f"移交至{to_committee.name}（案件{new.pk}）",
                    )
                    for p in case.parties.exclude(id_number_encrypted="")
                ]
            )
            notify_after_commit(new, f"收到{case.committee.name}移交的纠纷", None, at=at)
            data["new_case_id"] = new.pk
            case.transferred_to = to_committee.name
        else:
            case.transferred_to = to_authority.strip()
        case.save(update_fields=["transferred_to"])
        record(case, "transfer", actor, at, to=target, note=reason.strip(), data={**data, "to": case.transferred_to})
        _triage_closed(case, actor, "移交")
    return case


def _committee_mediator(case: Case, mediator: Mediator | None, label: str) -> Mediator:
    require(mediator is not None, f"请选择{label}")
    require(mediator.committee_id == case.committee_id and mediator.is_active, f"{label}必须是本调委会在任调解员")
    require(not case.recusals.filter(replaced=mediator).exists(), f"{mediator.name}已在本案回避，不能再担任{label}")
    return mediator


def do_assign_mediators(
    case: Case,
    actor: User,
    *,
    presiding: Mediator,
    co_mediators: list[Mediator] | None = None,
    chosen_by: str = MediatorChosenBy.COMMITTEE,
    rights_notified: bool = False,
    identities_checked: bool = False,
    at: datetime | None = None,
) -> Case:
    """ACCEPTED → IN_MEDIATION (row 5), by the director (or the parties' choice, PML 19).

    Preconditions: the rights-and-duties notice delivered and signed (RGD 30) and the parties' identity checked;
    for a minor or a party without full capacity, the guardian's consent to mediation recorded
    (do_record_guardian_consent; docs/adr/0003-minors.md); mediators are serving members of the committee and not
    recused from this case. Side effects: assigned mediators are notified."""
    at = now_or(at)
    co_mediators = co_mediators or []
    require(rights_notified, "须先向当事人送达并签收权利义务告知书", "rights_notified")
    require(identities_checked, "须先核验当事人身份证明", "identities_checked")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "assign", actor)
        wards = [p.name for p in parties_awaiting_guardian_consent(case)]
        require(not wards, f"须先登记{'、'.join(wards)}的监护人（法定代理人）同意调解", "guardian_consent")
        _committee_mediator(case, presiding, "主持调解员")
        for m in co_mediators:
            _committee_mediator(case, m, "参与调解员")
        require(presiding not in co_mediators, "主持调解员不能同时列为参与调解员")
        case.presiding_mediator = presiding
        case.mediator_chosen_by = chosen_by
        case.rights_notified_at = at
        case.save(update_fields=["presiding_mediator", "mediator_chosen_by", "rights_notified_at"])
        case.co_mediators.set(co_mediators)
        case.parties.update(identity_verified=True)
        names = "、".join(m.name for m in [presiding, *co_mediators])
        record(
            case,
            "assign",
            actor,
            at,
            to=target,
            note=f"调解员：{names}",
            data={"presiding": presiding.pk, "co": [m.pk for m in co_mediators], "chosen_by": chosen_by},
        )
        extra = [m.user for m in [presiding, *co_mediators] if m.user_id]
        notify_after_commit(case, f"已指派调解员：{names}", actor, extra=extra, at=at)
    return case


def do_recuse_mediator(
    case: Case,
    actor: User,
    *,
    party: Party,
    replaced: Mediator,
    replacement: Mediator,
    reason: str,
    at: datetime | None = None,
) -> Case:
    """Self-loop in mediation (RGD 25): a party's recusal request replaces the mediator concerned.

    From that moment the replaced mediator stands in no relation to the case (cases.permissions.recused_from): its
    pages, messages, documents and actions are a 404 / refusal for them. What they had is kept in the history: the
    RecusalRequest row and the event (who was replaced by whom, and the user account that lost access)."""
    at = now_or(at)
    require(len(reason.strip()) >= 2, "请写明回避理由", "reason")
    with transaction.atomic():
        case = lock(case)
        check(case, "recuse", actor)
        require(party.case_id == case.pk, "申请人不是本案当事人")
        current = case.mediators()
        require(replaced in current, "被申请回避的人员不是本案调解员")
        _committee_mediator(case, replacement, "替换调解员")
        require(replacement not in current, "替换调解员已在本案中")
        if case.presiding_mediator_id == replaced.pk:
            case.presiding_mediator = replacement
            case.save(update_fields=["presiding_mediator"])
        else:
            case.co_mediators.remove(replaced)
            case.co_mediators.add(replacement)
        RecusalRequest.objects.create(
            case=case, requested_by=party, replaced=replaced, replacement=replacement, reason=reason.strip(), at=at
        )
        record(
            case,
            "recuse",
            actor,
            at,
            note=f"{party.name}申请{replaced.name}回避，改由{replacement.name}调解；{replaced.name}自即日起不再接触本案",
            data={
                "replaced": replaced.pk,
                "replacement": replacement.pk,
                "replaced_user": replaced.user_id,
                "party": party.pk,
            },
        )
        notify_after_commit(
            case,
            f"调解员已更换为{replacement.name}",
            actor,
            extra=[replacement.user] if replacement.user_id else [],
            at=at,
        )
    return case


def _end_by_party(case: Case, target: CaseStatus, text: str, routes: list[str], reason: str) -> None:
    """A party's own choice ends the case on a party_refusal row: before acceptance as NOT_ACCEPTED with `text` as
    the reason, afterwards as TERMINATED (mediation failed) with `reason`; the routes told to them are kept."""
    case.routes_informed = routes_text(routes)
    if target == CaseStatus.NOT_ACCEPTED:
        case.not_accepted_reason = text
    else:
        case.termination_reason, case.termination_note, case.outcome = reason, text, Outcome.FAILURE
    case.save(
        update_fields=["routes_informed", "not_accepted_reason", "termination_reason", "termination_note", "outcome"]
    )


def do_record_party_refusal(
    case: Case, actor: User, *, party: Party, statement: str, routes: list[str], at: datetime | None = None
) -> Case:
    """Voluntariness rule (PML 17, 23): a party's explicit refusal before agreement ends the mediation.

    INTAKE → NOT_ACCEPTED; ACCEPTED/IN_MEDIATION/PAUSED/REMEDIATION → TERMINATED (reason PARTY_REFUSED). The routes
    told to the parties are recorded (PML 26). A party may record their own refusal from the portal."""
    at = now_or(at)
    require(bool(routes), "请选择已告知当事人的其他解决途径", "routes")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "party_refusal", actor)
        require(party.case_id == case.pk, "该当事人不属于本案")
        if actor.role == Role.PARTY:
            require(party.user_id == actor.pk, "只能由当事人本人表示拒绝")
        text = f"{party.name}明确表示拒绝调解" + (f"：{statement.strip()}" if statement.strip() else "")
        _end_by_party(case, target, text, routes, TerminationReason.PARTY_REFUSED)
        record(case, "party_refusal", actor, at, to=target, note=text, data={"party": party.pk, "routes": routes})
        notify_after_commit(case, "一方当事人拒绝调解，调解依法终止", actor, at=at)
    return case


def _own_party(case: Case, actor: User, party: Party) -> None:
    require(party.case_id == case.pk, "该当事人不属于本案")
    require(actor.role == Role.PARTY and party.user_id == actor.pk, "只能由当事人本人操作")


def do_join_case(
    case: Case, actor: User, *, party: Party, at: datetime | None = None, note: str = "通过线上邀请加入案件"
) -> Party:
    """A party invited to a case (the other side of an online application) links their portal account to their
    party record, after which they see the case and hear about every step. The invitation itself (code, link) is
    checked by the portal; here: the party has no account yet and the case is still in a state where a party can
    state their will about the mediation.

    The status check is the transition table's, through the party_refusal rows (INTAKE, ACCEPTED, IN_MEDIATION,
    PAUSED, REMEDIATION): one joins a case to consent to or refuse its mediation, so joining makes sense exactly
    where refusing does (as for party_consent, see LABELS in cases.transitions). The relation check of those rows
    does not apply: the joining account is not yet a party; that it is the invited one is checked below (a party
    account, a party record without an account) and by the portal (the invitation and its phone number: see
    cases.actions.online.do_accept_invitation, which calls this in its transaction). `note` says how the account came
    to the case (the demo seeder links walk-in applicants who later sign in with their number)."""
    at = now_or(at)
    require(actor.role == Role.PARTY and actor.is_active, "只有当事人账号可以加入案件")
    with transaction.atomic():
        case = lock(case)
        require(
            find_row("party_refusal", case.status) is not None,
            f"案件当前状态为“{CaseStatus(case.status).label}”，已不能加入。如有疑问，请联系调委会",
        )
        party = Party.objects.select_for_update().get(pk=party.pk)
        require(party.case_id == case.pk, "该当事人不属于本案")
        require(party.user_id is None, "该当事人已由其他账号加入")
        require(not case.parties.filter(user=actor).exists(), "您已是本案当事人")
        party.user = actor
        party.save(update_fields=["user"])
        record(case, "party_joined", actor, at, note=f"{party.name}{note}", data={"party": party.pk})
        notify_after_commit(case, f"{party.name}已加入线上案件", actor, at=at)
    return party


def do_record_party_consent(case: Case, actor: User, *, party: Party, at: datetime | None = None) -> Case:
    """A party states online that they agree to mediation (PML 17: mediation proceeds only if no party refuses).
    Allowed wherever the party could still refuse (the party_refusal rows); the status does not change."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        try:
            check(case, "party_refusal", actor)
        except ActionRefused:
            raise ActionRefused("本案当前已不需要表示是否同意调解") from None
        _own_party(case, actor, party)
        require(not case.events.filter(action="party_consent", data__party=party.pk).exists(), "您已表示同意调解")
        record(case, "party_consent", actor, at, note=f"{party.name}表示同意调解", data={"party": party.pk})
        notify_after_commit(case, f"{party.name}同意调解", actor, at=at)
    return case


def do_withdraw_application(
    case: Case, actor: User, *, party: Party, statement: str, routes: list[str], at: datetime | None = None
) -> Case:
    """The applicant withdraws (PML 23(2): a party may demand that mediation end). The party_refusal rows of the
    table apply: INTAKE → NOT_ACCEPTED; ACCEPTED/IN_MEDIATION/PAUSED/REMEDIATION → TERMINATED with the reason
    PARTY_WITHDREW. The other routes shown to the party are recorded (PML 26)."""
    at = now_or(at)
    require(bool(routes), "请选择已告知当事人的其他解决途径", "routes")
    with transaction.atomic():
        case = lock(case)
        target = check(case, "party_refusal", actor)
        _own_party(case, actor, party)
        require(party.side == PartySide.APPLICANT, "只有申请人可以撤回申请；被申请人可以表示不同意调解")
        text = f"{party.name}撤回调解申请" + (f"：{statement.strip()}" if statement.strip() else "")
        _end_by_party(case, target, text, routes, TerminationReason.PARTY_WITHDREW)
        record(
            case,
            "party_refusal",
            actor,
            at,
            to=target,
            note=text,
            data={"party": party.pk, "routes": routes, "withdrawn": True},
        )
        notify_after_commit(case, "申请人已撤回调解申请", actor, at=at)
    return case


__all__ = [
    "ActionRefused",
    "CaseData",
    "PartyData",
    "do_accept_case",
    "do_assign_mediators",
    "do_join_case",
    "do_record_party_consent",
    "do_record_party_refusal",
    "do_recuse_mediator",
    "do_refuse_case",
    "do_register_case",
    "do_transfer_case",
    "do_withdraw_application",
    "format_case_no",
    "routes_text",
]
