"""The triage commands (issue 13): `triage` keeps the contract of the issue, `triage_eval` prints every figure (its
shape, not its numbers), `train_triage` writes a model file and an active TriageModelVersion row."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.test_triage_engine import small_engine
from triage import engine
from triage.models import TriageModelVersion


@pytest.fixture
def eng():
    e = small_engine()
    engine.set_engine(e)
    yield e
    engine.set_engine(None)


def test_triage_command_contract(eng, tmp_path: Path):
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    lines = [
        {"id": "a1", "text": "在工地干了三个月，包工头跑了，工钱一分没给"},
        {"id": 2, "text": "他再不还钱，大不了同归于尽"},
        {"id": "c3", "text": "楼上漏水不管", "headcount": 12},
    ]
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    call_command("triage", "--input", str(src), "--output", str(dst), stderr=StringIO())
    out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == ["a1", 2, "c3"]
    for o in out:
        assert set(o) == {"id", "dispute_type", "risk_level", "risk_flags", "route", "reasons"}
        assert set(o["reasons"]) == {"dispute_type", "risk_level", "risk_flags", "route"}
        assert set(o["reasons"]["dispute_type"]) == {"confidence", "words", "alternatives"}
        assert set(o["reasons"]["risk_level"]) == {"confidence", "rules", "words"}
        assert set(o["reasons"]["route"]) == {"confidence", "rule", "words"}
        for flag in o["risk_flags"]:
            assert set(o["reasons"]["risk_flags"][flag]) == {"words", "rule"}
    assert out[1]["risk_level"] == "RED" and "CIVIL_TO_CRIMINAL" in out[1]["risk_flags"]
    assert "MASS_PARTIES" in out[2]["risk_flags"]


def test_triage_eval_shape(eng, tmp_path: Path):
    stdout = StringIO()
    report = tmp_path / "eval.json"
    call_command("triage_eval", "--split", "heldout", "--limit", "40", "--json", str(report), stdout=stdout)
    text = stdout.getvalue()
    for heading in (
        "纠纷类型（汇总为15类）",
        "纠纷类型（18个代码）",
        "升级（红色或橙色）",
        "风险等级混淆矩阵",
        "风险标签",
        "去向准确率",
        "p50",
    ):
        assert heading in text
    m = json.loads(report.read_text(encoding="utf-8"))
    assert m["rows"] == 40
    for key in ("dispute_type_15", "dispute_type_18", "route", "levels"):
        assert {"per_label", "macro_f1", "accuracy"} <= set(m[key])
    assert {"recall", "precision"} <= set(m["escalation"])
    assert set(m["level_confusion"]) == {"RED", "ORANGE", "YELLOW"}
    assert set(m["flags"]) >= {"CIVIL_TO_CRIMINAL", "SUICIDE_RISK", "MASS_PARTIES"}
    assert {"p50", "p95", "load_s"} <= set(m["timings_ms"])


def test_triage_eval_on_a_file(eng, tmp_path: Path):
    f = tmp_path / "labelled.jsonl"
    rows = [
        {
            "id": "t1",
            "text": "他再不还钱，大不了同归于尽",
            "dispute_type": "CONTRACT",
            "risk_level": "RED",
            "risk_flags": ["CIVIL_TO_CRIMINAL"],
            "route": "POLICE",
        },
        {
            "id": "t2",
            "text": "楼上漏水不管",
            "dispute_type": "NEIGHBOR",
            "risk_level": "YELLOW",
            "risk_flags": [],
            "route": "VILLAGE_COMMITTEE",
        },
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    stdout = StringIO()
    call_command("triage_eval", "--split", str(f), stdout=stdout)
    assert "评估：2 条" in stdout.getvalue()


@pytest.mark.django_db
def test_train_triage_writes_a_file_and_an_active_row(tmp_path: Path, monkeypatch):
    from triage import engine

    # The engine loads model files only from its own directory: here the test's.
    monkeypatch.setattr(engine, "CACHE_DIR", tmp_path)
    old = TriageModelVersion.objects.create(version="old", path="x.joblib", sha256="", active=True)
    stdout = StringIO()
    try:
        call_command(
            "train_triage",
            "--limit",
            "300",
            "--folds",
            "0",
            "--eval-limit",
            "20",
            "--output-dir",
            str(tmp_path),
            "--by",
            "测试",
            stdout=stdout,
        )
        mv = TriageModelVersion.objects.get(active=True)
        assert mv.version != "old"
        old.refresh_from_db()
        assert not old.active
        path = Path(mv.path)
        assert path.exists() and path.parent == tmp_path
        assert mv.corpus_lines == 300 and mv.platform_cases == 0 and mv.trained_by == "测试"
        assert mv.metrics["rows"] == 20 and "dispute_type_15" in mv.metrics and "escalation" in mv.metrics
        assert "已启用" in stdout.getvalue()
        # The engine now serves the new version, and a fresh process would load it from the active row.
        assert engine.get().version == mv.version
        engine.set_engine(None)
        assert engine.get().version == mv.version
        # Another process deactivates it (or activates another): the next look, RECHECK_SECONDS later, follows.
        TriageModelVersion.objects.filter(pk=mv.pk).update(active=False)
        assert engine.get().version == mv.version  # not looked yet
        engine._state["checked"] = float("-inf")
        assert engine.get().version != mv.version
        TriageModelVersion.objects.filter(pk=mv.pk).update(active=True)
        engine._state["checked"] = float("-inf")
        assert engine.get().version == mv.version
    finally:
        engine.set_engine(None)


@pytest.mark.django_db
def test_platform_closed_cases_are_training_rows(world):
    from django.utils import timezone

    from cases.enums import CaseStatus
    from tests.world import make_case
    from triage import corpus
    from triage.models import TriageSuggestion

    closed = make_case(world, CaseStatus.CLOSED)
    make_case(world, CaseStatus.INTAKE, seed=1)  # not closed: not a training row
    TriageSuggestion.objects.create(
        subject="REGISTRATION",
        case=closed,
        model_version="x",
        suggested_type="NEIGHBOR",
        suggested_level="YELLOW",
        suggested_route="VILLAGE_COMMITTEE",
        decided_type=closed.dispute_type,
        decided_level="ORANGE",
        decided_flags=["LARGE_AMOUNT"],
        decided_route="TOWNSHIP_COMMITTEE",
        decided_at=timezone.now(),
    )
    rows = corpus.platform_rows()
    assert [r.id for r in rows] == [f"case-{closed.pk}"]
    row = rows[0]
    assert row.dispute_type == closed.dispute_type and closed.brief_facts in row.text
    assert (row.risk_level, row.risk_flags, row.route) == ("ORANGE", ("LARGE_AMOUNT",), "TOWNSHIP_COMMITTEE")
    assert "route" in row.known


@pytest.mark.django_db
def test_without_an_active_version_the_shipped_corpus_is_trained_once_and_cached(tmp_path: Path, monkeypatch):
    from triage import corpus

    rows = corpus.train_rows()[:200]
    monkeypatch.setattr(engine, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(corpus, "train_rows", lambda directory=None: rows)
    engine.set_engine(None)
    try:
        first = engine.get()
        files = list(tmp_path.glob("auto-*.joblib"))
        assert len(files) == 1 and first.version.startswith("corpus-")
        engine.set_engine(None)
        monkeypatch.setattr(corpus, "train_rows", lambda directory=None: pytest.fail("retrained"))
        assert engine.get().version == first.version  # loaded from the cache, not retrained
    finally:
        engine.set_engine(None)


def test_triage_eval_external_split(eng, tmp_path: Path, monkeypatch):
    from django.core.management.base import CommandError

    from triage import corpus

    monkeypatch.setattr(corpus, "EXTERNAL_DIR", tmp_path)
    with pytest.raises(CommandError):
        call_command("triage_eval", "--split", "external", stdout=StringIO())
    row = {
        "id": "e1",
        "text": "楼上漏水不管",
        "dispute_type": "NEIGHBOR",
        "risk_level": "YELLOW",
        "route": "VILLAGE_COMMITTEE",
    }
    (tmp_path / "external-1.jsonl").write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    stdout = StringIO()
    call_command("triage_eval", "--split", "external", stdout=stdout)
    assert "评估：1 条" in stdout.getvalue()
