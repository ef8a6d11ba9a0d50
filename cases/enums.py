"""Enumerations of the domain (mediation-domain.md §4–§5), one TextChoices each, with Chinese labels."""

from django.db import models
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    INTAKE = "INTAKE", _("待审查")
    NOT_ACCEPTED = "NOT_ACCEPTED", _("不予受理")
    TRANSFERRED_OUT = "TRANSFERRED_OUT", _("已移交")
    ACCEPTED = "ACCEPTED", _("已受理")
    IN_MEDIATION = "IN_MEDIATION", _("调解中")
    PAUSED = "PAUSED", _("暂缓")
    AGREEMENT_REACHED = "AGREEMENT_REACHED", _("达成协议")
    TERMINATED = "TERMINATED", _("调解终止")
    PERFORMING = "PERFORMING", _("履行中")
    NON_PERFORMANCE = "NON_PERFORMANCE", _("未履行（督促中）")
    PERFORMED = "PERFORMED", _("履行完毕")
    REMEDIATION = "REMEDIATION", _("重新调解")
    CLOSED = "CLOSED", _("已结案")
    ARCHIVED = "ARCHIVED", _("已归档")
    DISPOSED = "DISPOSED", _("已销毁")
    # issue 11 §5: a case registered twice for one dispute (110, 12345, a walk-in) merged, while still in intake,
    # into the case that goes on (Case.merged_into); it is not a case of its own in any statistic.
    MERGED = "MERGED", _("已并案")


MEDIATING_STATES = {CaseStatus.IN_MEDIATION, CaseStatus.REMEDIATION}
OPEN_STATES = {
    CaseStatus.INTAKE,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_MEDIATION,
    CaseStatus.PAUSED,
    CaseStatus.REMEDIATION,
    CaseStatus.AGREEMENT_REACHED,
    CaseStatus.PERFORMING,
    CaseStatus.NON_PERFORMANCE,
    CaseStatus.PERFORMED,
    CaseStatus.TERMINATED,
}
# States in which the mediation clock runs (overdue is only meaningful here).
CLOCK_STATES = {CaseStatus.ACCEPTED, CaseStatus.IN_MEDIATION, CaseStatus.REMEDIATION}
PRE_AGREEMENT_STATES = {
    CaseStatus.INTAKE,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_MEDIATION,
    CaseStatus.PAUSED,
    CaseStatus.REMEDIATION,
}


class DisputeType(models.TextChoices):
    """National statistics list (§5.1). Sub-items roll up to their parent via DISPUTE_PARENT."""

    MARRIAGE_FAMILY = "MARRIAGE_FAMILY", _("婚姻家庭纠纷")
    NEIGHBOR = "NEIGHBOR", _("邻里纠纷")
    HOUSING_HOMESTEAD = "HOUSING_HOMESTEAD", _("房屋宅基地纠纷")
    CONTRACT = "CONTRACT", _("合同纠纷")
    PRODUCTION_OPERATION = "PRODUCTION_OPERATION", _("生产经营纠纷")
    DAMAGE_COMPENSATION = "DAMAGE_COMPENSATION", _("损害赔偿纠纷")
    FOREST_LAND = "FOREST_LAND", _("山林土地纠纷")
    LAND_ACQ_DEMOLITION = "LAND_ACQ_DEMOLITION", _("征地拆迁纠纷")
    ENV_POLLUTION = "ENV_POLLUTION", _("环境污染纠纷")
    LABOR_MIGRANT_WAGES = "LABOR_MIGRANT_WAGES", _("劳动争议纠纷—拖欠农民工工资纠纷")
    LABOR_OTHER = "LABOR_OTHER", _("劳动争议纠纷—其他劳动争议纠纷")
    CONSUMER_TOURISM = "CONSUMER_TOURISM", _("消费纠纷—旅游纠纷")
    CONSUMER_ECOMMERCE = "CONSUMER_ECOMMERCE", _("消费纠纷—电子商务纠纷")
    CONSUMER_OTHER = "CONSUMER_OTHER", _("消费纠纷—其他消费纠纷")
    MEDICAL = "MEDICAL", _("医疗纠纷")
    ROAD_TRAFFIC = "ROAD_TRAFFIC", _("道路交通事故纠纷")
    PROPERTY_MGMT = "PROPERTY_MGMT", _("物业纠纷")
    OTHER = "OTHER", _("其他纠纷")


DISPUTE_PARENT = {
    DisputeType.LABOR_MIGRANT_WAGES: "LABOR",
    DisputeType.LABOR_OTHER: "LABOR",
    DisputeType.CONSUMER_TOURISM: "CONSUMER",
    DisputeType.CONSUMER_ECOMMERCE: "CONSUMER",
    DisputeType.CONSUMER_OTHER: "CONSUMER",
}


class CaseSource(models.TextChoices):
    """§5.2; REFERRED_* are the sub-items of 接受委托移送调解."""

    PROACTIVE = "PROACTIVE", _("主动调解")
    ON_APPLICATION = "ON_APPLICATION", _("依申请调解")
    REFERRED_COURT = "REFERRED_COURT", _("法院委托移送")
    REFERRED_PROCURATORATE = "REFERRED_PROCURATORATE", _("检察院委托移送")
    REFERRED_POLICE = "REFERRED_POLICE", _("公安机关委托移送")
    REFERRED_PETITION = "REFERRED_PETITION", _("信访部门委托移送")
    REFERRED_OTHER_DEPT = "REFERRED_OTHER_DEPT", _("其他部门委托移送")


REFERRED_SOURCES = {s for s in CaseSource if s.startswith("REFERRED_")}


class CourtReferralType(models.TextChoices):
    NONE = "", _("—")
    WEIPAI = "WEIPAI", _("委派（诉前）")
    WEITUO = "WEITUO", _("委托（诉中）")
    YAOQING = "YAOQING", _("邀请（协助）")


class PartyType(models.TextChoices):
    NATURAL_PERSON = "NATURAL_PERSON", _("自然人")
    LEGAL_PERSON = "LEGAL_PERSON", _("法人")
    UNINCORPORATED_ORG = "UNINCORPORATED_ORG", _("非法人组织")


class PartySide(models.TextChoices):
    APPLICANT = "APPLICANT", _("申请人")
    RESPONDENT = "RESPONDENT", _("被申请人")
    THIRD_PARTY = "THIRD_PARTY", _("第三人")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AgreementForm(models.TextChoices):
    WRITTEN = "WRITTEN", _("书面协议")
    ORAL = "ORAL", _("口头协议")


class AgreementStatus(models.TextChoices):
    DRAFT = "DRAFT", _("草拟中")
    EFFECTIVE = "EFFECTIVE", _("已生效")
    CHANGED = "CHANGED", _("已变更")
    REVOKED = "REVOKED", _("已撤销")
    CONFIRMED_BY_COURT = "CONFIRMED_BY_COURT", _("经司法确认有效")
    INVALIDATED_BY_COURT = "INVALIDATED_BY_COURT", _("被法院驳回")


class Outcome(models.TextChoices):
    NONE = "", _("—")
    SUCCESS = "SUCCESS", _("调解成功")
    FAILURE = "FAILURE", _("调解不成功")


class TerminationReason(models.TextChoices):
    PARTY_REFUSED = "PARTY_REFUSED", _("当事人明确拒绝调解")
    PARTY_WITHDREW = "PARTY_WITHDREW", _("当事人撤回申请")
    NO_PROSPECT = "NO_PROSPECT", _("经调解无法达成协议")
    TIME_LIMIT_NO_CONSENT = "TIME_LIMIT_NO_CONSENT", _("期满未达成协议且当事人不同意延长")
    EXCLUDED_ACCEPTED_ELSEWHERE = "EXCLUDED_ACCEPTED_ELSEWHERE", _("纠纷已由法院、公安或行政机关受理")
    EXCLUDED_CRIMINAL_OR_ADMIN = "EXCLUDED_CRIMINAL_OR_ADMIN", _("纠纷转为刑事或行政案件")
    PARTY_UNREACHABLE = "PARTY_UNREACHABLE", _("当事人无法联系")
    OTHER = "OTHER", _("其他")


class Route(models.TextChoices):
    """Routes the parties are told about when mediation is refused or ends (PML 26, RGD 24)."""

    LITIGATION = "LITIGATION", _("向人民法院起诉")
    ARBITRATION = "ARBITRATION", _("申请仲裁")
    ADMINISTRATIVE = "ADMINISTRATIVE", _("请求行政机关处理")
    OTHER_COMMITTEE = "OTHER_COMMITTEE", _("向其他调解组织申请调解")
    # The proper routes for matters a committee may not take (RGD 22): the body already seized, or the one
    # competent by law.
    COURT_PROCEEDING = "COURT_PROCEEDING", _("通过已受理或已作出裁判的人民法院依法解决")
    ARBITRATION_PROCEEDING = "ARBITRATION_PROCEEDING", _("通过已受理或已作出裁决的仲裁机构依法解决")
    ADMIN_PROCEEDING = "ADMIN_PROCEEDING", _("通过已受理的公安机关或其他行政机关依法处理")
    SPECIALISED_AUTHORITY = "SPECIALISED_AUTHORITY", _("向依法有权处理的专门机关反映")


class RecordKind(models.TextChoices):
    INVESTIGATION = "INVESTIGATION", _("调查记录")
    SESSION = "SESSION", _("调解记录")


class SignerRole(models.TextChoices):
    PARTY = "PARTY", _("当事人")
    MEDIATOR = "MEDIATOR", _("调解员")
    SEAL = "SEAL", _("调委会印章")


class SignatureMethod(models.TextChoices):
    HANDWRITTEN = "HANDWRITTEN", _("签名")
    SEAL = "SEAL", _("盖章")
    FINGERPRINT = "FINGERPRINT", _("按指印")
    E_SIGNATURE = "E_SIGNATURE", _("电子签名")


class PerformanceStatus(models.TextChoices):
    NONE = "", _("—")
    IMMEDIATE = "IMMEDIATE", _("即时履行")
    PERFORMING = "PERFORMING", _("正在履行")
    FULLY_PERFORMED = "FULLY_PERFORMED", _("履行完毕")
    PARTIALLY_PERFORMED = "PARTIALLY_PERFORMED", _("部分履行")
    NOT_PERFORMED = "NOT_PERFORMED", _("未履行")


class FollowUpOutcome(models.TextChoices):
    PERFORMED = "PERFORMED", _("已履行")
    PARTIAL = "PARTIAL", _("部分履行")
    NOT_PERFORMED = "NOT_PERFORMED", _("未履行")
    SUED = "SUED", _("已起诉")
    NEW_RISK = "NEW_RISK", _("发现新的风险")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "VERY_SATISFIED", _("非常满意")
    SATISFIED = "SATISFIED", _("满意")
    NEUTRAL = "NEUTRAL", _("一般")
    DISSATISFIED = "DISSATISFIED", _("不满意")


class JCStatus(models.TextChoices):
    NOT_APPLIED = "NOT_APPLIED", _("未申请")
    APPLIED = "APPLIED", _("已申请")
    ACCEPTED = "ACCEPTED", _("法院已受理")
    NOT_ACCEPTED = "NOT_ACCEPTED", _("法院不予受理")
    CONFIRMED_VALID = "CONFIRMED_VALID", _("确认有效")
    REJECTED = "REJECTED", _("驳回申请")
    WITHDRAWN = "WITHDRAWN", _("已撤回")


class RetentionClass(models.TextChoices):
    PERMANENT = "PERMANENT", _("永久")
    Y30 = "Y30", _("定期30年")
    Y10 = "Y10", _("定期10年")


class MediatorChosenBy(models.TextChoices):
    COMMITTEE = "COMMITTEE", _("调委会指定")
    PARTIES = "PARTIES", _("当事人选定")


class ActorKind(models.TextChoices):
    PERSON = "PERSON", _("人员")
    SYSTEM = "SYSTEM", _("系统")
    API_CLIENT = "API_CLIENT", _("外部机构接口")


class SystemJob(models.TextChoices):
    """Which job of the system acted (shown as 系统（…） on the timeline)."""

    WORKFLOW = "WORKFLOW", _("流程联动")  # a consequence of a person's action (agreement takes effect, …)
    DEADLINE_MONITOR = "DEADLINE_MONITOR", _("期限监控")  # overdue marking, automatic termination
    REMINDER = "REMINDER", _("到期提醒")
    SUPERVISION_MONITOR = "SUPERVISION_MONITOR", _("督办监控")  # escalation of an unanswered 督办
    IMPORT = "IMPORT", _("历史数据导入")
    REFERRAL_MONITOR = "REFERRAL_MONITOR", _("对接期限监控")  # referral and dispatch clocks (issue 11)


class Exclusion(TextChoices):
    """Matters a committee may not take (RGD 22; PML 17–18): recorded at registration and at acceptance."""

    NONE = "NONE", _("未发现不得受理的情形")
    COURT_ACCEPTED = "COURT_ACCEPTED", _("已由人民法院立案受理")
    COURT_DECIDED = "COURT_DECIDED", _("已由人民法院判决、裁定或调解结案")
    ARBITRATION = "ARBITRATION", _("已由仲裁机构受理或作出裁决")
    ADMIN_ORGAN = "ADMIN_ORGAN", _("已由公安机关或其他行政机关受理或处理")
    SPECIALISED = "SPECIALISED", _("依法只能由专门机关管辖处理")
    LAW_FORBIDS = "LAW_FORBIDS", _("法律、法规禁止采用民间调解方式解决")


# The route the party must be told about when acceptance is refused for an exclusion (RGD 24).
EXCLUSION_ROUTE: dict[str, str] = {
    Exclusion.COURT_ACCEPTED: Route.COURT_PROCEEDING,
    Exclusion.COURT_DECIDED: Route.COURT_PROCEEDING,
    Exclusion.ARBITRATION: Route.ARBITRATION_PROCEEDING,
    Exclusion.ADMIN_ORGAN: Route.ADMIN_PROCEEDING,
    Exclusion.SPECIALISED: Route.SPECIALISED_AUTHORITY,
    Exclusion.LAW_FORBIDS: Route.SPECIALISED_AUTHORITY,
}


class CivilCapacity(TextChoices):
    """民法典 arts 17–24: who may act alone, and who acts through a guardian (法定代理人)."""

    FULL = "FULL", _("完全民事行为能力")
    LIMITED = "LIMITED", _("限制民事行为能力")
    NONE = "NONE", _("无民事行为能力")


class TermSubject(TextChoices):
    """What an agreement term concerns. The court does not accept confirmation of the ones other than GENERAL
    (法释〔2011〕5号 art. 4; 民诉解释 art. 357 [now 355]): mediation-domain.md §4.3 "Not accepted when"."""

    GENERAL = "GENERAL", _("一般民事权利义务（给付、赔偿、履行等）")
    MARRIAGE = "MARRIAGE", _("确认婚姻关系（有效、无效或解除）")
    PARENTAGE = "PARENTAGE", _("确认亲子关系")
    ADOPTION = "ADOPTION", _("确认收养关系")
    PROPERTY_TITLE = "PROPERTY_TITLE", _("物权确权（如房屋、土地权属）")
    IP_TITLE = "IP_TITLE", _("知识产权确权")
    SPECIAL_PROCEDURE = "SPECIAL_PROCEDURE", _("须适用其他特别程序、公示催告程序或破产程序")


NOT_CONFIRMABLE = frozenset(s for s in TermSubject if s != TermSubject.GENERAL)


class CaseAction(models.TextChoices):
    """The name of every event on a case's timeline (CaseEvent.action) and of every row of the transition table.

    cases.transitions.LABELS is derived from this. Labels are plain strings, not lazy translations: LABELS is a
    dict[str, str] built at import time, and the UI is Chinese only."""

    REGISTER = "register", "登记纠纷"
    PARTY_JOINED = "party_joined", "当事人加入案件"
    PARTY_CONSENT = "party_consent", "当事人同意调解"
    ACCEPT = "accept", "受理"
    REFUSE = "refuse", "不予受理"
    TRANSFER = "transfer", "移交"
    ASSIGN = "assign", "指派调解员"
    RECUSE = "recuse", "回避更换调解员"
    RECORD_INVESTIGATION = "record_investigation", "记录调查"
    RECORD_SESSION = "record_session", "记录调解"
    EXTEND = "extend", "延长调解期限"
    PAUSE = "pause", "暂缓调解"
    RESUME = "resume", "恢复调解"
    DRAFT_AGREEMENT = "draft_agreement", "起草书面协议"
    SIGN_AGREEMENT = "sign_agreement", "登记签名"
    SEAL_AGREEMENT = "seal_agreement", "加盖调委会印章"
    AGREEMENT_EFFECTIVE = "agreement_effective", "协议生效"
    ORAL_AGREEMENT = "oral_agreement", "登记口头协议"
    TERMINATE = "terminate", "终止调解"
    PARTY_REFUSAL = "party_refusal", "当事人拒绝调解"
    IMMEDIATE_PERFORMANCE = "immediate_performance", "即时履行"
    PERFORMANCE_TRACKING = "performance_tracking", "进入履行期"
    RECORD_PAYMENT = "record_payment", "登记履行"
    RECORD_FOLLOW_UP = "record_follow_up", "记录回访"
    CONFIRM_PERFORMED = "confirm_performed", "确认履行完毕"
    REPORT_NON_PERFORMANCE = "report_non_performance", "登记未履行"
    URGE_PERFORMANCE = "urge_performance", "督促履行"
    REMEDIATE = "remediate", "重新调解"
    CLOSE = "close", "结案"
    ARCHIVE = "archive", "立卷归档"
    DISPOSE = "dispose", "销毁"
    JC_APPLY = "jc_apply", "申请司法确认"
    JC_COURT_ACCEPT = "jc_court_accept", "法院受理司法确认"
    JC_COURT_REFUSE = "jc_court_refuse", "法院不予受理"
    JC_DECIDE = "jc_decide", "登记司法确认结果"
    # the law's remaining gaps (issue 8)
    GUARDIAN_CONSENT = "guardian_consent", "登记监护人同意调解"
    PUT_ORAL_IN_WRITING = "put_oral_in_writing", "口头协议书面化"
    # the deadline monitor (issue 8, cases.actions.system)
    MARK_OVERDUE = "mark_overdue", "标记超期"
    AUTO_TERMINATE = "auto_terminate", "期满自动终止"
    # the online joint judicial-confirmation request (cases.actions.judicial); jc_request has rows, the others are
    # events of a waiting request, checked against the jc_request rows
    JC_REQUEST = "jc_request", "请求共同申请司法确认"
    JC_REQUEST_DECLINE = "jc_request_decline", "不同意共同申请司法确认"
    JC_REQUEST_WITHDRAW = "jc_request_withdraw", "撤回共同申请司法确认请求"
    JC_REQUEST_REFUSED = "jc_request_refused", "共同申请司法确认未能提交"
    # written by cases.actions.online.do_submit_online_application beside the register event
    EVIDENCE_ATTACHED = "evidence_attached", "随申请提交证据材料"
    # the supervision loop (issue 8 §3, cases.actions.supervision)
    SUPERVISE = "supervise", "督办"
    URGE = "urge", "催办"
    SUPERVISION_REPLY = "supervision_reply", "督办反馈"
    SUPERVISION_ESCALATE = "supervision_escalate", "督办逾期升级"
    # issue 9 §3: scans of paper documents filed in the dossier (cases.actions.attachments); a withdrawal is an
    # event of the attach_scan rows (same states, same people)
    ATTACH_SCAN = "attach_scan", "上传卷宗扫描件"
    WITHDRAW_SCAN = "withdraw_scan", "撤回卷宗扫描件"
    # issue 11: referrals, the 矛调中心's dispatches, duplicates and joint mediation (referrals.*, cases.actions.joint)
    REFERRAL_ACCEPTED = "referral_accepted", "接收移送纠纷"
    REFERRAL_LINKED = "referral_linked", "关联同一纠纷的移送"
    REFERRAL_REPORT = "referral_report", "向移送机构报送调解结果"
    DISPATCH = "dispatch", "分流交办"
    DISPATCH_ACCEPTED = "dispatch_accepted", "接收分流交办"
    DISPATCH_RETURNED = "dispatch_returned", "退回分流交办"
    DISPATCH_ESCALATED = "dispatch_escalated", "分流逾期未接收，自动上移"
    MERGE = "merge", "并案"
    JOINT_MEDIATOR = "joint_mediator", "邀请其他调解组织调解员联合调解"
    INVITE_PARTICIPANT = "invite_participant", "邀请有关人员参加调解"
    # issue 13: the dispute type corrected later (cases.actions.reclassify), with the triage suggestion beside it
    RECLASSIFY = "reclassify", "重新分类"
