"""Pages of the rectification ledger. Thin: each reads through ledgers.rectification.access (404 for what the user
may not see), shows the actions the server says are available, and calls the do_* actions."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.models import AccessKind
from cases.actions.base import ActionRefused
from cases.uploads import serve_private_file
from documents.pdf import pdf_response, render_pdf
from ledgers.events import history
from ledgers.rectification import access as P
from ledgers.rectification import actions as A
from ledgers.rectification import forms as F
from ledgers.rectification import importing as I
from ledgers.rectification.meetings import agenda, do_record_meeting
from ledgers.rectification.models import (
    DONE,
    NOT_STARTED,
    RUNNING,
    UNDER_WAY,
    Evidence,
    Inspection,
    ItemStatus,
    ProgressNotice,
    RectificationItem,
    ReviewMeeting,
)
from ledgers.rectification.notice import default_title, do_issue_notice, figures
from ledgers.scoping import access_of, get_visible_or_404, summary_bureaus
from registry.models import Division

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS = {
    "": ("全部", None),
    "overdue": ("逾期", None),
    "not_started": ("未启动", NOT_STARTED),
    "under_way": ("正在整改", UNDER_WAY),
    "pending": ("待验收", (ItemStatus.CLOSURE_REQUESTED,)),
    "done": ("已销号", DONE),
}


def _today() -> date:
    return timezone.localdate()


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    try:
        return P.inspections_for(request.user).distinct().get(pk=pk)
    except Inspection.DoesNotExist:
        raise Http404("检查不存在") from None


def _office_inspection(request: HttpRequest, pk: int) -> Inspection:
    inspection = _inspection(request, pk)
    if not P.is_office(request.user, inspection.bureau_id):
        raise Http404("页面不存在")
    return inspection


def _summaries(user) -> list[dict]:
    """Per bureau the user may summarise: its inspections' counts (no item)."""
    today = _today()
    rows = []
    for bureau in summary_bureaus(user):
        items = RectificationItem.objects.filter(bureau=bureau).only("status", "deadline", "long_term")
        f = figures(items, today)
        n = Inspection.objects.filter(bureau=bureau).count()
        if n or bureau.code == getattr(user, "division_id", None):
            rows.append({"bureau": bureau, "inspections": n, "f": f})
    return rows


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    access = access_of(user)
    summaries = _summaries(user)
    if not access.has_roles and not summaries:
        raise Http404("无台账权限")
    today = _today()
    inspections = []
    for inspection in P.inspections_for(user).distinct().order_by("-feedback_on", "-id"):
        items = P.items_for(user).filter(inspection=inspection)
        inspections.append({"inspection": inspection, "f": figures(items, today)})
    office_bureaus = sorted(access.bureau_ids("OFFICE"))
    return render(
        request,
        "ledgers/rectification/home.html",
        {"inspections": inspections, "summaries": summaries, "office_bureaus": office_bureaus},
    )


@login_required
def inspection_new(request: HttpRequest) -> HttpResponse:
    bureaus = sorted(access_of(request.user).bureau_ids("OFFICE"))
    if not bureaus:
        raise Http404("页面不存在")
    bureau = Division.objects.get(code=bureaus[0])
    form = F.InspectionForm(request.POST or None, initial={"kind": "XUNCHA"})
    if request.method == "POST" and form.is_valid():
        try:
            inspection = A.do_create_inspection(request.user, bureau, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已登记，请逐项录入或从Excel导入问题清单")
            return redirect("rectification:inspection", pk=inspection.pk)
    return render(request, "ledgers/rectification/inspection_new.html", {"form": form, "bureau": bureau})


@login_required
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _inspection(request, pk)
    today = _today()
    visible = P.items_for(request.user).filter(inspection=insp).select_related("department", "leader")
    key = request.GET.get("status", "")
    if key not in FILTERS:
        key = ""
    f = figures(visible, today)
    shown = visible
    if key == "overdue":
        shown = visible.filter(status__in=RUNNING, deadline__lt=today)
    elif FILTERS[key][1]:
        shown = visible.filter(status__in=FILTERS[key][1])
    context = {
        "inspection": insp,
        "f": f,
        "rows": [(i, i.is_overdue(today)) for i in shown.order_by("number")],
        "today": today,
        "filters": [(k, label) for k, (label, _s) in FILTERS.items()],
        "current": key,
        "office": P.is_office(request.user, insp.bureau_id),
        "whole": P.sees_whole_bureau(request.user, insp.bureau_id),
        "meetings": insp.meetings.all()[:3],
        "notices": insp.notices.all()[:3],
        "may_meet": P.may_record_meeting(request.user, insp.bureau_id),
    }
    return render(request, "ledgers/rectification/inspection.html", context)


@login_required
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _office_inspection(request, pk)
    form = F.ItemForm(request.POST or None, bureau_id=insp.bureau_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = A.ItemData(
            problem=d["problem"],
            leader=d["leader"],
            department=d["department"],
            reviewer=d["reviewer"],
            measures=d["measures"],
            deadline=d["deadline"],
            long_term=d["long_term"],
            milestones=d["milestones"],
            number=d["number"],
        )
        try:
            item = A.do_add_item(request.user, insp, data)
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"第{item.number}项已挂账")
            return redirect("rectification:inspection", pk=insp.pk)
    return render(request, "ledgers/rectification/item_new.html", {"form": form, "inspection": insp})


@login_required
def import_items(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _office_inspection(request, pk)
    form = F.ImportForm(request.POST or None, request.FILES or None)
    results = None
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            missing, rows = I.read_rows(f)
        except Exception:  # openpyxl raises many kinds of errors on a damaged or unusual workbook
            form.add_error("file", "无法读取该Excel文件，请使用本页下载的模板填写后上传")
        else:
            if missing:
                form.add_error("file", f"表头与模板不符，缺少：{'、'.join(missing)}")
            elif not rows:
                form.add_error("file", "表格表头下方没有数据行")
            else:
                results = I.check_rows(insp, rows)
                if all(r.data for r in results):
                    try:
                        items = A.do_import_items(request.user, insp, [r.data for r in results], file_name=f.name)
                    except ActionRefused as exc:
                        form.add_error("file", exc.message)
                    else:
                        messages.success(request, f"已从“{f.name}”导入整改事项{len(items)}项，均已挂账")
                        return redirect("rectification:inspection", pk=insp.pk)
    bad = [r for r in results or [] if r.errors]
    context = {"form": form, "inspection": insp, "results": results, "bad": bad, "columns": I.COLUMNS}
    return render(request, "ledgers/rectification/import.html", context, status=400 if bad else 200)


@login_required
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    _office_inspection(request, pk)
    from urllib.parse import quote

    response = HttpResponse(I.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(I.TITLE + '模板.xlsx')}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _item(request: HttpRequest, pk: int) -> RectificationItem:
    return get_visible_or_404(
        request.user,
        RectificationItem.objects.select_related("inspection", "department", "leader", "reviewer"),
        pk,
    )


ACTION_FORMS = {
    P.REPORT: F.ProgressForm,
    P.REQUEST: F.ClosureForm,
    P.ACCEPT: F.AcceptForm,
    P.RETURN: F.ReturnForm,
    P.REVISE: F.ReviseForm,
}


def _form(action: str, item: RectificationItem, data=None, files=None):
    cls = ACTION_FORMS.get(action)
    if cls is None:
        return None
    if cls is F.ProgressForm:
        return cls(data, files, item=item, prefix=action)
    initial = {"measures": item.measures, "deadline": item.deadline} if action == P.REVISE else None
    return cls(data, initial=initial, prefix=action)


def _run(action: str, item: RectificationItem, user, form) -> str:
    d = form.cleaned_data if form is not None else {}
    if action == P.REPORT:
        A.do_report_progress(user, item, text=d["text"], files=d["files"], milestone=d["milestone"])
        return "整改进展已报送"
    if action == P.REQUEST:
        A.do_request_closure(user, item, summary=d["summary"])
        return "已申请销号，等待验收"
    if action == P.ACCEPT:
        A.do_accept_closure(user, item, opinion=d["opinion"])
        return "已验收通过，待办公室销号"
    if action == P.RETURN:
        A.do_return_closure(user, item, reasons=d["reasons"])
        return "已退回整改"
    if action == P.REVISE:
        A.do_revise_item(user, item, measures=d["measures"], deadline=d["deadline"], reason=d["reason"])
        return "已调整"
    A.do_close_item(user, item)
    return "已销号"


@login_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    it = _item(request, pk)
    user = request.user
    available = P.available_actions(it, user)
    forms = {a: _form(a, it) for a in available}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in available:
            reason = P.refusal(action, it, user) if action in P.FROM_STATES else "未知的操作"
            messages.error(request, reason or "该操作当前不可用")
            return redirect("rectification:item", pk=it.pk)
        form = _form(action, it, request.POST, request.FILES)
        if form is None or form.is_valid():
            try:
                done = _run(action, it, user, form)
            except ActionRefused as exc:
                if form is None:
                    messages.error(request, exc.message)
                    return redirect("rectification:item", pk=it.pk)
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, done)
                return redirect("rectification:item", pk=it.pk)
        forms[action] = form
        open_form = action
    else:
        open_form = ""
    today = _today()
    context = {
        "item": it,
        "today": today,
        "overdue": it.is_overdue(today),
        "available": available,
        "action_forms": [(a, P.LABELS[a], forms[a]) for a in available],
        "open_form": open_form,
        "reports": it.reports.select_related("author", "milestone_done").prefetch_related("evidence"),
        "closures": it.closures.select_related("requested_by", "decided_by"),
        "milestones": it.milestones.all(),
        "decisions": it.meeting_decisions.select_related("meeting"),
        "events": history(it),
        "statuses": ItemStatus.choices,
    }
    return render(request, "ledgers/rectification/item.html", context, status=400 if open_form else 200)


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    ev = get_object_or_404(Evidence.objects.select_related("report__item"), pk=pk)
    get_visible_or_404(request.user, RectificationItem.objects.all(), ev.report.item_id)
    thumb = request.GET.get("v") == "thumb" and ev.is_image
    return serve_private_file(
        request,
        ev.path,
        ev.original_name,
        ev.content_type,
        log_action=AccessKind.DOWNLOAD_EVIDENCE,
        detail=f"下载整改佐证材料“{ev.original_name}”（整改事项{ev.report.item_id}）",
        rendition_name="thumb" if thumb else None,
    )


@login_required
def meetings(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _inspection(request, pk)
    if not P.sees_whole_bureau(request.user, insp.bureau_id):
        raise Http404("页面不存在")
    return render(
        request,
        "ledgers/rectification/meetings.html",
        {
            "inspection": insp,
            "meetings": insp.meetings.all(),
            "may_meet": P.may_record_meeting(request.user, insp.bureau_id),
        },
    )


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _inspection(request, pk)
    if not P.may_record_meeting(request.user, insp.bureau_id):
        raise Http404("页面不存在")
    today = _today()
    prev, lines = agenda(insp, today)
    form = F.MeetingForm(
        request.POST or None,
        items=lines,
        initial={"held_on": today, "title": f"{today:%Y年%-m月}整改推进会"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = do_record_meeting(
                request.user,
                insp,
                held_on=d["held_on"],
                title=d["title"],
                chair=d["chair"],
                attendees=d["attendees"],
                decisions=d["decisions"],
                item_decisions=form.item_decisions(),
            )
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "会议记录已保存")
            return redirect("rectification:meeting", pk=meeting.pk)
    rows = [(line, form[f"item_{line['pk']}"]) for line in lines]
    context = {"inspection": insp, "form": form, "prev": prev, "rows": rows, "today": today}
    return render(request, "ledgers/rectification/meeting_new.html", context)


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    m = get_object_or_404(ReviewMeeting.objects.select_related("inspection", "created_by"), pk=pk)
    insp = _inspection(request, m.inspection_id)
    if not P.sees_whole_bureau(request.user, insp.bureau_id):
        raise Http404("页面不存在")
    decided = {d.item_id: d.text for d in m.item_decisions.all()}
    rows = [(line, decided.get(line["pk"], "")) for line in m.agenda.get("lines", [])]
    context = {"meeting": m, "inspection": insp, "previous": m.agenda.get("previous", ""), "rows": rows}
    return render(request, "ledgers/rectification/meeting.html", context)


@login_required
def notice_new(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _office_inspection(request, pk)
    today = _today()
    initial = {"title": default_title(insp), "issuer": insp.issuer, "published": True}
    form = F.NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notice = do_issue_notice(request.user, insp, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "通报已印发" + ("并在门户网站公布" if notice.published else ""))
            return redirect("rectification:notice", pk=notice.pk)
    f = figures(insp.items.all(), today)
    return render(request, "ledgers/rectification/notice_new.html", {"inspection": insp, "form": form, "f": f})


def _notice_for(request: HttpRequest, pk: int) -> ProgressNotice:
    notice = get_object_or_404(ProgressNotice.objects.select_related("inspection"), pk=pk)
    insp = _inspection(request, notice.inspection_id)
    if not P.sees_whole_bureau(request.user, insp.bureau_id):
        raise Http404("页面不存在")
    return notice


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    n = _notice_for(request, pk)
    return render(request, "ledgers/rectification/notice.html", {"notice": n, "s": n.snapshot, "public": False})


@login_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    n = _notice_for(request, pk)
    data = render_pdf("ledgers/rectification/notice_pdf.html", {"notice": n, "s": n.snapshot})
    return pdf_response(data, f"{n.title}.pdf")


def public_notices(request: HttpRequest) -> HttpResponse:
    """The published progress notices, newest first, for anyone."""
    notices = ProgressNotice.objects.filter(published=True).select_related("inspection").order_by("-issued_on", "-id")
    return render(request, "ledgers/rectification/public_notices.html", {"notices": notices[:100]})


def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The published notice, for anyone (no sign-in): what the bureau chose to make public, as it was issued."""
    n = get_object_or_404(ProgressNotice.objects.select_related("inspection"), pk=pk, published=True)
    return render(request, "ledgers/rectification/public_notice.html", {"notice": n, "s": n.snapshot})


def public_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    n = get_object_or_404(ProgressNotice, pk=pk, published=True)
    data = render_pdf("ledgers/rectification/notice_pdf.html", {"notice": n, "s": n.snapshot})
    return pdf_response(data, f"{n.title}.pdf", inline=True)
