"""Pages of one risk (研判): the risk page with its chain, timeline and forms; a new risk from a case or a finding
(the suggested flags shown with their reasons: a person decides); the 签收 of a hop. Owner: h-risk.

Reads go through screening.scoping / cases.scoping (404 outside); changes are POST-only and go through the actions;
a form the user may not use is a 404; a refused or invalid form re-renders the risk page with what was typed."""

import math
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from cases.scoping import access_case_by_id, cases_visible_to
from screening import rules
from screening.actions import (
    do_acknowledge,
    do_assess_risk,
    do_change_level,
    do_instruct,
    do_resolve_risk,
    do_review_risk,
    do_update_risk,
)
from screening.actions.base import ActionRefused
from screening.enums import LEVEL_WORD, HopStatus, RiskFlag, RiskLevel
from screening.forms_risk import (
    AcknowledgeForm,
    InstructForm,
    LevelForm,
    NewRiskForm,
    ResolveForm,
    ReviewForm,
    UpdateForm,
)
from screening.models import EscalationHop, RiskAssessment
from screening.permissions import (
    can_acknowledge,
    can_assess_case,
    can_assess_finding,
    can_instruct,
    can_lower,
    can_raise,
    can_resolve,
    can_update,
)
from screening.scoping import (
    access_finding_by_id,
    access_hop_by_id,
    access_risk_by_id,
    findings_visible_to,
    hops_visible_to,
)
from tiaojie.forms import add_refusal

# Flags suggested by a number (headcount, amount) are facts and come pre-ticked; those suggested by a word of the
# text need a person's judgement ("无自杀倾向" contains 自杀) and are offered unticked.
THRESHOLD_FLAGS = (RiskFlag.MASS_PARTIES, RiskFlag.LARGE_AMOUNT)
LEVEL_CLASS = {RiskLevel.RED: "danger", RiskLevel.ORANGE: "orange", RiskLevel.YELLOW: "warning"}


def visible_risk(user: User, pk: object) -> RiskAssessment:
    """The risk through screening.scoping (everyone a hop reaches is in scope there); 404 otherwise."""
    return access_risk_by_id(user, pk)


def _visible_hops(user: User, risk: RiskAssessment):
    return hops_visible_to(user).filter(risk=risk)


def _duration(minutes: int) -> str:
    if minutes >= 24 * 60:
        days, rest = divmod(minutes, 24 * 60)
        return f"{days}天{rest // 60}小时" if rest // 60 else f"{days}天"
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours}小时{rest}分钟" if rest else f"{hours}小时"
    return f"{minutes}分钟"


def countdown(due: datetime, now: datetime) -> tuple[str, bool]:
    """The time to a deadline in words: ("还剩8分钟", False) / ("已逾期3分钟", True)."""
    seconds = (due - now).total_seconds()
    if seconds > 0:
        return f"还剩{_duration(math.ceil(seconds / 60))}", False
    return f"已逾期{_duration(max(1, math.floor(-seconds / 60)))}", True


def _names(ids: list[int]) -> str:
    users = User.objects.filter(pk__in=ids or []).order_by("pk")
    return "、".join(u.full_name or u.username for u in users) or "—"


def _hop_rows(user: User, risk: RiskAssessment, now: datetime) -> list[dict]:
    rows = []
    n = 0
    for hop in _visible_hops(user, risk).select_related("acknowledged_by").order_by("seq"):
        words, late = countdown(hop.ack_due_at, now) if hop.status == HopStatus.PENDING else ("", False)
        took = ""
        if hop.acknowledged_at:
            took = _duration(max(0, int((hop.acknowledged_at - hop.pushed_at).total_seconds() // 60)))
        n += hop.step != "POLICE"
        rows.append(
            {
                "hop": hop,
                "n": n,
                "names": _names(hop.recipient_ids),
                "countdown": words,
                "late": late,
                "took": took,
                "ack_late": bool(hop.acknowledged_at and hop.acknowledged_at > hop.ack_due_at),
                "may_ack": can_acknowledge(user, hop),
                "minutes": int((hop.ack_due_at - hop.pushed_at).total_seconds() // 60),
            }
        )
    return rows


def _forms(user: User, risk: RiskAssessment, bound: dict | None = None) -> dict:
    """The forms the user may use on this risk (None when not allowed); `bound` replaces one by its bound copy."""
    bound = bound or {}
    may_raise, may_lower = can_raise(user, risk), can_lower(user, risk)
    forms = {
        "level_form": LevelForm(current=risk.level, may_raise=may_raise, may_lower=may_lower)
        if (may_raise or may_lower)
        else None,
        "update_form": UpdateForm(
            committee_id=risk.committee_id,
            division_code=risk.division_code,
            initial={
                "flags": risk.flags,
                "owner": risk.owner_id,
                "measures": risk.measures,
                "review_on": risk.review_on,
            },
        )
        if can_update(user, risk)
        else None,
        "instruct_form": InstructForm() if can_instruct(user, risk) else None,
        "review_form": ReviewForm() if (can_update(user, risk) or user.pk == risk.owner_id) else None,
        "resolve_form": ResolveForm() if can_resolve(user, risk) else None,
    }
    if forms["update_form"] is not None and not may_lower:
        # Only the owner or above changes the owner (screening.actions.risk.do_update_risk refuses it otherwise).
        forms["update_form"].fields["owner"].disabled = True
        forms["update_form"].fields["owner"].help_text = "只有包案领导或其上级才能更换包案领导"
    if forms["level_form"] is not None and not forms["level_form"].fields["level"].choices:
        forms["level_form"] = None
    forms.update(bound)
    return forms


def _page(request: HttpRequest, risk: RiskAssessment, bound: dict | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    now = timezone.now()
    hops = _hop_rows(user, risk, now)
    events = risk.events.select_related("actor", "hop").order_by("-at", "-id")
    if user.role == Role.INSTITUTION_LIAISON:
        mine = [row["hop"].pk for row in hops]
        events = [e for e in events if e.hop_id is None or e.hop_id in mine]
    case_visible = risk.case_id is not None and cases_visible_to(user).filter(pk=risk.case_id).exists()
    finding_visible = risk.finding_id is not None and findings_visible_to(user).filter(pk=risk.finding_id).exists()
    context = {
        "risk": risk,
        "level_word": LEVEL_WORD.get(risk.level, ""),
        "level_class": LEVEL_CLASS.get(risk.level, "secondary"),
        "flag_labels": [str(RiskFlag(f).label) for f in risk.flags or [] if f in RiskFlag.values],
        "hops": hops,
        "pending": [row for row in hops if row["hop"].status == HopStatus.PENDING],
        "my_pending": [row for row in hops if row["may_ack"]],
        "events": events,
        "case_visible": case_visible,
        "finding_visible": finding_visible,
        "ack_form": AcknowledgeForm(),
        "now": now,
        "is_open": risk.status == "OPEN",
    }
    context.update(_forms(user, risk, bound))
    boxes = {
        "level_form": "level-box",
        "update_form": "update-box",
        "instruct_form": "instruct-box",
        "review_form": "review-box",
        "resolve_form": "resolve-box",
        "ack_form": "ack-{}".format((bound or {}).get("ack_hop_id")),
    }
    context["error_box"] = next((boxes[name] for name in (bound or {}) if name in boxes), "")
    if bound and "ack_form" in bound:
        context["ack_form"] = bound["ack_form"]
        context["ack_hop_id"] = bound.get("ack_hop_id")
    return render(request, "screening/risk_detail.html", context, status=status)


@login_required
def risk(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, visible_risk(request.user, pk))


# ----------------------------------------------------------------------------------------------------------------
# New risk


def _suggestions(*, headcount, amount, dispute_type, text, division_code) -> list[dict]:
    pairs = rules.suggest_flags(
        headcount=headcount, amount=amount, dispute_type=dispute_type, text=text, division_code=division_code
    )
    return [
        {
            "flag": flag,
            "label": str(RiskFlag(flag).label),
            "reason": reason,
            "ticked": flag in THRESHOLD_FLAGS,
        }
        for flag, reason in pairs
    ]


def _new(
    request: HttpRequest,
    *,
    subject: str,
    committee,
    division_code: str,
    initial: dict,
    suggest: dict,
    create,
    back: str,
    context: dict,
) -> HttpResponse:
    user = request.user
    suggestions = _suggestions(division_code=division_code, **suggest)
    if request.method == "POST":
        form = NewRiskForm(request.POST, committee_id=committee.pk, division_code=division_code)
        if form.is_valid():
            d = form.cleaned_data
            try:
                risk = create(
                    user,
                    title=d["title"],
                    flags=d["flags"],
                    level=d["level"],
                    reasons=d["reasons"],
                    owner=d["owner"],
                    measures=d["measures"],
                    review_on=d["review_on"],
                    headcount=d["headcount"],
                    amount=d["amount"],
                )
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                pushed = risk.hops.count()
                text = f"已研判为{LEVEL_WORD[risk.level]}风险"
                if pushed:
                    text += f"，已按规定上报（{pushed}条）"
                messages.success(request, text)
                return redirect("screening:risk", pk=risk.pk)
    else:
        initial = dict(initial, flags=[s["flag"] for s in suggestions if s["ticked"]])
        form = NewRiskForm(initial=initial, committee_id=committee.pk, division_code=division_code)
    context.update(
        {
            "form": form,
            "subject": subject,
            "suggestions": suggestions,
            "reasons_of": {s["flag"]: s["reason"] for s in suggestions},
            "committee": committee,
            "back": back,
            "flag_choices": [
                (value, str(label), value in {s["flag"] for s in suggestions}) for value, label in RiskFlag.choices
            ],
            "checked": set(form["flags"].value() or []),
            "level_choices": [(value, str(label), LEVEL_CLASS[value]) for value, label in RiskLevel.choices],
        }
    )
    return render(request, "screening/risk_new.html", context)


@login_required
def risk_new_case(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    if user.role not in (Role.MEDIATOR, Role.DIRECTOR, Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN):
        raise Http404("页面不存在")
    case = access_case_by_id(user, case_id)
    if not can_assess_case(user, case):
        raise Http404("页面不存在")
    label = case.case_no or case.registration_no
    headcount = case.parties.count()
    amount = case.amount_involved or None

    def create(actor, **kw):
        return do_assess_risk(actor, case=case, **kw)

    return _new(
        request,
        subject=f"案件{label}",
        committee=case.committee,
        division_code=case.division_code,
        initial={"title": f"案件{label}：{case.get_dispute_type_display()}", "headcount": headcount, "amount": amount},
        suggest={
            "headcount": headcount,
            "amount": amount,
            "dispute_type": case.dispute_type,
            "text": f"{case.brief_facts}\n{case.claims}",
        },
        create=create,
        back=reverse("cases:detail", args=[case.pk]),
        context={"case": case},
    )


@login_required
def risk_new_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    user = request.user
    finding = access_finding_by_id(user, finding_id)
    if not can_assess_finding(user, finding):
        raise Http404("页面不存在")

    def create(actor, **kw):
        return do_assess_risk(actor, finding=finding, **kw)

    return _new(
        request,
        subject=f"排查发现：{finding.place}",
        committee=finding.committee,
        division_code=finding.division_code,
        initial={
            "title": f"{finding.place}{finding.get_dispute_type_display()}"[:120],
            "headcount": finding.headcount,
            "amount": finding.amount,
            "reasons": finding.risk_signs,
            "measures": finding.measures,
        },
        suggest={
            "headcount": finding.headcount,
            "amount": finding.amount,
            "dispute_type": finding.dispute_type,
            "text": f"{finding.facts}\n{finding.risk_signs}",
        },
        create=create,
        back=reverse("screening:finding", args=[finding.pk]),
        context={"finding": finding},
    )


# ----------------------------------------------------------------------------------------------------------------
# Changes on the risk page


def _post(request: HttpRequest, pk: int, name: str, make, allowed, act, done: str) -> HttpResponse:
    user = request.user
    risk = visible_risk(user, pk)
    if not allowed(user, risk):
        raise Http404("页面不存在")
    form = make(risk, request.POST)
    if form.is_valid():
        try:
            act(user, risk, form.cleaned_data)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, done)
            return redirect("screening:risk", pk=risk.pk)
    return _page(request, risk, {name: form}, status=400)


@login_required
@require_POST
def risk_level(request: HttpRequest, pk: int) -> HttpResponse:
    def make(risk, data):
        return LevelForm(
            data,
            current=risk.level,
            may_raise=can_raise(request.user, risk),
            may_lower=can_lower(request.user, risk),
        )

    return _post(
        request,
        pk,
        "level_form",
        make,
        lambda u, r: can_raise(u, r) or can_lower(u, r),
        lambda u, r, d: do_change_level(u, r, level=d["level"], reason=d["reason"]),
        "风险等级已调整",
    )


@login_required
@require_POST
def risk_update(request: HttpRequest, pk: int) -> HttpResponse:
    def make(risk, data):
        return UpdateForm(data, committee_id=risk.committee_id, division_code=risk.division_code)

    return _post(
        request,
        pk,
        "update_form",
        make,
        can_update,
        lambda u, r, d: do_update_risk(
            u,
            r,
            reason=d["reason"],
            flags=d["flags"],
            owner=d["owner"],
            measures=d["measures"],
            review_on=d["review_on"],
        ),
        "已保存变更",
    )


@login_required
@require_POST
def risk_instruct(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "instruct_form",
        lambda risk, data: InstructForm(data),
        can_instruct,
        lambda u, r, d: do_instruct(u, r, text=d["text"]),
        "批示已发出",
    )


@login_required
@require_POST
def risk_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "review_form",
        lambda risk, data: ReviewForm(data),
        lambda u, r: can_update(u, r) or u.pk == r.owner_id,
        lambda u, r, d: do_review_risk(u, r, note=d["note"], next_review_on=d["next_review_on"]),
        "复核情况已记录",
    )


@login_required
@require_POST
def risk_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "resolve_form",
        lambda risk, data: ResolveForm(data),
        can_resolve,
        lambda u, r, d: do_resolve_risk(u, r, note=d["note"], handed_over=d["outcome"] == "HANDED_OVER"),
        "风险事项已办结",
    )


@login_required
@require_POST
def hop_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hop: EscalationHop = access_hop_by_id(user, pk)
    risk = visible_risk(user, hop.risk_id)
    if hop.status != HopStatus.PENDING:
        messages.info(request, "该预警已签收或已撤销，无需再签收")
        return redirect("screening:risk", pk=risk.pk)
    if not can_acknowledge(user, hop):
        raise Http404("页面不存在")
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            do_acknowledge(user, hop, note=form.cleaned_data["note"])
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已签收（{hop.label}）")
            return redirect("screening:risk", pk=risk.pk)
    return _page(request, risk, {"ack_form": form, "ack_hop_id": hop.pk}, status=400)
