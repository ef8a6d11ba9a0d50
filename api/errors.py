"""JSON errors of the API: every error is {"code": a stable code, "message": Chinese, "fields": {field: [Chinese]}}.

Validation errors name the field (nested ones as `parties[0].name`); a service's refusal
(cases.actions.ActionRefused(message, field)) is a 422 naming its field; anything unexpected is a 500 with the same
shape (and the traceback in the log), never Django's HTML page. The codes are part of the contract (docs/api.md)."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

log = logging.getLogger(__name__)

# Stable code and Chinese message of each status DRF raises (the message of the exception is used when it is ours).
DEFAULTS: dict[type, tuple[str, str]] = {
    exceptions.ParseError: ("malformed_request", "请求内容无法解析，请检查格式"),
    exceptions.NotAuthenticated: ("not_authenticated", "未提供访问令牌，请先以客户端凭证获取令牌"),
    exceptions.AuthenticationFailed: ("authentication_failed", "访问令牌无效或已过期，或客户端已停用"),
    exceptions.PermissionDenied: ("permission_denied", "无权进行此操作"),
    exceptions.NotFound: ("not_found", "请求的资源不存在"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供所要求的响应格式"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持该请求内容类型"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试"),
}


class ApiError(exceptions.APIException):
    """An error of our own with its status, stable code, Chinese message and the fields it concerns."""

    def __init__(self, status_code: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.message = message
        self.fields = fields or {}


class IdempotencyConflict(ApiError):
    def __init__(self, message: str = "同一 Idempotency-Key 的请求正在处理中，请稍后重试"):
        super().__init__(status.HTTP_409_CONFLICT, "idempotency_in_flight", message)


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"parties[0].name": ["…"]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                name = f"{prefix}[{key}]"  # an item of a list (REST framework keys them by index)
            elif key == "non_field_errors" and prefix:
                name = prefix  # an error of the nested object or list itself
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for i, item in enumerate(detail):
                if item:
                    for k, v in _flatten(item, f"{prefix}[{i}]").items():
                        out.setdefault(k, []).extend(v)
    elif detail is not None:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _message_of(detail: Any, fallback: str) -> str:
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, dict) and "detail" in detail:
        return str(detail["detail"])
    return fallback


def exception_handler(exc: Exception, context: dict) -> Response:
    """REST framework's EXCEPTION_HANDLER (settings.REST_FRAMEWORK)."""
    from cases.actions.base import ActionRefused

    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        message = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else "请求的资源不存在"
        exc = exceptions.NotFound(message)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ActionRefused):
        set_rollback()
        field = exc.field or "non_field_errors"
        body = error_body("action_refused", exc.message, {field: [exc.message]})
        return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)

    if isinstance(exc, ApiError):
        set_rollback()
        return Response(error_body(exc.error_code, exc.message, exc.fields), status=exc.status_code)

    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        set_rollback()
        if isinstance(exc, exceptions.ValidationError):
            fields = _flatten(exc.detail)
            first = next(iter(fields.values()), ["提交的数据有误"])[0]
            body = error_body("invalid", f"提交的数据有误：{first}", fields)
            return Response(body, status=exc.status_code, headers=headers)
        code, message = next(
            ((c, m) for klass, (c, m) in DEFAULTS.items() if isinstance(exc, klass)), ("error", "请求未能处理")
        )
        if isinstance(exc, exceptions.Throttled) and exc.wait:
            message = f"请求过于频繁，请 {int(exc.wait) + 1} 秒后再试"
        elif isinstance(exc, (exceptions.NotFound, exceptions.PermissionDenied)):
            # Our own messages are Chinese (scoping's 404s, the scope check); DRF's defaults are replaced.
            own = _message_of(exc.detail, "")
            if own and own not in (
                str(exceptions.NotFound.default_detail),
                str(exceptions.PermissionDenied.default_detail),
            ):
                message = own
        return Response(error_body(code, message), status=exc.status_code, headers=headers)

    log.exception("API request failed", exc_info=exc)
    set_rollback()
    return Response(
        error_body("server_error", "服务器内部错误，请稍后重试；如持续出现请联系平台管理员"),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any path under /api/v1/ that is no endpoint: the same JSON 404 (not the site's HTML page)."""
    return JsonResponse(
        error_body("not_found", "接口地址不存在"), status=404, json_dumps_params={"ensure_ascii": False}
    )
