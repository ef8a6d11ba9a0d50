"""Who an API request is, and what it may do (issue 11; references-2.md §A.6).

A client-credentials token has no user (django-oauth-toolkit issue 470), so user-based permissions would deny it:
`ApiClientAuthentication` authenticates the token with DOT, then finds the ApiClient of the token's application and
makes the request act as the client's service account (Role.API_CLIENT, its institution): the scoping helpers
(referrals.scoping.referrals_visible_to) then give it its institution's referrals and nothing else (404 otherwise).
A revoked client, an inactive institution or service account is refused (401), whatever token it still holds.

`HasScope` is the one permission of every endpoint: the view names the scope each method needs
(`required_scopes = {"GET": "referrals:read", "POST": "referrals:write"}`); a method not named is denied (deny by
default), and the scope must be both in the token and still allowed to the client.

At the token endpoint, `ClientScopes` (OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]) limits what a client may be granted
to its ApiClient.allowed_scopes (a request without `scope` gets all of them), and `ClientValidator`
(OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]) refuses a revoked client or one of an inactive institution.
"""

from django.conf import settings
from django.http import QueryDict
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from accounts.models import Role
from api.models import ApiClient


def active_client_of_application(application) -> ApiClient | None:
    """The ApiClient of a DOT application, if it may act now (not revoked, its institution and account active)."""
    if application is None:
        return None
    client = (
        ApiClient.objects.select_related("institution", "service_user", "application")
        .filter(application_id=application.pk)
        .first()
    )
    if client is None or not client.is_active or not client.institution.is_active:
        return None
    user = client.service_user
    if not user.is_active or user.role != Role.API_CLIENT or user.institution_id != client.institution_id:
        return None
    return client


class _WithoutBody:
    """The Django request as DOT's resource check reads it (method, URI, headers), with an empty body."""

    POST = QueryDict("")

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)


class ApiClientAuthentication(OAuth2Authentication):
    """Bearer token → (the client's service account, the AccessToken); request.api_client is the ApiClient."""

    www_authenticate_realm = "tiaojie-api"

    def authenticate(self, request):
        # Only a bearer token in the Authorization header (not in the body or the query string: RFC 6750 §2.1).
        # DOT sees the request without its body: nothing is parsed before the request is authenticated (a body of
        # the wrong type is the view's 415 or 400 after the 401, never a 500 from a parser).
        if not request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer "):
            return None
        headers_only = _WithoutBody(request._request)
        result = super().authenticate(headers_only)
        if result is None:
            request._request.oauth2_error = getattr(headers_only, "oauth2_error", {})
            return None
        _user, token = result
        client = active_client_of_application(token.application)
        if client is None:
            raise AuthenticationFailed("接口客户端已停用或不存在，请联系平台管理员")
        request.api_client = client
        return client.service_user, token


def client_of(request) -> ApiClient:
    """The ApiClient of an authenticated API request."""
    return request.api_client


class HasScope(BasePermission):
    """The token carries the scope the view names for this method, and the client is still allowed it."""

    message = "访问令牌不具有此操作所需的授权范围"

    def has_permission(self, request, view) -> bool:
        method = request.method.lower()
        if method == "options" or method not in view.http_method_names or not hasattr(view, method):
            return True  # no such operation: the view answers 405 (OPTIONS too: no metadata is published)
        token = request.auth
        client = getattr(request, "api_client", None)
        if token is None or client is None or not hasattr(token, "allow_scopes"):
            return False
        scope = (getattr(view, "required_scopes", None) or {}).get(request.method)
        if scope is None and request.method == "HEAD":
            scope = (getattr(view, "required_scopes", None) or {}).get("GET")
        if not scope:
            self.message = "不支持该操作"
            return False
        if token.is_expired():
            return False
        if not (token.allow_scopes([scope]) and scope in client.scopes()):
            self.message = f"访问令牌不具有此操作所需的授权范围：{scope}"
            return False
        return True


class ClientScopes(BaseScopes):
    """The scopes a DOT application may be granted: its ApiClient's allowed scopes (known ones only)."""

    def get_all_scopes(self) -> dict[str, str]:
        return dict(settings.OAUTH2_PROVIDER["SCOPES"])

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        client = active_client_of_application(application)
        if client is None:
            return []
        known = self.get_all_scopes()
        return [s for s in known if s in client.scopes()]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return self.get_available_scopes(application, request)


class ClientValidator(OAuth2Validator):
    """DOT's validator, refusing at the token endpoint a client that may not act (revoked, inactive)."""

    def authenticate_client(self, request, *args, **kwargs) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return active_client_of_application(request.client) is not None
