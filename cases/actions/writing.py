"""Putting an oral agreement in writing (口头协议书面化): PML 33 lets the parties to any effective agreement ask a
court to confirm it within 30 days of its effect; a court confirms a written text, so the oral agreement (PML 28,
30) is first written out and signed by the parties. The window still runs from the day the oral agreement took
effect (PML 30), not from the writing."""

from datetime import datetime

from django.db import transaction

from accounts.models import User
from cases.actions.base import check, cn_day, local_date, lock, notify_after_commit, now_or, record, require
from cases.actions.judicial import jc_deadline
from cases.enums import AgreementForm, PartySide, SignatureMethod, SignerRole, TermSubject
from cases.models import Agreement, AgreementSignature, Case, Party
from cases.models.agreement import text_digest
from cases.permissions import current_agreement

PARTY_METHODS = (SignatureMethod.HANDWRITTEN, SignatureMethod.SEAL, SignatureMethod.FINGERPRINT)


def oral_agreement_text(case: Case, agreement: Agreement) -> str:
    """The written text of an oral agreement, as the parties read and sign it (Chinese, one line per item)."""
    lines = ["人民调解协议书（口头协议书面化）", f"调委会：{case.committee.name}"]
    if case.case_no:
        lines.append(f"案号：{case.case_no}")
    for p in case.parties.all():
        lines.append(f"{PartySide(p.side).label}：{p.name}")
    lines.append(f"口头协议达成并生效日期：{cn_day(local_date(agreement.effective_at))}")
    lines.append(f"纠纷主要事实、争议事项：{agreement.facts}")
    lines.append("协议内容：")
    for t in agreement.terms.select_related("obligor", "obligee").order_by("order", "id"):
        amount = f"{t.amount}元，" if t.amount else ""
        concern = "" if t.subject == TermSubject.GENERAL else f"（涉及{TermSubject(t.subject).label}）"
        place = f"，地点：{t.place}" if t.place else ""
        lines.append(
            f"{t.order}. {t.obligor.name}向{t.obligee.name}：{t.content}{concern}，{amount}"
            f"履行方式：{t.manner}{place}，履行期限：{cn_day(t.deadline)}"
        )
    return "\n".join(lines)


def do_put_oral_agreement_in_writing(
    case: Case,
    actor: User,
    *,
    signers: list[tuple[Party, str]],
    at: datetime | None = None,
) -> Agreement:
    """Self-loop after the agreement (AGREEMENT_REACHED … CLOSED), by an assigned mediator: the current oral
    agreement is written out and every party signs, seals or fingerprints the text; the mediator signs it too.

    Preconditions: the current agreement is an effective oral agreement not yet put in writing; `signers` names
    each party of the case exactly once with a paper signing method. Side effects: the written text is stored on
    the agreement with its signatures (each with the text's hash), and judicial confirmation becomes available
    (cases.permissions.jc_unavailable_reason) within the window that began when the oral agreement took effect."""
    at = now_or(at)
    with transaction.atomic():
        case = lock(case)
        check(case, "put_oral_in_writing", actor)
        agreement = current_agreement(case)
        require(
            agreement is not None and agreement.form == AgreementForm.ORAL and agreement.effective_at is not None,
            "本案现行协议不是已生效的口头协议",
        )
        require(agreement.put_in_writing_at is None, "该口头协议已书面化")
        mediator = getattr(actor, "mediator", None)
        require(mediator is not None, "只有调解员本人可以办理书面化并签名")
        party_ids = [p.pk for p, _m in signers]
        require(
            sorted(party_ids) == sorted(case.parties.values_list("pk", flat=True)),
            "书面化协议须由各方当事人签署（每位当事人一次）",
            "signers",
        )
        require(all(m in PARTY_METHODS for _p, m in signers), "请选择签署方式（签名、盖章或按指印）", "signers")
        text = oral_agreement_text(case, agreement)
        digest = text_digest(text)
        agreement.written_text = text
        agreement.put_in_writing_at, agreement.put_in_writing_by = at, actor
        agreement.save(update_fields=["written_text", "put_in_writing_at", "put_in_writing_by"])
        common = {
            "agreement": agreement,
            "signed_at": at,
            "recorded_by": actor,
            "text_hash": digest,
            "signed_text": text,
        }
        AgreementSignature.objects.bulk_create(
            [AgreementSignature(signer_role=SignerRole.PARTY, party=p, method=m, **common) for p, m in signers]
            + [
                AgreementSignature(
                    signer_role=SignerRole.MEDIATOR, mediator=mediator, method=SignatureMethod.HANDWRITTEN, **common
                )
            ]
        )
        last_day = jc_deadline(case)
        record(
            case,
            "put_oral_in_writing",
            actor,
            at,
            note=(
                "口头协议已书面化，各方当事人已签署；申请司法确认的期间自口头协议生效之日起算，"
                f"最后一日为{cn_day(last_day)}"
            ),
            data={"agreement": agreement.pk, "hash": digest},
        )
        notify_after_commit(case, "口头调解协议已形成书面文本并经各方签署，可依法共同申请司法确认", actor, at=at)
    return agreement


__all__ = ["do_put_oral_agreement_in_writing", "oral_agreement_text"]
