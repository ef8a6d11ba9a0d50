"""The escalation ladder (issue 12 point 4): push, acknowledge, instruct, time out, police hand-off. Owner: h-risk.

A RED or ORANGE risk gets hop 1 at the first rung of its level's ladder (data/risk_escalation.json) with an
acknowledgement deadline (a RISK_ACK_DUE timer on the hop). An acknowledgement below `report_up_to` passes the risk
on to the next rung at once (逐级上报); at or above it the chain stops. A hop unacknowledged at its deadline is
TIMED_OUT and the risk goes to the next rung (逾期未签收自动上报), beyond report_up_to if need be. A rung with no
recipients in the area is skipped (recorded). Risks with a police flag also get a POLICE hop at once (and a signed
`risk.reported` webhook to the police institution, through api.webhooks.emit)."""

from datetime import datetime

from accounts.models import User
from screening.models import EscalationHop, RiskAssessment, RiskEvent


def start_chain(risk: RiskAssessment, actor: User | None, at: datetime) -> list[EscalationHop]:
    """Start (or restart, after a level change) the ladder of an open RED/ORANGE risk; returns the hops pushed."""
    raise NotImplementedError


def stop_chain(risk: RiskAssessment, actor: User | None, at: datetime, *, reason: str) -> int:
    """Cancel the pending hops (and their timers) of a risk; returns how many."""
    raise NotImplementedError


def do_acknowledge(actor: User, hop: EscalationHop, *, note: str = "", at: datetime | None = None) -> EscalationHop:
    """签收: can_acknowledge(actor, hop). Stops the hop's timer; passes the risk on when below report_up_to."""
    raise NotImplementedError


def do_instruct(actor: User, risk: RiskAssessment, *, text: str, at: datetime | None = None) -> RiskEvent:
    """A 批示 / instruction on the risk, told to its committee, owner and the hops' recipients."""
    raise NotImplementedError
