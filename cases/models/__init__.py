from .agreement import Agreement, AgreementSignature, AgreementTerm, Instalment
from .attachments import CaseAttachment
from .case import Case, CaseEvent, CaseSequence, Notification, Party, RecusalRequest
from .records import Extension, FollowUp, JudicialConfirmation, MediationRecord, PerformanceRecord, Rating
from .timers import Timer, TimerKind

__all__ = [
    "Agreement",
    "AgreementSignature",
    "AgreementTerm",
    "CaseAttachment",
    "Case",
    "CaseEvent",
    "CaseSequence",
    "Extension",
    "FollowUp",
    "Instalment",
    "JudicialConfirmation",
    "MediationRecord",
    "Notification",
    "Party",
    "PerformanceRecord",
    "Rating",
    "RecusalRequest",
    "Timer",
    "TimerKind",
]
