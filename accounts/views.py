from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.models import Role


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the front page of its interface; anonymous visitors get the public portal home."""
    if not request.user.is_authenticated:
        from portal.views.public import home as portal_home

        return portal_home(request)
    role = request.user.role
    if role in (Role.MEDIATOR, Role.DIRECTOR):
        return redirect("workbench:home")
    if role in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.COURT_LIAISON):
        return redirect("console:home" if role != Role.COURT_LIAISON else "console:cases")
    if role == Role.INSTITUTION_LIAISON:  # issue 11: a department's liaison follows its referrals
        return redirect("console:referrals")
    if role == Role.GOVERNANCE_OFFICER:  # issue 12: the township's 综治中心 watches the risks escalated to it
        return redirect("screening:risks")
    return redirect("portal:cases")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A CSRF refusal explained in Chinese (the form's content is still in the user's browser: go back)."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notices, newest first, each with its kind. Opening the page changes nothing: they are marked read
    by the 全部标为已读 button (a POST to `notifications_read`). Only cases the user can still see are linked (a case
    may have left their jurisdiction since). Links to the notice preferences."""
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from cases.scoping import cases_visible_to

    items = request.user.notifications.select_related("case")
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    visible = set(
        cases_visible_to(request.user)
        .filter(pk__in=[n.case_id for n in page if n.case_id])
        .values_list("pk", flat=True)
    )
    from notifications.enums import NoticeKind

    labels = dict(NoticeKind.choices)
    rows = [(n, n.case_id in visible, labels.get(n.kind, "通知")) for n in page]
    unread = request.user.notifications.filter(read_at__isnull=True).exists()
    return render(request, "accounts/notifications.html", {"page": page, "rows": rows, "unread": unread})


def mark_notices_read(request: HttpRequest) -> int:
    """Mark the user's own unread notices read (only the one posted as `notice`, when given). Returns how many."""
    from django.utils import timezone

    mine = request.user.notifications.filter(read_at__isnull=True)
    one = request.POST.get("notice", "")
    if one:
        mine = mine.filter(pk=int(one)) if one.isdigit() and len(one) < 12 else mine.none()
    return mine.update(read_at=timezone.now())


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """POST only (a link from another site cannot mark anything): the user's notices marked read, back to the list."""
    mark_notices_read(request)
    return redirect("notifications")
