"""The guided online application: the draft saved at every step (closing the browser loses nothing), the steps'
order, and turning a complete draft into a case through cases.actions.do_submit_online_application."""

from decimal import Decimal, InvalidOperation

from django.http import HttpRequest

from accounts.models import User
from cases import actions as A
from cases.enums import CaseSource, DisputeType, PartySide
from cases.models import Case
from portal import forms as PF
from portal.codes import PortalRefused, client_ip
from portal.invitations import invite_party
from portal.models import ApplicationDraft
from portal.places import Place
from registry.models import Committee

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


def draft_for(user: User, *, create: bool = True) -> ApplicationDraft:
    """The user's application being written (one at a time). When there is none it is created empty, or with
    `create=False` (a GET: reading a page changes nothing) an unsaved empty draft stands in for it."""
    draft = ApplicationDraft.objects.filter(user=user, submitted_at__isnull=True).first()
    if draft is not None:
        return draft
    return ApplicationDraft.objects.create(user=user, data={}) if create else ApplicationDraft(user=user, data={})


def draft_files(draft: ApplicationDraft):
    """The draft's evidence still attached (none for a draft not yet saved)."""
    from portal.models import Evidence

    if draft.pk is None:
        return Evidence.objects.none()
    return draft.files.filter(removed_at__isnull=True)


def open_draft(user: User) -> ApplicationDraft | None:
    return ApplicationDraft.objects.filter(user=user, submitted_at__isnull=True).exclude(data={}).first()


def raw(post, keys) -> dict:
    return {k: post.get(k, "").strip()[:3000] for k in keys}


def step_keys(step: str) -> list[str]:
    if step == "place":
        return ["county", "township", "village"]
    return list(FORM_STEPS[step].base_fields)


def save_step(draft: ApplicationDraft, step: str, values: dict) -> None:
    data = dict(draft.data)
    data[step] = values
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])


def mark_done(draft: ApplicationDraft, step: str, done: bool) -> None:
    data = dict(draft.data)
    steps = set(data.get("done", []))
    (steps.add if done else steps.discard)(step)
    data["done"] = sorted(steps)
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])


def first_open_step(draft: ApplicationDraft) -> str:
    done = draft.data.get("done", [])
    return next((key for key in STEP_KEYS[:-1] if key not in done), "confirm")


def place_of(draft: ApplicationDraft) -> Place:
    p = draft.data.get("place", {})
    return Place(county=p.get("county", ""), township=p.get("township", ""), village=p.get("village", "")).clean()


def step_context(step: str) -> dict:
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


def bound_steps(draft: ApplicationDraft) -> dict[str, PF.PortalForm]:
    return {step: FORM_STEPS[step](draft.data.get(step) or {}) for step in FORM_STEPS}


def problems(forms: dict[str, PF.PortalForm], committee: Committee | None) -> list[tuple[str, str]]:
    """The steps still to be put right before the application can be submitted, as (step, title)."""
    titles = dict(STEPS)
    found = [(s, titles[s]) for s, f in forms.items() if not f.is_valid()]
    if committee is None:
        found.append(("place", titles["place"]))
    return found


def case_data(user: User, forms: dict[str, PF.PortalForm]) -> A.CaseData:
    """The case the valid steps describe: the user as applicant (with their account), the other side as respondent."""
    about, other, what = (forms[k].cleaned_data for k in ("about", "other", "what"))
    try:
        amount = Decimal(what["amount"]) if what.get("amount") is not None else Decimal("0")
    except InvalidOperation:
        amount = Decimal("0")
    return A.CaseData(
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


def submit(
    request: HttpRequest, draft: ApplicationDraft, forms: dict, committee: Committee, *, triage_opt_out: bool = False
) -> Case:
    """Register the case (with the draft's evidence, in the action's transaction), then invite the other side by
    SMS. `triage_opt_out`: the applicant refused the automated classification suggestion (PIPL art. 24).
    A refused invitation does not undo the application: the applicant can resend from the case page."""
    case = A.do_submit_online_application(
        request.user,
        committee,
        case_data(request.user, forms),
        draft=draft,
        ip_address=client_ip(request),
        triage_opt_out=triage_opt_out,
    )
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    if respondent.phone:
        try:
            invite_party(request, respondent, request.user)
        except PortalRefused:
            pass
    return case
