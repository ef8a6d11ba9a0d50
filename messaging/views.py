"""Pages of the case thread, attachments, booking and the mediator's availability.

Every case is fetched through messaging.services (cases.scoping + relations): outside the thread is a 404. HTMX
requests get fragments; the same URLs work as plain forms (redirect after POST) without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import log_access
from accounts.models import AccessKind, Role
from cases.actions import ActionRefused
from cases.uploads import RENDITIONS, serve_private_file
from messaging import services as S
from messaging.forms import (
    BookForm,
    MessageForm,
    ProposeForm,
    PublishSlotForm,
    ReasonForm,
    caucus_choices_for_mediator,
    caucus_choices_for_party,
)
from messaging.models import ACTIVE_BOOKING, Booking, BookingStatus
from tiaojie.forms import add_refusal
from workdays.calendar import next_working_day


def _caucus_choices(access: S.Access) -> list[tuple[str, str]]:
    if access.is_mediator:
        parties = S.caucus_parties(access.case)
        return caucus_choices_for_mediator(parties) if parties else []
    return caucus_choices_for_party(access.own_party) if access.own_party else []


def _message_form(access: S.Access, data=None, files=None) -> MessageForm:
    return MessageForm(data, files, caucus_choices=_caucus_choices(access))


def _thread_context(request: HttpRequest, access: S.Access, form: MessageForm | None = None) -> dict:
    user = request.user
    items = list(
        S.visible_messages(user, access)
        .select_related("caucus_party")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    if items:
        S.mark_read(user, access.case, items[-1].pk)
    return {
        "case": access.case,
        "access": access,
        "items": items,
        "form": form if form is not None else _message_form(access),
        "writable": access.writable,
        "party_view": access.is_party,
        "next_booking": S.next_appointment(access.case, access),
    }


@login_required
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    access = S.thread_access(request.user, pk)
    # The page view is logged (at most once per user and thread in 10 minutes); the HTMX polls of `feed` are not.
    log_access(request, AccessKind.VIEW_THREAD, case=access.case, detail="查看案件消息", once_per_minutes=10)
    return render(request, "messaging/thread.html", _thread_context(request, access))


@login_required
def feed(request: HttpRequest, pk: int) -> HttpResponse:
    """The message list alone, polled by HTMX to show new messages."""
    access = S.thread_access(request.user, pk)
    return render(request, "messaging/_messages.html", _thread_context(request, access))


@login_required
@require_POST
def post(request: HttpRequest, pk: int) -> HttpResponse:
    access = S.thread_access(request.user, pk)
    form = _message_form(access, request.POST, request.FILES)
    if form.is_valid():
        caucus = None
        to = form.cleaned_data.get("to") or ""
        if to:
            caucus = access.case.parties.filter(pk=to).first() if (to.isascii() and to.isdigit()) else None
            if caucus is None:
                form.add_error("to", "请选择本案有账号的当事人")
        if not form.errors:
            try:
                S.post_message(request.user, access, form.cleaned_data["body"], form.checked_files(), caucus)
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                if request.htmx:
                    context = _thread_context(request, access)
                    return render(request, "messaging/_compose_and_messages.html", context)
                messages.success(request, "消息已发送")
                return redirect(reverse("messaging:thread", args=[pk]) + "#compose")
    context = _thread_context(request, access, form)
    if request.htmx:
        return render(request, "messaging/_compose.html", context)
    return render(request, "messaging/thread.html", context, status=200)


@login_required
def attachment(request: HttpRequest, pk: int, rendition: str | None = None) -> HttpResponse:
    """An attachment after the scope and caucus checks: the original as a download (logged), or for an image its
    re-encoded thumbnail / view size inline. Never from a public URL."""
    att = S.attachment_for(request.user, pk)
    if rendition is not None and (rendition not in RENDITIONS or not att.is_image):
        raise Http404
    return serve_private_file(
        request,
        att.path,
        att.original_name,
        att.content_type,
        log_action="DOWNLOAD_ATTACHMENT",
        case_id=att.message.case_id,
        detail=f"沟通记录附件“{att.original_name}”（消息{att.message_id}）",
        rendition_name=rendition,
    )


# ----------------------------------------------------------------------------------------------------- booking
def _booking_context(request: HttpRequest, access: S.Access, book_form: BookForm | None = None) -> dict:
    bookings = S.bookings_visible_in(access).select_related("slot", "slot__mediator", "party")
    rows = []
    for b in bookings.prefetch_related("events__actor"):
        side = S.BookingSide(b, "staff" if access.is_mediator else "party")
        rows.append((b, S.actions_for(side)))
    active = [b for b, _a in rows if b.is_active]
    return {
        "case": access.case,
        "access": access,
        "rows": rows,
        "slots": S.bookable_slots(access.case) if access.is_party and access.writable and not active else [],
        "has_active": bool(active),
        "has_proposal": any(b.status == BookingStatus.PROPOSED for b in active),
        "book_form": book_form or BookForm(),
        "writable": access.writable,
        "labels": S.ACTION_LABELS,
    }


@login_required
def booking(request: HttpRequest, pk: int) -> HttpResponse:
    """A party books a slot for the case; the case's mediators see and answer the case's bookings."""
    access = S.thread_access(request.user, pk)
    form = None
    if request.method == "POST":
        if not access.is_party:
            raise Http404
        form = BookForm(request.POST)
        if form.is_valid():
            try:
                S.book_slot(request.user, access, form.cleaned_data["slot"], form.cleaned_data["note"])
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                messages.success(request, "已提交预约，等待调解员确认")
                return redirect("messaging:booking", pk=pk)
    return render(request, "messaging/booking.html", _booking_context(request, access, form))


def _booking_home(request: HttpRequest, booking: Booking) -> str:
    """The case's booking page for those in the thread; a director answering a committee slot goes back to the
    availability page (the thread and its booking page are not theirs)."""
    if S.access_for(request.user, booking.case) is not None:
        return reverse("messaging:booking", args=[booking.case_id])
    return reverse("messaging:availability")


def _back(request: HttpRequest, booking: Booking) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(_booking_home(request, booking))


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """confirm / accept / decline / cancel. An action that is not the user's side's is a 404."""
    bs = S.booking_side(request.user, pk)
    allowed = S.PARTY_ACTIONS if bs.side == "party" else S.STAFF_ACTIONS
    if action not in allowed or action == "propose":
        raise Http404
    reason = ReasonForm(request.POST)
    reason.is_valid()
    text = reason.cleaned_data.get("reason", "") if reason.is_valid() else ""
    try:
        if action == "confirm":
            S.confirm_booking(request.user, bs)
        elif action == "accept":
            S.accept_proposal(request.user, bs)
        elif action == "decline":
            S.decline_proposal(request.user, bs, text)
        else:
            S.cancel_booking(request.user, bs, text)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已{S.ACTION_LABELS[action]}")
    return _back(request, bs.booking)


@login_required
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff side offers another time for a booking."""
    bs = S.booking_side(request.user, pk)
    if bs.side != "staff":
        raise Http404
    old = bs.booking.slot
    initial = {"date": old.date, "start": old.start, "end": old.end, "mode": old.mode, "place": old.place}
    form = ProposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            S.propose_booking(
                request.user,
                bs,
                slot_date=d["date"],
                start=d["start"],
                end=d["end"],
                mode=d["mode"],
                place=d["place"],
                note=d["note"],
            )
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, "已向当事人建议新的时间，等待当事人答复")
            return redirect(_booking_home(request, bs.booking))
    return render(
        request,
        "messaging/propose.html",
        {"form": form, "booking": bs.booking, "case": bs.booking.case, "back": _booking_home(request, bs.booking)},
    )


# ------------------------------------------------------------------------------------------------ availability
def _staff(request: HttpRequest) -> None:
    user = request.user
    if user.role not in (Role.MEDIATOR, Role.DIRECTOR) or not user.committee_id:
        raise Http404


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    """My availability: publish and withdraw slots, and the bookings waiting for my answer."""
    _staff(request)
    user = request.user
    director = user.role == Role.DIRECTOR
    form = PublishSlotForm(
        request.POST or None, director=director, initial={"repeat": 1, "date": next_working_day(timezone.localdate())}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            created = S.publish_slots(
                user,
                slot_date=d["date"],
                start=d["start"],
                end=d["end"],
                mode=d["mode"],
                place=d["place"],
                for_committee=d.get("for_committee", False),
                repeat=d["repeat"],
            )
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已发布 {len(created)} 个可预约时段")
            return redirect("messaging:availability")
    today = timezone.localdate()
    slots = list(
        S.my_slots(user)
        .filter(date__gte=today, withdrawn_at__isnull=True)
        .select_related("mediator")
        .prefetch_related("bookings__party", "bookings__case")
    )
    slot_rows = []
    for s in slots:
        active = next((b for b in s.bookings.all() if b.status in ACTIVE_BOOKING), None)
        slot_rows.append((s, active))
    to_handle = [
        (b, S.actions_for(S.BookingSide(b, "staff")))
        for b in S.bookings_to_handle(user).prefetch_related("events__actor")
    ]
    return render(
        request,
        "messaging/availability.html",
        {
            "form": form,
            "slot_rows": slot_rows,
            "to_handle": to_handle,
            "labels": S.ACTION_LABELS,
            "has_mediator": getattr(user, "mediator", None) is not None,
            "director": director,
        },
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    try:
        slot = S.withdraw_slot(request.user, pk)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已撤回时段 {slot}")
    return redirect("messaging:availability")
