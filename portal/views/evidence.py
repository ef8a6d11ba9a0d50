"""Evidence files: streamed to those who may see them, and taken off a draft not yet submitted."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.models import Role
from cases.scoping import cases_visible_to
from cases.uploads import serve_private_file
from portal.models import Evidence
from portal.services.evidence import remove_from_draft
from portal.views.common import party_required


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
    return serve_private_file(
        request,
        ev.path,
        ev.original_name,
        ev.content_type,
        log_action="DOWNLOAD_EVIDENCE",
        case_id=ev.case_id,
        detail=f"证据材料“{ev.original_name}”" + (f"（案件{ev.case_id}）" if ev.case_id else "（申请草稿）"),
    )


@party_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ev = get_object_or_404(Evidence, pk=pk, draft__user=request.user, draft__submitted_at__isnull=True)
    remove_from_draft(ev)
    messages.info(request, f"已移除“{ev.original_name}”")
    return redirect("portal:apply_step", step="evidence")
