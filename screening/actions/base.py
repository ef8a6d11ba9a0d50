"""What every screening action shares: the refusal (cases.actions.base.ActionRefused, shown next to the field),
the clock, and the risk's append-only history. h-core."""

from datetime import datetime

from accounts.models import User
from cases.actions.base import ActionRefused, cn_day, local_date, now_or, require
from screening.models import EscalationHop, RiskAssessment, RiskEvent

__all__ = ["ActionRefused", "cn_day", "local_date", "now_or", "require", "record_event", "SYSTEM_LABEL"]

# How the timeline names the system when a clock acted (RiskEvent.actor_label).
SYSTEM_LABEL = {
    "escalation": "系统（预警签收计时）",
    "review": "系统（复核提醒）",
    "workflow": "系统（流程联动）",
}


def record_event(
    risk: RiskAssessment,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    hop: EscalationHop | None = None,
    text: str = "",
    from_level: str = "",
    to_level: str = "",
    data: dict | None = None,
    system: str = "workflow",
) -> RiskEvent:
    """Append one line to the risk's history, in the caller's transaction. `actor=None` is the system, named by
    `system` (a key of SYSTEM_LABEL)."""
    return RiskEvent.objects.create(
        risk=risk,
        kind=kind,
        at=at,
        actor=actor,
        actor_label="" if actor is not None else SYSTEM_LABEL.get(system, system),
        hop=hop,
        text=text,
        from_level=from_level,
        to_level=to_level,
        data=data or {},
    )
