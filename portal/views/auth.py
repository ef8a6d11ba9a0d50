"""Sign-in by mobile number and SMS code (the first sign-in creates the party account), and sign-out."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Role
from cases.identity import mask_phone
from portal import forms as PF
from portal.codes import PortalRefused, normalise_phone, requester, send_code, verify_code
from portal.services.accounts import party_account


def _safe_next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return reverse("portal:cases")


def login_page(request: HttpRequest) -> HttpResponse:
    """Sign in (or sign up: the first sign-in creates the account) with a mobile number and an SMS code."""
    if request.user.is_authenticated and request.user.role == Role.PARTY:
        return redirect(_safe_next(request))
    form = PF.PhoneForm(request.POST or None)
    sent_to = ""
    if request.method == "POST" and form.is_valid():
        try:
            phone = normalise_phone(form.cleaned_data["phone"])
            if request.POST.get("step") == "send":
                send_code(phone, requester(request))
                sent_to = mask_phone(phone)
            else:
                verify_code(phone, form.cleaned_data["code"], requester(request))
                user = party_account(phone)
                if user is None:
                    raise PortalRefused("该手机号已用于工作人员账号，请使用工作人员登录页面", "phone")
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "登录成功")
                return redirect(_safe_next(request))
        except PortalRefused as refusal:
            form.add_error(refusal.field, refusal.message)
    return render(request, "portal/login.html", {"form": form, "sent_to": sent_to, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")
