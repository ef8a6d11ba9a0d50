"""Pages of the 矛调中心 (issue 11 §4): the one intake queue, the dispatch form, the receiver's incoming dispatches
with accept / return, a dispatch with its history, a committee's transfer request. Every change goes through
referrals.hub; what a user may not see is a 404 (referrals.scoping, cases.scoping)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import log_access
from accounts.models import AccessKind, Role
from cases.actions import ActionRefused
from cases.models import Case
from cases.scoping import access_case_by_id, cases_visible_to
from referrals import hub
from referrals.enums import DispatchStatus, Tier
from referrals.forms_hub import DispatchForm, ReturnForm, TransferForm
from referrals.models import Dispatch, Referral, ReferralEvent
from referrals.scoping import (
    STAFF_ROLES,
    access_dispatch_by_id,
    access_referral_by_id,
    dispatches_visible_to,
)
from tiaojie.forms import add_refusal

TABS = {"new": "新到事项", "waiting": "已交办待答复", "returned": "被退回"}


def _hub_or_404(request: HttpRequest):
    committee = hub.hub_of(request.user)
    if committee is None:
        raise Http404("本页面仅供矛调中心工作人员使用")
    return committee


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
def hub_queue(request: HttpRequest) -> HttpResponse:
    committee = _hub_or_404(request)
    tab = request.GET.get("tab", "new")
    if tab not in TABS:
        tab = "new"
    queue = hub.intake_queue(committee)
    counts = {"new": queue.new_count, "waiting": len(queue.waiting), "returned": len(queue.returned)}
    referral_rows = [
        (channel, [(r, _url_or_none("console:referral", r.pk)) for r in rows])
        for channel, rows in queue.referrals.items()
    ]
    return render(
        request,
        "referrals/hub.html",
        {
            "hub": committee,
            "tab": tab,
            "tabs": TABS,
            "counts": counts,
            "queue": queue,
            "referral_rows": referral_rows,
            "now": timezone.now(),
        },
    )


def _dispatch_page(request: HttpRequest, committee, subject, *, back: str) -> HttpResponse:
    if not hub.may_dispatch(request.user, subject):
        messages.error(request, "该事项当前不能分流交办（已交办待答复，或已受理、已办结）")
        return redirect(back)
    initial = {"tier": request.GET.get("tier", Tier.SIMPLE)}
    form = DispatchForm(request.POST or None, hub_committee=committee, subject=subject, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            d = form.run(request.user)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(
                request, f"已交办{hub.receiver_name(d)}，接收期限{timezone.localtime(d.deadline):%m月%d日 %H:%M}"
            )
            return redirect("console:dispatch", pk=d.pk)
    defaults = [(Tier(t).label, form.defaults[t], hub.deadline_default_text(t)) for t in Tier.values]
    return render(
        request,
        "referrals/dispatch_form.html",
        {
            "form": form,
            "hub": committee,
            "subject": subject,
            "is_case": isinstance(subject, Case),
            "defaults": defaults,
            **_triage(subject),
        },
    )


def _triage(subject) -> dict:
    from triage.doors import subject_panel  # issue 13: the suggested route beside the choice of receiver

    return subject_panel(subject)


@login_required
def dispatch_referral(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _hub_or_404(request)
    referral = access_referral_by_id(request.user, pk)
    if referral.receiver_id != committee.pk:
        raise Http404("该移送纠纷不在本中心")
    return _dispatch_page(request, committee, referral, back=reverse("console:hub"))


@login_required
def dispatch_case(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _hub_or_404(request)
    case = access_case_by_id(request.user, pk)
    if case.committee_id != committee.pk:
        raise Http404
    return _dispatch_page(request, committee, case, back=reverse("cases:detail", args=[case.pk]))


@login_required
def case_dispatch_action(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's “分流交办” action (cases:action … dispatch): the hub's dispatch form."""
    if request.user.role == Role.PARTY:
        raise Http404
    case = access_case_by_id(request.user, pk)
    if not hub.may_dispatch(request.user, case):
        messages.error(request, "本案当前不能执行“分流交办”")
        return redirect("cases:detail", pk=case.pk)
    return redirect("console:hub_dispatch_case", pk=case.pk)


@login_required
def dispatches(request: HttpRequest) -> HttpResponse:
    """Incoming and outgoing dispatches of the user's committee (a department's liaison: incoming; supervisors:
    every dispatch of their area)."""
    user = request.user
    visible = dispatches_visible_to(user)
    if user.role in (Role.MEDIATOR, Role.DIRECTOR) and user.committee_id:
        boxes = {
            "in": ("收到的交办", visible.filter(to_committee_id=user.committee_id)),
            "out": ("发出的交办", visible.filter(from_committee_id=user.committee_id)),
        }
    elif user.role in (Role.COURT_LIAISON, Role.INSTITUTION_LIAISON):  # dispatches_visible_to: its institution's
        boxes = {"in": ("收到的交办", visible)}
    elif user.role in STAFF_ROLES and user.division_id:
        boxes = {"in": ("辖区内的分流交办", visible)}
    else:
        raise Http404
    box = request.GET.get("box", "in")
    if box not in boxes:
        box = "in"
    status = request.GET.get("status", "PENDING" if box == "in" else "")
    rows = boxes[box][1]
    if status in DispatchStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    rows = rows.select_related(
        "case", "referral", "referral__institution", "from_committee", "to_committee", "to_institution"
    ).order_by("-created_at", "-pk")[:200]
    return render(
        request,
        "referrals/dispatches.html",
        {
            "boxes": {k: v[0] for k, v in boxes.items()},
            "box": box,
            "status": status,
            "statuses": DispatchStatus.choices,
            "rows": [(d, hub.may_answer(user, d)) for d in rows],
            "now": timezone.now(),
        },
    )


def _history(d: Dispatch) -> list[dict]:
    """The steps of this dispatch and of those it moved up from or into, from the subject's history."""
    chain = hub._chain(d)
    while chain[-1].escalated_to_id:
        chain.append(chain[-1].escalated_to)
    ids = [x.pk for x in chain]
    steps = []
    if d.case_id:
        events = d.case.events.filter(action__startswith="dispatch").select_related("actor").order_by("at", "pk")
        for e in events:
            if e.data.get("dispatch") in ids:
                who = e.actor.display_name if e.actor_id else "系统"
                if not e.actor_id and e.data.get("by"):
                    who = _name_of(e.data["by"])
                steps.append({"at": e.at, "what": e.get_action_display(), "who": who, "note": e.note})
    else:
        events = ReferralEvent.objects.filter(referral_id=d.referral_id, kind="DISPATCHED").select_related("actor")
        labels = {"dispatch": "分流交办", "accepted": "接收", "returned": "退回", "escalated": "逾期未接收，自动上移"}
        for e in events.order_by("at", "pk"):
            if e.data.get("dispatch") in ids:
                who = e.actor.display_name if e.actor_id else "系统"
                steps.append(
                    {"at": e.at, "what": labels.get(e.data.get("step"), "分流交办"), "who": who, "note": e.note}
                )
    return steps


def _name_of(user_id: int) -> str:
    from accounts.models import User

    u = User.objects.filter(pk=user_id).first()
    return u.display_name if u else "—"


@login_required
def dispatch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = access_dispatch_by_id(request.user, pk)
    d = Dispatch.objects.select_related(
        "case",
        "case__committee",
        "referral",
        "referral__institution",
        "from_committee",
        "to_committee",
        "to_institution",
    ).get(pk=d.pk)
    case_url = referral_url = None
    if d.case_id:
        # The receiver reads the dispute to decide (parties' names, facts, claims): a view of personal data, logged.
        log_access(request, AccessKind.VIEW_CASE, case=d.case, detail="查看分流交办的纠纷", once_per_minutes=10)
        if cases_visible_to(request.user).filter(pk=d.case_id).exists():
            case_url = reverse("cases:detail", args=[d.case_id])
    else:
        log_access(request, AccessKind.VIEW_REFERRAL, detail=f"查看分流交办的移送纠纷{d.referral.reference}")
        referral_url = _url_or_none("console:referral", d.referral_id)
    return render(
        request,
        "referrals/dispatch_detail.html",
        {
            "d": d,
            "may_answer": hub.may_answer(request.user, d),
            # “接收并受理”: the receiving committee's director accepts the referral too (referrals.services).
            "may_accept_referral": bool(d.referral_id and d.to_committee_id and request.user.role == Role.DIRECTOR),
            "history": _history(d),
            "overdue": hub.overdue(d),
            "case_url": case_url,
            "referral_url": referral_url,
            "parties": list(d.case.parties.all()) if d.case_id else list(d.referral.parties.all()),
        },
    )


@login_required
@require_POST
def dispatch_accept(request: HttpRequest, pk: int) -> HttpResponse:
    d = access_dispatch_by_id(request.user, pk)
    try:
        hub.accept_dispatch(d, request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("console:dispatch", pk=d.pk)
    d.refresh_from_db()
    if d.referral_id and request.POST.get("and_accept") and d.to_committee_id:
        from referrals import services

        try:
            case = services.accept_referral(Referral.objects.get(pk=d.referral_id), request.user)
        except ActionRefused as refusal:
            messages.warning(request, f"已接收交办；受理未完成：{refusal.message}")
        except NotImplementedError:
            messages.warning(request, "已接收交办；请在移送纠纷页面办理受理")
        else:
            messages.success(request, "已接收交办并受理")
            return redirect("cases:detail", pk=case.pk)
    messages.success(request, "已接收")
    if d.case_id and d.to_committee_id and cases_visible_to(request.user).filter(pk=d.case_id).exists():
        return redirect("cases:detail", pk=d.case_id)
    if d.referral_id:
        url = _url_or_none("console:referral", d.referral_id)
        if url:
            return redirect(url)
    return redirect("console:dispatch", pk=d.pk)


@login_required
def dispatch_return(request: HttpRequest, pk: int) -> HttpResponse:
    d = access_dispatch_by_id(request.user, pk)
    if not hub.may_answer(request.user, d):
        messages.error(request, "该交办事项已答复，或您不是承办单位的工作人员")
        return redirect("console:dispatch", pk=d.pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hub.return_dispatch(d, request.user, form.cleaned_data["reason"])
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已退回{d.from_committee.name}")
            return redirect("console:dispatches")
    return render(request, "referrals/dispatch_return.html", {"d": d, "form": form})


@login_required
def case_transfer_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee asks to transfer an intake case up, down or across (上传下派)."""
    if request.user.role == Role.PARTY:
        raise Http404
    case = access_case_by_id(request.user, pk)
    if not hub.may_request_transfer(request.user, case):
        messages.error(request, "本案当前不能申请移交（已受理，或已有待答复的交办、移交）")
        return redirect("cases:detail", pk=case.pk)
    form = TransferForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            d = form.run(request.user)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已向{d.to_committee.name}提出{d.get_kind_display()}申请")
            return redirect("console:dispatch", pk=d.pk)
    pending = Dispatch.objects.filter(Q(case=case)).order_by("-created_at")[:5]
    return render(request, "referrals/dispatch_transfer.html", {"case": case, "form": form, "recent": pending})
