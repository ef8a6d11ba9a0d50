"""The published OpenAPI schema of /api/v1/ (drf-spectacular): the OAuth2 client-credentials security scheme with
the scopes each operation needs, the error responses of every operation (one JSON shape), and the webhook event
types with the Standard Webhooks rules, appended to the schema's description (a postprocessing hook)."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.serializers import ErrorSerializer

SCHEME = "oauth2"
TOKEN_URL = "/api/v1/oauth/token/"

ERROR_TEXT = {
    400: "请求有误：数据校验不通过（fields 标明字段）、缺少或过长的 Idempotency-Key",
    401: "未提供访问令牌，或令牌无效、已过期，或客户端已停用",
    403: "访问令牌不具有所需的授权范围",
    404: "资源不存在，或不属于本机构",
    405: "不支持该请求方法",
    406: "无法提供所要求的响应格式",
    409: "同一 Idempotency-Key 的请求正在处理中",
    415: "不支持该请求内容类型",
    422: "业务规则不允许（fields 标明字段），或同一 Idempotency-Key 已用于内容不同的请求",
    429: "请求过于频繁",
}
READ_ERRORS = (401, 403, 404, 405, 406, 429)
LIST_ERRORS = (400, 401, 403, 404, 405, 406, 429)
WRITE_ERRORS = (400, 401, 403, 404, 405, 406, 409, 415, 422, 429)


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_TEXT[code]) for code in codes}


def idempotency_header() -> OpenApiParameter:
    return OpenApiParameter(
        "Idempotency-Key",
        {"type": "string", "minLength": 1, "maxLength": 255},
        OpenApiParameter.HEADER,
        required=True,
        description=(
            "幂等键（不超过 255 个字符，建议使用 UUID）：同一键的重复请求返回首次的结果"
            "（响应头 Idempotent-Replayed: true）；"
            "同一键用于内容不同的请求返回 422；首次请求尚在处理中返回 409。键保留 24 小时。"
        ),
    )


def id_parameter() -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description="移送编号（创建移送时返回的 id）")


class ApiClientScheme(OpenApiAuthenticationExtension):
    target_class = "api.permissions.ApiClientAuthentication"
    name = SCHEME

    def get_security_requirement(self, auto_schema):
        scopes = getattr(auto_schema.view, "required_scopes", {}) or {}
        scope = scopes.get(auto_schema.method.upper())
        return {self.name: [scope] if scope else []}

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": (
                "OAuth2 客户端凭证模式：以平台发放的 client_id 与 client_secret 换取访问令牌（有效期 1 小时）。"
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": TOKEN_URL,
                    "scopes": dict(settings.OAUTH2_PROVIDER["SCOPES"]),
                }
            },
        }


def _event_table() -> str:
    from api.webhooks import EVENT_TYPES

    rows = "\n".join(f"| `{name}` | {label} |" for name, label in EVENT_TYPES.items())
    return f"| 事件类型 | 说明 |\n|---|---|\n{rows}"


def _lines(*items: str) -> str:
    return "\n".join(items)


def intro() -> str:
    """Markdown; each list item one line (a line break inside Chinese text would show as a space)."""
    token = (
        f"1. **获取令牌**：`POST {TOKEN_URL}`，`grant_type=client_credentials`，以 HTTP Basic"
        "（client_id:client_secret）或表单字段提交客户端凭证，可用 `scope` 申请授权范围"
        "（不填则为该客户端获准的全部范围）。"
        "令牌有效期 1 小时，过期后重新获取。"
    )
    signing = (
        "- 请求头 `webhook-id`（事件编号，同一事件重推不变，请据此去重）、`webhook-timestamp`（Unix 秒）、"
        "`webhook-signature`（`v1,<签名>`，可有多个，以空格分隔）；签名为以推送密钥（`whsec_…`）对"
        "`{webhook-id}.{webhook-timestamp}.{消息体}` 计算的 HMAC-SHA256（Base64）。"
    )
    body = (
        "- 消息体只含事件类型、编号和时间，例如"
        '`{"type": "referral.accepted", "timestamp": "…", "data": {"referral_id": 123, "status": "ACCEPTED"}}`，'
        "不含姓名、电话、身份证号码；详细信息请调用接口读取。"
    )
    return _lines(
        "",
        "## 接入方式",
        "",
        token,
        "2. **调用接口**：请求头 `Authorization: Bearer <令牌>`。每个客户端只能看到本机构移送的纠纷，"
        "其他机构的移送一律返回 404。",
        "3. **授权范围**：`referrals:write`（移送、补充材料、撤回），`referrals:read`（查询移送及进展、推送事件），"
        "`outcomes:read`（调解结果、调解协议书、调解不成功报告），`triage:suggest`（智能分流建议）。",
        "4. **幂等**：每个 POST 请求须带 `Idempotency-Key` 请求头（见各接口说明）。",
        '5. **错误**：一律为 JSON：`{"code": 稳定的错误代码, "message": 中文说明, "fields": {字段: [中文说明]}}`。',
        "6. **个人信息**：当事人电话、身份证号码只返回脱敏值；每次读取当事人信息、调解结果或协议书都记入访问日志。",
        "",
        "## 推送（Webhooks）",
        "",
        "平台按 [Standard Webhooks](https://www.standardwebhooks.com/) 规范"
        "向本机构登记的地址推送事件（`POST`，JSON）：",
        "",
        signing,
        body,
        "- 返回 2xx 即为送达；否则按退避间隔重试约三天；返回 410 则停用该推送地址。",
        "- 漏收的事件可随时通过 `GET /api/v1/events/` 补取（对账）。",
        "",
        "### 事件类型",
        "",
        _event_table(),
        "",
    )


def add_intro(result, generator, request, public):
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: the access rules and webhook event types in the description."""
    info = result.setdefault("info", {})
    info["description"] = (info.get("description") or "") + "\n" + intro()
    result["tags"] = [
        {"name": "移送", "description": "移送纠纷、查询进展、补充材料、撤回"},
        {"name": "结果", "description": "调解结果、调解协议书、调解不成功报告"},
        {"name": "推送事件", "description": "本机构的推送事件（轮询与对账）"},
        {"name": "智能分流", "description": "纠纷类型、风险与去向的建议及其理由（仅为建议，由人决定）"},
    ]
    return result
