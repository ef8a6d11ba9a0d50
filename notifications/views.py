"""Pages of the notifications module: each person's notice preferences, and the administrators' delivery log
(the outbox of their area, one message's attempts, and "重新发送" of a failed message)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role
from cases.identity import mask_phone
from notifications import rules
from notifications.delivery import request_retry
from notifications.enums import Channel, DeliveryStatus, NoticeKind
from notifications.models import NoticePreference, OutboxMessage
from notifications.scoping import access_outbox_message_by_id, can_see_delivery_log, outbox_visible_to
from notifications.services import wants_sms

APP_ONLY, WITH_SMS = "app", "sms"
CHOICES = [(APP_ONLY, "仅站内通知"), (WITH_SMS, "站内通知并发送短信")]
# Texts whose body is a secret (a sign-in code; an invitation's link and code open the case to whoever has them).
SECRET_BODIES = {
    NoticeKind.LOGIN_CODE: "验证码短信（内容不显示）",
    NoticeKind.INVITATION: "邀请短信（含邀请码，内容不显示）",
}


def shown_body(msg: OutboxMessage) -> str:
    return SECRET_BODIES.get(msg.kind, msg.body)


# ---------------------------------------------------------------------------------------------------- preferences
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Per kind of notice that the person's role receives: in-app only, or also by SMS."""
    user = request.user
    division = rules.user_division_code(user)
    kinds = rules.kinds_for_role(user.role, division)
    if request.method == "POST":
        with transaction.atomic():
            for kind in kinds:
                value = request.POST.get(f"kind_{kind}")
                if value not in (APP_ONLY, WITH_SMS):
                    continue
                sms = value == WITH_SMS
                # A choice equal to the default is no choice: the person follows the configured default.
                if sms == rules.sms_by_default(user.role, kind, division):
                    NoticePreference.objects.filter(user=user, kind=kind).delete()
                else:
                    NoticePreference.objects.update_or_create(user=user, kind=kind, defaults={"sms": sms})
        messages.success(request, "通知方式已保存")
        return redirect("notifications:preferences")
    prefs = {(user.pk, p.kind): p.sms for p in NoticePreference.objects.filter(user=user)}
    rows = [
        {
            "kind": kind,
            "label": NoticeKind(kind).label,
            "sms": wants_sms(user, kind, prefs),
            "default_sms": rules.sms_by_default(user.role, kind, division),
        }
        for kind in kinds
    ]
    party = user.role == Role.PARTY  # parties live in the portal: its frame, and back to its notices
    context = {
        "rows": rows,
        "choices": CHOICES,
        "masked_phone": mask_phone(user.phone) if user.phone else "",
        "base_template": "portal/base.html" if party else "base.html",
        "back_url": reverse("portal:notices" if party else "notifications"),
    }
    return render(request, "notifications/preferences.html", context)


# --------------------------------------------------------------------------------------------------- delivery log
def _select(label: str, choices: list) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=choices, widget=forms.Select(attrs={"class": "form-select"})
    )


class LogFilter(forms.Form):
    status = _select("状态", [("", "全部状态"), *DeliveryStatus.choices])
    channel = _select("渠道", [("", "全部渠道"), *Channel.choices])
    kind = _select("类别", [("", "全部类别"), *NoticeKind.choices])


def _require_log(request: HttpRequest) -> None:
    if not can_see_delivery_log(request.user):
        raise Http404("页面不存在")


@login_required
def delivery_log(request: HttpRequest) -> HttpResponse:
    """The outbox of the administrator's area, newest first, filtered by status, channel and kind."""
    _require_log(request)
    form = LogFilter(request.GET or None)
    qs = outbox_visible_to(request.user)
    if form.is_valid():
        for field in ("status", "channel", "kind"):
            if form.cleaned_data[field]:
                qs = qs.filter(**{field: form.cleaned_data[field]})
    counts = {s: outbox_visible_to(request.user).filter(status=s).count() for s in DeliveryStatus.values}
    page = Paginator(qs.select_related("case"), 30).get_page(request.GET.get("page"))
    rows = [(m, mask_phone(m.address)) for m in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": [(DeliveryStatus(s).label, s, n) for s, n in counts.items()],
            "query": query.urlencode(),
        },
    )


@login_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message and every attempt to deliver it."""
    _require_log(request)
    msg = access_outbox_message_by_id(request.user, pk)
    attempts = msg.delivery_attempts.select_related("requested_by")
    return render(
        request,
        "notifications/detail.html",
        {
            "msg": msg,
            "phone": mask_phone(msg.address),
            "body": shown_body(msg),
            "attempts": attempts,
            "can_retry": msg.status == DeliveryStatus.FAILED,
        },
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """One more try of a failed message, recorded as an attempt requested by this administrator."""
    _require_log(request)
    msg = access_outbox_message_by_id(request.user, pk)
    if request_retry(msg, request.user):
        msg.refresh_from_db()
        if msg.status == DeliveryStatus.SENT:
            messages.success(request, "已重新发送成功")
        elif msg.status == DeliveryStatus.FAILED:
            messages.error(request, f"重新发送仍然失败：{msg.last_error}")
        else:
            messages.success(request, "已交由发送程序重新发送，请稍后刷新查看结果")
    else:
        messages.error(request, "该消息当前不是“发送失败”状态，无需重新发送")
    return redirect("notifications:delivery_detail", pk=msg.pk)
