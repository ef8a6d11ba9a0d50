"""Account security pages: change one's password, enrol an authenticator app (TOTP), and the second step after
the password. accounts.middleware.SecondFactorMiddleware sends a user who still owes a code here."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from accounts import totp
from accounts.clientip import client_ip
from accounts.forms import TotpCodeForm, style
from accounts.models import AccessKind, AccessLog, Role, TotpDevice
from accounts.passwords import clear_forced_change

PENDING = "totp_pending"  # session: a code is still owed after the password
PENDING_SECRET = "totp_new_secret"  # session: the secret being enrolled, until its first code is typed
FAILURES = "totp_failures"
MAX_FAILURES = 5


def second_factor_owed(user) -> bool:
    """Whether a user who has just typed the password must also type a code (required role, or enrolled)."""
    if not totp.available_to(user):
        return False
    return totp.required_for(user) or TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _base(request: HttpRequest) -> str:
    return "portal/base.html" if request.user.role == Role.PARTY else "base.html"


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return reverse("home")


def _log(request: HttpRequest, action: str, detail: str) -> None:
    AccessLog.objects.create(user=request.user, action=AccessKind(action), ip_address=client_ip(request), detail=detail)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")  # never in an error report
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码: the current password, then a new one twice, checked against the 等保 rules (accounts.passwords)."""
    if not request.user.has_usable_password():
        messages.info(request, "您的账号使用短信验证码登录，无需设置密码。")
        return redirect("home")
    form = PasswordChangeForm(request.user, request.POST or None)
    style(form)
    forced = request.user.must_change_password
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            clear_forced_change(form.user)  # the initial or reset password is replaced: the pages open again
            _log(request, "CHANGE_PASSWORD", "修改初始密码" if forced else "修改本人密码")
        update_session_auth_hash(request, form.user)
        messages.success(request, "密码已修改，下次登录请使用新密码。")
        return redirect("home" if forced else "password_change")
    device = TotpDevice.objects.filter(user=request.user, confirmed_at__isnull=False).first()
    context = {
        "form": form,
        "base": _base(request),
        "totp_available": totp.available_to(request.user),
        "totp_required": totp.required_for(request.user),
        "device": device,
        "min_length": settings.PASSWORD_MIN_LENGTH,
        "forced": forced,
    }
    return render(request, "accounts/password_change.html", context)


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """两步验证: show a new secret (and its otpauth:// URI) and confirm it with a first code from the app. An enrolled
    user sees that it is on; replacing or removing it is a recovery by another administrator (docs/adr/0005)."""
    user = request.user
    if not totp.available_to(user):
        messages.info(request, "您的账号无需设置两步验证。")
        return redirect("home")
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is not None:
        return render(request, "accounts/totp_setup.html", {"device": device, "required": totp.required_for(user)})
    secret = request.session.get(PENDING_SECRET) or totp.new_secret()
    request.session[PENDING_SECRET] = secret
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = totp.matching_step(secret, form.cleaned_data["code"])
        if step is None:
            form.add_error("code", "动态口令不正确：请确认手机时间准确，并输入应用中当前显示的6位数字。")
        else:
            with transaction.atomic():
                TotpDevice.objects.filter(user=user).delete()
                TotpDevice.objects.create(
                    user=user, secret_sealed=totp.seal(secret), confirmed_at=timezone.now(), last_step=step
                )
                _log(request, "ENROL_TOTP", "启用两步验证（动态口令）")
            request.session.pop(PENDING_SECRET, None)
            request.session[PENDING] = False
            messages.success(request, "两步验证已启用。以后每次登录，输入密码后还需输入动态口令。")
            return redirect(_next(request))
    account = f"{user.username}"
    context = {
        "form": form,
        "secret": totp.grouped(secret),
        "uri": totp.provisioning_uri(secret, account),
        "required": totp.required_for(user),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/totp_setup.html", context)


@login_required
def totp_verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code from the user's app, each 30-second code accepted once."""
    user = request.user
    if not request.session.get(PENDING):
        return redirect(_next(request))
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:  # required but not enrolled yet: enrol first (that is the first verification)
        return redirect(f"{reverse('totp_setup')}?next={_next(request)}")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TotpDevice.objects.select_for_update().get(pk=device.pk)
            step = totp.matching_step(
                totp.unseal(device.secret_sealed), form.cleaned_data["code"], after=device.last_step
            )
            if step is not None:
                device.last_step = step
                device.save(update_fields=["last_step"])
        if step is not None:
            request.session[PENDING] = False
            request.session.pop(FAILURES, None)
            return redirect(_next(request))
        failures = request.session.get(FAILURES, 0) + 1
        request.session[FAILURES] = failures
        if failures >= MAX_FAILURES:
            _log(request, "TOTP_FAILED", f"动态口令连续输错{failures}次，已退出登录")
            logout(request)
            messages.error(request, "动态口令连续输错次数过多，已退出登录。请重新登录。")
            return redirect("login")
        form.add_error(
            "code",
            f"动态口令不正确或已使用过，请等待应用显示新的口令后再输入（还可以再试{MAX_FAILURES - failures}次）。",
        )
    return render(request, "accounts/totp_verify.html", {"form": form, "next": request.GET.get("next", "")})
