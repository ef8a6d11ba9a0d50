"""The case in a citizen's words: where it stands (受理了吗？谁在调解？下一步是什么？) and what happened, without the
committee's working papers (records, internal notes) or the other side's personal data."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases.actions.judicial import jc_deadline
from cases.enums import AgreementStatus, CaseStatus, JCStatus, Route
from cases.models import Case, CaseEvent, Party
from cases.permissions import current_agreement, current_jc

S = CaseStatus

# The steps a citizen recognises, in order; each status belongs to one.
STEPS = ["提交申请", "受理", "调解", "签协议", "履行", "结案"]
STEP_OF = {
    S.INTAKE: 0,
    S.NOT_ACCEPTED: 1,
    S.TRANSFERRED_OUT: 1,
    S.ACCEPTED: 1,
    S.IN_MEDIATION: 2,
    S.PAUSED: 2,
    S.REMEDIATION: 2,
    S.TERMINATED: 2,
    S.AGREEMENT_REACHED: 3,
    S.PERFORMING: 4,
    S.NON_PERFORMANCE: 4,
    S.PERFORMED: 4,
    S.CLOSED: 5,
    S.ARCHIVED: 5,
    S.DISPOSED: 5,
    S.MERGED: 1,  # issue 11 §5: merged, at intake, into the case of the same dispute
}
ENDED = {S.NOT_ACCEPTED, S.TRANSFERRED_OUT, S.TERMINATED, S.MERGED}
ROUTES_TEXT = "、".join(str(label) for _value, label in Route.choices)


def _d(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@dataclass
class Status:
    accepted: str  # 受理了吗？
    who: str  # 谁在调解？
    next: str  # 下一步是什么？
    ended: bool


def status_for(case: Case, party: Party | None) -> Status:
    s = case.status
    accepted = {
        S.INTAKE: "还没有。调委会正在审查申请，一般在3个工作日内决定是否受理。",
        S.NOT_ACCEPTED: f"未受理。{case.not_accepted_reason}",
        S.TRANSFERRED_OUT: f"本调委会已将纠纷移交给{case.transferred_to}处理。",
        S.MERGED: "同一纠纷已有案件在办理，本申请已与该案件合并办理。",
    }.get(
        s,
        f"已受理，案号{case.case_no}，受理时间{_d(timezone.localtime(case.accepted_at).date())}。"
        if case.accepted_at
        else "已受理。",
    )
    mediators = case.mediators()
    if mediators:
        who = "、".join(m.name for m in mediators) + f"（{case.committee.name}）"
    elif s in ENDED:
        who = "—"
    else:
        who = f"{case.committee.name}将指派调解员。"
    if case.committee.phone:
        who += f" 调委会电话：{case.committee.phone}"
    agreement = current_agreement(case)
    nxt = {
        S.INTAKE: "等待调委会受理。受理后会以短信和站内通知告诉您。",
        S.ACCEPTED: "调委会将指派调解员，告知您的权利和义务，并联系您约定调解时间。",
        S.IN_MEDIATION: "调解员会联系各方当事人，约定时间调解。"
        + (f"调解期限至{_d(case.time_limit_due)}。" if case.time_limit_due else ""),
        S.PAUSED: "调解暂时中止（例如等待鉴定结论），恢复后会通知您。",
        S.REMEDIATION: "因协议需要变更，正在重新调解。",
        S.AGREEMENT_REACHED: "调解协议已生效，请按协议约定履行。",
        S.PERFORMING: "协议正在履行中，请按约定的时间和方式履行。",
        S.NON_PERFORMANCE: "有义务尚未履行，调委会正在督促。",
        S.PERFORMED: "协议已履行完毕，调委会将回访并结案。",
        S.CLOSED: "案件已结案。欢迎您对调解服务进行评价。",
        S.ARCHIVED: "案件已结案归档。",
        S.NOT_ACCEPTED: f"您可以：{case.routes_informed or ROUTES_TEXT}。",
        S.TERMINATED: f"调解已终止。您可以：{case.routes_informed or ROUTES_TEXT}。",
        S.TRANSFERRED_OUT: "请等待接收单位联系您。",
        S.DISPOSED: "—",
        S.MERGED: "请等待调解组织联系您，纠纷将在合并后的案件中一并调解。",
    }[s]
    if agreement is not None and agreement.status == AgreementStatus.DRAFT and s in (S.IN_MEDIATION, S.REMEDIATION):
        nxt = "调解员已起草调解协议，请阅读协议全文并签署。" + nxt
    deadline = jc_deadline(case)
    jc = current_jc(case)
    if deadline and (jc is None or jc.status in (JCStatus.NOT_ACCEPTED, JCStatus.WITHDRAWN)):
        today = timezone.localdate()
        if today <= deadline:
            nxt += f"如需司法确认，双方须共同申请，最后一日为{_d(deadline)}（还剩{(deadline - today).days}天）。"
    return Status(accepted=accepted, who=who, next=nxt, ended=s in ENDED)


def step_index(case: Case) -> int:
    return STEP_OF[S(case.status)]


def _name(event: CaseEvent, parties: dict[int, Party]) -> str:
    party = parties.get((event.data or {}).get("party"))
    return party.name if party else "当事人"


def event_text(event: CaseEvent, parties: dict[int, Party]) -> str | None:
    """One sentence per event a citizen needs to know about; None hides committee-internal steps."""
    a, note, data = event.action, event.note, event.data or {}
    texts = {
        "register": "提交了调解申请" if event.actor and event.actor.role == "PARTY" else "调委会登记了纠纷",
        "accept": f"调委会受理了申请，案号{data.get('case_no', '')}",
        "refuse": f"调委会决定不予受理：{note}",
        "transfer": f"纠纷移交{data.get('to', '')}处理",
        "assign": f"调委会指派了调解员（{note.removeprefix('调解员：')}）",
        "recuse": "调解员已更换",
        "party_joined": f"{_name(event, parties)}加入了线上案件",
        "party_consent": f"{_name(event, parties)}同意调解",
        "record_session": "调解员组织了调解",
        "record_investigation": "调解员进行了调查了解",
        "extend": f"经各方同意，{note.split('：')[0]}",
        "pause": "调解暂缓",
        "resume": "调解恢复",
        "draft_agreement": "调解员起草（修改）了调解协议" + ("，此前的签名作废" if data.get("voided") else ""),
        "sign_agreement": note.replace("已", "已在协议上", 1) if note else "协议已签署",
        "seal_agreement": "调委会在协议上加盖了印章",
        "agreement_effective": "调解协议生效",
        "oral_agreement": "达成口头调解协议，当日生效",
        "terminate": f"调解终止：{note.split('：')[0]}",
        "party_refusal": note,
        "immediate_performance": "协议已当场履行",
        "performance_tracking": "进入协议履行期",
        "record_payment": "登记了一次履行",
        "record_follow_up": "调委会进行了回访",
        "confirm_performed": "协议已履行完毕",
        "report_non_performance": "有义务未按期履行",
        "urge_performance": "调委会督促了履行",
        "remediate": "因协议需要变更，开始重新调解",
        "close": "案件结案",
        "archive": "案卷归档",
        "jc_apply": f"司法确认申请已提交：{note}",
        "jc_court_accept": note,
        "jc_court_refuse": note,
        "jc_decide": note,
        # issue 8, timers: acts of the system itself (the timeline names it as the actor, 系统（期限监控）)
        "mark_overdue": "调解期限已届满",
        "auto_terminate": f"调解期限届满未达成协议，调解终止。您可以：{data_routes(data)}",
        "jc_request": note,
        "jc_request_decline": note,
        "jc_request_withdraw": note,
        "jc_request_refused": note,
        "evidence_attached": note,
        # issue 11: one dispute, one case; joint mediation
        "merge": "同一纠纷已有案件在办理，本申请与该案件合并办理",
        "joint_mediator": "其他调解组织的调解员参加本案联合调解",
    }
    return texts.get(a)


def data_routes(data: dict) -> str:
    return "、".join(str(Route(r).label) for r in data.get("routes", []) if r in Route.values) or ROUTES_TEXT


def timeline(case: Case) -> list[tuple[CaseEvent, str]]:
    parties = {p.pk: p for p in case.parties.all()}
    rows = []
    for e in case.events.select_related("actor").order_by("at", "id"):
        text = event_text(e, parties)
        if text:
            rows.append((e, text))
    return rows
