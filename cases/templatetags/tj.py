from django import template
from django.utils.html import format_html

from cases.enums import CaseStatus

register = template.Library()

_COLOURS = {
    CaseStatus.INTAKE: "warning",
    CaseStatus.ACCEPTED: "info",
    CaseStatus.IN_MEDIATION: "primary",
    CaseStatus.PAUSED: "secondary",
    CaseStatus.REMEDIATION: "primary",
    CaseStatus.AGREEMENT_REACHED: "success",
    CaseStatus.PERFORMING: "success",
    CaseStatus.NON_PERFORMANCE: "danger",
    CaseStatus.PERFORMED: "success",
    CaseStatus.TERMINATED: "dark",
    CaseStatus.NOT_ACCEPTED: "dark",
    CaseStatus.TRANSFERRED_OUT: "secondary",
    CaseStatus.CLOSED: "secondary",
    CaseStatus.ARCHIVED: "light",
    CaseStatus.DISPOSED: "light",
    CaseStatus.MERGED: "secondary",
}


@register.simple_tag
def status_badge(status: str) -> str:
    colour = _COLOURS.get(status, "secondary")
    text = "text-bg-" + colour + (" border" if colour == "light" else "")
    return format_html('<span class="badge status-badge {}">{}</span>', text, CaseStatus(status).label)


@register.filter
def status_label(status: str) -> str:
    return CaseStatus(status).label if status else "—"
