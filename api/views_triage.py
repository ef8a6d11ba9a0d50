"""POST /api/v1/triage/ (issue 13): a dispute described in words → the suggested type, risk level and flags, route,
with their reasons: exactly one line of `manage.py triage --output`, from the same triage.service.suggest.

Authenticated like every endpoint (a client-credentials token, scope `triage:suggest`), throttled per client on
top of the API's own rate. Nothing is stored: the text is read, suggested on and forgotten (docs/pipl-triage.md);
a person at the receiving body decides when a dispute is actually referred."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from api.schema import errors
from api.views import ApiView
from cases.enums import DisputeType
from screening.enums import RiskFlag, RiskLevel
from triage import service
from triage.enums import Route

SCOPE = "triage:suggest"
ERRORS = (400, 401, 403, 405, 406, 415, 429)
ID_SCHEMA = {
    "oneOf": [{"type": "string", "maxLength": 100}, {"type": "integer"}],
    "nullable": True,
    "description": "调用方自己的编号，原样返回（字符串或整数，可不填）",
}


@extend_schema_field(ID_SCHEMA)
class EchoIdField(serializers.Field):
    """The caller's own id, returned as sent: a string (≤ 100 characters), an integer, or null."""

    default_error_messages = {"invalid": "id 须为字符串（不超过100个字符）或整数"}

    def to_internal_value(self, data):
        if data is None or (isinstance(data, int) and not isinstance(data, bool) and abs(data) < 2**63):
            return data
        if isinstance(data, str) and len(data) <= 100:
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class TriageInSerializer(serializers.Serializer):
    id = EchoIdField(required=False, allow_null=True, help_text="调用方自己的编号，原样返回（字符串或整数，可不填）")
    text = serializers.CharField(
        max_length=5000,
        help_text="纠纷描述（当事人、调解员、公安或法院移送、热线记录的文字），不超过5000字；请勿包含身份证号码",
        error_messages={"blank": "请填写纠纷描述", "required": "请填写纠纷描述"},
    )
    headcount = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1_000_000, help_text="涉及人数（可不填）"
    )
    amount_yuan = serializers.DecimalField(
        required=False,
        allow_null=True,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        coerce_to_string=False,
        help_text="涉及金额（元，可不填）",
    )


class TriageOutSerializer(serializers.Serializer):
    id = EchoIdField(allow_null=True, help_text="调用方提交的编号（未提交则为 null）")
    dispute_type = serializers.ChoiceField(choices=DisputeType.choices, help_text="建议的纠纷类型（全国统计分类代码）")
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, help_text="建议的风险等级：RED 红、ORANGE 橙、YELLOW 黄"
    )
    risk_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskFlag.choices, help_text="风险标签代码"),
        help_text="建议的风险标签（可能为空）",
    )
    route = serializers.ChoiceField(choices=Route.choices, help_text="建议的去向（应当处理该纠纷的机构）")
    reasons = serializers.DictField(
        help_text=(
            "理由：dispute_type（confidence 置信度、words 文中词语、alternatives 其他可能类型），"
            "risk_level（confidence、rules 触发的规则、words），risk_flags（各标签的 words 与 rule），"
            "route（confidence、rule、words）；所列词语均出现在提交的文字中"
        )
    )


class TriageThrottle(UserRateThrottle):
    """Per client, on top of the API's rate: triage is cheap, but it is not a bulk service."""

    scope = "triage"

    def get_rate(self) -> str:
        return settings.TIAOJIE.get("API_TRIAGE_RATE", "120/min")


@extend_schema(tags=["智能分流"])
class TriageView(ApiView):
    required_scopes = {"POST": SCOPE}
    serializer_class = TriageInSerializer
    throttle_classes = [UserRateThrottle, TriageThrottle]
    pagination_class = None

    @extend_schema(
        operation_id="triage_suggest",
        summary="智能分流建议",
        description=(
            "提交一段纠纷描述，返回系统建议的纠纷类型、风险等级与风险标签、去向及各自的理由（置信度、文中词语、规则），"
            "与 `manage.py triage` 的每一行输出格式相同。仅为建议，由接收机构的工作人员决定；平台不保存提交的文字。"
            "不改变任何数据，不需要 Idempotency-Key。"
        ),
        request=TriageInSerializer,
        responses={200: OpenApiResponse(TriageOutSerializer, description="建议及其理由"), **errors(*ERRORS)},
        examples=[
            OpenApiExample(
                "拖欠工资",
                request_only=True,
                value={
                    "id": "12345-0001",
                    "text": "工地老板拖欠我们十几个人三个月工资，大家说要去县里讨说法",
                    "headcount": 15,
                },
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):  # null, a list, a number: DRF's own message would be English
            raise serializers.ValidationError({"non_field_errors": ['请求体须为 JSON 对象，例如 {"text": "纠纷描述"}']})
        serializer = TriageInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        suggestion = service.suggest(d["text"], headcount=d.get("headcount"), amount_yuan=d.get("amount_yuan"))
        return Response(suggestion.as_output(d.get("id")))
