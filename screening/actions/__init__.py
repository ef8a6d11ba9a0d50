"""The one door for every change in screening (DESIGN rule 1): each `do_*` runs in one transaction, checks the
actor against screening.permissions, records its history, and writes its notices and webhooks in the same
transaction (the outbox). Views, the demo seeder and the timers call these; nothing else writes the models."""

from screening.actions.escalation import do_acknowledge, do_instruct
from screening.actions.forms import do_correct_form, do_create_form, do_submit_form
from screening.actions.policy import (
    do_add_special_period,
    do_cancel_special_period,
    do_close_campaign,
    do_set_policy,
    do_start_campaign,
)
from screening.actions.reports import (
    do_add_finding,
    do_correct_report,
    do_open_case_from_finding,
    do_resolve_finding,
    do_submit_report,
    do_submit_zero_report,
)
from screening.actions.risk import (
    do_assess_risk,
    do_change_level,
    do_record_meeting,
    do_resolve_risk,
    do_review_risk,
    do_update_risk,
    open_risk_from_termination,
)

__all__ = [
    "do_acknowledge",
    "do_add_finding",
    "do_add_special_period",
    "do_assess_risk",
    "do_cancel_special_period",
    "do_change_level",
    "do_close_campaign",
    "do_correct_form",
    "do_correct_report",
    "do_create_form",
    "do_instruct",
    "do_open_case_from_finding",
    "do_record_meeting",
    "do_resolve_finding",
    "do_resolve_risk",
    "do_review_risk",
    "do_set_policy",
    "do_start_campaign",
    "do_submit_form",
    "do_submit_report",
    "do_submit_zero_report",
    "do_update_risk",
    "open_risk_from_termination",
]
