"""Thresholds into suggestions (data/risk_escalation.json "thresholds"): the flags a finding's or a case's figures
suggest, with the reason of each, and whether a finding is 重大. A person decides; the suggestion is explained.
Owner: h-risk."""

from decimal import Decimal


def suggest_flags(
    *, headcount: int, amount: Decimal | None, dispute_type: str, text: str = "", division_code: str = ""
) -> list[tuple[str, str]]:
    """(RiskFlag, reason) pairs, e.g. ("MASS_PARTIES", "涉及12人，达到10人以上群体性标准")."""
    raise NotImplementedError


def is_major(
    *, headcount: int, amount: Decimal | None, flags: list[str], level: str = "", division_code: str = ""
) -> bool:
    """重大矛盾纠纷: headcount ≥ mass_parties_headcount, amount ≥ large_amount_yuan, a major flag, or a RED/ORANGE
    risk."""
    raise NotImplementedError


def headcount_bucket(headcount: int, bounds: list[int]) -> int:
    """Index of the form's headcount bucket: bounds [50, 100, 500] → 0 (<50), 1 (50–100), 2 (100–500), 3 (>500).
    50 and 100 fall in 50–100, 500 in 100–500 (the form's 50–100 and 100–500 are inclusive at the top)."""
    raise NotImplementedError
