"""screening.rules: suggested flags with their reasons (thresholds and words from data/risk_escalation.json), 重大,
headcount buckets. No database needed except for the per-area override test."""

import json
from decimal import Decimal

import pytest

from cases.enums import DisputeType
from screening import config
from screening.enums import RiskFlag, RiskLevel
from screening.rules import headcount_bucket, is_major, suggest_flags


def flags(**kw) -> dict[str, str]:
    kw.setdefault("amount", None)
    kw.setdefault("dispute_type", DisputeType.NEIGHBOR)
    return dict(suggest_flags(**kw))


def test_nothing_suggested_for_an_ordinary_neighbour_quarrel():
    assert flags(headcount=2, text="两户因排水沟发生口角") == {}


def test_mass_parties_at_ten_not_nine():
    assert RiskFlag.MASS_PARTIES not in flags(headcount=9)
    got = flags(headcount=12)
    assert got[RiskFlag.MASS_PARTIES] == "涉及12人，达到10人以上群体性标准"
    assert RiskFlag.MASS_PARTIES in flags(headcount=10)


def test_large_amount_at_one_hundred_thousand():
    assert RiskFlag.LARGE_AMOUNT not in flags(headcount=2, amount=Decimal("99999.99"))
    got = flags(headcount=2, amount=Decimal("100000"))
    assert got[RiskFlag.LARGE_AMOUNT] == "涉及金额10万元，达到10万元以上标准"
    assert "150000.5元" in flags(headcount=2, amount=Decimal("150000.50"))[RiskFlag.LARGE_AMOUNT]


def test_wage_dispute_with_five_workers():
    assert RiskFlag.MASS_PARTIES not in flags(headcount=4, dispute_type=DisputeType.LABOR_MIGRANT_WAGES)
    got = flags(headcount=5, dispute_type=DisputeType.LABOR_MIGRANT_WAGES)
    assert got[RiskFlag.MASS_PARTIES] == "拖欠工资纠纷涉及5名劳动者，达到5人以上重大纠纷标准"
    # Another labour dispute counts when its text is about wages; a non-labour one does not.
    assert RiskFlag.MASS_PARTIES in flags(headcount=6, dispute_type=DisputeType.LABOR_OTHER, text="讨要拖欠工资")
    assert RiskFlag.MASS_PARTIES not in flags(headcount=6, dispute_type=DisputeType.LABOR_OTHER, text="社保")
    assert RiskFlag.MASS_PARTIES not in flags(headcount=6, dispute_type=DisputeType.CONTRACT, text="工资")


def test_work_injury_with_three_people():
    assert RiskFlag.MASS_PARTIES not in flags(headcount=2, dispute_type=DisputeType.LABOR_OTHER, text="工伤赔偿")
    got = flags(headcount=3, dispute_type=DisputeType.LABOR_OTHER, text="三名工人工伤赔偿未果")
    assert got[RiskFlag.MASS_PARTIES] == "工伤纠纷涉及3人，达到3人以上重大纠纷标准"


@pytest.mark.parametrize(
    ("text", "flag", "word"),
    [
        ("当事人扬言要喝农药自杀", RiskFlag.SUICIDE_RISK, "自杀"),
        ("一方有轻生念头", RiskFlag.SUICIDE_RISK, "轻生"),
        ("扬言报复对方", RiskFlag.CIVIL_TO_CRIMINAL, "扬言"),
        ("曾持刀到对方家中", RiskFlag.CIVIL_TO_CRIMINAL, "持刀"),
        ("村民准备集体上访", RiskFlag.GROUP_PETITION, "集体上访"),
        ("两个村民小组可能发生械斗", RiskFlag.GROUP_FIGHT, "械斗"),
        ("有人聚众堵路", RiskFlag.GROUP_FIGHT, "聚众"),
        ("施工中一人死亡", RiskFlag.UNNATURAL_DEATH, "死亡"),
        ("已向法院起诉", RiskFlag.LITIGATION_PETITION, "起诉"),
        ("多次到信访局信访", RiskFlag.LITIGATION_PETITION, "信访"),
    ],
)
def test_keywords_suggest_a_flag_and_name_the_word(text, flag, word):
    got = flags(headcount=2, text=text)
    assert flag in got and f"“{word}”" in got[flag]


def test_one_reason_per_flag_in_enum_order():
    got = suggest_flags(
        headcount=30,
        amount=Decimal("200000"),
        dispute_type=DisputeType.LAND_ACQ_DEMOLITION,
        text="村民扬言集体上访，有人持刀",
    )
    order = [f for f, _ in got]
    assert order == [f for f in RiskFlag.values if f in order]
    assert len(order) == len(set(order))
    assert set(order) == {
        RiskFlag.CIVIL_TO_CRIMINAL,
        RiskFlag.GROUP_PETITION,
        RiskFlag.MASS_PARTIES,
        RiskFlag.LARGE_AMOUNT,
    }


def test_is_major():
    assert not is_major(headcount=2, amount=None, flags=[])
    assert is_major(headcount=10, amount=None, flags=[])
    assert is_major(headcount=2, amount=Decimal("100000"), flags=[])
    assert is_major(headcount=2, amount=None, flags=[RiskFlag.SUICIDE_RISK])
    assert not is_major(headcount=2, amount=None, flags=[RiskFlag.PUBLIC_SECURITY])  # not a major flag
    assert is_major(headcount=2, amount=None, flags=[], level=RiskLevel.ORANGE)
    assert not is_major(headcount=2, amount=None, flags=[], level=RiskLevel.YELLOW)
    assert is_major(headcount=5, amount=None, flags=[], dispute_type=DisputeType.LABOR_MIGRANT_WAGES)
    assert not is_major(headcount=5, amount=None, flags=[], dispute_type=DisputeType.NEIGHBOR)


@pytest.mark.parametrize(
    ("n", "bucket"),
    [(0, 0), (49, 0), (50, 1), (99, 1), (100, 1), (101, 2), (500, 2), (501, 3), (10000, 3)],
)
def test_headcount_bucket(n, bucket):
    assert headcount_bucket(n, [50, 100, 500]) == bucket


def test_headcount_bucket_with_the_configured_bounds():
    assert config.headcount_buckets() == [50, 100, 500]
    assert headcount_bucket(100, config.headcount_buckets()) == 1


def test_an_area_override_changes_the_threshold(tmp_path, monkeypatch):
    raw = json.loads(config.PATH.read_text(encoding="utf-8"))
    thresholds = dict(raw["thresholds"], mass_parties_headcount=5)
    raw["divisions"] = {"421202": {"thresholds": thresholds}}
    path = tmp_path / "risk_escalation.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(config, "PATH", path)
    config.reload()
    try:
        assert RiskFlag.MASS_PARTIES in flags(headcount=6, division_code="421202001001")
        assert RiskFlag.MASS_PARTIES not in flags(headcount=6, division_code="421221100001")
    finally:
        monkeypatch.undo()
        config.reload()
