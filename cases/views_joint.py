"""Joint mediation pages (issue 11 §6, 联合调解 / 集中会诊): the case's mediators with their bodies (one presiding),
mediators of other bodies asked to join, invited participants (a judge, a lawyer, a department's officer, an
expert) and the sessions each attended.

- console:case_joint (also the case page's 邀请其他调解组织调解员联合调解 action): the page; POST adds a mediator of
  another body (cases.actions.joint.do_add_joint_mediator), offered to the director and the presiding mediator.
- console:case_joint_invite (also the 邀请有关人员参加调解 action): invite a participant (do_invite_participant).
- console:case_joint_attendance: record who attended a session (do_record_attendance).

Read by the case's committee members, its mediators (including those of other bodies) and its supervisors; 404 for
anybody else (cases.scoping first). Every change goes through cases.actions.joint.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from cases.actions import ActionRefused
from cases.actions.joint import do_add_joint_mediator, do_invite_participant, do_record_attendance
from cases.models import Case
from cases.permissions import available_actions, relations
from cases.scoping import access_case_by_id
from cases.transitions import Rel
from referrals.enums import ParticipantRole
from referrals.models import JointParticipant
from registry.models import Mediator
from tiaojie.forms import add_refusal


def _readable(user: User, pk: int) -> Case:
    case = access_case_by_id(user, pk)
    if not relations(user, case) & {Rel.MEMBER, Rel.MEDIATOR, Rel.SUPERVISOR}:
        raise Http404("没有这个页面")
    return case


def joint_candidates(case: Case):
    """Mediators of the other bodies of the case's county who may be asked to join: serving, not yet on the case,
    not recused from it."""
    on_case = [m.pk for m in case.mediators()]
    recused = case.recusals.values_list("replaced_id", flat=True)
    return (
        Mediator.objects.filter(
            is_active=True,
            committee__is_active=True,
            committee__division__code__startswith=case.division_code[:6],
        )
        .exclude(committee_id=case.committee_id)
        .exclude(pk__in=on_case)
        .exclude(pk__in=recused)
        .select_related("committee")
        .order_by("committee__division_id", "committee__name", "name")
    )


class JointMediatorForm(forms.Form):
    mediator = forms.ModelChoiceField(
        label="其他调解组织的调解员",
        queryset=Mediator.objects.none(),
        error_messages={"required": "请选择调解员", "invalid_choice": "请选择列表中的调解员"},
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="本县（市、区）其他调解组织的在任调解员；加入后与本案调解员共同调解，主持调解员不变。",
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mediator"]
        field.queryset = joint_candidates(case)
        field.label_from_instance = lambda m: f"{m.name}（{m.committee.name}）"
        field.empty_label = "请选择"


class InviteForm(forms.Form):
    role = forms.ChoiceField(
        label="身份",
        choices=[("", "请选择"), *ParticipantRole.choices],
        error_messages={"required": "请选择身份", "invalid_choice": "请选择身份"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={"required": "请填写姓名"},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label="所在单位",
        max_length=100,
        error_messages={"required": "请填写所在单位"},
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="如“咸安区人民法院”“温泉派出所”“湖北某某律师事务所”。",
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )


def _offered(case: Case, user: User) -> set[str]:
    return {a for a, _label in available_actions(case, user)}


def _context(case: Case, user: User, **extra) -> dict:
    mediators = case.mediators()
    participants = list(
        JointParticipant.objects.filter(case=case).select_related("invited_by").prefetch_related("sessions")
    )
    records = list(case.records.prefetch_related("joint_participants"))
    offered = _offered(case, user)
    return {
        "case": case,
        "mediators": [(m, m.pk == case.presiding_mediator_id) for m in mediators],
        "participants": participants,
        "records": records,
        "may_add": "joint_mediator" in offered,
        "may_invite": "invite_participant" in offered,
        **extra,
    }


@login_required
def case_joint(request: HttpRequest, pk: int) -> HttpResponse:
    case = _readable(request.user, pk)
    offered = _offered(case, request.user)
    form = JointMediatorForm(case=case)
    if request.method == "POST":
        if "joint_mediator" not in offered:
            raise Http404("没有这个操作")
        form = JointMediatorForm(request.POST, case=case)
        if form.is_valid():
            try:
                do_add_joint_mediator(case, form.cleaned_data["mediator"], request.user)
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                m = form.cleaned_data["mediator"]
                messages.success(request, f"{m.name}（{m.committee.name}）已加入本案联合调解")
                return redirect("console:case_joint", pk=case.pk)
    return render(request, "cases/joint.html", _context(case, request.user, form=form))


@login_required
def case_joint_invite(request: HttpRequest, pk: int) -> HttpResponse:
    case = _readable(request.user, pk)
    if "invite_participant" not in _offered(case, request.user):
        if request.method == "POST":
            raise Http404("没有这个操作")
        messages.error(request, "本案当前不能邀请有关人员参加调解")
        return redirect("console:case_joint", pk=case.pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = do_invite_participant(case, request.user, **form.cleaned_data)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已邀请{p.body}{p.get_role_display()}{p.name}参加调解")
            return redirect("console:case_joint", pk=case.pk)
    return render(request, "cases/joint_invite.html", {"case": case, "form": form})


@login_required
@require_POST
def case_joint_attendance(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    case = _readable(request.user, pk)
    if "invite_participant" not in _offered(case, request.user):
        raise Http404("没有这个操作")
    rec = get_object_or_404(case.records, pk=record_pk)
    ids = [int(v) for v in request.POST.getlist("participants") if v.isdigit()]
    chosen = list(JointParticipant.objects.filter(case=case, pk__in=ids))
    try:
        do_record_attendance(rec, chosen, request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "已登记参加人员：" + "、".join(p.name for p in chosen))
    return redirect(f"{_joint_url(case)}#record-{rec.pk}")


def _joint_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("console:case_joint", args=[case.pk])
