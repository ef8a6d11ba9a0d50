"""Probable duplicates (issue 11 §5): the list for supervisors and for the committee and 矛调中心 members in scope, and
the merge confirmation.

- console:duplicates — every case in intake and pending referral the user sees, with its probable duplicates in
  their scope (referrals.duplicates), the reasons and a merge button where the user may merge the pair;
  `?case=<pk>` narrows it to one case (the case page's 并案 action lands here).
- console:duplicate_merge — the confirmation: both sides, the reasons; POST merges (a case in intake:
  cases.actions.joint.do_merge_case; a pending referral: referrals.services.accept_referral with `into_case`).

Who: supervisors (司法所, county, city) and committee members (mediators, directors); anybody else gets a 404, as
for a pair outside their scope. Each list and confirmation that shows parties' names is written to the access log.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import log_access
from accounts.models import SUPERVISOR_ROLES, AccessKind, Role, User
from cases.actions import ActionRefused
from cases.actions.joint import do_merge_case, may_act_on
from cases.models import Case
from cases.scoping import access_case_by_id
from referrals import duplicates as dup
from referrals.scoping import access_referral_by_id
from tiaojie.forms import add_refusal

STAFF = {Role.MEDIATOR, Role.DIRECTOR, *SUPERVISOR_ROLES}


def _staff(user: User) -> None:
    if user.role not in STAFF:
        raise Http404("没有这个页面")


class MergeForm(forms.Form):
    reason = forms.CharField(
        label="并案说明",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="如“110转来的同一纠纷，已由当事人电话核实”。",
    )
    confirm = forms.BooleanField(
        label="已核实为同一纠纷",
        error_messages={"required": "请确认已核实为同一纠纷"},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    user = request.user
    _staff(user)
    pairs = dup.probable_duplicates(user)
    only = None
    if request.GET.get("case"):
        try:
            only = access_case_by_id(user, int(request.GET["case"]))
        except (TypeError, ValueError):
            raise Http404("案件不存在") from None
        pairs = [p for p in pairs if ("case", only.pk) in (p.subject.key, p.match.other.key)]
    rows = [_row(p) for p in pairs]
    log_access(request, AccessKind.VIEW_CASE_LIST, detail=f"疑似重复纠纷{len(rows)}组")
    return render(
        request,
        "referrals/duplicates.html",
        {"rows": rows, "only": only, "rules": dup.rules()},
    )


def _side(item: dup.Item) -> dict:
    """What the list shows of one side: its number, where it is, when it came, the parties' names."""
    obj = item.obj
    if item.kind == "case":
        return {
            "kind": "case",
            "label": obj.case_no or obj.registration_no,
            "where": obj.committee.name,
            "status": obj.get_status_display(),
            "at": obj.registered_at,
            "names": "、".join(p.name for p in obj.parties.all()),
            "source": obj.get_source_display(),
            "pk": obj.pk,
        }
    return {
        "kind": "referral",
        "label": obj.reference,
        "where": f"{obj.institution.name} → {obj.receiver.name}",
        "status": obj.get_status_display(),
        "at": obj.received_at,
        "names": "、".join(p.name for p in obj.parties.all()),
        "source": obj.get_channel_display(),
        "pk": obj.pk,
        "place": obj.place,
    }


def _row(pair: dup.Pair) -> dict:
    direction = dup.merge_direction(pair.subject, pair.match.other) if pair.can_merge else None
    return {
        "subject": _side(pair.subject),
        "other": _side(pair.match.other),
        "score": pair.match.score,
        "reasons": pair.match.reasons,
        "merge": (direction[0].kind, direction[0].obj.pk, direction[1].obj.pk) if direction else None,
        "both_referrals": pair.subject.kind == pair.match.other.kind == "referral",
    }


def _pair(user: User, kind: str, pk: int, into_pk: int):
    """The pair of the confirmation page, or 404: the subject seen by the user, the target a case the user may act
    on, a probable duplicate, mergeable by this user."""
    if kind == "case":
        subject = access_case_by_id(user, pk)
        item = dup.case_item(subject)
    elif kind == "referral":
        subject = access_referral_by_id(user, pk)
        item = dup.referral_item(subject)
    else:
        raise Http404("没有这个页面")
    into = Case.objects.select_related("committee", "committee__division").filter(pk=into_pk).first()
    if into is None or not may_act_on(user, into) or (kind == "case" and into.pk == subject.pk):
        raise Http404("案件不存在")
    other = dup.case_item(into)
    match = dup.compare(item, other)
    if match is None or not dup.may_merge_into(user, item, other):
        raise Http404("不是疑似重复纠纷")
    return subject, into, item, other, match


@login_required
def duplicate_merge(request: HttpRequest, kind: str, pk: int, into_pk: int) -> HttpResponse:
    user = request.user
    _staff(user)
    subject, into, item, other, match = _pair(user, kind, pk, into_pk)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if kind == "case":
                do_merge_case(subject, into, user, reason=form.cleaned_data["reason"])
            else:
                from referrals.services import accept_referral

                accept_referral(subject, user, into_case=into)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            label = into.case_no or into.registration_no
            messages.success(request, f"已并案：由{label}继续办理")
            return redirect("cases:detail", pk=into.pk)
    log_access(request, AccessKind.VIEW_CASE, case=into, detail="并案确认")
    return render(
        request,
        "referrals/duplicates_merge.html",
        {
            "form": form,
            "kind": kind,
            "subject": _side(item),
            "into": _side(other),
            "into_case": into,
            "match": match,
        },
    )


@login_required
def case_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's 并案 action: the probable duplicates of this case (offered only where one exists)."""
    case = access_case_by_id(request.user, pk)
    url = f"{_duplicates_url()}?case={case.pk}"
    return redirect(url)


def _duplicates_url() -> str:
    from django.urls import reverse

    return reverse("console:duplicates")
