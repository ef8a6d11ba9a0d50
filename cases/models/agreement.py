"""Mediation agreements (PML 28–30): written or oral, with structured terms and signatures."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.enums import AgreementForm, AgreementStatus, SignatureMethod, SignerRole, TermSubject


def text_digest(text: str) -> str:
    """The hash a signature records of the agreement text it attests to."""
    return hashlib.sha256(text.encode()).hexdigest()


class Agreement(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="agreements")
    form = models.CharField(_("协议形式"), max_length=10, choices=AgreementForm.choices)
    status = models.CharField(
        _("协议状态"), max_length=30, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    facts = models.TextField(_("纠纷主要事实、争议事项"))
    responsibilities = models.TextField(_("各方责任"), blank=True)
    oral_reason = models.CharField(_("采用口头协议的原因"), max_length=200, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True, db_index=True)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # An oral agreement put in writing (书面化) so that the parties can ask for judicial confirmation (PML 33): the
    # written text they signed, when, and who recorded it. Its window still runs from `effective_at` (PML 30).
    written_text = models.TextField(_("书面化文本"), blank=True)
    put_in_writing_at = models.DateTimeField(_("书面化时间"), null=True, blank=True)
    put_in_writing_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case_id", "-drafted_at", "-id"]
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")

    def canonical_text(self) -> str:
        """The exact text that signatures attest to (JSON, so no two different agreements share it); any change to
        it voids earlier signatures."""
        terms = [
            {
                "order": t.order,
                "obligor": t.obligor_id,
                "obligee": t.obligee_id,
                "content": t.content,
                "amount": str(t.amount) if t.amount is not None else None,
                "manner": t.manner,
                "place": t.place,
                "deadline": t.deadline.isoformat(),
                # Only when it is not the ordinary kind, so that texts signed before the field existed keep their hash.
                **({"subject": t.subject} if getattr(t, "subject", TermSubject.GENERAL) != TermSubject.GENERAL else {}),
                "instalments": [
                    [i.due_date.isoformat(), str(i.amount)] for i in t.instalments.order_by("due_date", "id")
                ],
            }
            for t in self.terms.order_by("order", "id")
        ]
        body = {"form": self.form, "facts": self.facts, "responsibilities": self.responsibilities, "terms": terms}
        return json.dumps(body, ensure_ascii=False, sort_keys=True)

    @property
    def in_writing(self) -> bool:
        """A written agreement, or an oral one the parties have since signed in writing (书面化)."""
        return self.form == AgreementForm.WRITTEN or self.put_in_writing_at is not None

    def not_confirmable_subjects(self) -> list[str]:
        """The Chinese labels of what its terms concern that a court may not confirm (2011 rules art. 4)."""
        subjects = self.terms.exclude(subject=TermSubject.GENERAL).values_list("subject", flat=True)
        return [str(TermSubject(s).label) for s in dict.fromkeys(subjects)]

    def text_hash(self) -> str:
        return text_digest(self.canonical_text())

    def valid_signatures(self) -> models.QuerySet:
        """Signatures on the current text: the draft's canonical text, or an oral agreement's written text."""
        expected = text_digest(self.written_text) if self.form == AgreementForm.ORAL else self.text_hash()
        return self.signatures.filter(text_hash=expected, voided_at__isnull=True)


class AgreementTerm(models.Model):
    """One obligation: who owes whom what, how much, how, where and by when (RGD 35)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terms")
    order = models.PositiveSmallIntegerField(default=1)
    obligor = models.ForeignKey("cases.Party", verbose_name=_("义务人"), on_delete=models.PROTECT, related_name="+")
    obligee = models.ForeignKey("cases.Party", verbose_name=_("权利人"), on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("协议内容"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    manner = models.CharField(_("履行方式"), max_length=100)
    place = models.CharField(_("履行地点"), max_length=100, blank=True)
    deadline = models.DateField(_("履行期限"))
    subject = models.CharField(
        _("条款涉及事项"), max_length=20, choices=TermSubject.choices, default=TermSubject.GENERAL
    )

    class Meta:
        ordering = ["agreement_id", "order", "id"]


class Instalment(models.Model):
    term = models.ForeignKey(AgreementTerm, on_delete=models.PROTECT, related_name="instalments")
    due_date = models.DateField(_("到期日"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("履行日期"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]


class AgreementSignature(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    signer_role = models.CharField(max_length=10, choices=SignerRole.choices)
    party = models.ForeignKey("cases.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mediator = models.ForeignKey("registry.Mediator", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("签署方式"), max_length=20, choices=SignatureMethod.choices)
    signed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text_hash = models.CharField(max_length=64)
    # What was signed, kept even if a draft is later revised (its terms are replaced, the signature voided).
    signed_text = models.TextField(blank=True)
    # For online signatures (电子签名法 art. 14): which login session, address and browser signed. The session
    # key is stored as a SHA-256 so that the stored value cannot be replayed as a session cookie.
    session_ref = models.CharField(_("签署会话"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("签署地址"), null=True, blank=True)
    user_agent = models.CharField(_("签署终端"), max_length=300, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
