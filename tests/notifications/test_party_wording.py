"""Issue 9 §9: parties read notices written for a citizen, not the staff wording of the action
("新登记纠纷待审查：…"); staff keep theirs. The party texts are configuration (data/notice_rules.json
"party_texts"), one per step; every step whose action notifies the case's people has one."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cases.closing import LITIGATION_ADVICE
from cases.enums import CaseAction, CaseStatus
from cases.models import Notification
from notifications import rules
from notifications.models import OutboxMessage
from notifications.party_texts import check_party_texts, has_party_text, party_sms, party_text
from tests.world import make_case

STAFF_WORDING = ("新登记纠纷待审查", "待审查", "已指派调解员：", "请查看案件")


def _notifying_steps() -> dict[str, str]:
    """Every step (CaseEvent action) recorded by an action function of cases/actions that tells the case's people
    through notify_after_commit: step -> where. Read from the source, so a new notifying action is found."""
    found: dict[str, str] = {}
    for path in sorted((Path(settings.BASE_DIR) / "cases" / "actions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
            if not any(c.func.id == "notify_after_commit" for c in calls):
                continue
            steps = set()
            for c in calls:
                if c.func.id == "record" and len(c.args) >= 2:
                    arg = c.args[1]
                    if isinstance(arg, ast.Constant):
                        steps.add(arg.value)
                    else:  # a variable: the step names the function spells out
                        named = [n.value for n in ast.walk(fn) if isinstance(n, ast.Constant)]
                        steps |= {v for v in named if v in CaseAction.values}
            if fn.name == "do_transfer_case" or any(c.func.id == "_open_intake" for c in calls):
                steps.add("register_transfer" if fn.name != "do_register_case" else "register")
            for step in steps:
                found.setdefault(step, f"{path.name}:{fn.name}")
    return found


def test_every_step_a_party_is_told_of_has_a_party_text():
    steps = _notifying_steps()
    # The scan finds the actions it must (a scan that finds nothing would pass vacuously).
    assert {"register", "accept", "assign", "agreement_effective", "close", "party_refusal"} <= set(steps)
    missing = {step: where for step, where in steps.items() if not has_party_text(step)}
    assert missing == {}
    # Every kind of notice a party receives is written for them: case progress (these texts) and messages
    # (messaging writes "案号：某某发来一条新消息" for its reader, whoever they are).
    assert set(rules.kinds_for_role("PARTY")) == {"CASE_PROGRESS", "MESSAGE"}


def test_party_texts_carry_no_staff_wording():
    block = rules.rules()["party_texts"]
    for step, text in [*block["steps"].items(), ("default", block["default"])]:
        assert not any(w in text for w in STAFF_WORDING), step


def test_a_party_reads_citizen_wording_and_staff_keep_theirs(world, client):
    case = make_case(world, CaseStatus.CLOSED)
    mine = list(Notification.objects.filter(user=world.party_user, case=case).order_by("created_at", "pk"))
    texts = [n.message for n in mine]
    assert texts, "the applicant with an account hears of each step"
    assert not any(w in t for t in texts for w in STAFF_WORDING), texts
    label = case.registration_no
    committee = "桂花村人民调解委员会"
    assert texts[0] == f"您的调解申请已提交（登记号{label}），{committee}将在3个工作日内决定是否受理，请留意通知。"
    due = case.time_limit_due
    assert f"您的纠纷已受理，案号{case.case_no}。调委会将在{due.year}年{due.month}月{due.day}日前完成调解" in texts[1]
    closed = next(t for t in texts if t.startswith(f"您的案件（{case.case_no}）已结案"))
    assert LITIGATION_ADVICE in closed  # the legal advice of the closing (PML 32) reaches the party
    # Staff read the action's own wording for the same steps.
    director = Notification.objects.filter(user=world.director_a, case=case).values_list("message", flat=True)
    assert any(m.startswith("新登记纠纷待审查：") for m in director)
    # The party's notices page shows the party wording; the SMS carries it too.
    client.force_login(world.party_user)
    page = client.get("/accounts/notifications/").content.decode()
    assert "您的纠纷已受理" in page and "新登记纠纷待审查" not in page
    sms = list(OutboxMessage.objects.filter(user=world.party_user, case=case).values_list("body", flat=True))
    assert any("您的纠纷已受理" in body and case.case_no in body for body in sms)
    assert not any("待审查" in body for body in sms)
    assert any(LITIGATION_ADVICE in body for body in sms)


def test_a_detail_typed_by_a_user_shows_in_app_but_never_by_sms(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    ruling = "法院驳回司法确认申请：协议第二项约定不明确"
    assert party_text(case, "jc_decide", detail=ruling).endswith(f"作出司法确认裁定。{ruling}。")
    sms = party_sms(party_text(case, "jc_decide"))
    assert "协议第二项" not in sms and sms.endswith("作出司法确认裁定。详情请登录调解平台查看。")


def test_the_party_text_of_each_step_fills_in_from_the_case(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    for step in CaseAction.values:
        text = party_text(case, step)
        assert "{" not in text and case.case_no in text or "登记号" in text or case.committee.name in text, step


@pytest.mark.parametrize(
    ("block", "error"),
    [
        ({"default": "x", "steps": {"no_such_step": "y"}}, "unknown steps"),
        ({"default": "x", "steps": {"accept": "您的案件{name}已受理"}}, "bad placeholder"),
        ({"steps": {"accept": "您的案件已受理"}}, "default"),
    ],
)
def test_a_bad_party_text_configuration_is_refused(block, error):
    with pytest.raises(ImproperlyConfigured, match=error):
        check_party_texts(block, "notice_rules.json")
