"""The triage engine (issue 13): reasons name words of the text, negation, indirect risk, figures against the
configured thresholds, valid codes. A small model trained once per session on a corpus subset keeps it fast."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pytest

from cases.enums import DisputeType
from screening.enums import RiskFlag, RiskLevel
from triage import corpus, engine, lexicon, train
from triage.enums import Route


@cache
def small_engine() -> engine.Engine:
    """Trained on a stratified subset of the corpus's training split (about 40 lines per type), no CV."""
    rows = corpus.train_rows()
    per: dict[str, int] = {}
    subset = []
    for r in rows:
        if per.get(r.dispute_type, 0) < 40:
            per[r.dispute_type] = per.get(r.dispute_type, 0) + 1
            subset.append(r)
    return engine.Engine(train.train(subset, folds=0, version="test-small"))


@pytest.fixture(scope="module")
def eng() -> engine.Engine:
    e = small_engine()
    engine.set_engine(e)
    yield e
    engine.set_engine(None)


def _all_words(s) -> list[str]:
    r = s.reasons
    out = list(r["dispute_type"]["words"]) + list(r["risk_level"]["words"]) + list(r["route"]["words"])
    for f in r["risk_flags"].values():
        out += f["words"]
    return out


TEXTS = [
    "邻居家装修天天砸墙，噪音太大了，老人孩子都睡不好",
    "在工地干了半年活，包工头跑了，十几个工人的工钱一分没拿到",
    "我在网上买的手机是翻新机，店家不给退",
    "双方没有动手，情绪稳定，就是宅基地边界说不清",
    "他再不还钱，大不了同归于尽",
    "医院做手术把我爸耽误了，人没了，家属都在医院门口",
    "电动车在路口被小轿车撞了，腿骨折了，保险公司不赔",
    "物业费涨了一倍，电梯还老坏",
]


def test_reasons_words_occur_in_the_text(eng):
    for text in TEXTS:
        s = eng.suggest(text)
        for w in _all_words(s):
            assert w and w in text, (w, text)
        assert s.reasons["dispute_type"]["words"], text  # a type is always explained by words of the text
        assert isinstance(s.reasons["risk_level"]["rules"], list) and s.reasons["risk_level"]["rules"]
        assert s.reasons["route"]["rule"]
        assert 0.0 <= s.type_confidence <= 1.0 and 0.0 <= s.level_confidence <= 1.0
        assert 0.0 <= s.route_confidence <= 1.0


def test_every_output_code_is_valid(eng):
    for r in corpus.heldout_rows()[:60] + [corpus.Row("x", t, "", "") for t in TEXTS + ["", "？？", "abc 123"]]:
        s = eng.suggest(r.text)
        assert s.dispute_type in DisputeType.values
        assert s.risk_level in RiskLevel.values
        assert s.route in Route.values
        assert all(f in RiskFlag.values for f in s.risk_flags)
        assert s.risk_flags == [f for f in lexicon.FLAG_ORDER if f in s.risk_flags]  # in RiskFlag's order
        assert set(s.reasons["risk_flags"]) == set(s.risk_flags)
        for code, p in s.reasons["dispute_type"]["alternatives"]:
            assert code in DisputeType.values and 0 <= p <= 1
        out = s.as_output("id-1")
        assert set(out) == {"id", "dispute_type", "risk_level", "risk_flags", "route", "reasons"}


def test_negation_is_not_risk(eng):
    s = eng.suggest("双方没有动手，情绪稳定")
    assert "PUBLIC_SECURITY" not in s.risk_flags
    assert "CIVIL_TO_CRIMINAL" not in s.risk_flags
    assert s.risk_level == "YELLOW"
    res = lexicon.scan("以前吵过，现在和好了，没有人员伤亡，也不会去闹")
    assert not res.hits
    assert res.calm


def test_indirect_threat_is_red(eng):
    s = eng.suggest("大不了同归于尽")
    assert "CIVIL_TO_CRIMINAL" in s.risk_flags
    assert s.risk_level == "RED"
    assert "同归于尽" in s.reasons["risk_flags"]["CIVIL_TO_CRIMINAL"]["words"]
    assert any("民转刑" in r for r in s.reasons["risk_level"]["rules"])


def test_suicide_risk(eng):
    s = eng.suggest("欠的钱要不回来，我不想活了")
    assert "SUICIDE_RISK" in s.risk_flags
    assert s.risk_level == "RED"
    assert "不想活" in s.reasons["risk_flags"]["SUICIDE_RISK"]["words"]


def test_conditional_threat_is_not_a_negation():
    assert "SUICIDE_RISK" in lexicon.scan("老板不给钱就从楼上跳下去").hits


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("欠了15万", 150_000),
        ("十几万块", 130_000),
        ("3000元", 3000),
        ("三千块", 3000),
        ("一百二十万", 1_200_000),
        ("21.6万元", 216_000),
        ("三万六的工钱", 36_000),
    ],
)
def test_amounts(text, value):
    assert max(f.value for f in lexicon.amounts(text)) == pytest.approx(value)


@pytest.mark.parametrize("text", ["2023年3月", "138****5678", "五万多平方米的厂房"])
def test_not_amounts(text):
    assert not lexicon.amounts(text)


@pytest.mark.parametrize(
    ("text", "value"), [("30多户", 31), ("十几个工人", 13), ("14人", 14), ("二十余名族人", 21), ("全村", 100)]
)
def test_headcounts(text, value):
    assert max(f.value for f in lexicon.headcounts(text)) == value


def test_thresholds_from_configuration(eng):
    # data/risk_escalation.json: large_amount_yuan 100000, mass_parties_headcount 10.
    assert "LARGE_AMOUNT" in eng.suggest("借给他十五万一直不还").risk_flags
    assert "LARGE_AMOUNT" not in eng.suggest("借给他三千元一直不还").risk_flags
    assert "MASS_PARTIES" in eng.suggest("我们村30多户的承包地被占了").risk_flags
    s = eng.suggest("借钱不还", amount_yuan=Decimal("200000"))
    assert "LARGE_AMOUNT" in s.risk_flags and s.risk_level in ("ORANGE", "RED")
    assert "MASS_PARTIES" in eng.suggest("楼上漏水不管", headcount=12).risk_flags
    assert "MASS_PARTIES" not in eng.suggest("楼上漏水不管", headcount=2).risk_flags


def test_service_uses_the_engine(eng):
    from triage.service import suggest

    s = suggest("大不了同归于尽")
    assert s.model_version == eng.version == "test-small"


def test_heldout_split_is_fixed_and_covers_every_type():
    rows = corpus.load()
    train_rows, heldout = corpus.split(rows)
    assert not {r.id for r in train_rows} & {r.id for r in heldout}
    assert 0.12 < len(heldout) / len(rows) < 0.28
    assert {r.dispute_type for r in heldout} == {r.dispute_type for r in rows}
    assert corpus.is_heldout(heldout[0].id) and not corpus.is_heldout(train_rows[0].id)
