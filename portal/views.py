"""The party portal (服务对象界面): public pages (what mediation is, the roster), sign-in by phone and SMS code, the
guided online application, and a party's own cases.

Reading: every case comes from cases.scoping (a case the user is not a party to is a 404). Writing: every change to
a case goes through cases.actions; what a party may do is what cases.permissions.available_actions offers."""

import hashlib
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from cases import actions as A
from cases.actions import ActionRefused
from cases.actions.judicial import jc_deadline
from cases.enums import AgreementStatus, CaseSource, CaseStatus, DisputeType, PartySide
from cases.identity import mask_phone
from cases.models import Case, Party, Rating
from cases.permissions import available_actions, current_agreement, current_jc
from cases.scoping import access_case_by_id, cases_visible_to
from cases.uploads import EVIDENCE_KINDS, check_upload, open_stored, store
from notifications.enums import NoticeKind
from portal import citizen
from portal import forms as PF
from portal.codes import (
    PortalRefused,
    check_application_limits,
    client_ip,
    normalise_phone,
    requester,
    send_code,
    verify_code,
)
from portal.invitations import find_invitation, invite_party
from portal.models import ApplicationDraft, Evidence, JCRequest, JCRequestStatus, JoinFailure
from portal.places import Place, committee_for, roster
from registry.models import Court

# --- guards ---------------------------------------------------------------------------------------------------


def party_required(view):
    """Portal pages for a signed-in party. Anonymous → the phone sign-in; staff → their own interface."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.get_full_path()}")
        if request.user.role != Role.PARTY:
            if "pk" in kwargs:
                return redirect("cases:detail", pk=kwargs["pk"])
            return redirect("home")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def own_party(case: Case, user: User) -> Party:
    party = case.parties.filter(user=user).first()
    if party is None:
        raise Http404
    return party


def _session_ref(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return hashlib.sha256(request.session.session_key.encode()).hexdigest()


# --- public pages ---------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The public front page: what people's mediation is, that it is free, how to apply, and the roster search."""
    place = Place(county=request.GET.get("county", "")).clean()
    return render(request, "portal/home.html", {"place": place, **place.options()})


def roster_page(request: HttpRequest) -> HttpResponse:
    """名册公示: committees (address, phone) and their mediators (name, office, specialties) by area. Nothing else
    about a mediator is shown: no phone, no ID, no address."""
    place = Place(
        county=request.GET.get("county", ""),
        township=request.GET.get("township", ""),
        village=request.GET.get("village", ""),
    ).clean()
    q = request.GET.get("q", "")[:50]
    rows = roster(place, q)
    return render(request, "portal/roster.html", {"place": place, "q": q, "rows": rows, **place.options()})


# --- sign-in by phone -----------------------------------------------------------------------------------------


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
                user = _party_account(phone)
                if user is None:
                    raise PortalRefused("该手机号已用于工作人员账号，请使用工作人员登录页面", "phone")
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "登录成功")
                return redirect(_safe_next(request))
        except PortalRefused as refusal:
            form.add_error(refusal.field, refusal.message)
    return render(request, "portal/login.html", {"form": form, "sent_to": sent_to, "next": request.GET.get("next", "")})


def _party_account(phone: str) -> User | None:
    """The party account of this number, created on first sign-in. A staff account with the number is not used."""
    user = User.objects.filter(phone=phone, role=Role.PARTY).order_by("pk").first()
    if user is not None:
        return user if user.is_active else None
    if User.objects.filter(username=f"m{phone}").exists():
        return None
    user = User(username=f"m{phone}", phone=phone, role=Role.PARTY)
    user.set_unusable_password()
    user.save()
    return user


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


# --- my cases and notices -------------------------------------------------------------------------------------


@party_required
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = cases_visible_to(request.user).select_related("committee").order_by("-registered_at")[:100]
    rows = [(c, citizen.status_for(c, None)) for c in cases]
    draft = ApplicationDraft.objects.filter(user=request.user, submitted_at__isnull=True).exclude(data={}).first()
    notices = request.user.notifications.filter(read_at__isnull=True)[:5]
    return render(request, "portal/my_cases.html", {"rows": rows, "draft": draft, "notices": notices})


@party_required
def notices(request: HttpRequest) -> HttpResponse:
    items = list(request.user.notifications.select_related("case")[:100])
    visible = set(cases_visible_to(request.user).values_list("pk", flat=True))
    request.user.notifications.filter(pk__in=[n.pk for n in items], read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "portal/notices.html", {"rows": [(n, n.case_id in visible) for n in items]})


# --- the guided application -----------------------------------------------------------------------------------

STEPS = [
    ("about", "关于您"),
    ("other", "对方是谁"),
    ("what", "发生了什么"),
    ("place", "在哪里"),
    ("evidence", "证据材料"),
    ("confirm", "确认提交"),
]
STEP_KEYS = [k for k, _ in STEPS]
FORM_STEPS = {"about": PF.AboutYouForm, "other": PF.OtherPartyForm, "what": PF.WhatHappenedForm}
MAX_FILES = 20


def _draft(user: User) -> ApplicationDraft:
    draft = ApplicationDraft.objects.filter(user=user, submitted_at__isnull=True).first()
    return draft or ApplicationDraft.objects.create(user=user, data={})


def _raw(post, keys) -> dict:
    return {k: post.get(k, "").strip()[:3000] for k in keys}


def _save_step(draft: ApplicationDraft, step: str, values: dict) -> None:
    data = dict(draft.data)
    data[step] = values
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])


def _step_keys(step: str) -> list[str]:
    if step == "place":
        return ["county", "township", "village"]
    return list(FORM_STEPS[step].base_fields)


def _place(draft: ApplicationDraft) -> Place:
    p = draft.data.get("place", {})
    return Place(county=p.get("county", ""), township=p.get("township", ""), village=p.get("village", "")).clean()


def _step_context(step: str) -> dict:
    index = STEP_KEYS.index(step)
    return {
        "steps": STEPS,
        "step": step,
        "step_index": index,
        "step_no": index + 1,
        "step_title": STEPS[index][1],
        "prev_step": STEP_KEYS[index - 1] if index else None,
        "next_step": STEP_KEYS[index + 1] if index + 1 < len(STEPS) else None,
    }


@party_required
def apply_start(request: HttpRequest) -> HttpResponse:
    draft = _draft(request.user)
    for key in STEP_KEYS[:-1]:
        if key not in draft.data.get("done", []):
            return redirect("portal:apply_step", step=key)
    return redirect("portal:apply_step", step="confirm")


def _mark_done(draft: ApplicationDraft, step: str, done: bool) -> None:
    data = dict(draft.data)
    steps = set(data.get("done", []))
    (steps.add if done else steps.discard)(step)
    data["done"] = sorted(steps)
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])


@party_required
def apply_autosave(request: HttpRequest, step: str) -> HttpResponse:
    """Saves what is typed as it is typed (called by the page's script): a closed browser loses nothing."""
    if request.method != "POST" or step not in FORM_STEPS and step != "place":
        raise Http404
    draft = _draft(request.user)
    _save_step(draft, step, _raw(request.POST, _step_keys(step)))
    return JsonResponse({"saved": timezone.localtime().strftime("%H:%M:%S")})


@party_required
def apply_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_KEYS:
        raise Http404
    draft = _draft(request.user)
    ctx = {"draft": draft, **_step_context(step)}
    if step in FORM_STEPS:
        return _form_step(request, draft, step, ctx)
    if step == "place":
        return _place_step(request, draft, ctx)
    if step == "evidence":
        return _evidence_step(request, draft, ctx)
    return _confirm_step(request, draft, ctx)


def _go(request: HttpRequest, ctx: dict, default: str) -> HttpResponse:
    if request.POST.get("go") == "back" and ctx["prev_step"]:
        return redirect("portal:apply_step", step=ctx["prev_step"])
    return redirect("portal:apply_step", step=default)


def _form_step(request: HttpRequest, draft: ApplicationDraft, step: str, ctx: dict) -> HttpResponse:
    form_class = FORM_STEPS[step]
    if request.method == "POST":
        values = _raw(request.POST, _step_keys(step))
        _save_step(draft, step, values)  # kept even when invalid: nothing typed is lost
        form = form_class(request.POST)
        valid = form.is_valid()
        _mark_done(draft, step, valid)
        if valid or request.POST.get("go") == "back":
            return _go(request, ctx, ctx["next_step"])
    else:
        saved = draft.data.get(step)
        initial = dict(saved or {})
        if step == "about" and not saved:
            initial["name"] = request.user.full_name
        form = form_class(initial=initial)
    return render(request, "portal/apply_form.html", {**ctx, "form": form})


def _place_step(request: HttpRequest, draft: ApplicationDraft, ctx: dict) -> HttpResponse:
    error = ""
    if request.method == "POST":
        _save_step(draft, "place", _raw(request.POST, _step_keys("place")))
        place = _place(draft)
        ok = bool(place.township) and committee_for(place.code) is not None
        _mark_done(draft, "place", ok)
        if request.POST.get("go") == "back":
            return _go(request, ctx, "place")
        if request.POST.get("go") == "next":
            if ok:
                return redirect("portal:apply_step", step="evidence")
            error = "请至少选择到乡镇（街道）" if not place.township else "该地区暂无调委会，请选择上一级或附近的地区"
    place = _place(draft)
    committee = committee_for(place.code) if place.township else None
    return render(
        request,
        "portal/apply_place.html",
        {**ctx, "place": place, "committee": committee, "error": error, **place.options()},
    )


def _evidence_step(request: HttpRequest, draft: ApplicationDraft, ctx: dict) -> HttpResponse:
    refused: list[str] = []
    accepted: list[str] = []
    if request.method == "POST":
        files = request.FILES.getlist("files")
        present = draft.files.filter(removed_at__isnull=True).count()
        # Removed files stay on disk (nothing is hard-deleted), so they count against the per-draft total, and the
        # bytes an account uploads are capped per day: upload–remove–repeat cannot fill the disk.
        uploaded = draft.files.count()
        total_cap = int(settings.TIAOJIE["EVIDENCE_FILES_PER_DRAFT"])
        bytes_cap = int(settings.TIAOJIE["EVIDENCE_BYTES_PER_ACCOUNT_PER_DAY"])
        used = (
            Evidence.objects.filter(
                uploaded_by=request.user, uploaded_at__gte=timezone.now() - timedelta(days=1)
            ).aggregate(total=Sum("size"))["total"]
            or 0
        )
        for f in files:
            if present >= MAX_FILES:
                refused.append(f"“{f.name}”未上传：每份申请最多{MAX_FILES}个文件。")
                continue
            if uploaded >= total_cap:
                refused.append(
                    f"“{f.name}”未上传：本申请已上传过{total_cap}个文件（含已移除的），不能再上传。"
                    "其余材料请在调解时交给调解员。"
                )
                continue
            try:
                checked = check_upload(f, EVIDENCE_KINDS)
            except ValidationError as err:
                refused.append(" ".join(err.messages))
                continue
            if used + checked.size > bytes_cap:
                refused.append(
                    f"“{f.name}”未上传：今天上传的文件已达{bytes_cap // 1048576}MB上限，请明天再上传，"
                    "或在调解时交给调解员。"
                )
                continue
            path = store(f, checked, f"evidence/{timezone.localdate():%Y%m}")
            Evidence.objects.create(
                draft=draft,
                uploaded_by=request.user,
                path=path,
                original_name=checked.original_name,
                content_type=checked.content_type,
                size=checked.size,
            )
            present, uploaded, used = present + 1, uploaded + 1, used + checked.size
            accepted.append(checked.original_name)
        _mark_done(draft, "evidence", True)
        if not files and request.POST.get("go") in ("next", "back"):
            return _go(request, ctx, "confirm")
        if accepted and not refused and request.POST.get("go") == "next":
            return redirect("portal:apply_step", step="confirm")
    files = draft.files.filter(removed_at__isnull=True)
    return render(
        request,
        "portal/apply_evidence.html",
        {**ctx, "files": files, "refused": refused, "accepted": accepted, "max_mb": _max_mb()},
    )


def _max_mb() -> int:
    from cases.uploads import max_bytes

    return max_bytes() // 1048576


@party_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ev = get_object_or_404(Evidence, pk=pk, draft__user=request.user, draft__submitted_at__isnull=True)
    ev.removed_at = timezone.now()
    ev.save(update_fields=["removed_at"])
    messages.info(request, f"已移除“{ev.original_name}”")
    return redirect("portal:apply_step", step="evidence")


def _bound_steps(draft: ApplicationDraft) -> dict[str, PF.PortalForm]:
    return {step: FORM_STEPS[step](draft.data.get(step) or {}) for step in FORM_STEPS}


def _confirm_step(request: HttpRequest, draft: ApplicationDraft, ctx: dict) -> HttpResponse:
    forms = _bound_steps(draft)
    place = _place(draft)
    committee = committee_for(place.code) if place.township else None
    problems = [(s, dict(STEPS)[s]) for s, f in forms.items() if not f.is_valid()]
    if committee is None:
        problems.append(("place", "在哪里"))
    confirm = PF.ConfirmForm(request.POST or None)
    error = ""
    if request.method == "POST" and request.POST.get("go") == "back":
        return redirect("portal:apply_step", step="evidence")
    if request.method == "POST" and not problems and confirm.is_valid():
        try:
            check_application_limits(request.user, client_ip(request))
            case = _submit(request, draft, forms, committee)
        except (PortalRefused, ActionRefused) as refusal:
            error = refusal.message
        else:
            messages.success(request, f"申请已提交给{committee.name}。受理后会以短信和站内通知告诉您。")
            return redirect("portal:case", pk=case.pk)
    return render(
        request,
        "portal/apply_confirm.html",
        {
            **ctx,
            "forms": forms,
            "problems": problems,
            "confirm": confirm,
            "committee": committee,
            "place_label": place.label(),
            "files": draft.files.filter(removed_at__isnull=True),
            "error": error,
        },
    )


def _submit(request: HttpRequest, draft: ApplicationDraft, forms: dict, committee) -> Case:
    about, other, what = (forms[k].cleaned_data for k in ("about", "other", "what"))
    user = request.user
    try:
        amount = Decimal(what["amount"]) if what.get("amount") is not None else Decimal("0")
    except InvalidOperation:
        amount = Decimal("0")
    data = A.CaseData(
        source=CaseSource.ON_APPLICATION,
        dispute_type=what.get("dispute_type") or DisputeType.OTHER,
        brief_facts=what["brief_facts"],
        claims=what["claims"],
        amount_involved=amount,
        occurred_on=what.get("occurred_on"),
        parties=[
            A.PartyData(
                side=PartySide.APPLICANT,
                name=about["name"],
                id_number=about["id_number"],
                phone=user.phone,
                address=about["address"],
                occupation=about.get("occupation", ""),
                guardian_name=about.get("guardian_name", ""),
                user=user,
            ),
            A.PartyData(
                side=PartySide.RESPONDENT,
                name=other["name"],
                party_type=other["party_type"],
                phone=other.get("phone", ""),
                address=other.get("address", ""),
            ),
        ],
    )
    with transaction.atomic():
        case = A.do_register_case(user, committee, data)
        Evidence.objects.filter(draft=draft, removed_at__isnull=True).update(case=case)
        draft.submitted_at, draft.submitted_ip, draft.case = timezone.now(), client_ip(request), case
        draft.save(update_fields=["submitted_at", "submitted_ip", "case"])
        if not user.full_name:
            user.full_name = about["name"]
            user.save(update_fields=["full_name"])
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    if respondent.phone:
        try:
            invite_party(request, respondent, user)
        except PortalRefused:
            pass  # the applicant can resend from the case page
    return case


# --- the case, for a party ------------------------------------------------------------------------------------


def _case_context(request: HttpRequest, case: Case) -> dict:
    party = own_party(case, request.user)
    offered = dict(available_actions(case, request.user))
    agreement = current_agreement(case)
    consented = case.events.filter(action="party_consent", data__party=party.pk).exists()
    return {
        "case": case,
        "party": party,
        "parties": case.parties.all(),
        "status": citizen.status_for(case, party),
        "steps": citizen.STEPS,
        "step_index": citizen.step_index(case),
        "timeline": citizen.timeline(case),
        "offered": offered,
        "agreement": agreement,
        "can_withdraw": "party_refusal" in offered and party.side == PartySide.APPLICANT,
        "needs_consent": "party_refusal" in offered and party.side != PartySide.APPLICANT and not consented,
        "consented": consented,
        "can_sign": "sign_agreement" in offered,
        "jc_deadline": jc_deadline(case),
        "jc": current_jc(case),
        "can_rate": case.status in (CaseStatus.CLOSED, CaseStatus.ARCHIVED)
        and not Rating.objects.filter(case=case, party=party).exists(),
        "rating": Rating.objects.filter(case=case, party=party).first(),
        "evidence": case.portal_evidence.filter(uploaded_by=request.user, removed_at__isnull=True),
        "user": request.user,
        "party_view": True,
        "today": timezone.localdate(),
    }


@party_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case)
    other = case.parties.exclude(pk=ctx["party"].pk).filter(side=PartySide.RESPONDENT).first()
    ctx["can_reinvite"] = (
        ctx["party"].side == PartySide.APPLICANT
        and other is not None
        and other.user_id is None
        and bool(other.phone)
        and case.status not in citizen.ENDED
    )
    return render(request, "portal/case.html", ctx)


@party_required
@require_POST
def reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    party = own_party(case, request.user)
    other = case.parties.filter(side=PartySide.RESPONDENT, user__isnull=True).exclude(phone="").first()
    if party.side != PartySide.APPLICANT or other is None:
        raise Http404
    try:
        invite_party(request, other, request.user)
    except PortalRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已向对方（{mask_phone(other.phone)}）重新发送邀请短信")
    return redirect("portal:case", pk=case.pk)


@party_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case)
    if not ctx["can_withdraw"]:
        messages.error(request, "本案当前不能撤回申请")
        return redirect("portal:case", pk=case.pk)
    form = PF.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            A.do_withdraw_application(
                case, request.user, party=ctx["party"], statement=form.cleaned_data["statement"], routes=PF.ALL_ROUTES
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "您已撤回调解申请")
            return redirect("portal:case", pk=case.pk)
    return render(request, "portal/withdraw.html", {**ctx, "form": form, "routes": citizen.ROUTES_TEXT})


@party_required
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case)
    if not ctx["needs_consent"]:
        return redirect("portal:case", pk=case.pk)
    form = PF.ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["answer"] == "yes":
                A.do_record_party_consent(case, request.user, party=ctx["party"])
                messages.success(request, "您已同意调解，调解员会联系您")
            else:
                A.do_record_party_refusal(
                    case, request.user, party=ctx["party"], statement=d["statement"], routes=PF.ALL_ROUTES
                )
                messages.info(request, "您已表示不同意调解。依照人民调解法，调解不再进行")
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return redirect("portal:case", pk=case.pk)
    return render(request, "portal/consent.html", {**ctx, "form": form, "routes": citizen.ROUTES_TEXT})


@party_required
def agreement_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the agreement on the phone and sign it online: the signature records who, when, from which session and
    the hash of the exact text read; a text changed since then is refused, not signed."""
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case)
    agreement = ctx["agreement"]
    if agreement is None:
        messages.info(request, "调解员还没有起草调解协议")
        return redirect("portal:case", pk=case.pk)
    form = PF.SignForm(request.POST or None, initial={"text_hash": agreement.text_hash()})
    sign_error = ""
    if request.method == "POST" and form.is_valid():
        try:
            A.do_sign_agreement(
                case,
                request.user,
                party=ctx["party"],
                method="E_SIGNATURE",
                expected_hash=form.cleaned_data["text_hash"],
                session_ref=_session_ref(request),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ActionRefused as refusal:
            sign_error = refusal.message
            form = PF.SignForm(initial={"text_hash": agreement.text_hash()})  # the text as it is now, to read again
        else:
            messages.success(request, "您已签署调解协议")
            return redirect("portal:agreement", pk=case.pk)
    valid = list(agreement.valid_signatures())
    signed = {s.party_id: s for s in valid if s.party_id}
    own_voided = agreement.signatures.filter(party=ctx["party"]).exclude(pk__in=[s.pk for s in valid]).exists()
    rows = [(p, signed.get(p.pk)) for p in case.parties.all()]
    return render(
        request,
        "portal/agreement.html",
        {
            **ctx,
            "form": form,
            "sign_error": sign_error,
            "terms": agreement.terms.select_related("obligor", "obligee").prefetch_related("instalments"),
            "sign_rows": rows,
            "mediator_signed": next((s for s in valid if s.signer_role == "MEDIATOR"), None),
            "sealed": next((s for s in valid if s.signer_role == "SEAL"), None),
            "own_signature": signed.get(ctx["party"].pk),
            "own_voided": own_voided and ctx["party"].pk not in signed,
            "effective": agreement.status != AgreementStatus.DRAFT and agreement.effective_at,
        },
    )


def _courts(case: Case):
    courts = Court.objects.filter(division__code__startswith=case.division_code[:6])
    return courts if courts.exists() else Court.objects.filter(division__code__startswith=case.division_code[:4])


def _other_side(case: Case, party: Party) -> Party | None:
    return case.parties.exclude(side=party.side).exclude(pk=party.pk).order_by("order", "id").first()


@party_required
def judicial(request: HttpRequest, pk: int) -> HttpResponse:
    """Joint application for judicial confirmation (PML 33): one party requests, the other consents; the
    application is made by the action when the consent arrives, so the 30-day rule is the action's alone."""
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case)
    party, agreement = ctx["party"], ctx["agreement"]
    if agreement is None or ctx["jc_deadline"] is None:
        messages.info(request, "只有已生效的书面调解协议可以申请司法确认")
        return redirect("portal:case", pk=case.pk)
    requests = JCRequest.objects.filter(case=case, agreement=agreement).select_related("applicant", "court")
    pending = requests.filter(status=JCRequestStatus.PENDING).first()
    other = _other_side(case, party)
    request_form = consent_form = None
    error = ""
    if pending is None and "jc_apply" in ctx["offered"]:
        request_form = PF.JCRequestForm(
            request.POST if request.POST.get("form") == "request" else None,
            courts=_courts(case),
            initial={"address": party.address},
        )
        if request_form.is_bound and request_form.is_valid():
            try:
                _create_jc_request(request, case, agreement, party, other, request_form.cleaned_data)
            except ActionRefused as refusal:
                error = refusal.message
            else:
                _tell(
                    other,
                    case,
                    f"{party.name}申请共同向法院申请司法确认，请在调解平台上表示是否同意",
                    sms="对方当事人请您共同向法院申请司法确认调解协议，请登录调解平台表示是否同意",
                )
                messages.success(request, "已提交，等待对方同意后即向法院提交")
                return redirect("portal:judicial", pk=case.pk)
    if pending is not None and pending.consenting_id == party.pk:
        consent_form = PF.JCConsentForm(request.POST if request.POST.get("form") == "consent" else None)
        if consent_form.is_bound and consent_form.is_valid():
            return _answer_jc(request, case, pending, party, consent_form.cleaned_data)
    if (
        request.method == "POST"
        and request.POST.get("form") == "cancel"
        and pending
        and pending.applicant_id == party.pk
    ):
        pending.status, pending.answered_at = JCRequestStatus.CANCELLED, timezone.now()
        pending.save(update_fields=["status", "answered_at"])
        messages.info(request, "已撤回司法确认申请")
        return redirect("portal:judicial", pk=case.pk)
    deadline = ctx["jc_deadline"]
    return render(
        request,
        "portal/judicial.html",
        {
            **ctx,
            "requests": requests,
            "pending": pending,
            "other": other,
            "request_form": request_form,
            "consent_form": consent_form,
            "error": error,
            "days_left": (deadline - timezone.localdate()).days,
            "materials": PF.JC_MATERIALS,
        },
    )


def _create_jc_request(
    request: HttpRequest, case: Case, agreement, party: Party, other: Party | None, d: dict
) -> JCRequest:
    """One pending request per agreement, made under the case's row lock (two parties asking at once make one
    request, and the second is told so); refused when the other party has no account (nobody could consent)."""
    if other is None:
        raise ActionRefused("本案没有可以共同申请的对方当事人")
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        other = Party.objects.get(pk=other.pk)
        if JCRequest.objects.filter(case=case, agreement=agreement, status=JCRequestStatus.PENDING).exists():
            raise ActionRefused("已有一份等待对方同意的司法确认申请，请刷新页面查看")
        # The action's own rules (30-day window, both sides, the other side has an account to consent from).
        A.check_judicial_confirmation_request(case, request.user, applicant=party, consenting=other)
        return JCRequest.objects.create(
            case=case,
            agreement=agreement,
            applicant=party,
            requested_by=request.user,
            court=d["court"],
            materials={"applicant": d["materials"]},
            applicant_address=d["address"],
            consenting=other,
        )


def _answer_jc(request: HttpRequest, case: Case, pending: JCRequest, party: Party, d: dict) -> HttpResponse:
    now = timezone.now()
    if d["answer"] == "no":
        pending.status, pending.answered_at, pending.reason = JCRequestStatus.DECLINED, now, "对方不同意共同申请"
        pending.save(update_fields=["status", "answered_at", "reason"])
        _tell(
            pending.applicant,
            case,
            f"{party.name}不同意共同申请司法确认",
            sms="对方当事人不同意共同申请司法确认，请登录调解平台查看",
        )
        messages.info(request, "您已表示不同意共同申请司法确认")
        return redirect("portal:judicial", pk=case.pk)
    try:
        jc = A.do_apply_judicial_confirmation(
            case,
            request.user,
            applicant=pending.applicant,
            consenting=party,
            court=pending.court,
            applied_on=timezone.localdate(),
            requested_at=pending.created_at,
        )
    except ActionRefused as refusal:
        pending.status, pending.answered_at, pending.reason = JCRequestStatus.REFUSED, now, refusal.message
        pending.save(update_fields=["status", "answered_at", "reason"])
        messages.error(request, f"未能提交：{refusal.message}")
    else:
        pending.status, pending.answered_at, pending.confirmation = JCRequestStatus.APPLIED, now, jc
        pending.consenting_address = d["address"].strip()
        pending.materials = {**pending.materials, "consenting": ["identity", "addresses"]}
        pending.save(update_fields=["status", "answered_at", "confirmation", "consenting_address", "materials"])
        messages.success(request, f"已共同向{pending.court.name}申请司法确认")
    return redirect("portal:judicial", pk=case.pk)


def _tell(party: Party | None, case: Case, message: str, *, sms: str) -> None:
    """A portal notice (and SMS) to the other party about a request waiting for them. The SMS text is fixed (no
    name typed by a user goes out under the 【人民调解】 sender); the portal notice names who asked."""
    if party is None or party.user_id is None:
        return
    from notifications.services import notify

    notify([party.user_id], NoticeKind.CASE_PROGRESS, message, case=case, sms=f"{sms}。详情请登录调解平台查看。")


@party_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case)
    if not ctx["can_rate"]:
        if ctx["rating"] is None:
            messages.info(request, "结案后才能评价")
        return redirect("portal:case", pk=case.pk)
    form = PF.RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            A.do_rate_service(
                case,
                request.user,
                party=ctx["party"],
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "感谢您的评价")
            return redirect("portal:case", pk=case.pk)
    return render(request, "portal/rate.html", {**ctx, "form": form})


# --- joining a case as the other party ------------------------------------------------------------------------


def _join_failures(user: User) -> int:
    return JoinFailure.objects.filter(user=user, created_at__gte=timezone.now() - timedelta(hours=1)).count()


def join(request: HttpRequest, token: str = "") -> HttpResponse:
    """The invited party opens the SMS link (token) or types the code; after sign-in with the number the invitation
    was sent to, they see whose application it is and confirm joining. Wrong codes are counted in the database."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('portal:login')}?next={request.get_full_path()}")
    if request.user.role != Role.PARTY:
        return redirect("home")
    form = PF.JoinForm(request.POST or None)
    invitation = None
    error = ""
    secret = token or (request.POST.get("code") or "").strip().upper()
    if token or (request.method == "POST" and form.is_valid()):
        if _join_failures(request.user) >= int(settings.TIAOJIE["JOIN_FAILURES_PER_HOUR"]):
            error = "输错次数过多，请一小时后再试"
        else:
            invitation = find_invitation(token=token) if token else find_invitation(code=secret)
            if invitation is None:
                JoinFailure.objects.create(user=request.user)
                error = "邀请码不正确、已使用或已过期。请核对最新一条邀请短信，或联系调委会。"
            elif invitation.phone != request.user.phone:
                # The invitation went to one number: whoever holds the code must also hold that number.
                error = (
                    f"该邀请发送给手机号{mask_phone(invitation.phone)}，请退出后用该手机号登录再加入。"
                    "如您已更换手机号，请联系调委会。"
                )
                invitation = None
    if invitation is not None and request.POST.get("confirm") == "1":
        party = invitation.party
        try:
            A.do_join_case(party.case, request.user, party=party)
        except ActionRefused as refusal:
            error, invitation = refusal.message, None
        else:
            invitation.accepted_at, invitation.accepted_by = timezone.now(), request.user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            if not request.user.full_name:
                request.user.full_name = party.name
                request.user.save(update_fields=["full_name"])
            messages.success(request, "您已加入案件。请表明是否同意调解。")
            return redirect("portal:consent", pk=party.case_id)
    ctx = {"form": form, "invitation": invitation, "secret": secret, "token": token, "error": error}
    if invitation is not None:
        case = invitation.party.case
        ctx |= {
            "inv_case": case,
            "applicant_name": ", ".join(case.parties.filter(side=PartySide.APPLICANT).values_list("name", flat=True)),
        }
    return render(request, "portal/join.html", ctx)


# --- evidence files -------------------------------------------------------------------------------------------


def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Stream an evidence file to its uploader (draft or case) or to anyone who can see its case (the committee,
    supervisors); a party never gets the other party's files. Everyone else: 404."""
    if not request.user.is_authenticated:
        raise Http404
    ev = get_object_or_404(Evidence, pk=pk, removed_at__isnull=True)
    own = ev.uploaded_by_id == request.user.pk
    if ev.case_id is None:
        allowed = own
    elif request.user.role == Role.PARTY:
        allowed = own and cases_visible_to(request.user).filter(pk=ev.case_id).exists()
    else:
        allowed = cases_visible_to(request.user).filter(pk=ev.case_id).exists()
    if not allowed:
        raise Http404
    try:
        handle = open_stored(ev.path)
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, content_type=ev.content_type, filename=ev.original_name)
