"""What goes back to the institutions as the case of their referral moves (在线调解规则 arts 19–26): called by
cases.actions.base.record (through referrals.services.case_event_recorded) inside the case action's transaction.

- extend → referral.extended: a court's mediation clock moves to the case's new limit; the Extension records every
  party's consent;
- pause (鉴定评估) → referral.paused; resume → referral.resumed, the paused days added and the due date moved;
- agreement_effective / oral_agreement → the referral SUCCEEDED with the agreement (a 委派 agreement is filed with
  the court through the platform, 特邀调解规定 art. 19) → referral.concluded (SUCCESS);
- terminate / auto_terminate / party_refusal → the referral awaits the failure report (the mediator is told);
- jc_apply → referral.jc_requested.

Cheap for every other case: the action is looked at first (no query), then one indexed query for the case's live
referrals. Never raises for a case without referrals.
"""

from datetime import date, datetime, timedelta

from cases.models import Case
from referrals import clocks
from referrals.enums import Channel, CourtTermination, ReferralEventKind, ReferralStatus
from referrals.models import Referral

HOOKED = frozenset(
    {
        "extend",
        "pause",
        "resume",
        "agreement_effective",
        "oral_agreement",
        "terminate",
        "auto_terminate",
        "party_refusal",
        "jc_apply",
    }
)

# The court ground (art. 25) a case's termination suggests, for the failure report's default.
GROUND_OF_TERMINATION = {
    "PARTY_REFUSED": CourtTermination.UNWILLING,
    "PARTY_WITHDREW": CourtTermination.UNWILLING,
    "NO_PROSPECT": CourtTermination.DIFFERENCES,
    "TIME_LIMIT_NO_CONSENT": CourtTermination.EXPIRED,
    "PARTY_UNREACHABLE": CourtTermination.UNREACHABLE,
    "EXCLUDED_ACCEPTED_ELSEWHERE": CourtTermination.OTHER,
    "EXCLUDED_CRIMINAL_OR_ADMIN": CourtTermination.OTHER,
    "OTHER": CourtTermination.OTHER,
}


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def case_event_recorded(case: Case, event) -> None:
    referrals = list(
        Referral.objects.filter(
            case_id=case.pk, status__in=[ReferralStatus.ACCEPTED, ReferralStatus.SUCCEEDED]
        ).select_related("institution")
    )
    if not referrals:
        return
    handler = globals()[f"_on_{event.action}"] if event.action != "auto_terminate" else _on_terminate
    for referral in referrals:
        referral.case = case  # the locked, current case of the action
        handler(referral, case, event)


def _services():
    from referrals import services

    return services


def _on_extend(referral: Referral, case: Case, event) -> None:
    if referral.status != ReferralStatus.ACCEPTED:
        return
    s = _services()
    at: datetime = event.at
    old_due, new_due = _date(event.data.get("old_due")), _date(event.data.get("new_due"))
    extension = case.extensions.order_by("-at", "-id").first()
    consenting = list(extension.consenting_parties.values_list("pk", flat=True)) if extension is not None else []
    old_mediation_due = referral.mediation_due
    if referral.mediation_due is not None and new_due is not None:
        referral.mediation_due = new_due
        referral.save(update_fields=["mediation_due", "updated_at"])
    s._event(
        referral,
        ReferralEventKind.EXTENDED,
        at,
        user=event.actor,
        note=event.note,
        data={
            "old_due": s._iso(old_mediation_due or old_due),
            "new_due": s._iso(referral.mediation_due or new_due),
            "extension": extension.pk if extension is not None else None,
            "consenting_parties": len(consenting),
            "all_parties_consented": extension is not None and len(consenting) == case.parties.count(),
        },
    )
    clocks.sync_clocks(referral, at, case_failed=False)
    s._emit(
        referral,
        "referral.extended",
        at,
        old_due=s._iso(old_mediation_due or old_due),
        mediation_due=s._iso(referral.mediation_due or new_due),
        consenting_parties=len(consenting),
        all_parties_consented=extension is not None and len(consenting) == case.parties.count(),
    )


def _on_pause(referral: Referral, case: Case, event) -> None:
    # Only an appraisal or valuation (鉴定评估) stops the referral's clock (在线调解规则 art. 26); any other pause of
    # the case leaves it running, and the institution is not told of it.
    if referral.status != ReferralStatus.ACCEPTED or not (event.data or {}).get("appraisal"):
        return
    s = _services()
    referral.paused_since = clocks.local_date(event.at)
    referral.save(update_fields=["paused_since", "updated_at"])
    s._event(referral, ReferralEventKind.PAUSED, event.at, user=event.actor, note=event.note)
    clocks.sync_clocks(referral, event.at, case_failed=False)
    s._emit(referral, "referral.paused", event.at, paused_since=referral.paused_since.isoformat())


def _on_resume(referral: Referral, case: Case, event) -> None:
    if referral.status != ReferralStatus.ACCEPTED or referral.paused_since is None:
        return  # the pause was not an appraisal: the referral's clock never stopped
    s = _services()
    today = clocks.local_date(event.at)
    since = referral.paused_since
    days = int(event.data.get("paused_days", (today - since).days if since else 0))
    old_due = referral.mediation_due
    if referral.mediation_due is not None:
        case_old, case_new = _date(event.data.get("old_due")), _date(event.data.get("new_due"))
        if case_old is not None and case_old == referral.mediation_due and case_new is not None:
            referral.mediation_due = case_new  # the court's clock is the case's limit: moved with it
        else:
            referral.mediation_due = clocks.next_working_day(referral.mediation_due + timedelta(days=days))
    referral.paused_days += days
    referral.paused_since = None
    referral.save(update_fields=["mediation_due", "paused_days", "paused_since", "updated_at"])
    s._event(
        referral,
        ReferralEventKind.RESUMED,
        event.at,
        user=event.actor,
        note=event.note,
        data={"paused_days": days, "old_due": s._iso(old_due), "new_due": s._iso(referral.mediation_due)},
    )
    clocks.sync_clocks(referral, event.at, case_failed=False)
    s._emit(
        referral,
        "referral.resumed",
        event.at,
        paused_days=days,
        total_paused_days=referral.paused_days,
        mediation_due=s._iso(referral.mediation_due),
    )


def _on_agreement(referral: Referral, case: Case, event) -> None:
    from cases.actions.base import check, record
    from cases.enums import CourtReferralType, Outcome, SystemJob
    from cases.models import Agreement

    if referral.status != ReferralStatus.ACCEPTED:
        return
    s = _services()
    at = event.at
    agreement = Agreement.objects.filter(pk=event.data.get("agreement"), case=case).first()
    referral.status = ReferralStatus.SUCCEEDED
    referral.concluded_at = at
    referral.agreement = agreement
    referral.termination_ground = CourtTermination.AGREEMENT
    referral.paused_since = None
    # A 委派 agreement is filed with the referring court (特邀调解规定 art. 19): the platform files it by this report.
    referral.filed_with_court = referral.channel == Channel.COURT and referral.referral_type == CourtReferralType.WEIPAI
    referral.save(
        update_fields=[
            "status",
            "concluded_at",
            "agreement",
            "termination_ground",
            "paused_since",
            "filed_with_court",
            "updated_at",
        ]
    )
    s._event(
        referral,
        ReferralEventKind.CONCLUDED,
        at,
        note="达成调解协议" + ("，已向法院备案" if referral.filed_with_court else ""),
        data={"outcome": Outcome.SUCCESS, "agreement": agreement.pk if agreement else None},
    )
    check(case, "referral_report", None)
    record(
        case,
        "referral_report",
        None,
        at,
        note=f"向{referral.institution.name}反馈调解成功（调解协议）",
        data={"referral": referral.pk, "outcome": Outcome.SUCCESS},
        job=SystemJob.REFERRAL_MONITOR,
    )
    clocks.sync_clocks(referral, at, case_failed=False)
    s._emit(
        referral,
        "referral.concluded",
        at,
        outcome=Outcome.SUCCESS,
        agreement_id=agreement.pk if agreement else None,
        agreement_form=agreement.form if agreement else None,
        effective_at=s._iso(agreement.effective_at) if agreement else None,
        filed_with_court=referral.filed_with_court,
        concluded_at=at.isoformat(),
    )


_on_agreement_effective = _on_agreement
_on_oral_agreement = _on_agreement


def _on_terminate(referral: Referral, case: Case, event) -> None:
    from notifications.enums import NoticeKind

    if referral.status != ReferralStatus.ACCEPTED:
        return
    s = _services()
    if not referral.termination_ground:
        referral.termination_ground = GROUND_OF_TERMINATION.get(case.termination_reason, CourtTermination.OTHER)
        if event.action == "auto_terminate":
            referral.termination_ground = CourtTermination.EXPIRED
        referral.save(update_fields=["termination_ground", "updated_at"])
    clocks.sync_clocks(referral, event.at, case_failed=True)
    s._notify_staff(
        referral,
        NoticeKind.REFERRAL_CLOCK,
        f"案件{case.case_no or case.registration_no}调解终止，请向{referral.institution.name}报送调解不成功报告"
        "（调解经过、不成原因、增加诉讼成本的行为、其他情形，无争议事实及退回材料）",
        event.at,
        sms=f"案件{case.case_no or case.registration_no}调解终止，请登录调解平台向移送机构报送调解不成功报告。",
    )


_on_party_refusal = _on_terminate


def _on_jc_apply(referral: Referral, case: Case, event) -> None:
    if referral.jc_requested:
        return
    s = _services()
    referral.jc_requested = True
    referral.save(update_fields=["jc_requested", "updated_at"])
    s._event(referral, ReferralEventKind.JC_REQUESTED, event.at, user=event.actor, note=event.note)
    s._emit(referral, "referral.jc_requested", event.at, requested_at=event.at.isoformat())
