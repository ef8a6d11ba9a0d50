"""PDF downloads of a case's standard documents and of its whole dossier.

Scope first (cases.scoping: 404 outside jurisdiction), then the per-kind rule (a party prints only their own
agreement and application: anything else is a 404 too, so the list of documents is not revealed). Every download
is an export of personal data and is logged; printing complete identity numbers is logged per party.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from accounts.clientip import client_ip
from accounts.models import AccessKind, AccessLog, User
from cases.models import Case
from cases.scoping import access_case_by_id
from documents.catalogue import KINDS, applies, dossier_available, may_print
from documents.pdf import pdf_response
from documents.rendering import Printed, render_dossier, render_kind


def _log(request: HttpRequest, case: Case, printed: Printed, title: str) -> None:
    user: User = request.user
    ip = client_ip(request)
    entries = [
        AccessLog(user=user, action=AccessKind.EXPORT_DOCUMENT, case=case, ip_address=ip, detail=f"下载《{title}》")
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


def _filename(case: Case, title: str) -> str:
    return f"{case.case_no or case.registration_no}{title}.pdf"


def resolve(user: User, pk: int, kind: str) -> Case:
    """The case whose document `kind` this user may print now, or Http404 (outside scope, not theirs, not yet)."""
    case = access_case_by_id(user, pk)
    if kind == "dossier":
        if not dossier_available(case, user):
            raise Http404("没有这份卷宗")
    elif kind not in KINDS or not may_print(user, case, kind) or not applies(case, kind):
        raise Http404("没有这份文书")
    return case


@login_required
def case_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    case = resolve(request.user, pk, kind)
    printed = render_kind(case, kind, request.user)
    title = str(KINDS[kind].label)
    _log(request, case, printed, title)
    return pdf_response(printed.pdf, _filename(case, title), inline=request.GET.get("inline") == "1")


@login_required
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    case = resolve(request.user, pk, "dossier")
    printed = render_dossier(case, request.user)
    _log(request, case, printed, "卷宗")
    return pdf_response(printed.pdf, _filename(case, "卷宗"), inline=request.GET.get("inline") == "1")
