from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the front page of its interface."""
    role = request.user.role
    if role in (Role.MEDIATOR, Role.DIRECTOR):
        return redirect("workbench:home")
    if role in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.COURT_LIAISON):
        return redirect("console:home" if role != Role.COURT_LIAISON else "console:cases")
    return redirect("cases:mine")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A CSRF refusal explained in Chinese (the form's content is still in the user's browser: go back)."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
