"""Template tags of screening (level badges, the case page's risk panel). Owner: h-board."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from screening.enums import LEVEL_WORD, RiskLevel

register = template.Library()

# Badge colours of the three levels (white on red and dark orange, dark on yellow: readable contrast).
LEVEL_STYLE = {
    RiskLevel.RED: "background-color:#dc3545;color:#fff",
    RiskLevel.ORANGE: "background-color:#c2410c;color:#fff",
    RiskLevel.YELLOW: "background-color:#ffc107;color:#212529",
}


@register.simple_tag
def level_badge(level: str, long: bool = False) -> str:
    """The coloured badge of a risk level: 红色 / 橙色 / 黄色 (long=True: 红色（立即报告）…)."""
    label = str(RiskLevel(level).label) if long and level in RiskLevel.values else LEVEL_WORD.get(level, level)
    return format_html(
        '<span class="badge risk-level" data-level="{}" style="{}">{}</span>',
        level,
        LEVEL_STYLE.get(level, "background-color:#6c757d;color:#fff"),
        label,
    )


@register.simple_tag
def case_risks(case, user) -> dict | None:
    """The risks of a case the user may see (level, title, status, chain state) and whether they may assess it,
    for the staff case page. Two queries (risks, their hops) and the permission check; None when there is
    nothing to show (no risk and no right to assess)."""
    from accounts.models import Role
    from screening import board as B
    from screening.permissions import can_assess_case
    from screening.scoping import risks_visible_to

    if not getattr(user, "is_authenticated", False) or user.role in (Role.PARTY, Role.API_CLIENT):
        return None
    now = timezone.now()
    risks = list(
        risks_visible_to(user)
        .filter(case_id=case.pk)
        .prefetch_related(B.hops_prefetch(user))
        .annotate(level_rank=B.level_rank())
        .order_by("level_rank", "-created_at", "-id")
    )
    risks.sort(key=lambda r: r.status != "OPEN")  # stable: open ones first, each group by level then newest
    may_assess = can_assess_case(user, case)
    if not risks and not may_assess:
        return None
    rows = [{"risk": r, "chain": B.chain_state(r, now)} for r in risks]
    return {"rows": rows, "can_assess": may_assess, "open": sum(1 for r in risks if r.status == "OPEN")}
