"""Risk assessment (研判): levels, owner, measures, review, resolution, meetings (issue 12 point 3). Owner: h-risk.

Every change runs in one transaction with the risk row locked, is checked against screening.permissions, and
appends a RiskEvent. RED and ORANGE start the escalation ladder (screening.actions.escalation); lowering to YELLOW
or resolving stops it. The review date has a RISK_REVIEW_DUE timer at review_reminder_hour (local) of that day
that tells the owner (or, without one, the committee's directors)."""

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from cases import timers
from cases.models import Case, Timer, TimerKind
from notifications.enums import NoticeKind
from notifications.services import notify
from registry.models import Division
from screening import config, rules
from screening.actions import escalation
from screening.actions.base import ActionRefused, cn_day, local_date, now_or, record_event, require
from screening.enums import LEVEL_RANK, LEVEL_WORD, RiskEventKind, RiskFlag, RiskLevel, RiskStatus
from screening.models import Finding, RiskAssessment, RiskMeeting
from screening.permissions import (
    can_assess_case,
    can_assess_finding,
    can_lower,
    can_raise,
    can_record_meeting,
    can_resolve,
    can_update,
)

_UNSET = object()
ESCALATING = (RiskLevel.RED, RiskLevel.ORANGE)


# ----------------------------------------------------------------------------------------------------------------
# Checks shared by the actions


def _clean_flags(flags: list[str] | None) -> list[str]:
    flags = list(dict.fromkeys(flags or []))
    unknown = [f for f in flags if f not in RiskFlag.values]
    require(not unknown, "风险标识不正确", "flags")
    return [f for f in RiskFlag.values if f in flags]


def _clean_reason(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    require(len(text) >= 4, message, field)
    require(len(text) <= 2000, "内容过长，请精简到2000字以内", field)
    return text


def owner_allowed(owner: User, committee_id: int, division_code: str) -> bool:
    """A 包案领导 is a member of the risk's committee or an area role covering its place."""
    if not owner.is_active:
        return False
    if owner.role in (Role.MEDIATOR, Role.DIRECTOR):
        return owner.committee_id == committee_id
    if owner.role in (Role.SFS_OFFICER, Role.GOVERNANCE_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN):
        return bool(owner.division_id) and division_code.startswith(str(owner.division_id))
    return False


def _check_owner(owner: User | None, committee_id: int, division_code: str) -> None:
    if owner is not None:
        require(owner_allowed(owner, committee_id, division_code), "包案领导须为本调委会人员或辖区主管人员", "owner")


def _check_review(review_on: date | None, at: datetime) -> None:
    if review_on is not None:
        require(review_on >= local_date(at), "复核日期不能早于今天", "review_on")


def _link(risk: RiskAssessment) -> str:
    return escalation.risk_link(risk)


def _lock(risk: RiskAssessment) -> RiskAssessment:
    return (
        RiskAssessment.objects.select_for_update(of=("self",))
        .select_related("committee", "case", "finding", "owner")
        .get(pk=risk.pk)
    )


def _mark_finding(risk: RiskAssessment) -> None:
    """A finding with a RED/ORANGE risk (or a major flag, or figures at a threshold) is 重大."""
    if risk.finding_id is None:
        return
    finding = Finding.objects.select_for_update().get(pk=risk.finding_id)
    if finding.is_major:
        return
    if rules.is_major(
        headcount=max(finding.headcount, risk.headcount),
        amount=risk.amount if risk.amount is not None else finding.amount,
        flags=risk.flags,
        level=risk.level if risk.status == RiskStatus.OPEN else "",
        division_code=risk.division_code,
    ):
        finding.is_major = True
        finding.save(update_fields=["is_major"])


# ----------------------------------------------------------------------------------------------------------------
# The review clock


def _review_fire_at(risk: RiskAssessment, day: date) -> datetime:
    hour = int(config.rules(risk.division_code).get("review_reminder_hour", 9))
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


def _sync_review_timer(risk: RiskAssessment, at: datetime) -> None:
    timers.cancel(TimerKind.RISK_REVIEW_DUE, target=risk, reason="复核日期变更", at=at)
    if risk.status == RiskStatus.OPEN and risk.review_on is not None:
        timers.schedule(
            TimerKind.RISK_REVIEW_DUE,
            case=risk.case,
            deadline=risk.review_on,
            fire_at=_review_fire_at(risk, risk.review_on),
            target=risk,
            rule="REVIEW",
        )


def _directors(risk: RiskAssessment) -> list[int]:
    return list(
        User.objects.filter(is_active=True, role=Role.DIRECTOR, committee_id=risk.committee_id).values_list(
            "pk", flat=True
        )
    )


@timers.handler(TimerKind.RISK_REVIEW_DUE)
def review_due(timer: Timer, now: datetime) -> str:
    """The review date has come: tell the owner (or the committee's directors), record REVIEW_DUE."""
    risk = (
        RiskAssessment.objects.select_for_update(of=("self",))
        .select_related("committee")
        .filter(pk=timer.target_id)
        .first()
    )
    if risk is None or risk.status != RiskStatus.OPEN:
        return "风险已办结"
    if risk.review_on != timer.deadline:
        return "复核日期已变更"
    record_event(
        risk, RiskEventKind.REVIEW_DUE, None, now, text=f"今天（{cn_day(risk.review_on)}）应复核研判", system="review"
    )
    tell = [risk.owner_id] if risk.owner_id else _directors(risk)
    notify(
        tell,
        NoticeKind.RISK_UPDATE,
        f"风险事项“{risk.title}”今天应复核研判",
        case=risk.case,
        at=now,
        sms=f"{risk.committee.name}的一条风险事项今天应复核研判，请登录调解平台处理。",
        link=_link(risk),
    )
    return "已提醒复核"


# ----------------------------------------------------------------------------------------------------------------
# Creating a risk


def _create(
    actor: User,
    *,
    case: Case | None,
    finding: Finding | None,
    title: str,
    flags: list[str],
    level: str,
    reasons: str,
    owner: User | None,
    measures: str,
    review_on: date | None,
    headcount: int,
    amount: Decimal | None,
    at: datetime,
    origin: str = "",
) -> RiskAssessment:
    """In the caller's transaction, after the permission check."""
    committee = case.committee if case is not None else finding.committee
    division_code = case.division_code if case is not None else finding.division_code
    _check_owner(owner, committee.pk, division_code)
    risk = RiskAssessment.objects.create(
        case=case if case is not None else (finding.case if finding is not None else None),
        finding=finding,
        committee=committee,
        division_code=division_code,
        title=title,
        flags=flags,
        level=level,
        reasons=reasons,
        owner=owner,
        measures=measures,
        review_on=review_on,
        headcount=headcount,
        amount=amount,
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    labels = "、".join(str(RiskFlag(f).label) for f in flags) or "无"
    record_event(
        risk,
        RiskEventKind.ASSESSED,
        actor,
        at,
        to_level=level,
        text=f"{origin}研判为{LEVEL_WORD[level]}风险；风险标识：{labels}；理由：{reasons}",
        data={"flags": flags, "level": level, "owner": owner.pk if owner else None},
    )
    _mark_finding(risk)
    _sync_review_timer(risk, at)
    if level in ESCALATING:
        escalation.start_chain(risk, actor, at)
    if owner is not None:
        notify(
            [owner],
            NoticeKind.RISK_UPDATE,
            f"您被确定为风险事项“{title}”的包案领导（{LEVEL_WORD[level]}）",
            case=risk.case,
            actor=actor,
            at=at,
            link=_link(risk),
        )
    return risk


def _clean_new(title: str, level: str, reasons: str, headcount: int, amount, measures: str) -> tuple:
    title = (title or "").strip()
    require(bool(title), "请填写风险事项", "title")
    require(len(title) <= 120, "风险事项不超过120字", "title")
    require(level in RiskLevel.values, "请选择风险等级", "level")
    reasons = _clean_reason(reasons, "reasons", "请写明研判理由（至少4个字）")
    try:
        headcount = int(headcount or 0)
    except (TypeError, ValueError):
        raise ActionRefused("涉及人数须为整数", "headcount") from None
    require(headcount >= 0, "涉及人数不能为负数", "headcount")
    if amount is not None:
        try:
            amount = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            raise ActionRefused("涉及金额须为数字", "amount") from None
        require(amount >= 0, "涉及金额不能为负数", "amount")
    return title, level, reasons, headcount, amount, (measures or "").strip()


def do_assess_risk(
    actor: User,
    *,
    case: Case | None = None,
    finding: Finding | None = None,
    title: str,
    flags: list[str],
    level: str,
    reasons: str,
    owner: User | None = None,
    measures: str = "",
    review_on: date | None = None,
    headcount: int = 0,
    amount: Decimal | None = None,
    at: datetime | None = None,
) -> RiskAssessment:
    """A new risk on a case or a finding (exactly one). RED and ORANGE start the escalation ladder at once
    (screening.actions.escalation.start_chain); flags in police_flags also go to the police. A finding's risk
    marks it 重大 when RED or ORANGE."""
    at = now_or(at)
    require((case is None) != (finding is None), "风险研判须针对一件案件或一条排查发现")
    flags = _clean_flags(flags)
    title, level, reasons, headcount, amount, measures = _clean_new(title, level, reasons, headcount, amount, measures)
    _check_review(review_on, at)
    with transaction.atomic():
        if case is not None:
            case = Case.objects.select_for_update(of=("self",)).select_related("committee").get(pk=case.pk)
            require(can_assess_case(actor, case), "您不能对该案件进行风险研判")
        else:
            finding = (
                Finding.objects.select_for_update(of=("self",)).select_related("committee", "case").get(pk=finding.pk)
            )
            require(can_assess_finding(actor, finding), "您不能对该排查发现进行风险研判")
        return _create(
            actor,
            case=case,
            finding=finding,
            title=title,
            flags=flags,
            level=level,
            reasons=reasons,
            owner=owner,
            measures=measures,
            review_on=review_on,
            headcount=headcount,
            amount=amount,
            at=at,
        )


def open_risk_from_termination(
    case: Case, actor: User, at: datetime, *, note: str, measures: str = "", flags: list[str] | None = None
) -> RiskAssessment:
    """Called by cases.actions.do_terminate_mediation (in its transaction) when the mediator marks 存在激化风险: a
    risk at the configured termination_level on the case, which starts the ladder."""
    level = str(config.rules(case.division_code).get("termination_level", RiskLevel.ORANGE))
    label = case.case_no or case.registration_no
    reasons = (note or "").strip() or "调解终止，调解员认为存在矛盾激化风险"
    if len(reasons) < 4:
        reasons = f"调解终止：{reasons}"
    return _create(
        actor,
        case=case,
        finding=None,
        title=f"案件{label}调解终止，存在激化风险"[:120],
        flags=_clean_flags(flags),
        level=level,
        reasons=reasons,
        owner=None,
        measures=(measures or "").strip(),
        review_on=None,
        headcount=case.parties.count(),
        amount=case.amount_involved or None,
        at=at,
        origin="调解终止时标记存在激化风险，",
    )


# ----------------------------------------------------------------------------------------------------------------
# Changing a risk


def _tell_update(risk: RiskAssessment, actor: User, at: datetime, message: str, *, sms: bool = False) -> None:
    tell = set(_directors(risk)) | ({risk.owner_id, risk.created_by_id} - {None})
    for hop in risk.hops.filter(status__in=["PENDING", "ACKNOWLEDGED"]):
        tell |= set(hop.recipient_ids or [])
    notify(
        tell,
        NoticeKind.RISK_UPDATE,
        message,
        case=risk.case,
        actor=actor,
        at=at,
        sms=f"{risk.committee.name}的一条风险事项等级已调整，请登录调解平台查看。" if sms else None,
        link=_link(risk),
    )


def do_change_level(
    actor: User, risk: RiskAssessment, *, level: str, reason: str, at: datetime | None = None
) -> RiskAssessment:
    """Raise (can_raise: anyone on the case) or lower (can_lower: the owner or above) with a reason. Raising to
    ORANGE/RED (re)starts the ladder with the new level's deadlines; lowering to YELLOW stops pending hops.
    Lowering RED to ORANGE keeps the pending hop and its deadline; the chain then stops at ORANGE's
    report_up_to."""
    at = now_or(at)
    require(level in RiskLevel.values, "请选择风险等级", "level")
    reason = _clean_reason(reason, "reason", "请写明调整等级的理由（至少4个字）")
    with transaction.atomic():
        risk = _lock(risk)
        require(risk.status == RiskStatus.OPEN, "该风险事项已办结，不能调整等级")
        require(level != risk.level, "新等级与现等级相同", "level")
        old = risk.level
        raising = LEVEL_RANK[level] > LEVEL_RANK[old]
        if raising:
            require(can_raise(actor, risk), "您不能调高该风险事项的等级")
        else:
            require(can_lower(actor, risk), "只有包案领导或上级才能调低风险等级", "level")
        risk.level = level
        risk.updated_at = at
        risk.save(update_fields=["level", "updated_at"])
        record_event(
            risk,
            RiskEventKind.LEVEL_RAISED if raising else RiskEventKind.LEVEL_LOWERED,
            actor,
            at,
            from_level=old,
            to_level=level,
            text=f"{LEVEL_WORD[old]}→{LEVEL_WORD[level]}：{reason}",
        )
        if level == RiskLevel.YELLOW:
            escalation.stop_chain(risk, actor, at, reason="降为黄色，停止上报")
        elif raising:
            _mark_finding(risk)
            escalation.start_chain(risk, actor, at)
        verb = "调高" if raising else "调低"
        _tell_update(
            risk,
            actor,
            at,
            f"风险事项“{risk.title}”{verb}为{LEVEL_WORD[level]}：{reason[:80]}",
            sms=raising,
        )
    return risk


def do_update_risk(
    actor: User,
    risk: RiskAssessment,
    *,
    reason: str,
    flags: list[str] | None = None,
    owner: object = _UNSET,
    measures: str | None = None,
    review_on: object = _UNSET,
    at: datetime | None = None,
) -> RiskAssessment:
    """Change flags, owner (包案领导), measures or review date, with a reason; a new police flag starts the police
    hand-off."""
    at = now_or(at)
    reason = _clean_reason(reason, "reason", "请写明变更理由（至少4个字）")
    new_flags = _clean_flags(flags) if flags is not None else None
    if review_on is not _UNSET:
        _check_review(review_on, at)
    with transaction.atomic():
        risk = _lock(risk)
        require(risk.status == RiskStatus.OPEN, "该风险事项已办结，不能变更")
        require(can_update(actor, risk), "您不能变更该风险事项")
        changed: list[str] = []
        flags_changed = new_flags is not None and new_flags != list(risk.flags or [])
        if flags_changed:
            before = list(risk.flags or [])
            risk.flags = new_flags
            added = [str(RiskFlag(f).label) for f in new_flags if f not in before]
            removed = [str(RiskFlag(f).label) for f in before if f not in new_flags]
            text = "；".join(
                part
                for part in (
                    f"增加：{'、'.join(added)}" if added else "",
                    f"取消：{'、'.join(removed)}" if removed else "",
                )
                if part
            )
            record_event(
                risk,
                RiskEventKind.FLAGS_CHANGED,
                actor,
                at,
                text=f"{text}。理由：{reason}",
                data={"from": before, "to": new_flags},
            )
        new_owner = None
        if owner is not _UNSET and (owner.pk if owner else None) != risk.owner_id:
            # Changing the owner is the owner's or above's (else anyone could make themselves the owner and lower
            # the level).
            require(can_lower(actor, risk), "只有包案领导或其上级才能更换包案领导", "owner")
            _check_owner(owner, risk.committee_id, risk.division_code)
            risk.owner = owner
            new_owner = owner
            changed.append(f"包案领导：{owner.full_name or owner.username}" if owner else "取消包案领导")
        if measures is not None and measures.strip() != risk.measures:
            risk.measures = measures.strip()
            changed.append("稳控措施已更新")
        if review_on is not _UNSET and review_on != risk.review_on:
            risk.review_on = review_on
            changed.append(f"复核日期：{cn_day(review_on)}" if review_on else "取消复核日期")
        require(bool(changed) or flags_changed, "没有需要变更的内容")
        risk.updated_at = at
        risk.save()
        if changed:
            record_event(
                risk,
                RiskEventKind.UPDATED,
                actor,
                at,
                text=f"{'；'.join(changed)}。理由：{reason}",
                data={"owner": risk.owner_id, "review_on": risk.review_on.isoformat() if risk.review_on else None},
            )
        _sync_review_timer(risk, at)
        _mark_finding(risk)
        escalation.push_police(risk, actor, at)
        if new_owner is not None:
            notify(
                [new_owner],
                NoticeKind.RISK_UPDATE,
                f"您被确定为风险事项“{risk.title}”的包案领导（{LEVEL_WORD[risk.level]}）",
                case=risk.case,
                actor=actor,
                at=at,
                link=_link(risk),
            )
    return risk


def do_review_risk(
    actor: User, risk: RiskAssessment, *, note: str, next_review_on: date | None = None, at: datetime | None = None
) -> RiskAssessment:
    """The periodic review (复核) of an open risk: what was found, and the next review date."""
    at = now_or(at)
    note = _clean_reason(note, "note", "请写明复核情况（至少4个字）")
    if next_review_on is not None:
        require(next_review_on > local_date(at), "下次复核日期须晚于今天", "next_review_on")
    with transaction.atomic():
        risk = _lock(risk)
        require(risk.status == RiskStatus.OPEN, "该风险事项已办结，无需复核")
        require(can_update(actor, risk) or actor.pk == risk.owner_id, "您不能复核该风险事项")
        risk.review_on = next_review_on
        risk.updated_at = at
        risk.save(update_fields=["review_on", "updated_at"])
        nxt = f"；下次复核：{cn_day(next_review_on)}" if next_review_on else ""
        record_event(
            risk,
            RiskEventKind.REVIEWED,
            actor,
            at,
            text=f"{note}{nxt}",
            data={"next_review_on": next_review_on.isoformat() if next_review_on else None},
        )
        _sync_review_timer(risk, at)
    return risk


def do_resolve_risk(
    actor: User, risk: RiskAssessment, *, note: str, handed_over: bool = False, at: datetime | None = None
) -> RiskAssessment:
    """化解 (or 移交处置): the risk is no longer open; pending hops stop."""
    at = now_or(at)
    note = _clean_reason(note, "note", "请写明化解或移交情况（至少4个字）")
    with transaction.atomic():
        risk = _lock(risk)
        require(risk.status == RiskStatus.OPEN, "该风险事项已办结")
        require(can_resolve(actor, risk), "只有包案领导或上级才能办结风险事项")
        risk.status = RiskStatus.HANDED_OVER if handed_over else RiskStatus.RESOLVED
        risk.resolved_at = at
        risk.resolution_note = note
        risk.updated_at = at
        risk.save(update_fields=["status", "resolved_at", "resolution_note", "updated_at"])
        record_event(
            risk,
            RiskEventKind.HANDED_OVER if handed_over else RiskEventKind.RESOLVED,
            actor,
            at,
            text=note,
        )
        escalation.stop_chain(risk, actor, at, reason="已移交处置，停止上报" if handed_over else "已化解，停止上报")
        timers.cancel(TimerKind.RISK_REVIEW_DUE, target=risk, reason="风险已办结", at=at)
        _tell_update(risk, actor, at, f"风险事项“{risk.title}”{'已移交处置' if handed_over else '已化解'}")
    return risk


def do_record_meeting(
    actor: User,
    division: Division,
    *,
    held_on: date,
    title: str,
    chair: str,
    attendees: str,
    minutes: str,
    risks: list[RiskAssessment],
    at: datetime | None = None,
) -> RiskMeeting:
    """Minutes of a 研判 meeting, attached to the risks it discussed (each gets a DISCUSSED event)."""
    from screening.scoping import risks_visible_to

    at = now_or(at)
    title, chair, attendees, minutes = (
        (title or "").strip(),
        (chair or "").strip(),
        (attendees or "").strip(),
        (minutes or "").strip(),
    )
    require(can_record_meeting(actor), "您不能记录研判会议")
    require(str(division.code).startswith(str(actor.division_id)), "只能记录本辖区的研判会议", "division")
    require(held_on <= local_date(at), "会议日期不能晚于今天", "held_on")
    require(bool(title) and len(title) <= 120, "请填写会议名称（不超过120字）", "title")
    require(bool(chair) and len(chair) <= 50, "请填写主持人（不超过50字）", "chair")
    require(bool(attendees) and len(attendees) <= 300, "请填写参会人员（不超过300字）", "attendees")
    require(len(minutes) >= 4, "请填写会议纪要（至少4个字）", "minutes")
    ids = [r.pk for r in risks]
    with transaction.atomic():
        chosen = risks_visible_to(actor).filter(pk__in=ids, division_code__startswith=division.code)
        visible = list(chosen.select_for_update(of=("self",)))
        require(len(visible) == len(set(ids)), "所选风险事项不在本辖区", "risks")
        meeting = RiskMeeting.objects.create(
            division=division,
            held_on=held_on,
            title=title,
            chair=chair,
            attendees=attendees,
            minutes=minutes,
            created_by=actor,
            created_at=at,
        )
        meeting.risks.set(visible)
        for risk in visible:
            record_event(
                risk,
                RiskEventKind.DISCUSSED,
                actor,
                at,
                text=f"{cn_day(held_on)}{title}研判",
                data={"meeting": meeting.pk},
            )
    return meeting
