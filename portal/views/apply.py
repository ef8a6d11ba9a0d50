"""The guided online application (申请调解): six steps saved as they are typed, then submitted as one case."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases.actions import ActionRefused
from portal import forms as PF
from portal.codes import PortalRefused, check_application_limits, client_ip
from portal.models import ApplicationDraft
from portal.places import committee_for
from portal.services import application as app
from portal.services.evidence import accept_uploads, max_mb
from portal.views.common import party_required


@party_required
def apply_start(request: HttpRequest) -> HttpResponse:
    """The first step not yet done. A GET creates no draft: it is saved on the first POST (autosave or a step)."""
    return redirect("portal:apply_step", step=app.first_open_step(app.draft_for(request.user, create=False)))


@party_required
def apply_autosave(request: HttpRequest, step: str) -> HttpResponse:
    """Saves what is typed as it is typed (called by the page's script): a closed browser loses nothing."""
    if request.method != "POST" or step not in app.FORM_STEPS and step != "place":
        raise Http404
    draft = app.draft_for(request.user)
    app.save_step(draft, step, app.raw(request.POST, app.step_keys(step)))
    return JsonResponse({"saved": timezone.localtime().strftime("%H:%M:%S")})


@party_required
def apply_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in app.STEP_KEYS:
        raise Http404
    draft = app.draft_for(request.user, create=request.method == "POST")
    ctx = {"draft": draft, **app.step_context(step)}
    if step in app.FORM_STEPS:
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
    form_class = app.FORM_STEPS[step]
    if request.method == "POST":
        app.save_step(draft, step, app.raw(request.POST, app.step_keys(step)))  # kept even when invalid
        form = form_class(request.POST)
        valid = form.is_valid()
        app.mark_done(draft, step, valid)
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
        app.save_step(draft, "place", app.raw(request.POST, app.step_keys("place")))
        place = app.place_of(draft)
        ok = bool(place.township) and committee_for(place.code) is not None
        app.mark_done(draft, "place", ok)
        if request.POST.get("go") == "back":
            return _go(request, ctx, "place")
        if request.POST.get("go") == "next":
            if ok:
                return redirect("portal:apply_step", step="evidence")
            error = "请至少选择到乡镇（街道）" if not place.township else "该地区暂无调委会，请选择上一级或附近的地区"
    place = app.place_of(draft)
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
        accepted, refused = accept_uploads(draft, request.user, files)
        app.mark_done(draft, "evidence", True)
        if not files and request.POST.get("go") in ("next", "back"):
            return _go(request, ctx, "confirm")
        if accepted and not refused and request.POST.get("go") == "next":
            return redirect("portal:apply_step", step="confirm")
    files = app.draft_files(draft)
    return render(
        request,
        "portal/apply_evidence.html",
        {**ctx, "files": files, "refused": refused, "accepted": accepted, "max_mb": max_mb()},
    )


def _confirm_step(request: HttpRequest, draft: ApplicationDraft, ctx: dict) -> HttpResponse:
    forms = app.bound_steps(draft)
    place = app.place_of(draft)
    committee = committee_for(place.code) if place.township else None
    problems = app.problems(forms, committee)
    confirm = PF.ConfirmForm(request.POST or None)
    error = ""
    if request.method == "POST" and request.POST.get("go") == "back":
        return redirect("portal:apply_step", step="evidence")
    if request.method == "POST" and not problems and confirm.is_valid():
        try:
            check_application_limits(request.user, client_ip(request))
            case = app.submit(request, draft, forms, committee, triage_opt_out=confirm.cleaned_data["no_triage"])
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
            "files": app.draft_files(draft),
            "error": error,
        },
    )
