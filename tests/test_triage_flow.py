"""Issue 13, triage at the four doors: whatever the engine suggests is stored and shown with its reasons, and the
person's decision is stored beside it (PIPL art. 24). The engine is replaced by a fixed fake in most tests (these
test the doors, not the model); one test patches nothing and checks only the shape.

Doors: walk-in registration (workbench), an online application decided at acceptance, a referral taken in, a
screening finding registered as a case. Panels are scoped like their pages: another county's user gets 404."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cases import actions as A
from cases.actions.base import ActionRefused
from cases.enums import CaseStatus, DisputeType
from cases.models import Case
from portal.models import ApplicationDraft
from screening.enums import RiskFlag, RiskLevel
from tests.referrals import factories as referral_factories
from tests.test_views import register_form
from tests.world import case_data, make_case
from triage import decisions, service
from triage.enums import Route, Subject
from triage.models import TriageModelVersion, TriageSuggestion

WORD = "工资"
FACTS = "包工头拖欠我们十几个人三个月工资，大家都很着急，说要一起去县里讨说法。"


def fake_suggest(text: str, *, headcount=None, amount_yuan=None, division_code: str = "") -> service.Suggestion:
    """A fixed suggestion whose reasons name a word of the text (when it is there)."""
    words = [WORD] if WORD in text else []
    return service.Suggestion(
        dispute_type=DisputeType.LABOR_MIGRANT_WAGES,
        type_confidence=0.87,
        risk_level=RiskLevel.ORANGE,
        level_confidence=0.66,
        risk_flags=[RiskFlag.GROUP_PETITION],
        route=Route.LABOR_COMMITTEE,
        route_confidence=0.9,
        reasons={
            "dispute_type": {"confidence": 0.87, "words": words, "alternatives": [["LABOR_OTHER", 0.08]]},
            "risk_level": {"confidence": 0.66, "rules": ["涉及人数10人以上"], "words": words},
            "risk_flags": {"GROUP_PETITION": {"words": words, "rule": "群体到县里上访的说法"}},
            "route": {"confidence": 0.9, "rule": "拖欠工资由劳动人事争议调解组织处理", "words": words},
        },
        model_version="fake-1",
    )


@pytest.fixture
def rw(db):
    """The referral world (tests.referrals.factories.rworld, with the holidays its clocks need)."""
    from django.core.management import call_command

    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    yield referral_factories.build_referral_world()
    calendar.clear_cache()


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(service, "suggest", fake_suggest)
    return fake_suggest


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_suggested_as_fake(row: TriageSuggestion) -> None:
    assert (row.suggested_type, row.suggested_level, row.suggested_route) == (
        "LABOR_MIGRANT_WAGES",
        "ORANGE",
        "LABOR_COMMITTEE",
    )
    assert row.suggested_flags == ["GROUP_PETITION"] and row.model_version == "fake-1"
    assert row.type_confidence == pytest.approx(0.87)
    assert row.reasons["route"]["rule"] == "拖欠工资由劳动人事争议调解组织处理"


# --- walk-in registration --------------------------------------------------------------------------------------


def test_the_registration_page_has_the_panel(world, fake):
    html = login(world.mediator_a).get("/workbench/register/").content.decode()
    assert "智能分类建议" in html and reverse("triage:panel_register") in html
    assert 'name="triage-level"' in html and 'name="triage-route"' in html


def test_the_registration_panel_shows_the_suggestion_and_its_words(world, fake):
    response = login(world.mediator_a).post(
        reverse("triage:panel_register"), {"brief_facts": FACTS, "claims": "支付工资", "amount_involved": "90000"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "劳动争议纠纷—拖欠农民工工资纠纷" in html and "87%" in html
    assert "橙色" in html and "涉及人数10人以上" in html and "可能引发群体性上访" in html
    assert "劳动人事争议调解组织" in html and "拖欠工资由劳动人事争议调解组织处理" in html
    assert f"<mark>{WORD}</mark>" in html
    assert 'data-triage-adopt="LABOR_MIGRANT_WAGES"' in html and "采用建议" in html
    # Nothing is stored while typing.
    assert not TriageSuggestion.objects.exists()


def test_registration_stores_the_suggestion_and_the_registrars_choice(world, fake):
    client = login(world.mediator_a)
    # The registrar keeps their own type and raises the level; the route stays as suggested.
    data = register_form(brief_facts=FACTS, dispute_type="LABOR_OTHER", **{"triage-level": "RED"})
    response = client.post("/workbench/register/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    row = TriageSuggestion.objects.get()
    assert row.subject == Subject.REGISTRATION and row.case == case
    assert row.division_code == case.division_code and row.text_chars == len(decisions.case_text(FACTS, data["claims"]))
    assert_suggested_as_fake(row)
    assert (row.decided_type, row.decided_level, row.decided_route) == ("LABOR_OTHER", "RED", "LABOR_COMMITTEE")
    assert row.decided_flags is None  # the flags are not asked at the door: not decided
    assert row.decided_by == world.mediator_a and row.decided_at is not None
    assert case.dispute_type == "LABOR_OTHER"


def test_an_engine_that_fails_never_blocks_the_registration(world, monkeypatch, caplog):
    """Triage is advice: a broken model (file, library, bug) is logged, nothing is stored, the case is registered."""
    from triage import engine

    def broken():
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(engine, "get", broken)
    response = login(world.mediator_a).post("/workbench/register/", register_form(brief_facts=FACTS))
    assert response.status_code == 302
    assert Case.objects.count() == 1 and not TriageSuggestion.objects.exists()
    assert "the engine failed" in caplog.text
    # The panel while typing says nothing rather than failing.
    panel = login(world.mediator_a).post(reverse("triage:panel_register"), {"brief_facts": FACTS})
    assert panel.status_code == 200
    # The panels that read typed text are POST only: the text never travels in a URL.
    assert login(world.mediator_a).get(reverse("triage:panel_register"), {"brief_facts": FACTS}).status_code == 405


def test_a_refused_registration_keeps_what_was_typed_and_shows_the_panel(world, fake):
    data = register_form(brief_facts=FACTS, claims="", **{"triage-route": "POLICE"})
    response = login(world.mediator_a).post("/workbench/register/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert FACTS in html and "已填写的内容均已保留" in html
    assert "劳动争议纠纷—拖欠农民工工资纠纷" in html  # the panel, for what was typed
    assert '<option value="POLICE" selected>' in html  # the registrar's confirmation kept
    assert not Case.objects.exists() and not TriageSuggestion.objects.exists()


def test_the_registration_panel_is_for_committee_members_only(world, fake):
    url = reverse("triage:panel_register")
    assert login(world.mediator_c).post(url, {"brief_facts": FACTS}).status_code == 200
    for user in (world.county_admin, world.other_county_admin, world.city_admin, world.court_liaison, world.party_user):
        assert login(user).post(url, {"brief_facts": FACTS}).status_code == 404, user.username
    assert Client().post(url, {"brief_facts": FACTS}).status_code == 302  # to the login page


def test_a_party_who_opts_out_gets_no_stored_suggestion(world, fake):
    data = register_form(brief_facts=FACTS, **{"triage-opt_out": "on"})
    assert login(world.mediator_a).post("/workbench/register/", data).status_code == 302
    assert Case.objects.count() == 1 and not TriageSuggestion.objects.exists()


def test_triage_switched_off(world, fake, settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "TRIAGE_ENABLED": False}
    client = login(world.mediator_a)
    assert "智能分类建议" not in client.get("/workbench/register/").content.decode()
    assert client.post(reverse("triage:panel_register"), {"brief_facts": FACTS}).status_code == 404
    assert client.post("/workbench/register/", register_form(brief_facts=FACTS)).status_code == 302
    case = _apply(world)
    page = login(world.director_a).get(f"/cases/{case.pk}/do/accept/").content.decode()
    assert "智能分类建议" not in page
    assert not TriageSuggestion.objects.exists()


# --- online application → decided at acceptance ----------------------------------------------------------------


def _apply(world) -> Case:
    draft = ApplicationDraft.objects.create(user=world.party_user, data={})
    data = case_data(world.party_user, dispute_type=DisputeType.OTHER, brief_facts=FACTS, claims="请求支付工资")
    return A.do_submit_online_application(world.party_user, world.village_a, data, draft=draft)


def test_an_application_stores_its_suggestion_and_the_director_decides_at_acceptance(world, fake):
    case = _apply(world)
    row = TriageSuggestion.objects.get()
    assert row.subject == Subject.APPLICATION and row.case == case and row.decided_at is None
    assert_suggested_as_fake(row)
    director = login(world.director_a)
    page = director.get(f"/cases/{case.pk}/do/accept/").content.decode()
    assert "智能分类建议" in page and "劳动争议纠纷—拖欠农民工工资纠纷" in page and f"<mark>{WORD}</mark>" in page
    assert 'name="dispute_type"' in page and 'name="triage-level"' in page
    response = director.post(
        f"/cases/{case.pk}/do/accept/",
        {"dispute_type": "LABOR_MIGRANT_WAGES", "exclusion": "NONE", "note": "", "triage-route": "TOWNSHIP_COMMITTEE"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    row.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.dispute_type == "LABOR_MIGRANT_WAGES"
    event = case.events.get(action="accept")
    assert (event.data["type_from"], event.data["type_to"]) == ("OTHER", "LABOR_MIGRANT_WAGES")
    assert (row.decided_type, row.decided_level, row.decided_route) == (
        "LABOR_MIGRANT_WAGES",
        "ORANGE",
        "TOWNSHIP_COMMITTEE",
    )
    assert row.decided_by == world.director_a
    assert_suggested_as_fake(row)  # the suggestion itself unchanged


def test_acceptance_without_a_type_keeps_the_registered_one(world, fake):
    case = _apply(world)
    login(world.director_a).post(f"/cases/{case.pk}/do/accept/", {"exclusion": "NONE"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.dispute_type == DisputeType.OTHER
    assert TriageSuggestion.objects.get().decided_type == DisputeType.OTHER


def test_a_refused_application_s_suggestion_is_decided_by_the_refusal(world, fake):
    """Nothing stays undecided forever: 不予受理 (like 移交, 并案) decides it, type as registered, no more."""
    case = _apply(world)
    A.do_refuse_case(case, world.director_a, reason="不属于人民调解范围", routes=["LITIGATION"])
    row = TriageSuggestion.objects.get()
    assert row.decided_at is not None and row.decided_by == world.director_a and row.decision_note == "不予受理"
    assert (row.decided_type, row.decided_level, row.decided_route, row.decided_flags) == ("OTHER", "", "", None)
    assert decisions.acceptance()["level"] is None  # not counted where nobody decided the level


def test_an_applicant_who_refuses_automated_analysis_gets_no_suggestion(world, fake):
    from portal.forms import ConfirmForm

    field = ConfirmForm().fields["no_triage"]
    assert "不同意自动化分类建议" in field.label and "第二十四条" in field.label and not field.required
    draft = ApplicationDraft.objects.create(user=world.party_user, data={})
    data = case_data(world.party_user, dispute_type=DisputeType.OTHER, brief_facts=FACTS, claims="请求支付工资")
    case = A.do_submit_online_application(world.party_user, world.village_a, data, draft=draft, triage_opt_out=True)
    assert case.status == CaseStatus.INTAKE and not TriageSuggestion.objects.exists()


def test_an_application_goes_on_when_the_engine_fails(world, monkeypatch):
    def broken(*a, **k):
        raise ValueError("sklearn version mismatch")

    monkeypatch.setattr(service, "suggest", broken)
    case = _apply(world)
    assert case.pk and not TriageSuggestion.objects.exists()


def test_the_case_panel_is_scoped_to_the_case(world, fake):
    case = _apply(world)
    url = reverse("triage:panel_case", args=[case.pk])
    for user in (world.director_a, world.mediator_a, world.sfs_officer, world.county_admin, world.city_admin):
        response = login(user).get(url)
        assert response.status_code == 200 and "劳动争议纠纷—拖欠农民工工资纠纷" in response.content.decode()
    for user in (world.mediator_c, world.director_c, world.other_county_admin, world.mediator_b, world.party_user):
        assert login(user).get(url).status_code == 404, user.username
    assert login(world.director_a).get(reverse("triage:panel_case", args=[case.pk + 999])).status_code == 404


# --- a referral taken in ---------------------------------------------------------------------------------------


def test_a_referral_shows_its_suggestion_and_its_acceptance_stores_the_decision(rw, fake):
    referral = referral_factories.make_referral(
        rw.court, brief_facts=FACTS, claims="请求支付拖欠的工资", dispute_type=""
    )
    director = login(rw.hub_director)
    page = director.get(f"/console/referrals/{referral.pk}/accept/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "智能分类建议" in html and "劳动争议纠纷—拖欠农民工工资纠纷" in html and f"<mark>{WORD}</mark>" in html
    assert not TriageSuggestion.objects.exists()  # shown, not stored, until the director decides
    response = director.post(
        f"/console/referrals/{referral.pk}/accept/",
        {"dispute_type": "LABOR_OTHER", "triage_level": "YELLOW", "triage_route": "", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral.refresh_from_db()
    row = TriageSuggestion.objects.get()
    assert row.subject == Subject.REFERRAL and row.case == referral.case
    assert (row.object_kind, row.object_id) == ("referrals.referral", str(referral.pk))
    assert_suggested_as_fake(row)
    assert (row.decided_type, row.decided_level, row.decided_route) == ("LABOR_OTHER", "YELLOW", "LABOR_COMMITTEE")
    assert row.decided_by == rw.hub_director and referral.case.dispute_type == "LABOR_OTHER"


def test_a_referral_accepted_with_the_partys_opt_out_stores_nothing(rw, fake):
    referral = referral_factories.make_referral(rw.court, brief_facts=FACTS, dispute_type="")
    director = login(rw.hub_director)
    assert 'name="triage_opt_out"' in director.get(f"/console/referrals/{referral.pk}/accept/").content.decode()
    response = director.post(
        f"/console/referrals/{referral.pk}/accept/",
        {"dispute_type": "LABOR_OTHER", "triage_opt_out": "on", "note": ""},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.case is not None and not TriageSuggestion.objects.exists()


def test_the_referral_panel_is_scoped(rw, fake):
    referral = referral_factories.make_referral(rw.court, brief_facts=FACTS)
    url = reverse("triage:panel_referral", args=[referral.pk])
    assert login(rw.hub_director).get(url).status_code == 200
    assert login(rw.county_admin).get(url).status_code == 200
    for user in (rw.other_county_admin, rw.other_city_director, rw.village2_director, rw.party_user):
        assert login(user).get(url).status_code == 404, user.username


# --- a screening finding registered as a case ------------------------------------------------------------------


def _finding(world):
    from tests.screening.factories import make_finding, make_report

    report = make_report(world.village_a, date(2026, 3, 2), date(2026, 3, 8))
    return make_finding(world.village_a, by=world.mediator_a, report=report, facts=FACTS, headcount=15)


def test_a_finding_registered_as_a_case_stores_the_suggestion_and_the_decision(world, fake):
    finding = _finding(world)
    client = login(world.mediator_a)
    url = reverse("screening:finding_to_case", args=[finding.pk])
    page = client.get(url).content.decode()
    assert "智能分类建议" in page and "劳动争议纠纷—拖欠农民工工资纠纷" in page  # for the finding's facts at once
    assert reverse("triage:panel_finding", args=[finding.pk]) in page
    data = register_form(brief_facts=FACTS, dispute_type="LABOR_MIGRANT_WAGES")
    for name in ("source", "referral_body", "court", "court_mode", "court_case_no"):
        data.pop(name, None)
    response = client.post(url, data)
    assert response.status_code == 302
    finding.refresh_from_db()
    row = TriageSuggestion.objects.get()
    assert row.subject == Subject.FINDING and row.case == finding.case
    assert (row.object_kind, row.object_id) == ("screening.finding", str(finding.pk))
    assert_suggested_as_fake(row)
    assert (row.decided_type, row.decided_level, row.decided_route) == (
        "LABOR_MIGRANT_WAGES",
        "ORANGE",
        "LABOR_COMMITTEE",
    )


def test_the_finding_panel_is_scoped(world, fake):
    finding = _finding(world)
    url = reverse("triage:panel_finding", args=[finding.pk])
    assert login(world.mediator_a).post(url, {"brief_facts": FACTS}).status_code == 200
    assert login(world.county_admin).post(url, {"brief_facts": FACTS}).status_code == 200
    for user in (world.mediator_c, world.other_county_admin, world.mediator_b, world.party_user):
        assert login(user).post(url, {"brief_facts": FACTS}).status_code == 404, user.username


# --- the record itself -----------------------------------------------------------------------------------------


def test_a_suggestion_is_never_overwritten_and_decided_once(world, fake):
    case = make_case(world)
    row = decisions.record_suggestion(
        Subject.REGISTRATION, FACTS, decisions.compute(FACTS), case=case, division_code=case.division_code
    )
    row.suggested_type = DisputeType.NEIGHBOR
    with pytest.raises(PermissionError):
        row.save()
    row = TriageSuggestion.objects.get(pk=row.pk)
    decisions.record_decision(
        row, world.mediator_a, dispute_type="NEIGHBOR", risk_level="YELLOW", risk_flags=[], route="VILLAGE_COMMITTEE"
    )
    with pytest.raises(ActionRefused, match="已有人作出决定"):
        decisions.record_decision(
            row, world.director_a, dispute_type="OTHER", risk_level="RED", risk_flags=[], route="POLICE"
        )
    with pytest.raises(ActionRefused):
        decisions.record_decision(
            decisions.record_suggestion(
                Subject.REGISTRATION, FACTS, decisions.compute(FACTS), case=case, division_code=case.division_code
            ),
            world.mediator_a,
            dispute_type="NEIGHBOR",
            risk_level="YELLOW",
            risk_flags=["NOT_A_FLAG"],
            route="VILLAGE_COMMITTEE",
        )
    decided = TriageSuggestion.objects.get(pk=row.pk)
    decided.decided_type = "OTHER"
    with pytest.raises(PermissionError, match="决定一经作出"):
        decided.save()
    with pytest.raises(PermissionError):
        TriageSuggestion.objects.all().delete()
    row = TriageSuggestion.objects.get(pk=row.pk)
    assert row.suggested_type == "LABOR_MIGRANT_WAGES" and row.decided_type == "NEIGHBOR"


def test_the_real_engine_answers_in_the_stored_shape(world):
    """Nothing patched: whatever engine is installed, its suggestion is a valid stored row with words of the text."""
    case = make_case(world)
    text = decisions.case_text(case.brief_facts, case.claims)
    suggestion = decisions.compute(text, amount_yuan=Decimal("3000"), division_code=case.division_code)
    row = decisions.record_suggestion(
        Subject.REGISTRATION, text, suggestion, case=case, division_code=case.division_code
    )
    assert row.suggested_type in DisputeType.values and row.suggested_level in RiskLevel.values
    assert row.suggested_route in Route.values and set(row.suggested_flags) <= set(RiskFlag.values)
    assert 0 <= row.type_confidence <= 1 and row.model_version
    for part in ("dispute_type", "risk_level", "route"):
        for w in (row.reasons.get(part) or {}).get("words", []):
            assert w.lower() in text.lower(), (part, w)
    shown = decisions.shown(row, text)
    assert shown.type_label and shown.route_label and shown.level_label


# --- the city administrator's model page -----------------------------------------------------------------------


def _prf(labels: list[str]) -> dict:
    per = {lab: {"precision": 0.9, "recall": 0.95, "f1": 0.924, "support": 40 + i} for i, lab in enumerate(labels)}
    return {"per_label": per, "macro_f1": 0.931, "accuracy": 0.94}


# The shape triage.evaluate.evaluate writes into TriageModelVersion.metrics (manage.py train_triage).
EVAL_METRICS = {
    "rows": 640,
    "model_version": "2026.12.04-1",
    "dispute_type_15": _prf(["NEIGHBOR", "LABOR", "CONSUMER", "ROAD_TRAFFIC"]),
    "dispute_type_18": _prf(["NEIGHBOR", "LABOR_MIGRANT_WAGES", "CONSUMER_ECOMMERCE", "ROAD_TRAFFIC"]),
    "escalation": {"recall": 0.93, "precision": 0.71, "true": 150, "predicted": 196},
    "levels": _prf(["RED", "ORANGE", "YELLOW"]),
    "level_confusion": {
        "RED": {"RED": 38, "ORANGE": 2, "YELLOW": 0},
        "ORANGE": {"RED": 3, "ORANGE": 100, "YELLOW": 9},
        "YELLOW": {"RED": 0, "ORANGE": 12, "YELLOW": 476},
    },
    "flags": {
        "SUICIDE_RISK": {"recall": 0.97, "precision": 0.9, "support": 40, "predicted": 43},
        "UNNATURAL_DEATH": {"recall": None, "precision": None, "support": 0, "predicted": 0},
    },
    "route": _prf(["VILLAGE_COMMITTEE", "LABOR_COMMITTEE", "POLICE"]),
    "timings_ms": {"load_s": 0.412, "p50": 0.9, "p95": 1.6, "max": 7.2},
    "train_seconds": 12.3,
    "split": "heldout",
}


def test_the_model_page_is_the_city_administrators(world, fake):
    TriageModelVersion.objects.create(
        version="2026.12.04-a",
        path="var/triage/model-2026.12.04-a.joblib",
        sha256="ab" * 32,
        corpus_lines=3200,
        platform_cases=120,
        active=True,
        metrics=EVAL_METRICS,
    )
    TriageModelVersion.objects.create(version="2026.11.30-a", path="x", sha256="cd" * 32, active=False)
    case = make_case(world)
    row = decisions.record_suggestion(
        Subject.REGISTRATION, FACTS, decisions.compute(FACTS), case=case, division_code=case.division_code
    )
    decisions.record_decision(
        row,
        world.mediator_a,
        dispute_type="LABOR_MIGRANT_WAGES",
        risk_level="RED",
        risk_flags=[],
        route="LABOR_COMMITTEE",
    )
    decisions.decide_as_suggested_but(
        decisions.record_suggestion(
            Subject.RECLASSIFY, FACTS, decisions.compute(FACTS), case=case, division_code=case.division_code
        ),
        world.mediator_a,
        dispute_type="NEIGHBOR",
    )
    response = login(world.city_admin).get(reverse("triage:model"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "2026.12.04-a",
        "ab" * 32,
        "3200",
        "2026.11.30-a",
        "纠纷类型（汇总为15类）",
        "劳动争议纠纷",
        "邻里纠纷",
        "精确率",
        "召回率",
        "宏平均F1",
        "可能引发自杀",
        "风险等级混淆矩阵（行：实际；列：预测）",
        "红色（立即报告）",
        "劳动人事争议调解组织",
        "准确率",
        "留出集（训练未使用）",
        "每条耗时中位数（毫秒）",
    ):
        assert text in html, text
    assert "heldout" not in html and "per_label" not in html and "dispute_type_15" not in html
    rows = {r["label"]: r for r in response.context["by_subject"]}
    registration = rows[Subject.REGISTRATION.label]
    # Type and route kept, level changed (RED for ORANGE); the reclassification decided the type only.
    assert (registration["type"], registration["level"], registration["route"]) == (1.0, 0.0, 1.0)
    reclassify = rows[Subject.RECLASSIFY.label]
    assert (reclassify["decided"], reclassify["type"], reclassify["level"], reclassify["route"]) == (1, 0.0, None, None)
    overall = response.context["overall"]
    assert (overall["decided"], overall["type"], overall["level"], overall["route"]) == (2, 0.5, 0.0, 1.0)
    assert re.search(r">窗口登记</th><td[^>]*>1</td><td[^>]*>1</td><td[^>]*>100%</td><td[^>]*>0%</td>", html)
    for user in (world.county_admin, world.sfs_officer, world.director_a, world.mediator_a, world.party_user):
        assert login(user).get(reverse("triage:model")).status_code == 404, user.username


def test_metric_tables_render_any_shape():
    from triage.views import metric_tables

    scalars, tables = metric_tables(
        {"x": 1, "nested": {"a": {"b": {"c": 1.5}}}, "grid": [[1, 2], [3, 4]], "l": ["RED"]}
    )
    # Unknown keys with Latin letters are shown as 其他指标, never as they are.
    assert ("其他指标", "1") in scalars and ("其他指标", "红色（立即报告）") in scalars
    assert any(t["title"] == "其他指标" and t["rows"][1][1] == ["3", "4"] for t in tables)
    assert metric_tables({}) == ([], [])


def test_the_model_page_never_shows_evaluated_texts_or_english_keys(world):
    TriageModelVersion.objects.create(
        version="2026.12.04-b",
        path="x",
        sha256="ab" * 32,
        active=True,
        metrics={
            **EVAL_METRICS,
            "type_errors": [{"id": 1, "text": "张三拖欠李四工资", "truth": "LABOR", "pred": "OTHER"}],
            "sample_text": "张三" * 30,
        },
    )
    html = login(world.city_admin).get(reverse("triage:model")).content.decode()
    assert "张三" not in html and "type_errors" not in html and "sample_text" not in html and "truth" not in html


# --- the 矛调中心's dispatch (display only: the suggested route beside the choice of receiver) --------------------


def test_the_hub_dispatch_form_shows_the_suggested_route(world, fake):
    from datetime import datetime

    from tests.referrals.hub_fixtures import build_hub_world, referral, walk_in
    from tests.world import TZ

    hw = build_hub_world(world)
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    ref = referral(hw, hw.court, hw.county_hub)
    client = login(hw.county_hub_mediator)
    for url in (f"/console/hub/cases/{case.pk}/dispatch/", f"/console/hub/referrals/{ref.pk}/dispatch/"):
        html = client.get(url).content.decode()
        assert "智能分类建议" in html and "劳动人事争议调解组织" in html, url
        assert 'data-triage-adopt="' not in html  # nothing to adopt here: the receiver decides the type
    assert not TriageSuggestion.objects.exists()


def test_the_accept_page_of_a_walk_in_shows_the_suggestion_recorded_at_registration(world, fake):
    login(world.mediator_a).post("/workbench/register/", register_form(brief_facts=FACTS, dispute_type="LABOR_OTHER"))
    case = Case.objects.get()
    page = login(world.director_a).get(f"/cases/{case.pk}/do/accept/").content.decode()
    assert "智能分类建议" in page and "建议生成于" in page and "李调解已确定为“劳动争议纠纷—其他劳动争议纠纷”" in page
    assert 'name="triage-level"' not in page  # decided already: nothing more to confirm
    assert TriageSuggestion.objects.count() == 1
