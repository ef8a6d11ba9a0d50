"""The second factor is a step of signing in: until the code is typed, a signed-in user who owes one reaches only
the code page, the enrolment page (when not enrolled yet) and sign-out."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.security import PENDING, second_factor_owed


@receiver(user_logged_in)
def _owe_second_factor(sender, request, user, **kwargs) -> None:
    """Decided once at sign-in (one query), so that ordinary requests read only the session."""
    if request is not None and hasattr(request, "session"):
        request.session[PENDING] = second_factor_owed(user)


class SecondFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if PENDING not in request.session:  # a session from before this rule: decide now, once
                request.session[PENDING] = second_factor_owed(user)
            if request.session[PENDING] and not self._allowed(request.path):
                target = reverse("totp_verify")
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        open_paths = {reverse("totp_verify"), reverse("totp_setup"), reverse("logout"), reverse("portal:logout")}
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class PasswordChangeRequiredMiddleware:
    """An initial or reset password (User.must_change_password, set when an administrator opens or resets an
    account) must be replaced before anything else (等保 level 3): until then every page except the password page,
    the second-factor pages, sign-out and static files sends the user to the password page. Runs after
    SecondFactorMiddleware, so the code comes first and the new password second."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and user.has_usable_password()
            and not self._allowed(request.path)
        ):
            target = reverse("password_change")
            if getattr(request, "htmx", False):
                from django_htmx.http import HttpResponseClientRedirect

                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        open_paths = {
            reverse("password_change"),
            reverse("totp_verify"),
            reverse("totp_setup"),
            reverse("logout"),
            reverse("portal:logout"),
        }
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
