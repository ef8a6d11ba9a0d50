"""Enumerations of referrals (issue 11): channels, referral and dispatch states, event kinds, court grounds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a referral comes from: the kind of institution that sends it (references-2.md §A.4)."""

    COURT = "COURT", _("人民法院（诉调对接）")
    POLICE = "POLICE", _("公安机关（公调对接）")
    PETITION = "PETITION", _("信访部门（访调对接）")
    HOTLINE = "HOTLINE", _("12345热线")
    PROCURATORATE = "PROCURATORATE", _("人民检察院（检调对接）")
    OTHER_DEPT = "OTHER_DEPT", _("其他部门")


# The case source (the MoJ form's 案件来源) a referral of each channel registers as.
CASE_SOURCE_OF_CHANNEL = {
    Channel.COURT: "REFERRED_COURT",
    Channel.POLICE: "REFERRED_POLICE",
    Channel.PETITION: "REFERRED_PETITION",
    Channel.HOTLINE: "REFERRED_OTHER_DEPT",
    Channel.PROCURATORATE: "REFERRED_PROCURATORATE",
    Channel.OTHER_DEPT: "REFERRED_OTHER_DEPT",
}


class Procedure(models.TextChoices):
    NONE = "", _("—")
    ORDINARY = "ORDINARY", _("普通程序")
    SIMPLE = "SIMPLE", _("简易程序")


class ReferralStatus(models.TextChoices):
    PENDING = "PENDING", _("待接收")
    ACCEPTED = "ACCEPTED", _("已接收，调解中")
    DECLINED = "DECLINED", _("已拒绝接收")
    RETURNED = "RETURNED", _("逾期未接收，已退回")
    WITHDRAWN = "WITHDRAWN", _("移送机构已撤回")
    SUCCEEDED = "SUCCEEDED", _("调解成功")
    FAILED = "FAILED", _("调解不成功")


OPEN_REFERRAL_STATES = {ReferralStatus.PENDING, ReferralStatus.ACCEPTED}


class ContactResult(models.TextChoices):
    """What came of contacting the other party after acceptance (在线调解规则 art. 15)."""

    NONE = "", _("—")
    CONTACTED = "CONTACTED", _("已联系，同意调解")
    UNREACHABLE = "UNREACHABLE", _("无法联系")
    REFUSED = "REFUSED", _("拒绝调解")


class CourtTermination(models.TextChoices):
    """The eight termination grounds of 人民法院在线调解规则 art. 25."""

    NONE = "", _("—")
    AGREEMENT = "AGREEMENT", _("达成调解协议")
    SETTLED_WITHDRAWN = "SETTLED_WITHDRAWN", _("当事人自行和解，撤回调解申请")
    UNREACHABLE = "UNREACHABLE", _("在期限内无法联系到当事人")
    UNWILLING = "UNWILLING", _("当事人一方明确表示不愿意继续调解")
    DIFFERENCES = "DIFFERENCES", _("分歧较大且难以达成调解协议")
    EXPIRED = "EXPIRED", _("调解期限届满，未达成调解协议，且当事人未达成延长调解期限的合意")
    REFUSED_TO_SIGN = "REFUSED_TO_SIGN", _("当事人拒绝在调解协议上签章")
    OTHER = "OTHER", _("其他导致调解无法进行的情形")


class ReferralEventKind(models.TextChoices):
    """What happened to a referral. Each kind the institution hears of is a webhook event type
    `referral.<kind in lower case>` (api.webhooks.EVENT_TYPES); DISPATCHED and the internal kinds are not sent."""

    RECEIVED = "RECEIVED", _("收到移送")
    DISPATCHED = "DISPATCHED", _("分流交办")
    ACCEPTED = "ACCEPTED", _("接收")
    DECLINED = "DECLINED", _("拒绝接收")
    RETURNED = "RETURNED", _("逾期未接收，自动退回")
    WITHDRAWN = "WITHDRAWN", _("移送机构撤回")
    PARTY_CONTACTED = "PARTY_CONTACTED", _("已联系对方当事人")
    PARTY_UNREACHABLE = "PARTY_UNREACHABLE", _("无法联系对方当事人")
    PARTY_REFUSED = "PARTY_REFUSED", _("对方当事人拒绝调解")
    EXTENDED = "EXTENDED", _("延长调解期限")
    PAUSED = "PAUSED", _("鉴定评估，期限中止")
    RESUMED = "RESUMED", _("鉴定评估结束，期限恢复")
    REPLIED = "REPLIED", _("向移送机构反馈")
    MERGED = "MERGED", _("并入同一纠纷案件")
    CONCLUDED = "CONCLUDED", _("调解结束，反馈结果")
    JC_REQUESTED = "JC_REQUESTED", _("申请司法确认")
    ATTACHMENT_ADDED = "ATTACHMENT_ADDED", _("补充材料")
    OVERDUE = "OVERDUE", _("期限预警")


class Tier(models.TextChoices):
    """Triage tier at the 矛调中心 (利州区 / 张家港 pattern, references-2.md §A.5)."""

    SIMPLE = "SIMPLE", _("简易纠纷（村、社区调解）")
    ORDINARY = "ORDINARY", _("一般纠纷（乡镇、街道调处）")
    DIFFICULT = "DIFFICULT", _("疑难复杂纠纷（县级化解，领导包案）")


class DispatchKind(models.TextChoices):
    DISPATCH = "DISPATCH", _("分流交办")
    TRANSFER_UP = "TRANSFER_UP", _("上报（上传）")
    TRANSFER_DOWN = "TRANSFER_DOWN", _("下派")
    TRANSFER_ACROSS = "TRANSFER_ACROSS", _("移交")
    ESCALATION = "ESCALATION", _("逾期未接收，自动上移")


class DispatchStatus(models.TextChoices):
    PENDING = "PENDING", _("待接收")
    ACCEPTED = "ACCEPTED", _("已接收")
    RETURNED = "RETURNED", _("已退回")
    ESCALATED = "ESCALATED", _("逾期未接收，已上移")
    WITHDRAWN = "WITHDRAWN", _("已撤回")


class ParticipantRole(models.TextChoices):
    """Invited participants of a joint mediation (联合调解 / 集中会诊)."""

    JUDGE = "JUDGE", _("法官")
    LAWYER = "LAWYER", _("律师")
    OFFICER = "OFFICER", _("部门工作人员")
    EXPERT = "EXPERT", _("专家")
    POLICE = "POLICE", _("民警")
    OTHER = "OTHER", _("其他人员")
