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
