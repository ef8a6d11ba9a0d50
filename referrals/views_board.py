"""Pages of the referral board (h-board): the board of referrals by channel with their clocks and colours, the
time-limit table (read-only), the 督办 of a referral, and the reply of the receiving committee's director.
Everything is scoped; a page or a referral outside the user's reach is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import SUPERVISOR_ROLES
from cases.actions import ActionRefused
from referrals import board as B
from referrals import limits
from referrals.enums import ReferralStatus
from referrals.models import Referral
from referrals.scoping import access_referral_by_id, referrals_visible_to
from supervision.forms_duban import ReferralSupervisionReplyForm, SuperviseReferralForm
from supervision.models_duban import Supervision, SupervisionEvent
from supervision.referral_duban import (
    do_reply_referral_supervision,
    do_supervise_referral,
    may_reply,
    may_supervise,
)

STATUS_BADGE = {
    ReferralStatus.PENDING: "warning",
    ReferralStatus.ACCEPTED: "primary",
    ReferralStatus.SUCCEEDED: "success",
    ReferralStatus.FAILED: "secondary",
    ReferralStatus.DECLINED: "light",
    ReferralStatus.RETURNED: "light",
    ReferralStatus.WITHDRAWN: "light",
}


def referral_url(referral: Referral, user=None) -> str:
    """The referral's page (h-pages' console:referral); without it, the board's row for board users, else ""."""
    try:
        return reverse("console:referral", args=[referral.pk])
    except NoReverseMatch:
        if user is not None and not B.may_see_board(user):
            return ""
        return reverse("console:referral_board") + f"?q={referral.pk}"


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    base = B.board_referrals(user)  # 404 for a user without a board
    now = timezone.now()
    form = B.BoardFilter(request.GET)
    colours = B.open_colours(base, now)
    counts = B.channel_counts(base, now, colours)
    qs = B.filtered(base, form, now)
    colour = form.cleaned_data.get("colour") if form.is_valid() else ""
    if colour:
        qs = qs.filter(pk__in=[pk for pk, c in colours.items() if c == colour])
    page = Paginator(B.for_board(qs).order_by("-received_at", "-id"), 25).get_page(request.GET.get("page"))
    overdue_ids = set(qs.filter(B.overdue_q(now)).values_list("pk", flat=True))
    table = limits.time_limits()
    rows = []
    for r in page:
        clock = limits.referral_clock(r, now, table=table)
        rows.append(
            {
                "referral": r,
                "clock": clock,
                "reply": clock.stages["reply"] if clock.stages["reply"].running else None,
                "waiting": (waiting := limits.waiting_dispatch(r)),
                "waiting_to": str(waiting.to_committee or waiting.to_institution) if waiting else "",
                "overdue": r.pk in overdue_ids,
                "badge": STATUS_BADGE.get(r.status, "secondary"),
                "url": referral_url(r),
                "may_supervise": user.role in SUPERVISOR_ROLES and r.is_open,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "counts": counts,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "now": now,
        "is_supervisor": user.role in SUPERVISOR_ROLES,
        "scope_label": B.scope_label(user),
    }
    return render(request, "referrals/board.html", context)


@login_required
def limits_table(request: HttpRequest) -> HttpResponse:
    if not B.may_see_board(request.user):
        raise Http404("页面不存在")
    table = limits.time_limits()
    context = {"rows": table.sorted_rows(), "stages": limits.STAGE_LABELS, "units": limits.UNITS}
    return render(request, "referrals/board_limits.html", context)


@login_required
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    """督办 a referral: one with a case is supervised as its case (the case's 督办 page); a pending one here."""
    user = request.user
    if user.role not in SUPERVISOR_ROLES:
        raise Http404("页面不存在")
    referral = access_referral_by_id(user, pk)
    if referral.case_id is not None:
        return redirect("cases:action", referral.case_id, "supervise")
    if not may_supervise(referral, user):
        messages.error(request, "该移送纠纷已办结、已退回或已撤回，无需督办")
        return redirect("console:referral_board")
    form = SuperviseReferralForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            do_supervise_referral(referral, user, instruction=d["instruction"], reply_deadline=d["reply_deadline"])
        except ActionRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(request, f"已对{referral.reference}发出督办")
            return redirect("console:referral_board")
    history = Supervision.objects.filter(referral=referral, case__isnull=True).select_related("issued_by")
    context = {"referral": referral, "form": form, "history": history, "url": referral_url(referral)}
    return render(request, "referrals/board_supervise.html", context)


@login_required
def supervision(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral's 督办 record: its chain and history for the supervisors of the area; the reply form for the
    director of the committee that holds the referral."""
    user = request.user
    sup = (
        Supervision.objects.select_related("referral__institution", "referral__receiver", "issued_by")
        .filter(pk=pk, case__isnull=True, referral__isnull=False)
        .first()
    )
    if sup is None:
        raise Http404("督办事项不存在")
    referral = sup.referral
    replier = may_reply(referral, user)
    if not replier and not (
        user.role in SUPERVISOR_ROLES and referrals_visible_to(user).filter(pk=referral.pk).exists()
    ):
        raise Http404("督办事项不存在")
    head = sup.head()
    form = ReferralSupervisionReplyForm(request.POST or None) if replier else None
    if request.method == "POST":
        if form is None:
            raise Http404("督办事项不存在")
        if form.is_valid():
            try:
                do_reply_referral_supervision(head, user, text=form.cleaned_data["text"])
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, "已提交反馈")
                return redirect("console:referral_supervision", head.pk)
    chain = head.chain()
    events = SupervisionEvent.objects.filter(supervision__in=chain).select_related("actor").order_by("at", "id")
    context = {
        "sup": head,
        "referral": referral,
        "chain": chain,
        "events": events,
        "form": form if head.status == "PENDING" else None,
        "url": referral_url(referral, user),
        "today": timezone.localdate(),
    }
    return render(request, "referrals/board_supervision.html", context)
