"""The one door for every state change of a case (DESIGN.md rule 1).

Each `do_*` function is one transaction: lock the case, check the transition table (cases.transitions) and the
actor's relation to the case, apply the guards, write the append-only CaseEvent, and send notifications after
commit. Views, the demo seeder, imports and the API call these functions and nothing else.
"""

from cases.actions.attachments import do_attach_scan, do_withdraw_scan
from cases.actions.base import ActionRefused
from cases.actions.guardians import do_record_guardian_consent
from cases.actions.intake import (
    CaseData,
    PartyData,
    do_accept_case,
    do_assign_mediators,
    do_join_case,
    do_record_party_consent,
    do_record_party_refusal,
    do_recuse_mediator,
    do_refuse_case,
    do_register_case,
    do_transfer_case,
    do_withdraw_application,
    format_case_no,
)
from cases.actions.judicial import (
    check_judicial_confirmation_request,
    do_answer_joint_confirmation,
    do_apply_judicial_confirmation,
    do_record_court_acceptance,
    do_record_court_decision,
    do_request_joint_confirmation,
    do_withdraw_joint_confirmation_request,
    jc_deadline,
)
from cases.actions.mediation import (
    TermData,
    do_draft_agreement,
    do_extend_time_limit,
    do_pause_mediation,
    do_record_mediation,
    do_record_oral_agreement,
    do_resume_mediation,
    do_seal_agreement,
    do_sign_agreement,
    do_terminate_mediation,
)
from cases.actions.online import do_accept_invitation, do_submit_online_application
from cases.actions.performance import (
    do_archive_case,
    do_close_case,
    do_confirm_performed,
    do_dispose_case,
    do_rate_service,
    do_record_follow_up,
    do_record_immediate_performance,
    do_record_payment,
    do_report_non_performance,
    do_start_remediation,
    do_urge_performance,
)
from cases.actions.reclassify import do_reclassify
from cases.actions.supervision import (
    do_escalate_supervision,
    do_reply_supervision,
    do_supervise_case,
    do_urge_case,
)
from cases.actions.system import do_auto_terminate, do_mark_overdue  # also registers the timer handlers
from cases.actions.writing import do_put_oral_agreement_in_writing

__all__ = [
    "ActionRefused",
    "CaseData",
    "PartyData",
    "TermData",
    "check_judicial_confirmation_request",
    "do_accept_case",
    "do_accept_invitation",
    "do_answer_joint_confirmation",
    "do_apply_judicial_confirmation",
    "do_archive_case",
    "do_attach_scan",
    "do_assign_mediators",
    "do_close_case",
    "do_confirm_performed",
    "do_dispose_case",
    "do_join_case",
    "do_rate_service",
    "do_reclassify",
    "do_put_oral_agreement_in_writing",
    "do_record_guardian_consent",
    "do_record_party_consent",
    "do_withdraw_application",
    "do_withdraw_scan",
    "do_draft_agreement",
    "do_extend_time_limit",
    "do_pause_mediation",
    "do_record_court_acceptance",
    "do_record_court_decision",
    "do_record_follow_up",
    "do_record_immediate_performance",
    "do_record_mediation",
    "do_record_oral_agreement",
    "do_record_party_refusal",
    "do_record_payment",
    "do_recuse_mediator",
    "do_refuse_case",
    "do_register_case",
    "do_request_joint_confirmation",
    "do_report_non_performance",
    "do_resume_mediation",
    "do_seal_agreement",
    "do_sign_agreement",
    "do_start_remediation",
    "do_submit_online_application",
    "do_terminate_mediation",
    "do_transfer_case",
    "do_urge_performance",
    # issue 8, timers
    "do_auto_terminate",
    "do_mark_overdue",
    "do_withdraw_joint_confirmation_request",
    "do_supervise_case",
    "do_urge_case",
    "do_reply_supervision",
    "do_escalate_supervision",
    "format_case_no",
    "jc_deadline",
]
