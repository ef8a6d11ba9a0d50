"""The pages around a referral (issue 11 §1–3), for three kinds of people:

- the liaisons of a court or a department send a referral (with parties and files), follow their institution's
  referrals, read the outcome, download the agreement, withdraw a referral still pending;
- the receiving committee (a hub included) accepts or declines it, records whether the other party was reached,
  replies to the channel, files the failure report;
- the supervisors of the area read them.

Every fetch goes through referrals.scoping (404 outside); every change through referrals.services (the views only
validate and call); what the page offers comes from `referral_actions`, the services check again. A page that shows
the parties' personal data writes the access log (AccessKind.VIEW_REFERRAL); attachments leave through
cases.uploads.serve_private_file (AccessKind.DOWNLOAD_REFERRAL_FILE)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import log_access
from accounts.clientip import client_ip
from accounts.models import AccessKind, AccessLog, Role, User
from cases.actions import ActionRefused
from cases.enums import CourtReferralType
from cases.listing import page_number
from cases.permissions import relations, shown_phone
from cases.transitions import Rel
from referrals import forms as RF
from referrals.enums import Channel, ReferralEventKind, ReferralStatus
from referrals.models import Referral, ReferralAttachment
from referrals.scoping import STAFF_ROLES, access_referral_by_id, institution_of, referrals_visible_to
from tiaojie.forms import add_refusal

RECEIVER_ROLES = (Role.MEDIATOR, Role.DIRECTOR)
LIAISON_ROLES = (Role.COURT_LIAISON, Role.INSTITUTION_LIAISON)
PER_PAGE = 20

ACTION_LABELS = {
    "accept": "接收",
    "decline": "拒绝接收",
    "contact": "记录联系对方当事人结果",
    "reply": "向移送机构反馈",
    "report": "报送调解不成功报告",
    "withdraw": "撤回移送",
    "attach": "补充材料",
}


# ------------------------------------------------------------------------------------------------ who may do what
def is_liaison_of(user: User, referral: Referral) -> bool:
    if user.role not in LIAISON_ROLES:
        return False
    institution = institution_of(user)
    return institution is not None and institution.pk == referral.institution_id


def is_receiver(user: User, referral: Referral) -> bool:
    """A member (mediator or director) of the committee that holds the referral."""
    return user.role in RECEIVER_ROLES and bool(user.committee_id) and referral.receiver_id == user.committee_id


def handles_case(user: User, referral: Referral) -> bool:
    """The director of the case's committee or a mediator assigned to the case (the case rules' full view)."""
    return referral.case_id is not None and bool(relations(user, referral.case) & {Rel.DIRECTOR, Rel.MEDIATOR})


def referral_actions(referral: Referral, user: User) -> list[tuple[str, str]]:
    """What this user may do to this referral now, in the page's order: exactly what the services allow
    (referrals.services.allowed_actions), which check again when it is done."""
    allowed = _services().allowed_actions(referral, user)
    return [(code, label) for code, label in ACTION_LABELS.items() if code in allowed]


def _may_list(user: User) -> bool:
    if user.role in RECEIVER_ROLES:
        return bool(user.committee_id)
    if user.role in STAFF_ROLES:
        return bool(user.division_id)
    # A liaison whose court or department is not (yet) an institution sees an empty list that says so.
    return user.role in LIAISON_ROLES


# ---------------------------------------------------------------------------------------------------- the clocks
@dataclass
class Clock:
    label: str
    due: date | datetime | None
    state: str  # "overdue", "today", "soon", "ok", "paused", "report"
    text: str

    @property
    def with_time(self) -> bool:
        return isinstance(self.due, datetime)


def _clock(label: str, due: date | datetime | None, today: date, *, paused: bool = False) -> Clock | None:
    if due is None:
        return None
    day = timezone.localtime(due).date() if isinstance(due, datetime) else due
    left = (day - today).days
    if paused:
        return Clock(label, due, "paused", "鉴定评估中，期限中止")
    if left < 0:
        return Clock(label, due, "overdue", f"已超过{-left}天")
    if left == 0:
        return Clock(label, due, "today", "今日届满")
    return Clock(label, due, "soon" if left <= 1 else "ok", f"还有{left}天")


def clocks_of(referral: Referral, today: date) -> list[Clock]:
    """The clocks that still run on the referral."""
    out: list[Clock | None] = []
    if referral.status == ReferralStatus.PENDING:
        out.append(_clock("接收答复期限", referral.accept_by, today))
    elif referral.status == ReferralStatus.ACCEPTED and _services().awaits_report(referral):
        # The case ended without agreement: no clock runs but the report is due (art. 21).
        out.append(Clock("调解已终止", None, "report", "待报送调解不成功报告"))
    elif referral.status == ReferralStatus.ACCEPTED:
        if not referral.contact_result:
            out.append(_clock("联系对方当事人期限", referral.contact_by, today))
        out.append(_clock("调解期限", referral.mediation_due, today, paused=referral.paused_since is not None))
    if referral.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED) and referral.replied_at is None:
        out.append(_clock("渠道办理期限", referral.channel_due, today))
    return [c for c in out if c is not None]


# ------------------------------------------------------------------------------------------------------ the list
STATUS_FILTERS = [
    ("open", "办理中（待接收、调解中）"),
    (ReferralStatus.PENDING.value, ReferralStatus.PENDING.label),
    (ReferralStatus.ACCEPTED.value, ReferralStatus.ACCEPTED.label),
    ("ended", "已办结（成功、不成功）"),
    ("closed", "未接收（拒绝、退回、撤回）"),
    ("all", "全部"),
]


class ListFilter(forms.Form):
    q = forms.CharField(label="来文编号/移送编号/案号", required=False, max_length=60)
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_FILTERS)
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部渠道"), *Channel.choices])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def value(self, name: str, default: str = "") -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name) or default
        return default


def _filtered(qs, form: ListFilter):
    status = form.value("status", "open")
    if status == "open":
        qs = qs.filter(status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED])
    elif status == "ended":
        qs = qs.filter(status__in=[ReferralStatus.SUCCEEDED, ReferralStatus.FAILED])
    elif status == "closed":
        qs = qs.filter(status__in=[ReferralStatus.DECLINED, ReferralStatus.RETURNED, ReferralStatus.WITHDRAWN])
    elif status != "all":
        qs = qs.filter(status=status)
    channel = form.value("channel")
    if channel:
        qs = qs.filter(channel=channel)
    q = form.value("q").strip()
    if q:
        number = q.rsplit("-", 1)[-1]
        by_ref = Q(pk=int(number)) if number.isascii() and number.isdigit() and len(number) <= 12 else Q(pk__in=[])
        qs = qs.filter(Q(external_no__icontains=q) | Q(case__case_no__icontains=q) | by_ref)
    # Pending first, the nearest accept-by deadline first; then the newest.
    pending_first = SqlCase(
        When(status=ReferralStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(pending_first=pending_first).order_by("pending_first", "accept_by", "-received_at", "-id")


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    if not _may_list(user):
        raise Http404("没有这个页面")
    form = ListFilter(request.GET or None)
    visible = referrals_visible_to(user)
    qs = _filtered(visible.select_related("institution", "receiver", "case"), form)
    page = Paginator(qs, PER_PAGE).get_page(page_number(request.GET.get("page"), PER_PAGE))
    today = timezone.localdate()
    rows = [(r, clocks_of(r, today)) for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    institution = institution_of(user) if user.role in LIAISON_ROLES else None
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "today": today,
        "institution": institution,
        "is_liaison": user.role in LIAISON_ROLES,
        "is_receiver": user.role in RECEIVER_ROLES,
        "committee": user.committee if user.role in RECEIVER_ROLES else None,
        "pending_count": visible.filter(status=ReferralStatus.PENDING).count(),
        "overdue_count": visible.filter(status=ReferralStatus.PENDING, accept_by__lt=today).count(),
    }
    return render(request, "referrals/list.html", context)


# ----------------------------------------------------------------------------------------------------- the page
def _shown_parties(referral: Referral, user: User) -> list:
    """The parties as sent: ID numbers always masked; phones in full for the liaisons who sent them, for the
    director of the receiving committee before acceptance, and after acceptance for whom the case rules allow (its
    assigned mediators and its director); masked for everyone else (docs/adr/0008-phone-numbers.md)."""
    if is_liaison_of(user, referral):
        full = True
    elif referral.case_id is not None:
        full = handles_case(user, referral)
    else:
        full = user.role == Role.DIRECTOR and is_receiver(user, referral)
    parties = list(referral.parties.all())
    for p in parties:
        p.shown_phone = shown_phone(p.phone, full=full) if p.phone else ""
    return parties


def _outcome(referral: Referral) -> dict:
    agreement = referral.agreement
    if agreement is None and referral.status == ReferralStatus.SUCCEEDED and referral.case_id:
        from cases.permissions import current_agreement

        agreement = current_agreement(referral.case)
    if agreement is None:
        return {"agreement": None}
    valid = agreement.valid_signatures().select_related("party", "mediator")
    return {
        "agreement": agreement,
        "signatures": [s for s in valid if s.signer_role != "SEAL"],
        "sealed": any(s.signer_role == "SEAL" for s in valid),
    }


def _matter_type_label(referral: Referral, events: list) -> str:
    """The kind of matter the institution sent (12345 consultation or complaint, a complex police dispute), kept
    on the RECEIVED event."""
    received = next((e for e in events if e.kind == ReferralEventKind.RECEIVED), None)
    value = (received.data or {}).get("matter_type", "") if received is not None else ""
    if not value or referral.channel not in RF.MATTER_TYPES:
        return ""
    return dict(RF.MATTER_TYPES[referral.channel][1]).get(value, value)


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    referral = access_referral_by_id(user, pk)
    log_access(request, AccessKind.VIEW_REFERRAL, case_id=referral.case_id, detail=f"查看移送纠纷{referral.reference}")
    events = list(referral.events.select_related("actor", "api_client", "referral__institution"))
    actions = referral_actions(referral, user)
    context = {
        "referral": referral,
        "actions": [(code, label) for code, label in actions if code != "attach"],
        "may_attach": "attach" in dict(actions),
        "parties": _shown_parties(referral, user),
        "attachments": referral.attachments.all(),
        "events": events,
        "replies": [e for e in events if e.kind == ReferralEventKind.REPLIED],
        "matter_type": _matter_type_label(referral, events),
        "clocks": clocks_of(referral, timezone.localdate()),
        "is_liaison": is_liaison_of(user, referral),
        "withdraw_form": RF.WithdrawForm(),
        "attach_form": RF.AttachForm(),
        "case_link": referral.case_id is not None and user.role not in LIAISON_ROLES,
        **_outcome(referral),
    }
    return render(request, "referrals/detail.html", context)


# --------------------------------------------------------------------------------------------- answers (receiver)
def _answer(
    request: HttpRequest,
    pk: int,
    code: str,
    form_class: type[RF.AnswerForm],
    run: Callable[[Referral, User, RF.AnswerForm], object],
    done: Callable[[Referral, object], HttpResponse] | None = None,
) -> HttpResponse:
    user: User = request.user
    referral = access_referral_by_id(user, pk)
    if code not in dict(referral_actions(referral, user)):
        messages.error(request, f"该移送纠纷当前不能执行“{ACTION_LABELS[code]}”")
        return redirect("console:referral", pk=referral.pk)
    form = form_class(request.POST if request.method == "POST" else None, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            result = run(referral, user, form)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已完成：{ACTION_LABELS[code]}")
            return done(referral, result) if done else redirect("console:referral", pk=referral.pk)
    if code == "accept":
        # The director decides knowing the parties and what is asked: personal data, logged.
        log_access(
            request,
            AccessKind.VIEW_REFERRAL,
            case_id=referral.case_id,
            detail=f"接收前查看移送纠纷{referral.reference}",
        )
    context = {
        "referral": referral,
        "form": form,
        "code": code,
        "label": ACTION_LABELS[code],
        "parties": _shown_parties(referral, user) if code == "accept" else [],
        "clocks": clocks_of(referral, timezone.localdate()),
    }
    if code == "accept" and _triage_on():  # issue 13: the triage suggestion, decided with the acceptance
        from django.urls import reverse

        from triage.views import referral_shown

        context.update(
            panel_url=reverse("triage:panel_referral", args=[referral.pk]),
            triage_shown=referral_shown(referral),
            adopt_target="id_dispute_type",
        )
    return render(request, f"referrals/{code}.html", context, status=400 if form.errors else 200)


def _triage_on() -> bool:
    from triage.decisions import enabled

    return enabled()


def _services():
    from referrals import services

    return services


@login_required
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        "accept",
        RF.AcceptForm,
        lambda r, u, f: _services().accept_referral(
            r,
            u,
            dispute_type=f.cleaned_data.get("dispute_type", ""),
            note=f.cleaned_data["note"].strip(),
            triage_level=f.cleaned_data.get("triage_level", ""),
            triage_route=f.cleaned_data.get("triage_route", ""),
            triage_opt_out=bool(f.cleaned_data.get("triage_opt_out")),
        ),
        lambda r, case: redirect("cases:detail", pk=case.pk),
    )


@login_required
def referral_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request, pk, "decline", RF.DeclineForm, lambda r, u, f: _services().decline_referral(r, u, f.reason_text())
    )


@login_required
def referral_contact(request: HttpRequest, pk: int) -> HttpResponse:
    def run(r: Referral, u: User, f: RF.AnswerForm):
        d = f.cleaned_data
        return _services().record_contact(r, u, d["result"], d["note"].strip())

    return _answer(request, pk, "contact", RF.ContactForm, run)


@login_required
def referral_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        "reply",
        RF.ReplyForm,
        lambda r, u, f: _services().reply_to_channel(r, u, f.cleaned_data["text"].strip()),
    )


@login_required
def referral_report(request: HttpRequest, pk: int) -> HttpResponse:
    def run(r: Referral, u: User, f: RF.AnswerForm):
        d = {k: v.strip() if isinstance(v, str) else v for k, v in f.cleaned_data.items()}
        return _services().file_failure_report(
            r,
            u,
            ground=d["ground"],
            course=d["course"],
            reason=d["reason"],
            cost_conduct=d["cost_conduct"],
            other=d["other"],
            undisputed_facts=d["undisputed_facts"],
            materials_returned=d["materials_returned"],
        )

    return _answer(request, pk, "report", RF.ReportForm, run)


# ------------------------------------------------------------------------------------------------- the liaisons
@login_required
@require_POST
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    referral = access_referral_by_id(user, pk)
    if "withdraw" not in dict(referral_actions(referral, user)):
        messages.error(request, "该移送纠纷已被接收或已办结，不能撤回")
        return redirect("console:referral", pk=referral.pk)
    form = RF.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撤回理由不能超过300字")
        return redirect("console:referral", pk=referral.pk)
    try:
        _services().withdraw_referral(referral, user=user, reason=form.cleaned_data["reason"].strip())
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "已撤回移送")
    return redirect("console:referral", pk=referral.pk)


@login_required
@require_POST
def referral_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """The liaison adds files to an open referral; each is checked before any is stored, all in one transaction."""
    user: User = request.user
    referral = access_referral_by_id(user, pk)
    if "attach" not in dict(referral_actions(referral, user)):
        messages.error(request, "该移送纠纷已办结，不能再补充材料")
        return redirect("console:referral", pk=referral.pk)
    form = RF.AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(form.errors["files"]))
        return redirect("console:referral", pk=referral.pk)
    services = _services()
    try:
        with transaction.atomic():
            for upload in form.cleaned_data["files"]:
                services.add_attachment(referral, upload, _title_of(upload), user=user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已补充材料{len(form.cleaned_data['files'])}份")
    return redirect("console:referral", pk=referral.pk)


def _title_of(upload) -> str:
    return upload.name.rsplit(".", 1)[0][:100] or "材料"


def _liaison_institution(user: User):
    """The liaison's institution if it may send now; None for a liaison whose court or department is not (or no
    longer) an institution of the platform; 404 for everyone else."""
    if user.role not in LIAISON_ROLES:
        raise Http404("没有这个页面")
    institution = institution_of(user)
    return institution if institution is not None and institution.is_active else None


PARTY_FIELD = re.compile(r"^parties\[(\d+)\]\.(\w+)$")


def _place_refusal(form: RF.ReferralForm, formset, refusal: ActionRefused) -> None:
    """A refusal of the services next to the field it names: `designated_committee_id` on designated_committee,
    `parties[1].phone` on the second party's phone, `parties` above the parties; else above the form."""
    field = refusal.field or ""
    match = PARTY_FIELD.match(field)
    if match and int(match[1]) < len(formset.forms):
        party_form = formset.forms[int(match[1])]
        party_form.add_error(match[2] if match[2] in party_form.fields else None, refusal.message)
        return
    if field == "parties":
        formset._non_form_errors = formset.error_class([refusal.message], error_class="nonform")
        return
    name = field[:-3] if field.endswith("_id") else field
    form.add_error(name if name in form.fields else None, refusal.message)


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    institution = _liaison_institution(user)
    if institution is None:
        return render(request, "referrals/new.html", {"no_institution": True})
    if request.method == "POST":
        form = RF.ReferralForm(request.POST, request.FILES, institution=institution)
        formset = RF.party_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                referral = _send(form, formset, institution, user)
            except ActionRefused as refusal:
                _place_refusal(form, formset, refusal)
            else:
                messages.success(request, f"已移送：{referral.reference}，接收单位：{referral.receiver.name}")
                return redirect("console:referral", pk=referral.pk)
    else:
        form = RF.ReferralForm(institution=institution)
        formset = RF.party_formset()
    failed = request.method == "POST"
    context = {
        "form": form,
        "sections": _sections(form),
        "formset": formset,
        "institution": institution,
        "is_court": institution.kind == Channel.COURT,
        # A browser never keeps chosen files across a failed submission: say so next to the field.
        "files_lost": failed and bool(request.FILES.getlist("attachments")),
        "weituo": CourtReferralType.WEITUO.value,
    }
    return render(request, "referrals/new.html", context, status=400 if failed else 200)


NEW_SECTIONS = [
    ("来文信息", ["referral_type", "procedure", "matter_type", "external_no", "handler_name", "handler_phone"]),
    ("纠纷情况", ["cause", "dispute_type", "brief_facts", "claims", "place", "occurred_on", "amount_involved"]),
    ("指定调解组织或调解员", ["designated_committee", "designated_mediator", "chosen_by", "consent_note"]),
]
WIDE_FIELDS = {"brief_facts", "claims", "consent_note", "designated_committee", "designated_mediator"}


def _sections(form: RF.ReferralForm) -> list[tuple[str, list[tuple[object, bool]]]]:
    """The form's fields in the page's sections, each with whether it takes the whole row."""
    return [
        (title, [(form[name], name in WIDE_FIELDS) for name in names if name in form.fields])
        for title, names in NEW_SECTIONS
    ]


def _send(form: RF.ReferralForm, formset, institution, user: User) -> Referral:
    """One transaction: the referral, then each file (a refused file undoes the referral)."""
    services = _services()
    data = RF.referral_data(form, formset)
    with transaction.atomic():
        referral = services.receive_referral(data, institution=institution, user=user)
        for upload in form.cleaned_data["attachments"]:
            try:
                services.add_attachment(referral, upload, _title_of(upload), user=user)
            except ActionRefused as refusal:
                raise ActionRefused(refusal.message, "attachments") from refusal
    return referral


# ------------------------------------------------------------------------------------------------------- files
@login_required
def referral_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An attachment the institution sent, streamed privately after the referral's scope check; logged."""
    from cases.uploads import serve_private_file

    attachment = get_object_or_404(ReferralAttachment, pk=pk)
    referral = access_referral_by_id(request.user, attachment.referral_id)
    return serve_private_file(
        request,
        attachment.stored_path,
        attachment.original_name,
        attachment.content_type,
        log_action=AccessKind.DOWNLOAD_REFERRAL_FILE,
        case_id=referral.case_id,
        detail=f"下载移送纠纷{referral.reference}的材料《{attachment.title}》",
    )


@login_required
def referral_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement of a referral that ended in one, as the documents app prints it (ID numbers masked unless
    the viewer may see them in full); logged like every document download."""
    from cases.enums import AgreementForm
    from documents.catalogue import applies
    from documents.pdf import pdf_response
    from documents.rendering import render_kind

    user: User = request.user
    referral = access_referral_by_id(user, pk)
    agreement = _outcome(referral)["agreement"] if referral.status == ReferralStatus.SUCCEEDED else None
    if agreement is None or referral.case_id is None:
        raise Http404("没有这份调解协议")
    case = referral.case
    slug = "oral_agreement" if agreement.form == AgreementForm.ORAL else "agreement"
    if not applies(case, slug):
        raise Http404("没有这份调解协议")
    printed = render_kind(case, slug, user)
    title = "人民调解口头协议登记表" if slug == "oral_agreement" else "人民调解协议书"
    ip = client_ip(request)
    entries = [
        AccessLog(
            user=user,
            action=AccessKind.EXPORT_DOCUMENT,
            case=case,
            ip_address=ip,
            detail=f"下载移送纠纷{referral.reference}的《{title}》",
        )
    ]
    if printed.full_ids:
        entries += [
            AccessLog(
                user=user,
                action=AccessKind.PRINT_ID_NUMBER,
                case=case,
                party=p,
                ip_address=ip,
                detail=f"《{title}》载有{p.name}的完整身份证号码",
            )
            for p in case.parties.exclude(id_number_masked="")
        ]
    AccessLog.objects.bulk_create(entries)
    return pdf_response(printed.pdf, f"{referral.external_no}{title}.pdf")
