"""The endpoints of /api/v1/ (issue 11): an institution's system sends referrals and reads back what became of them.

Every endpoint authenticates an OAuth2 client-credentials token as the client's service account
(api.permissions.ApiClientAuthentication), names the scope of each method (HasScope: deny by default), reads through
the referral scoping (its institution's referrals; 404 otherwise), changes nothing except through
referrals.services, writes the access log for every read of personal data (api.access), and takes an
Idempotency-Key on every POST (api.idempotency)."""

import json
import re

from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from oauth2_provider.views import TokenView as DotTokenView
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import idempotency
from api.access import log_api_read
from api.errors import error_body
from api.models import WebhookEvent
from api.permissions import ApiClientAuthentication, HasScope, client_of
from api.schema import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, errors, id_parameter, idempotency_header
from api.serializers import (
    AttachmentInSerializer,
    AttachmentOutSerializer,
    EventFilterSerializer,
    OutcomeSerializer,
    ReferralDetailSerializer,
    ReferralEventSerializer,
    ReferralFilterSerializer,
    ReferralInSerializer,
    ReferralSummarySerializer,
    WebhookEventOutSerializer,
    WithdrawInSerializer,
    outcome_of,
)
from referrals.enums import ReferralStatus
from referrals.models import ReferralAttachment, ReferralParty
from referrals.scoping import access_referral_by_id, referrals_visible_to

READ = "referrals:read"
WRITE = "referrals:write"
OUTCOMES = "outcomes:read"
ID_RE = re.compile(r"^[1-9][0-9]{0,17}$")


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "页码（从 1 开始）"
    page_size_query_description = "每页条数（默认 50，最大 200）"

    def get_paginated_response_schema(self, schema: dict) -> dict:
        out = super().get_paginated_response_schema(schema)
        texts = {
            "count": "总条数",
            "next": "下一页的地址（没有则为 null）",
            "previous": "上一页的地址（没有则为 null）",
        }
        for name, text in texts.items():
            out["properties"][name]["description"] = text
        out["properties"]["results"]["description"] = "本页的记录"
        return out


class FirstRendererNegotiation(BaseContentNegotiation):
    """The agreement PDF: whatever the client accepts, errors are JSON (the PDF itself is a plain response)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ApiView(GenericAPIView):
    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasScope]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = Pagination
    metadata_class = None  # OPTIONS is a 405: the schema describes the endpoints
    required_scopes: dict[str, str] = {}

    def initialize_request(self, request, *args, **kwargs):
        idempotency.prime(request)
        return super().initialize_request(request, *args, **kwargs)

    def referral(self):
        """The referral of the URL, if this client's institution sent it (404 otherwise, and for a malformed id)."""
        raw = str(self.kwargs.get("id", ""))
        if not ID_RE.match(raw) or int(raw) > 2**63 - 1:
            raise Http404("移送纠纷不存在")
        return access_referral_by_id(self.request.user, raw)

    def idempotent(self, request, fn) -> Response:
        """Run `fn` once per Idempotency-Key (a handled error is a stored response too)."""

        def handler() -> Response:
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 -- turned into the JSON error response, as dispatch would
                return self.handle_exception(exc)

        return idempotency.run(request, client_of(request), handler)

    def filters(self, serializer_class):
        f = serializer_class(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        return f.validated_data


def _detail_queryset(user):
    return (
        referrals_visible_to(user)
        .select_related("institution", "receiver", "case", "designated_committee", "designated_mediator")
        .prefetch_related(
            Prefetch("parties", queryset=ReferralParty.objects.order_by("order", "id")),
            Prefetch("attachments", queryset=ReferralAttachment.objects.order_by("uploaded_at", "id")),
        )
    )


@extend_schema(tags=["移送"])
class ReferralListView(ApiView):
    required_scopes = {"GET": READ, "POST": WRITE}
    serializer_class = ReferralSummarySerializer

    def get_queryset(self):
        qs = referrals_visible_to(self.request.user).select_related("institution", "receiver", "case")
        f = self.filters(ReferralFilterSerializer)
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        if f.get("updated_since"):
            qs = qs.filter(updated_at__gt=f["updated_since"])
        return qs.order_by("-received_at", "-id")

    @extend_schema(
        operation_id="referrals_list",
        summary="列出本机构的移送",
        description="本机构移送的纠纷，按收到时间倒序分页（每页默认 50 条，page_size 最大 200）。不含当事人信息。",
        parameters=[ReferralFilterSerializer],
        responses={
            200: OpenApiResponse(ReferralSummarySerializer(many=True), description="本机构的移送（分页）"),
            **errors(*LIST_ERRORS),
        },
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReferralSummarySerializer(page, many=True).data)

    @extend_schema(
        operation_id="referrals_create",
        summary="移送纠纷",
        description=(
            "向调解组织移送一件纠纷（委派、委托、邀请，或公安、信访、12345 等部门的移送）。"
            "指定调解组织的，由该组织接收；"
            "否则由本机构对应的矛调中心接收并分流。接收方须在 3 个工作日内接收或拒绝，逾期自动退回并推送 "
            "`referral.returned`。同一来文编号在办理中不能重复移送（422，fields 标明 external_no）。"
        ),
        parameters=[idempotency_header()],
        request=ReferralInSerializer,
        responses={
            201: OpenApiResponse(ReferralSummarySerializer, description="已收到移送（Location 为其地址）"),
            **errors(*WRITE_ERRORS),
        },
        examples=[
            OpenApiExample(
                "法院委派调解",
                request_only=True,
                value={
                    "external_no": "（2026）赣0502民诉前调1号",
                    "referral_type": "WEIPAI",
                    "handler_name": "王法官",
                    "handler_phone": "07906000001",
                    "dispute_type": "NEIGHBOR",
                    "cause": "财产损害赔偿纠纷",
                    "brief_facts": "双方因房屋漏水造成楼下住户财产损失发生纠纷，协商未果。",
                    "claims": "请求对方赔偿装修损失人民币8000元",
                    "amount_involved": "8000.00",
                    "consent_note": "双方当事人均同意调解",
                    "parties": [
                        {
                            "side": "APPLICANT",
                            "name": "刘一",
                            "phone": "13900001001",
                            "service_address": "liuyi@example.cn",
                            "id_number": "360502198203140010",
                            "consented": True,
                            "consent_how": "书面同意",
                        },
                        {"side": "RESPONDENT", "name": "陈二", "phone": "13900001002"},
                    ],
                },
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        from referrals import services

        serializer = ReferralInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = client_of(request)
        referral = services.receive_referral(
            serializer.to_referral_data(), institution=client.institution, client=client
        )
        referral = (
            referrals_visible_to(request.user).select_related("institution", "receiver", "case").get(pk=referral.pk)
        )
        location = f"/api/v1/referrals/{referral.pk}/"
        return Response(
            ReferralSummarySerializer(referral).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


@extend_schema(tags=["移送"], parameters=[id_parameter()])
class ReferralDetailView(ApiView):
    required_scopes = {"GET": READ}

    @extend_schema(
        operation_id="referrals_retrieve",
        summary="查询一件移送",
        description="移送的全部信息和当前进展，含当事人（电话、身份证号码脱敏）和移送材料。每次读取记入访问日志。",
        responses={
            200: OpenApiResponse(ReferralDetailSerializer, description="移送的全部信息"),
            **errors(*READ_ERRORS),
        },
    )
    def get(self, request, *args, **kwargs):
        referral = self.referral()
        referral = _detail_queryset(request.user).get(pk=referral.pk)
        log_api_read(request, referral, "移送信息（含当事人）")
        return Response(ReferralDetailSerializer(referral).data)


@extend_schema(tags=["移送"], parameters=[id_parameter()])
class ReferralEventsView(ApiView):
    required_scopes = {"GET": READ}
    serializer_class = ReferralEventSerializer

    @extend_schema(
        operation_id="referrals_events_list",
        summary="移送的办理经过",
        description="移送的事件记录（收到、接收或拒绝、联系当事人、延期、中止与恢复、反馈、办结等），按时间先后分页。",
        responses={
            200: OpenApiResponse(ReferralEventSerializer(many=True), description="办理经过（分页）"),
            **errors(*LIST_ERRORS),
        },
    )
    def get(self, request, *args, **kwargs):
        referral = self.referral()
        # The events' notes are what people wrote (a decline's reasons, a pause's grounds): a read of the referral's
        # record, logged as the detail and the outcome are.
        log_api_read(request, referral, "办理经过")
        events = referral.events.select_related("actor", "referral__institution").order_by("at", "id")
        page = self.paginate_queryset(events)
        return self.get_paginated_response(ReferralEventSerializer(page, many=True).data)


@extend_schema(tags=["结果"], parameters=[id_parameter()])
class ReferralOutcomeView(ApiView):
    required_scopes = {"GET": OUTCOMES}

    @extend_schema(
        operation_id="referrals_outcome_retrieve",
        summary="调解结果",
        description=(
            "调解成功：调解协议（生效时间、签名、印章、委派调解协议是否已向法院备案）及协议书 PDF 地址；"
            "调解不成功：调解不成功报告的四项内容（调解经过、不成的原因、增加对方诉讼成本的行为、其他需提示的情形）、"
            "终止调解的情形（八种之一）、无争议事实、退回材料情况；以及当事人是否已申请司法确认。"
            "尚未办结的移送 concluded 为 false。每次读取记入访问日志。"
        ),
        responses={200: OpenApiResponse(OutcomeSerializer, description="调解结果"), **errors(*READ_ERRORS)},
    )
    def get(self, request, *args, **kwargs):
        referral = self.referral()
        log_api_read(request, referral, "调解结果")
        return Response(OutcomeSerializer(outcome_of(referral)).data)


@extend_schema(tags=["结果"], parameters=[id_parameter()])
class ReferralAgreementView(ApiView):
    required_scopes = {"GET": OUTCOMES}
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="referrals_agreement_pdf",
        summary="调解协议书 PDF",
        description=(
            "调解成功的移送的调解协议书（PDF，当事人身份证号码脱敏）。未调解成功的移送返回 404。每次下载记入访问日志。"
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="调解协议书 PDF"),
            **errors(*READ_ERRORS),
        },
    )
    def get(self, request, *args, **kwargs):
        from documents.catalogue import applies
        from documents.pdf import pdf_response
        from documents.rendering import render_kind

        referral = self.referral()
        agreement = referral.agreement
        if referral.status != ReferralStatus.SUCCEEDED or agreement is None or referral.case is None:
            raise Http404("该移送没有可下载的调解协议书")
        slug = "agreement" if agreement.form == "WRITTEN" else "oral_agreement"
        if not applies(referral.case, slug):
            raise Http404("该移送没有可下载的调解协议书")
        printed = render_kind(referral.case, slug, request.user)
        log_api_read(request, referral, "调解协议书PDF")
        response: HttpResponse = pdf_response(printed.pdf, f"{referral.reference}调解协议书.pdf")
        return response


@extend_schema(tags=["移送"], parameters=[id_parameter(), idempotency_header()])
class ReferralAttachmentsView(ApiView):
    required_scopes = {"POST": WRITE}
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="referrals_attachments_create",
        summary="补充移送材料",
        description=(
            "上传一份材料（multipart/form-data：file、title）。平台检查文件的实际内容和大小，不接受的文件返回 422。"
        ),
        request={"multipart/form-data": AttachmentInSerializer},
        responses={201: OpenApiResponse(AttachmentOutSerializer, description="已收到材料"), **errors(*WRITE_ERRORS)},
    )
    def post(self, request, *args, **kwargs):
        return self.idempotent(request, lambda: self._attach(request))

    def _attach(self, request) -> Response:
        from referrals import services

        referral = self.referral()
        serializer = AttachmentInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        title = serializer.validated_data.get("title") or upload.name[:100]
        attachment = services.add_attachment(referral, upload, title, client=client_of(request))
        return Response(AttachmentOutSerializer(attachment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["移送"], parameters=[id_parameter(), idempotency_header()])
class ReferralWithdrawView(ApiView):
    required_scopes = {"POST": WRITE}

    @extend_schema(
        operation_id="referrals_withdraw",
        summary="撤回移送",
        description="撤回一件尚未被接收的移送（可附理由）。已接收的移送不能撤回（422）。",
        request=WithdrawInSerializer,
        responses={200: OpenApiResponse(ReferralSummarySerializer, description="已撤回"), **errors(*WRITE_ERRORS)},
        examples=[OpenApiExample("撤回", value={"reason": "当事人已自行和解"}, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        return self.idempotent(request, lambda: self._withdraw(request))

    def _withdraw(self, request) -> Response:
        from referrals import services

        referral = self.referral()
        serializer = WithdrawInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.withdraw_referral(referral, client=client_of(request), reason=serializer.validated_data["reason"])
        referral = (
            referrals_visible_to(request.user).select_related("institution", "receiver", "case").get(pk=referral.pk)
        )
        return Response(ReferralSummarySerializer(referral).data)


@extend_schema(tags=["推送事件"])
class EventListView(ApiView):
    required_scopes = {"GET": READ}
    serializer_class = WebhookEventOutSerializer

    @extend_schema(
        operation_id="events_list",
        summary="本机构的推送事件",
        description=(
            "平台向本机构产生的全部推送事件（与 Webhooks 推送的内容相同，webhook-id 即 msg_id），按产生时间先后分页，"
            "供轮询和对账：记下最后处理的事件时间，用 since 取其后的事件。"
        ),
        parameters=[EventFilterSerializer],
        responses={
            200: OpenApiResponse(WebhookEventOutSerializer(many=True), description="推送事件（分页）"),
            **errors(*LIST_ERRORS),
        },
    )
    def get(self, request, *args, **kwargs):
        f = self.filters(EventFilterSerializer)
        qs = WebhookEvent.objects.filter(institution_id=client_of(request).institution_id)
        if f.get("since"):
            qs = qs.filter(created_at__gt=f["since"])
        if f.get("type"):
            qs = qs.filter(event_type=f["type"])
        if f.get("referral"):
            qs = qs.filter(referral_id=f["referral"])
        page = self.paginate_queryset(qs.order_by("created_at", "id"))
        return self.get_paginated_response(WebhookEventOutSerializer(page, many=True).data)


TOKEN_ERRORS = {
    "invalid_client": "客户端认证失败：client_id 或 client_secret 不正确，或客户端已停用",
    "invalid_request": "请求缺少必要参数或格式不正确",
    "invalid_grant": "授权无效",
    "unauthorized_client": "该客户端不能使用此授权方式",
    "unsupported_grant_type": "只支持 client_credentials 授权方式",
    "invalid_scope": "申请的授权范围超出该客户端获准的范围",
}


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(DotTokenView):
    """DOT's token endpoint (client credentials only), its errors in our shape and in Chinese. The RFC 6749 keys
    `error` and `error_description` stay (OAuth client libraries read them)."""

    def post(self, request, *args, **kwargs):
        # Guessing client secrets: an address with too many failed token requests waits (10 per 15 minutes).
        from django.conf import settings
        from django.core.cache import cache

        from accounts.clientip import client_ip

        limit = settings.TIAOJIE.get("API_TOKEN_FAILURES_PER_15_MIN", 10)
        counter = f"api-token-failures:{client_ip(request) or '-'}"
        if cache.get(counter, 0) >= limit:
            out = JsonResponse(
                {
                    "error": "slow_down",
                    "error_description": "获取令牌失败次数过多，请15分钟后再试",
                    **error_body("throttled", "获取令牌失败次数过多，请15分钟后再试"),
                },
                status=429,
                json_dumps_params={"ensure_ascii": False},
            )
            out["Retry-After"] = "900"
            return out
        response = super().post(request, *args, **kwargs)
        if response.status_code < 400:
            return response
        if response.status_code in (400, 401):
            cache.add(counter, 0, 900)
            try:
                cache.incr(counter)
            except ValueError:  # expired between add and incr
                cache.set(counter, 1, 900)
        try:
            code = json.loads(response.content or b"{}").get("error", "invalid_request")
        except ValueError:
            code = "invalid_request"
        message = TOKEN_ERRORS.get(code, "获取访问令牌失败")
        body = {"error": code, "error_description": message, **error_body(code, message)}
        out = JsonResponse(body, status=response.status_code, json_dumps_params={"ensure_ascii": False})
        for header in ("WWW-Authenticate", "Cache-Control", "Pragma"):
            if response.has_header(header):
                out[header] = response[header]
        return out

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = JsonResponse(
            error_body("method_not_allowed", "令牌接口只接受 POST 请求"),
            status=405,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Allow"] = "POST"
        return response
