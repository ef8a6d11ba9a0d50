"""What the parties are told at the end about the agreement (PML 32, 33): the wording depends on whether a court
confirmed it. Read by the closing action, the case page and the closing report."""

from cases.enums import AgreementStatus, JCStatus
from cases.models import Case

ENFORCEMENT_ADVICE = "可以向人民法院申请强制执行"
LITIGATION_ADVICE = "可以就调解协议的履行或者内容向人民法院提起诉讼"


def closing_advice(case: Case) -> str:
    """The advice for the case's current agreement: confirmed by a court → enforcement (PML 33); effective but not
    confirmed → a lawsuit over its performance or content (PML 32); no effective agreement → "" (the routes told
    at termination, PML 26, are on the case)."""
    from cases.permissions import current_agreement, current_jc

    agreement = current_agreement(case)
    if agreement is None or agreement.effective_at is None:
        return ""
    jc = current_jc(case)
    if agreement.status == AgreementStatus.CONFIRMED_BY_COURT or (jc and jc.status == JCStatus.CONFIRMED_VALID):
        return f"本调解协议已经人民法院司法确认有效，一方当事人拒绝履行或者未全部履行的，对方当事人{ENFORCEMENT_ADVICE}"
    return f"本调解协议未经人民法院司法确认，当事人之间就调解协议的履行或者内容发生争议的，{LITIGATION_ADVICE}"


__all__ = ["ENFORCEMENT_ADVICE", "LITIGATION_ADVICE", "closing_advice"]
