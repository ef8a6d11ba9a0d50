"""What crosses the wire (references-2.md §A.3): the referral an institution sends (→ referrals.services.ReferralData),
and what it reads back — the referral and its progress, its events, the outcome, the institution's webhook events.

Personal data out is cut to what the institution needs: parties by name and side, phone and ID number masked
(the institution has them in full: it sent them); addresses and service addresses are not returned. Every label is
Chinese; codes are stable (the enums' values)."""

from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.enums import (
    ActorKind,
    AgreementForm,
    CourtReferralType,
    DisputeType,
    MediatorChosenBy,
    PartySide,
    PartyType,
    SignatureMethod,
    SignerRole,
)
from cases.identity import mask_phone
from referrals.enums import Channel, ContactResult, CourtTermination, Procedure, ReferralEventKind, ReferralStatus

EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(480))
LATEST = datetime(2100, 1, 1, tzinfo=timezone.get_fixed_timezone(480))
MAX_ID = 2**31 - 1


class BoundedDateTimeField(serializers.DateTimeField):
    """A date-time between 2000 and 2100 (an instant far outside cannot be stored or compared safely)."""

    def to_internal_value(self, value):
        result = super().to_internal_value(value)
        if not EARLIEST <= result < LATEST:
            raise serializers.ValidationError("时间应在 2000 年至 2100 年之间")
        return result


def _choice(choices, label: str, help_text: str = "", **kw) -> serializers.ChoiceField:
    if kw.get("read_only"):
        # What goes out may be blank where the model allows it: the schema's enum says so.
        choices = list(choices)
        if "" not in {value for value, _label in choices}:
            choices.append(("", "—"))
    return serializers.ChoiceField(choices=choices, label=label, help_text=help_text or label, **kw)


def _text(label: str, max_length: int, help_text: str = "", required: bool = False, **kw) -> serializers.CharField:
    if not required:
        kw.setdefault("allow_blank", True)
        kw.setdefault("default", "")
    return serializers.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text or label, **kw
    )


# ---------------------------------------------------------------------------------------------------------------
# In


class ReferralPartyInSerializer(serializers.Serializer):
    side = _choice(PartySide.choices, "当事人地位", "APPLICANT 申请人、RESPONDENT 被申请人、THIRD_PARTY 第三人")
    party_type = _choice(PartyType.choices, "当事人类型", "自然人、法人或非法人组织", default=PartyType.NATURAL_PERSON)
    name = _text("姓名或名称", 100, required=True)
    phone = _text("联系电话", 20)
    service_address = _text("电子送达地址", 200, "电子送达地址（电子邮箱、手机号码等）")
    address = _text("住所或单位地址", 200)
    id_number = _text("身份证号码", 18, "自然人的公民身份号码（平台加密保存，接口只返回脱敏后的号码）")
    consented = serializers.BooleanField(
        label="是否同意调解", help_text="当事人是否同意调解（在线调解规则第八条）", default=False
    )
    consent_how = _text("同意调解的方式", 100, "例如：书面同意、电话确认")


class ReferralInSerializer(serializers.Serializer):
    external_no = _text(
        "来文编号", 60, "本机构的编号：法院诉前调或立案案号、警情号、信访件号、12345 工单号", required=True
    )
    referral_type = _choice(
        CourtReferralType.choices,
        "诉调对接方式",
        "法院移送时必填：WEIPAI 委派（诉前）、WEITUO 委托（诉中）、YAOQING 邀请（协助）；其他机构留空",
        required=False,
        allow_blank=True,
        default="",
    )
    procedure = _choice(
        Procedure.choices,
        "审理程序",
        "委托调解时填写：ORDINARY 普通程序、SIMPLE 简易程序",
        required=False,
        allow_blank=True,
        default="",
    )
    handler_name = _text("承办人", 50, "承办法官、书记员、民警或经办人姓名")
    handler_phone = _text("承办人电话", 30)
    dispute_type = _choice(
        DisputeType.choices,
        "纠纷类型",
        "纠纷类型代码（全国人民调解统计口径）",
        required=False,
        allow_blank=True,
        default="",
    )
    cause = _text("案由", 100)
    brief_facts = _text("简要案情", 5000, required=True)
    claims = _text("诉讼请求或申请事项", 5000, required=True)
    place = _text("纠纷发生地", 200)
    occurred_on = serializers.DateField(
        label="纠纷发生日期", help_text="纠纷发生日期（YYYY-MM-DD）", required=False, allow_null=True, default=None
    )
    amount_involved = serializers.DecimalField(
        label="涉及金额（元）",
        help_text="涉及金额，单位元，两位小数",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        default=Decimal("0"),
    )
    consent_note = _text("当事人同意调解情况", 300)
    designated_committee_id = serializers.IntegerField(
        label="指定调解组织",
        help_text="指定的调解组织编号（不指定则由本机构对应的矛调中心接收）",
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_ID,
    )
    designated_mediator_id = serializers.IntegerField(
        label="指定调解员",
        help_text="指定的调解员编号（可不填）",
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_ID,
    )
    chosen_by = _choice(
        MediatorChosenBy.choices,
        "调解组织或调解员产生方式",
        "PARTIES 当事人选定、COMMITTEE 调委会指定",
        required=False,
        allow_blank=True,
        default="",
    )
    sent_at = BoundedDateTimeField(
        label="移送时间",
        help_text="本机构发出移送的时间（不填则为平台收到的时间）",
        required=False,
        allow_null=True,
        default=None,
    )
    matter_type = _text(
        "事项类别",
        30,
        "本渠道的期限因事项类别而不同时填写：12345 热线 CONSULTATION（咨询、求助）或 COMPLAINT（投诉、举报），"
        "公安 COMPLEX（复杂纠纷）；不填为本渠道的一般期限",
    )
    parties = ReferralPartyInSerializer(many=True, allow_empty=False, label="当事人", help_text="当事人（至少一名）")

    def validate_occurred_on(self, value: date | None) -> date | None:
        if value is not None and not date(1950, 1, 1) <= value <= timezone.localdate():
            raise serializers.ValidationError("纠纷发生日期应在 1950 年之后且不晚于今天")
        return value

    def validate_parties(self, value: list) -> list:
        if len(value) > 50:
            raise serializers.ValidationError("当事人不能超过 50 名")
        return value

    def to_referral_data(self):
        from referrals.services import ReferralData, ReferralPartyData

        data = dict(self.validated_data)
        parties = [ReferralPartyData(**p) for p in data.pop("parties")]
        return ReferralData(parties=parties, **data)


class AttachmentInSerializer(serializers.Serializer):
    file = serializers.FileField(label="材料文件", help_text="材料文件（PDF 或图片；平台检查文件内容与大小）")
    title = _text("材料名称", 100, "材料名称，例如：起诉状、证据材料（不填则用文件名）")


class WithdrawInSerializer(serializers.Serializer):
    reason = _text("撤回理由", 500)


class ReferralFilterSerializer(serializers.Serializer):
    status = _choice(ReferralStatus.choices, "状态", "只列出该状态的移送", required=False)
    updated_since = BoundedDateTimeField(
        label="更新时间起", help_text="只列出此时间之后有更新的移送（ISO 8601，含时区）", required=False
    )


class EventFilterSerializer(serializers.Serializer):
    since = BoundedDateTimeField(
        label="时间起", help_text="只列出此时间之后产生的事件（ISO 8601，含时区）", required=False
    )
    type = serializers.ChoiceField(choices=[], label="事件类型", help_text="只列出该类型的事件", required=False)
    referral = serializers.IntegerField(
        label="移送编号", help_text="只列出该移送的事件", required=False, min_value=1, max_value=MAX_ID
    )

    def __init__(self, *args, **kwargs):
        from api.webhooks import EVENT_TYPES

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(EVENT_TYPES.items())


# ---------------------------------------------------------------------------------------------------------------
# Out


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="稳定的错误代码，例如 invalid、not_found、idempotency_key_reused")
    message = serializers.CharField(help_text="中文错误说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="出错的字段及其中文说明（嵌套字段写作 parties[0].name）",
    )


class InstitutionRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机构代码")
    name = serializers.CharField(help_text="机构名称")


class BodyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="编号")
    name = serializers.CharField(help_text="名称")


class ReferralSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="移送编号（平台内部编号，用于各接口路径）")
    reference = serializers.CharField(read_only=True, help_text="平台移送号，例如 移送2026-000123")
    external_no = serializers.CharField(read_only=True, help_text="本机构的来文编号")
    channel = _choice(Channel.choices, "渠道", "移送渠道", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True, help_text="渠道（中文）")
    referral_type = _choice(CourtReferralType.choices, "诉调对接方式", read_only=True)
    procedure = _choice(Procedure.choices, "审理程序", read_only=True)
    status = _choice(
        ReferralStatus.choices,
        "状态",
        (
            "PENDING 待接收、ACCEPTED 调解中、DECLINED 拒绝接收、RETURNED 逾期退回、"
            "WITHDRAWN 已撤回、SUCCEEDED 调解成功、FAILED 调解不成功"
        ),
        read_only=True,
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="状态（中文）")
    institution = InstitutionRefSerializer(read_only=True, help_text="移送机构")
    receiver = serializers.CharField(source="receiver.name", read_only=True, help_text="当前接收的调解组织")
    case_no = serializers.SerializerMethodField(help_text="调解案件编号（接收后才有）")
    sent_at = serializers.DateTimeField(read_only=True, help_text="移送时间")
    received_at = serializers.DateTimeField(read_only=True, help_text="平台收到时间")
    accept_by = serializers.DateField(read_only=True, help_text="接收答复期限（收到后 3 个工作日）")
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="接收时间")
    declined_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="拒绝接收或逾期退回时间")
    decline_reason = serializers.CharField(read_only=True, help_text="拒绝接收的理由")
    contact_by = serializers.DateField(
        read_only=True, allow_null=True, help_text="联系对方当事人期限（接收后 3 个工作日）"
    )
    contact_result = _choice(
        ContactResult.choices,
        "联系结果",
        "CONTACTED 已联系同意调解、UNREACHABLE 无法联系、REFUSED 拒绝调解",
        read_only=True,
    )
    contacted_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="联系时间")
    mediation_due = serializers.DateField(
        read_only=True, allow_null=True, help_text="调解期限（委派 30 日，委托普通 15 日、简易 7 日，自接收起算）"
    )
    paused_since = serializers.DateField(read_only=True, allow_null=True, help_text="鉴定评估中止起始日（期限中止中）")
    paused_days = serializers.IntegerField(read_only=True, help_text="已中止天数（不计入调解期限）")
    channel_due = serializers.DateTimeField(read_only=True, allow_null=True, help_text="本渠道的办理或反馈期限")
    replied_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="向本机构反馈的时间")
    reply_text = serializers.CharField(read_only=True, help_text="反馈内容")
    concluded_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="办结时间")
    updated_at = serializers.DateTimeField(read_only=True, help_text="最后更新时间")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_no(self, referral) -> str | None:
        case = referral.case
        if case is None:
            return None
        return case.case_no or case.registration_no or None


class ReferralPartyOutSerializer(serializers.Serializer):
    side = _choice(PartySide.choices, "当事人地位", read_only=True)
    side_label = serializers.CharField(source="get_side_display", read_only=True, help_text="当事人地位（中文）")
    party_type = _choice(PartyType.choices, "当事人类型", read_only=True)
    name = serializers.CharField(read_only=True, help_text="姓名或名称")
    phone_masked = serializers.SerializerMethodField(help_text="联系电话（脱敏，例如 139****0001）")
    id_number_masked = serializers.CharField(read_only=True, help_text="身份证号码（脱敏）")
    consented = serializers.BooleanField(read_only=True, help_text="是否同意调解")
    consent_how = serializers.CharField(read_only=True, help_text="同意调解的方式")

    def get_phone_masked(self, party) -> str:
        return mask_phone(party.phone) if party.phone else ""


class AttachmentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="材料编号")
    title = serializers.CharField(read_only=True, help_text="材料名称")
    original_name = serializers.CharField(read_only=True, help_text="上传时的文件名")
    content_type = serializers.CharField(read_only=True, help_text="文件类型")
    size = serializers.IntegerField(read_only=True, help_text="文件大小（字节）")
    sha256 = serializers.CharField(read_only=True, help_text="文件内容的 SHA-256")
    uploaded_at = serializers.DateTimeField(read_only=True, help_text="上传时间")


class ReferralDetailSerializer(ReferralSummarySerializer):
    handler_name = serializers.CharField(read_only=True, help_text="承办人")
    dispute_type = _choice(DisputeType.choices, "纠纷类型", read_only=True)
    cause = serializers.CharField(read_only=True, help_text="案由")
    brief_facts = serializers.CharField(read_only=True, help_text="简要案情")
    claims = serializers.CharField(read_only=True, help_text="诉讼请求或申请事项")
    place = serializers.CharField(read_only=True, help_text="纠纷发生地")
    occurred_on = serializers.DateField(read_only=True, allow_null=True, help_text="纠纷发生日期")
    amount_involved = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="涉及金额（元）"
    )
    consent_note = serializers.CharField(read_only=True, help_text="当事人同意调解情况")
    designated_committee = BodyRefSerializer(read_only=True, allow_null=True, help_text="指定的调解组织")
    designated_mediator = serializers.SerializerMethodField(help_text="指定的调解员姓名")
    chosen_by = _choice(MediatorChosenBy.choices, "调解组织或调解员产生方式", read_only=True)
    parties = ReferralPartyOutSerializer(many=True, read_only=True, help_text="当事人（电话、身份证号码脱敏）")
    attachments = AttachmentOutSerializer(many=True, read_only=True, help_text="移送材料")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_designated_mediator(self, referral) -> str | None:
        return referral.designated_mediator.name if referral.designated_mediator_id else None


class ReferralEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="事件编号")
    kind = _choice(ReferralEventKind.choices, "事项", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="事项（中文）")
    webhook_type = serializers.SerializerMethodField(help_text="对应的推送事件类型（不推送的内部事项为 null）")
    at = serializers.DateTimeField(read_only=True, help_text="发生时间")
    actor_kind = _choice(
        ActorKind.choices, "操作者类型", "PERSON 人员、SYSTEM 系统、API_CLIENT 外部机构接口", read_only=True
    )
    actor = serializers.CharField(source="actor_label", read_only=True, help_text="操作者")
    note = serializers.CharField(read_only=True, help_text="说明（例如拒绝接收的理由）")
    data = serializers.JSONField(read_only=True, help_text="事项的数据（期限、结果等）")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_webhook_type(self, event) -> str | None:
        from api.webhooks import EVENT_TYPES

        name = f"referral.{event.kind.lower()}"
        return name if name in EVENT_TYPES else None


class SignatureOutSerializer(serializers.Serializer):
    role = _choice(SignerRole.choices, "签署人身份", "PARTY 当事人、MEDIATOR 调解员、SEAL 调委会印章", read_only=True)
    role_label = serializers.CharField(read_only=True, help_text="签署人身份（中文）")
    name = serializers.CharField(read_only=True, help_text="签署人（当事人或调解员姓名；印章为调解组织名称）")
    method = _choice(SignatureMethod.choices, "签署方式", read_only=True)
    method_label = serializers.CharField(read_only=True, help_text="签署方式（中文）")
    electronic = serializers.BooleanField(read_only=True, help_text="是否电子签名或电子用印")
    signed_at = serializers.DateTimeField(read_only=True, help_text="签署时间")


class AgreementOutSerializer(serializers.Serializer):
    form = _choice(AgreementForm.choices, "协议形式", read_only=True)
    form_label = serializers.CharField(read_only=True, help_text="协议形式（中文）")
    effective_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="协议生效时间")
    signatures = SignatureOutSerializer(many=True, read_only=True, help_text="当事人、调解员签名和调委会印章")
    sealed = serializers.BooleanField(read_only=True, help_text="是否已加盖调委会印章")
    filed_with_court = serializers.BooleanField(read_only=True, help_text="委派调解达成的协议是否已向法院备案")
    pdf_url = serializers.CharField(read_only=True, help_text="调解协议书 PDF 的下载地址（需 outcomes:read）")


class FailureReportOutSerializer(serializers.Serializer):
    course = serializers.CharField(read_only=True, help_text="调解的基本经过")
    reason = serializers.CharField(read_only=True, help_text="调解不成的原因")
    cost_conduct = serializers.CharField(read_only=True, help_text="导致其他当事人诉讼成本增加的行为")
    other = serializers.CharField(read_only=True, help_text="需要向人民法院提示的其他情形")


class OutcomeSerializer(serializers.Serializer):
    referral_id = serializers.IntegerField(read_only=True, help_text="移送编号")
    status = _choice(ReferralStatus.choices, "状态", read_only=True)
    status_label = serializers.CharField(read_only=True, help_text="状态（中文）")
    concluded = serializers.BooleanField(read_only=True, help_text="是否已办结（调解成功或不成功）")
    concluded_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="办结时间")
    case_no = serializers.CharField(read_only=True, allow_null=True, help_text="调解案件编号")
    agreement = AgreementOutSerializer(read_only=True, allow_null=True, help_text="调解成功时的调解协议")
    failure_report = FailureReportOutSerializer(
        read_only=True, allow_null=True, help_text="调解不成功时的报告（在线调解规则第二十一条的四项内容）"
    )
    termination_ground = _choice(
        CourtTermination.choices, "终止调解情形", "在线调解规则第二十五条的八种情形之一", read_only=True
    )
    termination_ground_label = serializers.CharField(read_only=True, help_text="终止调解情形（中文）")
    undisputed_facts = serializers.CharField(read_only=True, help_text="无争议事实")
    materials_returned = serializers.CharField(read_only=True, help_text="退回材料情况")
    jc_requested = serializers.BooleanField(read_only=True, help_text="当事人是否已申请司法确认")


class WebhookEventOutSerializer(serializers.Serializer):
    msg_id = serializers.CharField(read_only=True, help_text="事件编号（即推送的 webhook-id，同一事件重推不变）")
    type = serializers.CharField(source="event_type", read_only=True, help_text="事件类型，见文档开头的事件类型表")
    referral_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="相关移送编号")
    created_at = serializers.DateTimeField(read_only=True, help_text="事件产生时间")
    payload = serializers.JSONField(read_only=True, help_text="推送的消息体：{type, timestamp, data}，不含个人信息")


# ---------------------------------------------------------------------------------------------------------------
# Outcome data


def _signatures(agreement) -> list[dict]:
    out = []
    for s in agreement.valid_signatures().select_related("party", "mediator", "agreement__case__committee"):
        if s.signer_role == SignerRole.SEAL:
            name = agreement.case.committee.name
        elif s.party_id:
            name = s.party.name
        else:
            name = s.mediator.name if s.mediator_id else ""
        out.append(
            {
                "role": s.signer_role,
                "role_label": str(SignerRole(s.signer_role).label),
                "name": name,
                "method": s.method,
                "method_label": str(SignatureMethod(s.method).label),
                "electronic": s.method == SignatureMethod.E_SIGNATURE,
                "signed_at": s.signed_at,
            }
        )
    return out


def outcome_of(referral) -> dict:
    """The outcome of a referral as the API reports it (arts 19–25 of 在线调解规则; 特邀调解规定 art. 19)."""
    agreement = None
    if referral.status == ReferralStatus.SUCCEEDED and referral.agreement_id:
        a = referral.agreement
        signatures = _signatures(a)
        agreement = {
            "form": a.form,
            "form_label": str(AgreementForm(a.form).label),
            "effective_at": a.effective_at,
            "signatures": signatures,
            "sealed": any(s["role"] == SignerRole.SEAL for s in signatures),
            "filed_with_court": referral.filed_with_court,
            "pdf_url": reverse("api:referral_agreement", kwargs={"id": referral.pk}),
        }
    report = None
    if referral.status == ReferralStatus.FAILED or any(
        (referral.report_course, referral.report_reason, referral.report_cost_conduct, referral.report_other)
    ):
        report = {
            "course": referral.report_course,
            "reason": referral.report_reason,
            "cost_conduct": referral.report_cost_conduct,
            "other": referral.report_other,
        }
    case = referral.case
    return {
        "referral_id": referral.pk,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "concluded": referral.status in (ReferralStatus.SUCCEEDED, ReferralStatus.FAILED),
        "concluded_at": referral.concluded_at,
        "case_no": (case.case_no or case.registration_no or None) if case is not None else None,
        "agreement": agreement,
        "failure_report": report,
        "termination_ground": referral.termination_ground,
        "termination_ground_label": referral.get_termination_ground_display() if referral.termination_ground else "",
        "undisputed_facts": referral.undisputed_facts,
        "materials_returned": referral.materials_returned,
        "jc_requested": referral.jc_requested,
    }
