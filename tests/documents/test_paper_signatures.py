"""Issue 9 §3: a printed agreement leaves the signature, fingerprint and seal places blank unless the thing happened
on the platform, where it prints the record (who, when, how, the text's hash) — never a drawn or claimed seal."""

import re
from datetime import timedelta

from documents.rendering import render_kind
from tests.documents.paper import T0, drafted, pages_text, sign_all_online, text

SEAL_CLAIMS = ("已盖章", "已加盖", "印章已", "用印")


def signature_block(t: str) -> str:
    """The text from the signature places to the end of the agreement."""
    start = t.index("三十日内共同向有管辖权的人民法院申请司法确认")
    return t[start:]


def test_unsigned_agreement_has_blank_places_and_no_seal(world):
    case = drafted(world)
    t = text(render_kind(case, "agreement", world.mediator_a).pdf)
    block = signature_block(t)
    # Blank places for each natural person, the mediator and the recorder; the committee's seal place as text.
    assert block.count("签名（按指印）：") == 2
    assert "申请人签名（按指印）：日期：" in block and "被申请人签名（按指印）：日期：" in block
    assert "调解员签名：日期：" in block and "记录人签名：" in block
    assert "（调解委员会印章）" in block and "年月日" in block
    # Nobody's name on the signature lines, no record of a signature, no seal claimed.
    for name in ("张三", "李四", "李调解"):
        assert name not in block, name
    for claim in (*SEAL_CLAIMS, "在线签署", "SHA-256", "登记，以存卷"):
        assert claim not in t, claim
    assert "单位盖章" not in t and "法定代表人/负责人签名" not in t


def test_agreement_signed_online_prints_the_records(world):
    case = drafted(world)
    at = T0 + timedelta(days=4, hours=5, minutes=20)  # 2026-03-06 14:20 local
    sign_all_online(world, case, at)
    agreement = case.agreements.first()
    digest = agreement.text_hash()[:16]
    t = text(render_kind(case, "agreement", world.mediator_a).pdf)
    block = signature_block(t)
    # The applicant signed in their own session (signed in by SMS code): who, when, how, the hash.
    assert (
        f"张三已于2026-03-0614:20通过平台在线签署（登录时经手机短信验证码核验身份），协议文本摘要SHA-256:{digest}…"
        in block
    )
    # The respondent's fingerprint was on paper: the place stays blank, with the registration noted.
    assert "被申请人签名（按指印）：日期：（按指印已于2026-03-06登记，以存卷纸质原件为准）" in block
    assert "李四" not in block
    # The mediator signed from their own account.
    assert f"调解员李调解已于2026-03-0614:22通过本人平台账号在线签署，协议文本摘要SHA-256:{digest}…" in block
    # The seal confirmed on the platform is a record, not a seal: the seal place stays blank text.
    assert "调解委员会已于2026-03-0614:23在线确认用印" in block and "电子记录，非实物印章" in block
    assert "（调解委员会印章）" in block
    assert "已盖章" not in t and "已加盖" not in t


def test_organisation_party_signs_by_its_representative_and_seal(world):
    case = drafted(world, organisation=True)
    pages = pages_text(render_kind(case, "agreement", world.mediator_a).pdf)
    block = signature_block("".join(pages))
    assert "被申请人法定代表人/负责人签名：单位盖章：（盖章处）" in block
    assert "申请人签名（按指印）：" in block
    # The organisation has no thumbprint line; one person (the applicant) has.
    assert block.count("按指印") == 1
    assert "王经理" not in block and "咸宁市桂花物业服务有限公司" not in block
    assert not any(c in block for c in SEAL_CLAIMS)


def test_other_documents_leave_signature_places_blank(world):
    case = drafted(world, organisation=True)
    for kind in ("rights_notice", "session", "application"):
        t = text(render_kind(case, kind, world.mediator_a).pdf)
        tail = t[max(t.rfind("签名"), 0) - 200 :]
        assert not any(c in t for c in SEAL_CLAIMS), kind
        assert "（调委会印章）" not in t, kind  # the old drawn circle's caption
        assert not re.search(r"签名（按指印）：(张三|李四)", t), kind
        assert tail, kind
    notice = text(render_kind(case, "rights_notice", world.mediator_a).pdf)
    assert "被申请人法定代表人/负责人签名：单位盖章：（盖章处）" in notice
    assert "申请人签名（按指印）：日期：" in notice


def test_a_seal_not_confirmed_on_the_platform_is_not_printed_as_one(world):
    """A seal signature carried over from a paper ledger (the historical import writes the row without the
    director's seal action): the seal place stays blank, with the registration noted, never "在线确认用印"."""
    from cases.enums import SignatureMethod, SignerRole
    from cases.models import AgreementSignature

    case = drafted(world)
    agreement = case.agreements.first()
    text_ = agreement.canonical_text()
    AgreementSignature.objects.create(
        agreement=agreement,
        signer_role=SignerRole.SEAL,
        method=SignatureMethod.SEAL,
        signed_at=T0 + timedelta(days=4),
        recorded_by=world.director_a,
        text_hash=agreement.text_hash(),
        signed_text=text_,
    )
    t = text(render_kind(case, "agreement", world.mediator_a).pdf)
    assert "（盖章已于2026-03-06登记，以存卷纸质原件为准）" in t
    assert "用印" not in t and "已加盖" not in t and "（调解委员会印章）" in t
