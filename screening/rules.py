"""Thresholds into suggestions (data/risk_escalation.json "thresholds"): the flags a finding's or a case's figures
suggest, with the reason of each, and whether a finding is 重大. A person decides; the suggestion is explained.
Owner: h-risk.

Every number and every word lives in the configuration (per-area overrides through screening.config.rules):
mass_parties_headcount → MASS_PARTIES; large_amount_yuan → LARGE_AMOUNT; a wage dispute (wage_dispute_types, or a
labour_dispute_types dispute whose text mentions one of wage_words) with wage_dispute_workers or more people, and a
work injury (work_injury_words) with work_injury_people or more → MASS_PARTIES (both are 重大 criteria of
mediation-domain.md §11); keywords: the words of the facts and risk signs that suggest each flag (the reason names
the word found, so the person reading it can see why, and can see when the text says the opposite)."""

from decimal import Decimal

from screening import config
from screening.enums import RiskFlag, RiskLevel


def _fmt_amount(amount: Decimal) -> str:
    if amount >= 10000 and amount % 10000 == 0:
        return f"{int(amount // 10000)}万元"
    return f"{amount.normalize():f}元"


def suggest_flags(
    *, headcount: int, amount: Decimal | None, dispute_type: str, text: str = "", division_code: str = ""
) -> list[tuple[str, str]]:
    """(RiskFlag, reason) pairs, e.g. ("MASS_PARTIES", "涉及12人，达到10人以上群体性标准"). One pair per flag (the
    first reason found), in RiskFlag's order."""
    t = config.thresholds(division_code)
    text = text or ""
    headcount = int(headcount or 0)
    found: dict[str, str] = {}

    mass = int(t["mass_parties_headcount"])
    if headcount >= mass:
        found[RiskFlag.MASS_PARTIES] = f"涉及{headcount}人，达到{mass}人以上群体性标准"
    wage_words = [w for w in t.get("wage_words", []) if w in text]
    is_wage = dispute_type in t.get("wage_dispute_types", []) or (
        dispute_type in t.get("labour_dispute_types", []) and bool(wage_words)
    )
    workers = int(t["wage_dispute_workers"])
    if is_wage and headcount >= workers and RiskFlag.MASS_PARTIES not in found:
        found[RiskFlag.MASS_PARTIES] = f"拖欠工资纠纷涉及{headcount}名劳动者，达到{workers}人以上重大纠纷标准"
    injury_words = [w for w in t.get("work_injury_words", []) if w in text]
    injured = int(t["work_injury_people"])
    if injury_words and headcount >= injured and RiskFlag.MASS_PARTIES not in found:
        found[RiskFlag.MASS_PARTIES] = f"工伤纠纷涉及{headcount}人，达到{injured}人以上重大纠纷标准"

    large = Decimal(str(t["large_amount_yuan"]))
    if amount is not None and amount >= large:
        found[RiskFlag.LARGE_AMOUNT] = f"涉及金额{_fmt_amount(Decimal(amount))}，达到{_fmt_amount(large)}以上标准"

    for flag, words in t.get("keywords", {}).items():
        if flag in found or flag not in RiskFlag.values:
            continue
        hits = [w for w in words if w in text]
        hits = [w for w in hits if not any(w != other and w in other for other in hits)]  # 上访 inside 集体上访
        if hits:
            quoted = "、".join(f"“{w}”" for w in hits[:3])
            found[flag] = f"情况描述中出现{quoted}，请核实是否存在{str(RiskFlag(flag).label).removeprefix('可能')}风险"

    return [(flag, found[flag]) for flag in RiskFlag.values if flag in found]


def is_major(
    *,
    headcount: int,
    amount: Decimal | None,
    flags: list[str],
    level: str = "",
    division_code: str = "",
    dispute_type: str = "",
    text: str = "",
) -> bool:
    """重大矛盾纠纷: headcount ≥ mass_parties_headcount, amount ≥ large_amount_yuan, a major flag, or a RED/ORANGE
    risk; with `dispute_type` (and `text`), also a wage dispute or work injury at its threshold."""
    t = config.thresholds(division_code)
    if int(headcount or 0) >= int(t["mass_parties_headcount"]):
        return True
    if amount is not None and Decimal(amount) >= Decimal(str(t["large_amount_yuan"])):
        return True
    if set(flags or []) & set(t.get("major_flags", [])):
        return True
    if level in (RiskLevel.RED, RiskLevel.ORANGE):
        return True
    if dispute_type:
        suggested = dict(
            suggest_flags(
                headcount=headcount, amount=amount, dispute_type=dispute_type, text=text, division_code=division_code
            )
        )
        if RiskFlag.MASS_PARTIES in suggested:
            return True
    return False


def headcount_bucket(headcount: int, bounds: list[int]) -> int:
    """Index of the form's headcount bucket: bounds [50, 100, 500] → 0 (<50), 1 (50–100), 2 (100–500), 3 (>500).
    50 and 100 fall in 50–100, 500 in 100–500 (the form's 50–100 and 100–500 are inclusive at the top)."""
    n = int(headcount or 0)
    if not bounds or n < bounds[0]:
        return 0
    for i in range(1, len(bounds)):
        if n <= bounds[i]:
            return i
    return len(bounds)
