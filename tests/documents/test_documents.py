"""Every standard document rendered from a case built through the actions, read back with pypdf."""

import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from accounts.models import AccessLog
from cases import actions as A
from cases.enums import CaseStatus
from documents.catalogue import CHECKLIST_DOCUMENTS, KINDS, available_documents, dossier_kinds
from documents.rendering import render_dossier, render_kind
from tests.documents.cases import T0, oral_case, rich_case
from tests.world import TZ, make_case


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with all whitespace removed (line breaks fall anywhere in CJK text)."""
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return "".join(pages_text(pdf))


def cn(value) -> str:
    d = value.astimezone(TZ).date() if isinstance(value, datetime) else value
    return f"{d.year}年{d.month}月{d.day}日"


def assert_all(haystack: str, *needles: str) -> None:
    missing = [n for n in needles if re.sub(r"\s+", "", n) not in haystack]
    assert not missing, f"missing {missing} in {haystack[:400]}"


def test_application_at_intake(world):
    case = make_case(world, CaseStatus.INTAKE)
    t = text(render_kind(case, "application", world.mediator_a).pdf)
    assert_all(
        t,
        "人民调解申请书",
        case.registration_no,
        "张三",
        "李四",
        "双方因宅前排水沟堵塞问题发生争执",
        "请求被申请人疏通排水沟并赔偿损失",
        "自愿申请人民调解",
        "申请人签名（按指印）：申请日期：2026年3月2日",  # issue 9: a blank place, no name on it
        "45岁",  # age, not birth date (born 1980-05-17, registered 2026-03-02)
    )
    assert "1980" not in t  # no birth date, no ID number on the application (data minimisation)


def test_acceptance_form(world):
    case = make_case(world, CaseStatus.ACCEPTED)
    t = text(render_kind(case, "acceptance", world.director_a).pdf)
    assert_all(
        t,
        "人民调解受理登记表",
        case.case_no,
        "☑当事人申请",
        "☐主动调解",
        "邻里纠纷",
        "经当事人同意，本委员会决定受理张三与李四之间的邻里纠纷",
        "登记人李调解",
        "受理人王主任",
        "当事人签名",
        "（调解委员会印章）",
        f"受理日期{cn(case.accepted_at)}",
    )


def test_rights_notice_and_identity(world):
    rich = rich_case(world, until="effective")
    case = rich.case
    t = text(render_kind(case, "rights_notice", world.mediator_a).pdf)
    assert_all(t, "当事人权利义务告知书", case.case_no, "选择或者接受人民调解员", "如实陈述纠纷事实", "个人信息")
    # issue 9: blank places and blank dates (the notice is signed on paper); no names on the lines.
    assert_all(t, "申请人签名（按指印）：日期：被申请人签名（按指印）：日期：")
    assert "（张三）" not in t and "（李四）" not in t
    applicant = case.parties.get(name="张三")
    full = applicant.full_id_number()
    # The case's mediator sees the complete number, the township justice office the masked one.
    assert full in text(render_kind(case, "identity", world.mediator_a).pdf)
    masked = text(render_kind(case, "identity", world.sfs_officer).pdf)
    assert full not in masked and applicant.id_number_masked in masked


def test_investigation_records_each_on_its_own_page(world):
    case = rich_case(world, until="effective").case
    pages = pages_text(render_kind(case, "investigation", world.mediator_a).pdf)
    assert len(pages) == 2
    assert_all(pages[0], "人民调解调查记录", case.case_no, "（第1次调查，共2次）", "桂花村委会调解室", "张三")
    assert_all(pages[0], "排水沟何时开始堵塞", "2026年3月3日9时00分", "被调查人（签名或按指印）", "记录人李调解")
    assert_all(pages[1], "人民调解调查记录", "（第2次调查，共2次）", "李四家中", "修院墙时堆了砖块")


def test_session_records_each_on_its_own_page(world):
    case = rich_case(world, until="effective").case
    pages = pages_text(render_kind(case, "session", world.mediator_a).pdf)
    assert len(pages) == 2
    assert_all(pages[0], "人民调解记录", "（第1次调解，共2次）", "双方分歧较大，约定再次调解", "2026年3月5日")
    assert_all(pages[0], "申请人：张三；被申请人：李四", "李调解、赵调解", "村民小组长王五（第1次）")
    assert_all(pages[0], "调解员（签名）", "记录人（签名）", "参加人（签名）", "（调解委员会印章）")
    assert_all(pages[1], "（第2次调解，共2次）", "双方同意协商解决，达成协议", "2026年3月7日")


def test_effective_agreement(world):
    case = rich_case(world, until="effective").case
    agreement = case.agreements.get()
    t = text(render_kind(case, "agreement", world.mediator_a).pdf)
    assert "草稿" not in t
    assert_all(
        t,
        "人民调解协议书",
        f"编号：{case.case_no}",
        "张三",
        "李四",
        "李四修建院墙时堆放砖块堵塞排水沟",
        "李四承担主要责任，张三承担次要责任",
        # term 1: who, what, amount, manner, place, deadline, instalments
        "李四赔偿张三房屋浸泡损失",
        "义务人：李四；权利人：张三",
        "人民币3,000.00元（大写：叁仟元整）",
        "履行方式：银行转账",
        "履行地点：桂花村调委会",
        "履行期限：2026年5月8日前",
        "第1期2026年4月8日前1,200.00",
        "第2期2026年5月8日前1,800.00",
        # term 2 (no amount)
        "李四清除砖块并疏通宅前排水沟",
        "履行方式：自行清理",
        "履行期限：2026年3月15日前",
        "一式3份",
        "三十日内共同向有管辖权的人民法院申请司法确认",
        # issue 9: signatures registered by staff (paper, or an "electronic" one entered by the mediator, not the
        # party's own session) leave the places blank, with the registration noted; the seal confirmed on the
        # platform is printed as the record it is, the seal place stays blank.
        "申请人签名（按指印）：日期：（电子签名已于2026-03-08登记，以存卷纸质原件为准）",
        "被申请人签名（按指印）：日期：（按指印已于2026-03-08登记，以存卷纸质原件为准）",
        "调解员签名：日期：（签名已于2026-03-08登记，以存卷纸质原件为准）",
        f"调解委员会已于2026-03-0809:30在线确认用印（王主任操作；电子记录，非实物印章），协议文本摘要SHA-256:{agreement.text_hash()[:16]}",
        "（调解委员会印章）",
        "协议达成日期：2026年3月8日",
    )
    assert "调委会印章已加盖" not in t and "已盖章" not in t
    # The case mediator's copy carries complete ID numbers.
    assert case.parties.get(name="李四").full_id_number() in t


def test_draft_agreement_is_marked_on_every_page(world):
    case = rich_case(world, until="draft").case
    pages = pages_text(render_kind(case, "agreement", world.party_user).pdf)
    assert all("草稿（未生效）" in p for p in pages)
    t = "".join(pages)
    assert_all(t, "张三", "（按指印已于2026-03-08登记，以存卷纸质原件为准）", "调解员签名：")
    assert "调委会印章已加盖" not in t and "用印" not in t and "协议达成日期：年月日" in t
    # A party gets masked numbers and not the other side's phone.
    li = case.parties.get(name="李四")
    assert li.full_id_number() not in t and li.id_number_masked in t and li.phone not in t


def test_oral_agreement_registration(world):
    case = oral_case(world)
    agreement = case.agreements.get()
    term = agreement.terms.get()
    t = text(render_kind(case, "oral_agreement", world.mediator_a).pdf)
    assert_all(
        t,
        "人民调解口头协议登记表",
        case.case_no,
        "张三",
        "李四",
        agreement.facts[:20],
        term.content,
        "人民币3,000.00元",
        f"履行方式：{term.manner}",
        "双方当场履行，认为无需书面协议",
        f"{term.deadline.year}年{term.deadline.month}月{term.deadline.day}日前",
        "调解员李调解",
        "人民调解法》第三十条",
    )
    assert "oral_agreement" in dict((k, u) for k, _l, u in available_documents(case, world.mediator_a))
    assert "agreement" not in [k for k, _l, _u in available_documents(case, world.mediator_a)]


def test_performance_follow_ups_and_closing_report(world):
    case = rich_case(world, until="archived").case
    t = text(render_kind(case, "performance", world.mediator_a).pdf)
    assert_all(t, "履行情况登记表", "2026年4月8日", "1,200.00", "2026年5月8日", "1,800.00", "第二期转账凭证附卷")
    pages = pages_text(render_kind(case, "follow_up", world.mediator_a).pdf)
    assert len(pages) == 2
    assert_all(pages[0], "人民调解回访记录", f"协议编号{case.case_no}", "被回访人张三", "2026年4月10日", "部分履行")
    assert_all(pages[0], "第一期赔偿款已收到", "满意", "回访人（签名）：（回访人：李调解）")
    assert_all(pages[1], "2026年5月12日", "已履行", "非常满意", "赔偿款已全部付清")
    t = text(render_kind(case, "closing_report", world.mediator_a).pdf)
    assert_all(
        t,
        "人民调解结案报告表",
        case.case_no,
        f"受理日期{cn(case.accepted_at)}",
        "结案日期2026年5月14日",
        "填表日期2026年5月16日",  # = 立卷日期
        "依申请调解",
        "张三，桂花村3组，电话13900000001",
        "调解成功",
        "履行完毕",
        "协议已全部履行，当事人满意，结案",
        "承办人李调解、赵调解",
    )


def test_judicial_confirmation_materials(world):
    case = rich_case(world, until="effective").case
    applicant, respondent = list(case.parties.all())
    A.do_apply_judicial_confirmation(
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=date(2026, 3, 10),
        at=datetime(2026, 3, 10, 10, tzinfo=TZ),
    )
    t = text(render_kind(case, "judicial_confirmation", world.mediator_a).pdf)
    assert_all(t, "司法确认有关材料", case.case_no, "咸宁市咸安区人民法院", "2026年3月10日", "申请人张三")
    assert_all(t, "同意申请的当事人李四", "已申请", applicant.full_id_number())


def test_cover_and_index_agree_with_the_dossier(world):
    case = rich_case(world).case
    dossier = render_dossier(case, world.director_a)
    cover = text(render_kind(case, "cover", world.director_a).pdf)
    assert_all(
        cover,
        "人民调解卷宗",
        "桂花村人民调解委员会",
        "张三与李四邻里纠纷",
        case.case_no,
        "李调解、赵调解",
        f"自{cn(case.accepted_at)}至2026年5月14日",
        "立卷日期2026年5月16日",
        "保管期限定期30年",
        f"本卷共{dossier.pages}页",
    )
    index = PdfReader(io.BytesIO(render_kind(case, "index", world.director_a).pdf)).pages[0].extract_text()
    assert [e.start for e in dossier.index] == [3, 4, 5, 6, 7, 9, 11, 13, 14, 16]
    for n, entry in enumerate(dossier.index, start=1):
        assert re.search(rf"^{n} {entry.label} {entry.start}\b", index, flags=re.M), (entry, index)


def test_dossier_pages_index_and_binding_order(world):
    case = rich_case(world).case
    dossier = render_dossier(case, world.director_a)
    pages = pages_text(dossier.pdf)
    total = len(pages)
    assert total == dossier.pages
    # Page count equals the sum of the documents printed one by one.
    kinds = ["cover", "index", *dossier_kinds(case)]
    assert total == sum(len(pages_text(render_kind(case, k, world.director_a).pdf)) for k in kinds)
    # Continuous numbering on every page; the cover states the total.
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{total}页" in page
    assert f"本卷共{total}页" in pages[0]
    # The index (page 2) lists each document with the page where it really starts.
    assert "卷内目录" in pages[1]
    raw_index = PdfReader(io.BytesIO(dossier.pdf)).pages[1].extract_text()
    rows = re.findall(r"^(\d+) (\S+) (\d+)", raw_index, flags=re.M)
    assert [int(n) for n, _l, _s in rows] == list(range(1, len(rows) + 1))
    listed = [(label, int(start)) for _n, label, start in rows]
    assert [label for label, _ in listed] == [str(KINDS[k].label) for k in dossier_kinds(case)]
    for (label, start), slug in zip(listed, dossier_kinds(case), strict=True):
        heading = {"session": "人民调解记录"}.get(slug, label)
        assert pages[start - 1].startswith("桂花村人民调解委员会" + heading), (slug, start)
        # ...and the page before it belongs to the previous document.
        assert not pages[start - 2].startswith("桂花村人民调解委员会" + heading), (slug, start)
    # Binding order is the configured checklist's order.
    from cases.dossier import checklist_config

    order = [k for item in checklist_config() for k in CHECKLIST_DOCUMENTS.get(item["key"], ())]
    positions = [order.index(k) for k in dossier_kinds(case)]
    assert positions == sorted(positions)
    assert dossier_kinds(case) == [
        "application",
        "acceptance",
        "rights_notice",
        "identity",
        "investigation",
        "session",
        "agreement",
        "performance",
        "follow_up",
        "closing_report",
    ]


def test_documents_not_applying_are_not_offered(world):
    intake = make_case(world, CaseStatus.INTAKE)
    assert [k for k, _l, _u in available_documents(intake, world.mediator_a)] == ["application"]
    mediating = make_case(world, CaseStatus.IN_MEDIATION, at=T0)
    offered = [k for k, _l, _u in available_documents(mediating, world.mediator_a)]
    assert "investigation" in offered
    for kind in ("session", "agreement", "oral_agreement", "follow_up", "closing_report", "performance"):
        assert kind not in offered


@pytest.mark.parametrize("viewer,logged", [("mediator_a", True), ("director_a", True), ("sfs_officer", False)])
def test_access_log_when_full_id_numbers_are_printed(world, client, viewer, logged):
    case = rich_case(world, until="effective").case
    client.force_login(getattr(world, viewer))
    before = AccessLog.objects.count()
    response = client.get(f"/documents/case/{case.pk}/agreement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    logs = AccessLog.objects.order_by("id")[before:]
    assert [log.action for log in logs if log.action == "EXPORT_DOCUMENT"] == ["EXPORT_DOCUMENT"]
    printed = [log for log in logs if log.action == "PRINT_ID_NUMBER"]
    if logged:
        assert {log.party.name for log in printed} == {"张三", "李四"}
        assert all(log.user.username == viewer and log.case_id == case.pk for log in printed)
        assert case.parties.get(name="张三").full_id_number() in text(response.content)
    else:
        assert printed == []
        assert case.parties.get(name="张三").full_id_number() not in text(response.content)


def test_terminated_case_dossier(world):
    """A mediation that failed: no agreement, no follow-up; the closing report gives the termination reason."""
    case = make_case(world, CaseStatus.TERMINATED, at=T0)
    A.do_close_case(
        case, world.mediator_a, summary="调解终止，已告知当事人可向法院起诉", at=datetime(2026, 3, 30, 9, tzinfo=TZ)
    )
    case.refresh_from_db()
    assert dossier_kinds(case) == [
        "application", "acceptance", "rights_notice", "identity", "session", "closing_report",
    ]  # fmt: skip
    dossier = render_dossier(case, world.director_a)
    t = text(dossier.pdf)
    assert_all(t, "调解不成功（经调解无法达成协议）", "调解终止，已告知当事人可向法院起诉", f"本卷共{dossier.pages}页")
    assert "人民调解协议书" not in t


def test_available_documents_for_the_portal(world):
    """What the portal helper links to: the party's own agreement (and application, as the applicant)."""
    case = rich_case(world, until="effective").case
    party_docs = available_documents(case, world.party_user)
    assert [k for k, _l, _u in party_docs] == ["application", "agreement"]
    assert dict((k, u) for k, _l, u in party_docs)["agreement"] == f"/documents/case/{case.pk}/agreement.pdf"
    assert available_documents(case, world.outsider) == []
    assert available_documents(case, world.mediator_b) == []  # another committee: out of scope


def test_acceptance_form_names_the_referring_court_once(world):
    case = make_case(world, CaseStatus.ACCEPTED)
    case.source, case.court, case.referral_body = "REFERRED_COURT", world.court, world.court.name
    case.court_mode, case.court_case_no = "WEITUO", "（2026）鄂1202民诉前调123号"
    case.save(update_fields=["source", "court", "referral_body", "court_mode", "court_case_no"])
    t = text(render_kind(case, "acceptance", world.director_a).pdf)
    assert t.count(world.court.name) == 1 and "（2026）鄂1202民诉前调123号" in t
