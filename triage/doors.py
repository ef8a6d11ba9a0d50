"""The triage panel at the doors a new dispute comes through: the context of the panel on a registration form
(walk-in registration, a screening finding registered as a case) and what is stored when the form is submitted."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from triage import decisions as triage
from triage.forms import TriageDecisionForm


def register_panel(
    request: HttpRequest, form, decision: TriageDecisionForm, url: str, *args, division_code: str = "", headcount=None
) -> dict:
    """The triage panel's context on a registration form: refreshed as the facts are typed; at load it shows the
    suggestion for what the form already holds (a finding's facts, or what a refused submission typed)."""
    if not triage.enabled():
        return {}
    values = form.data if form.is_bound else form.initial
    text = triage.case_text(values.get("brief_facts", "") or "", values.get("claims", "") or "")
    division_code = division_code or request.user.committee.division_id
    if headcount is None and form.is_bound:
        from triage.views import _amount, typed_headcount

        headcount, amount = typed_headcount(values), _amount(values.get("amount_involved"))
    else:
        amount = None
    # The same inputs as the live fragment and the stored suggestion (the named parties, the amount typed).
    shown = (
        triage.live(text, headcount=headcount, amount_yuan=amount, division_code=division_code)
        if len(text) >= 4
        else None
    )
    return {
        "panel_url": reverse(url, args=args),
        "triage_shown": shown,
        "triage_live": True,
        "adopt_target": "id_dispute_type",
        "decision_level": decision["level"],
        "decision_route": decision["route"],
        "decision_opt_out": decision["opt_out"],
    }


def registration_suggestion(data, division_code: str, decision: TriageDecisionForm, headcount=None):
    """BEFORE the registration's transaction: what triage suggests for the case data as submitted (a
    cases.actions.CaseData), or None (switched off, the party opted out, or the engine failed: triage is advice and
    the registration goes on without it)."""
    if not triage.enabled() or decision.opted_out():
        return None
    return triage.compute(
        triage.case_text(data.brief_facts, data.claims),
        headcount=headcount or len(data.parties) or None,
        amount_yuan=data.amount_involved or None,
        division_code=division_code,
    )


def register_triage(case, user, subject: str, decision: TriageDecisionForm, suggestion, obj=None) -> None:
    """In the registration's transaction: the suggestion computed before it (`registration_suggestion`) stored for
    the case as registered, with the registrar's choice (the type on the form; the level and route confirmed in the
    panel, blank = as suggested; the flags are not asked, not decided). Nothing is stored without a suggestion
    (triage switched off, the party's opt-out under PIPL art. 24, or the engine failed)."""
    stored = triage.record_suggestion(
        subject,
        triage.case_text(case.brief_facts, case.claims),
        suggestion,
        case=case,
        obj=obj,
        division_code=case.division_code,
    )
    if stored is None:
        return
    triage.decide_as_suggested_but(
        stored,
        user,
        dispute_type=case.dispute_type,
        risk_level=decision.choice("level"),
        route=decision.choice("route"),
    )


def subject_panel(subject) -> dict:
    """The panel, display only, where a 矛调中心 dispatches a case in intake or a referral it received: the suggested
    route helps choose the receiver; the receiver decides the type when it accepts (nothing stored here)."""
    from cases.models import Case
    from triage.views import case_shown, referral_shown

    if not triage.enabled():
        return {}
    is_case = isinstance(subject, Case)
    return {
        "panel_url": reverse("triage:panel_case" if is_case else "triage:panel_referral", args=[subject.pk]),
        "triage_shown": case_shown(subject) if is_case else referral_shown(subject),
        "adopt_target": "",
    }
