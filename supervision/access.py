"""Who may use the supervision pages, and the areas they may ask about. Everything else is a 404 (never a 403)."""

from django.http import Http404, HttpRequest

from accounts.models import Role, User
from registry.models import Division

# The entry notice and the reconciliation: the township office reads its own township; bureaus their area.
NOTICE_ROLES = {Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN}
# Spot checks are drawn, scored and published by the county and city bureaus.
CHECK_ROLES = {Role.COUNTY_ADMIN, Role.CITY_ADMIN}
RESULT_ROLES = {Role.DIRECTOR}


def require_role(request: HttpRequest, roles: set) -> User:
    user = request.user
    if not user.is_authenticated or user.role not in roles:
        raise Http404("页面不存在")
    return user


def area_for(user: User, code: str | None) -> Division:
    """The division the user asked about (default: their own); outside their jurisdiction it does not exist."""
    own = user.division_id
    code = (code or own or "").strip()
    if not own or not (code.isascii() and code.isdigit()) or not code.startswith(own):
        raise Http404("地区不存在")
    try:
        return Division.objects.get(code=code)
    except Division.DoesNotExist:
        raise Http404("地区不存在") from None
