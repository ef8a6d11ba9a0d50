"""Registers the timer handlers of screening with cases.timers (imported by ScreeningConfig.ready):
SCREENING_REPORT_DUE in screening.schedule (h-policy), RISK_ACK_DUE in screening.actions.escalation and
RISK_REVIEW_DUE in screening.actions.risk (h-risk)."""

from screening import schedule  # noqa: F401
from screening.actions import escalation, risk  # noqa: F401
