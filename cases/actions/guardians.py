"""Minors and adults without full civil capacity (民法典 arts 19–23; PIPL art. 31; 未成年人保护法 art. 72): their
guardian (法定代理人) consents to the mediation on their behalf before a mediator is assigned
(docs/adr/0003-minors.md)."""

from datetime import datetime

from django.db import transaction

from accounts.models import User
from cases.actions.base import check, lock, notify_after_commit, now_or, record, require
from cases.models import Case, Party


def do_record_guardian_consent(
    case: Case,
    actor: User,
    *,
    party: Party,
    guardian_name: str,
    consent_record: str,
    at: datetime | None = None,
) -> Party:
    """Self-loop in INTAKE/ACCEPTED, by the director: the guardian of a minor or of a party without full capacity
    consents to mediation (and to the processing of the ward's data that it needs).

    Preconditions: the party belongs to the case, needs a guardian, has no consent recorded yet; the guardian's name
    matches the one registered (or fills it in); how the consent was given is described. Assignment of a mediator
    is refused until every such party has it (do_assign_mediators). Side effects: the party's consent fields, an
    event naming the guardian, a notice to the case."""
    at = now_or(at)
    guardian_name = guardian_name.strip()
    require(len(guardian_name) >= 2, "请填写监护人（法定代理人）姓名", "guardian_name")
    require(
        len(consent_record.strip()) >= 4,
        "请记录监护人同意调解的方式和时间（如当面签字、书面同意书）",
        "consent_record",
    )
    with transaction.atomic():
        case = lock(case)
        check(case, "guardian_consent", actor)
        party = Party.objects.select_for_update().get(pk=party.pk)
        require(party.case_id == case.pk, "该当事人不属于本案", "party")
        require(party.needs_guardian, f"{party.display_name}具有完全民事行为能力，无需监护人同意", "party")
        require(party.guardian_consent_at is None, f"已登记{party.display_name}的监护人同意调解", "party")
        require(
            not party.guardian_name or party.guardian_name == guardian_name,
            f"监护人姓名与登记的法定代理人（{party.guardian_name}）不一致",
            "guardian_name",
        )
        party.guardian_name = guardian_name
        party.guardian_consent_at = at
        party.guardian_consent_note = consent_record.strip()[:200]
        party.save(update_fields=["guardian_name", "guardian_consent_at", "guardian_consent_note"])
        record(
            case,
            "guardian_consent",
            actor,
            at,
            note=f"{party.display_name}的监护人{guardian_name}同意调解：{consent_record.strip()}",
            data={"party": party.pk},
        )
        notify_after_commit(case, f"已登记{party.display_name}的监护人同意调解", actor, at=at)
    return party


__all__ = ["do_record_guardian_consent"]
