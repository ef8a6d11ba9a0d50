"""The one triage function behind the pages, the API endpoint and `manage.py triage` (issue 13).

`suggest(text)` returns a `Suggestion`: dispute type, risk level and flags, route, each with a confidence and the
reasons (the words found in the text, the rules that fired). A person decides; see triage.decisions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Suggestion:
    dispute_type: str
    type_confidence: float
    risk_level: str
    level_confidence: float
    risk_flags: list[str]
    route: str
    route_confidence: float
    # {"dispute_type": {"confidence": float, "words": [...], "alternatives": [[code, p], ...]},
    #  "risk_level": {"confidence": float, "rules": [str, ...], "words": [...]},
    #  "risk_flags": {FLAG: {"words": [...], "rule": str}},
    #  "route": {"confidence": float, "rule": str, "words": [...]}}
    reasons: dict = field(default_factory=dict)
    model_version: str = ""

    def as_output(self, id_: object) -> dict:
        """One line of `manage.py triage --output` and the API's response body."""
        return {
            "id": id_,
            "dispute_type": self.dispute_type,
            "risk_level": self.risk_level,
            "risk_flags": list(self.risk_flags),
            "route": self.route,
            "reasons": self.reasons,
        }

    def as_dict(self) -> dict:
        return asdict(self)


def suggest(
    text: str,
    *,
    headcount: int | None = None,
    amount_yuan: Decimal | int | None = None,
    division_code: str = "",
) -> Suggestion:
    """Triage one dispute description. `headcount` / `amount_yuan`, when the form knows them, feed the configured
    thresholds (data/risk_escalation.json) alongside what the text says."""
    from triage import engine

    return engine.get().suggest(text, headcount=headcount, amount_yuan=amount_yuan, division_code=division_code)
