"""The written route rule (triage/route_rule.py, data/triage/route_rule.json; the corpus README's "route"): each cue
of rule 5 found and not found (absent or negated), the thresholds from data/risk_escalation.json, the specialised
bodies of rule 3, the reasons naming words of the text, the audit of labelled lines, and suggest() using the rule."""

from __future__ import annotations

from functools import cache

import pytest

from triage import corpus, engine, route_rule, train
from triage.corpus import Row

T, V = route_rule.TOWNSHIP, route_rule.VILLAGE


def kinds(text: str, level: str = "YELLOW", **kw) -> set[str]:
    return {c.kind for c in route_rule.township_cues(text, level, **kw)}


# Rule 5, one condition at a time: (a text that meets it, the same dispute without it or with it negated).
CUES = [
    ("cross_village", "我卖了一头牛给邻村的，说好三天后给钱", "我卖了一头牛给同村的，说好三天后给钱"),
    ("cross_village", "两个村为了一条水渠吵了好几年", "他不是外村人，就是我们村东头的"),
    ("organisation", "我在他们公司门口摔了一跤，公司不管", "我在他家门口摔了一跤，他不管"),
    ("organisation", "包工头答应的活钱到现在没给", "邻居答应的钱到现在没给"),
    ("village_failed", "宅基地的事村里调解过没用，他还是不让", "宅基地的事他还是不让"),
    ("village_failed", "村委会调了几次都不行", "村委会还没调解过，想先请村里看看"),
    ("brought_up", "这事我们已经去了镇上，司法所说先登记", "这事我们没去司法所，想在村里说说"),
    ("brought_up", "街道调委会登记：两户居民因占道发生纠纷", "两户居民因占道发生纠纷"),
]


@pytest.mark.parametrize(("kind", "positive", "negative"), CUES)
def test_each_township_cue_found_and_not(kind, positive, negative):
    cues = route_rule.township_cues(positive)
    found = [c for c in cues if c.kind == kind]
    assert found, positive
    for w in found[0].words:
        assert w in positive  # the reason quotes the text
    assert kind not in kinds(negative), negative


def test_amount_and_headcount_against_the_configured_thresholds():
    assert "amount" in kinds("借给他十五万一直不还")
    assert "amount" not in kinds("借给他三千元一直不还")
    assert "headcount" in kinds("我们十几个人合伙的钱被他一个人拿了")
    assert "headcount" not in kinds("我们三个人合伙的钱被他一个人拿了")
    # 全村 as the audience is not ≥ 10 people on a side (the risk lexicon still reads it for MASS_PARTIES).
    assert "headcount" not in kinds("他当着全村人骂我家孩子")
    # The form's figures count too.
    assert "amount" in kinds("借钱不还", amount_yuan=200000)
    assert "headcount" in kinds("地被占了", headcount=12)
    assert "headcount" not in kinds("地被占了", headcount=3)


def test_thresholds_come_from_risk_escalation(monkeypatch):
    from screening import config

    real = config.thresholds
    assert route_rule.thresholds()["large_amount_yuan"] == real()["large_amount_yuan"]
    monkeypatch.setattr(
        config, "thresholds", lambda code="": {**real(code), "large_amount_yuan": 5000, "mass_parties_headcount": 3}
    )
    assert "amount" in kinds("借给他八千元一直不还")
    assert "headcount" in kinds("我们三个人合伙的钱被他一个人拿了")


def test_level_raises_to_township():
    assert "level" in kinds("邻居家的狗天天叫", "ORANGE")
    assert "level" in kinds("邻居家的狗天天叫", "RED")
    assert kinds("邻居家的狗天天叫", "YELLOW") == set()


def test_decide_rules_3_4_5():
    d = route_rule.decide("电动车被撞了", "ROAD_TRAFFIC", "ORANGE")
    assert (d.route, d.step) == ("TRAFFIC_COMMITTEE", 3)  # whatever the level
    assert route_rule.decide("网购的衣服不退", "CONSUMER_ECOMMERCE", "YELLOW").route == "CONSUMER_COMMITTEE"
    assert route_rule.decide("加班费不给", "LABOR_OTHER", "YELLOW").route == "LABOR_COMMITTEE"
    assert route_rule.decide("征地补偿标准太低", "LAND_ACQ_DEMOLITION", "YELLOW").route == "OTHER_DEPT"
    d = route_rule.decide("邻居家的狗天天叫", "NEIGHBOR", "YELLOW")
    assert (d.route, d.step) == (V, 5)
    d = route_rule.decide("邻村的人把我家的牛牵走了", "OTHER", "YELLOW")
    assert d.route == T and "邻村" in d.words and "邻村" in d.reason
    d = route_rule.decide("邻居家的狗天天叫", "NEIGHBOR", "ORANGE")
    assert d.route == T and "橙色" in d.reason


def test_audit_finds_a_contradiction_and_passes_a_consistent_line():
    bad = Row("x-1", "我卖了一头牛给邻村的，说好三天后给钱", "CONTRACT", "YELLOW", route=V)
    good = Row("x-2", "我卖了一头牛给同村的，说好三天后给钱", "CONTRACT", "YELLOW", route=V)
    raised = Row("x-3", "邻居家的狗咬了我", "NEIGHBOR", "ORANGE", route=V)
    spec = Row("x-4", "电动车被撞了", "ROAD_TRAFFIC", "YELLOW", route=V)
    found = {f.id: f for f in route_rule.audit([bad, good, raised, spec])}
    assert set(found) == {"x-1", "x-3", "x-4"}
    assert found["x-1"].expected == T and found["x-1"].words == ["邻村"]
    assert found["x-4"].expected == "TRAFFIC_COMMITTEE"


def test_shipped_corpus_has_no_rule_5_contradiction_by_level():
    """After the audit (README): no line of a rule-5 type is labelled VILLAGE_COMMITTEE at ORANGE or RED."""
    for f in route_rule.audit(corpus.load()):
        if f.problem == "contradicts" and f.route == V:
            assert f.risk_level == "YELLOW", f.id


# ---------------------------------------------------------------------------------------------------------------
# The engine uses it.


@cache
def small_engine() -> engine.Engine:
    rows = corpus.train_rows()
    per: dict[str, int] = {}
    subset = []
    for r in rows:
        if per.get(r.dispute_type, 0) < 40:
            per[r.dispute_type] = per.get(r.dispute_type, 0) + 1
            subset.append(r)
    return engine.Engine(train.train(subset, folds=0, version="test-route"))


@pytest.fixture(scope="module")
def eng():
    e = small_engine()
    engine.set_engine(e)
    yield e
    engine.set_engine(None)


TEXTS = [
    "我卖了一头牛给邻村的，说好三天后给钱，现在一个月了也不给",
    "邻居家的狗天天晚上叫，吵得睡不着",
    "宅基地边界的事村里调解过没用，他还是往我家这边砌墙",
    "我在他们厂门口摔断了腿，厂里一分钱不赔",
    "电动车在路口被小轿车撞了，腿骨折了，保险公司不赔",
    "楼上漏水，物业一直不管",
    "借给他十五万，到现在一分没还",
]


def test_suggest_follows_the_rule_and_names_words_of_the_text(eng):
    from triage.service import suggest

    for text in TEXTS:
        s = suggest(text)
        r = s.reasons["route"]
        for w in r["words"]:
            assert w in text, (text, w)
        assert 0.0 <= r["confidence"] <= 1.0 and r["rule"]
        if s.route in route_rule.LEARNED:
            assert r["rule"].startswith("模型判断")
            continue
        p = eng.escalation_probability(text, s.dispute_type)
        d = route_rule.decide(text, s.dispute_type, s.risk_level, p_escalate=p)
        assert s.route == d.route, text
        assert r["rule"] == d.reason
        if d.route == T:
            assert list(d.words) == r["words"]


def test_suggest_township_reason_names_the_cue(eng):
    from triage.service import suggest

    text = "我卖了一头牛给邻村的，说好三天后给钱，现在一个月了也不给"
    s = suggest(text)
    if s.route not in route_rule.LEARNED and s.dispute_type not in route_rule.config()["specialised"]:
        assert s.route == T
        assert "邻村" in s.reasons["route"]["words"] and "邻村" in s.reasons["route"]["rule"]


def test_specialised_type_goes_to_its_body(eng):
    s = eng.suggest("电动车在路口被小轿车撞了，腿骨折了，保险公司不赔")
    if s.dispute_type == "ROAD_TRAFFIC" and s.route not in route_rule.LEARNED:
        assert s.route == "TRAFFIC_COMMITTEE" and "第3条" in s.reasons["route"]["rule"]


def test_switched_off_the_model_decides(eng, monkeypatch):
    monkeypatch.setattr(route_rule, "engine_enabled", lambda: False)
    s = eng.suggest("邻居家的狗天天晚上叫，吵得睡不着")
    assert "分流规则" not in s.reasons["route"]["rule"]


def test_audit_command_lists_the_contradiction(tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "lines.jsonl"
    lines = [
        {
            "id": "a-1",
            "text": "我卖了一头牛给邻村的，说好三天后给钱",
            "dispute_type": "CONTRACT",
            "risk_level": "YELLOW",
            "route": V,
        },
        {"id": "a-2", "text": "邻居家的狗天天叫", "dispute_type": "NEIGHBOR", "risk_level": "YELLOW", "route": V},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    out = StringIO()
    call_command("triage_route_audit", "--split", str(path), "--json", str(tmp_path / "f.json"), stdout=out)
    text = out.getvalue()
    assert "a-1" in text and "a-2" not in text and "邻村" in text
    found = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in found] == ["a-1"] and found[0]["expected"] == T


# Rules 1, 2 and 4's cues, negation- and tense-aware (reported in the reasons; the learned model decides).
LEARNED_CUES = [
    ("police", "他现在拿着刀站在我家门口，扬言要弄死我", "拿着刀"),
    ("police_past", "上次两家打架时他拿着刀，派出所已经处理过了", "拿着刀"),
    ("court", "我已经起诉了，法院下个月开庭", "起诉"),
    ("court_not", "法院诉前委派：原告诉被告借款纠纷", "诉前委派"),
    ("other_dept", "征地的补偿标准太低，拆迁办不给说法", "补偿标准"),
]


@pytest.mark.parametrize(("kind", "text", "word"), LEARNED_CUES)
def test_learned_cues(kind, text, word):
    cues = route_rule.learned_cues(text)
    assert word in cues[kind], cues
    for ws in cues.values():
        for w in ws:
            assert w in text


def test_learned_cues_negated_and_past_are_not_police():
    assert route_rule.learned_cues("两人只是吵了几句，没有拿刀")["police"] == []
    cues = route_rule.learned_cues("去年他家暴过一次，现在两人想协议离婚")
    assert cues["police"] == [] and cues["police_past"] == ["家暴"]


def test_route_escalation_reads_the_probability_and_says_so(monkeypatch):
    text = "邻居家的狗天天晚上叫，吵得睡不着"
    assert route_rule.route_escalation_threshold() is not None
    high = route_rule.decide(text, "NEIGHBOR", "YELLOW", p_escalate=0.8)
    assert high.route == T and "风险较高（模型估计" in high.reason
    # The level shown leans towards escalating; a low probability keeps the village committee and says why.
    low = route_rule.decide(text, "NEIGHBOR", "ORANGE", p_escalate=0.2)
    assert low.route == V and "显示为橙色" in low.reason and "0.20" in low.reason
    # Switched off: the level shown decides, the probability is ignored.
    cfg = dict(route_rule.config(), route_escalation={"enabled": False, "threshold": 0.5})
    monkeypatch.setattr(route_rule, "config", lambda: cfg)
    assert route_rule.route_escalation_threshold() is None
    assert route_rule.decide(text, "NEIGHBOR", "ORANGE", p_escalate=0.2).route == T
    assert route_rule.decide(text, "NEIGHBOR", "YELLOW", p_escalate=0.8).route == V
