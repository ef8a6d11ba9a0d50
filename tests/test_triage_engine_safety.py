"""Review fixes for the triage engine: no per-call state on the shared engine (threads), and model files loaded
only from var/triage/ with a checksum that matches (they are pickles)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.test_triage_engine import small_engine
from triage import engine
from triage.models import TriageModelVersion

RED = "他说大不了同归于尽，邻居宅基地的墙被推倒了"
CALM = "邻居宅基地的墙占了我家一点地方，双方没有动手，情绪稳定"


def _key(s) -> tuple:
    return (s.risk_level, s.route, s.reasons["route"]["rule"])


def test_two_threads_keep_their_own_level_and_route():
    eng = small_engine()
    expected = {RED: _key(eng.suggest(RED)), CALM: _key(eng.suggest(CALM))}
    assert expected[RED][0] != expected[CALM][0]
    wrong: list[tuple] = []
    start = threading.Barrier(2)

    def run(text: str) -> None:
        start.wait()
        for _ in range(40):
            got = _key(eng.suggest(text))
            if got != expected[text]:
                wrong.append((text, got))

    threads = [threading.Thread(target=run, args=(t,)) for t in (RED, CALM)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    assert not hasattr(eng, "_last_level")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    d = tmp_path / "var" / "triage"
    monkeypatch.setattr(engine, "CACHE_DIR", d)
    return d


@pytest.mark.django_db
def test_a_row_pointing_outside_the_triage_dir_is_not_loaded(cache_dir: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere" / "m.joblib"
    sha = engine.save_bundle(small_engine().bundle, outside)
    TriageModelVersion.objects.create(version="evil", path=str(outside), sha256=sha, active=True)
    assert engine._active_file() is None
    # a relative escape (../) is refused the same way
    TriageModelVersion.objects.update(path=str(cache_dir / ".." / ".." / "elsewhere" / "m.joblib"))
    assert engine._active_file() is None


@pytest.mark.django_db
def test_a_row_without_checksum_or_a_tampered_file_is_refused(cache_dir: Path):
    path = cache_dir / "m.joblib"
    sha = engine.save_bundle(small_engine().bundle, path)
    mv = TriageModelVersion.objects.create(version="v", path=str(path), sha256=sha, active=True)
    assert engine._active_file() == path
    mv.sha256 = ""
    mv.save()
    assert engine._active_file() is None
    mv.sha256 = sha
    mv.save()
    with path.open("ab") as f:
        f.write(b"tampered")
    assert engine._active_file() is None


def test_a_tampered_auto_cache_file_is_retrained(cache_dir: Path, monkeypatch):
    from triage import corpus, train

    bundle = small_engine().bundle
    path = engine.cache_path(fast=True)
    engine.save_bundle(bundle, path)
    assert engine._sidecar(path).read_text().strip() == engine._sha256(path)
    monkeypatch.setattr(corpus, "train_rows", lambda directory=None: [])
    trained: list[int] = []

    def fake_train(rows, folds=0, version=""):
        trained.append(1)
        return bundle

    monkeypatch.setattr(train, "train", fake_train)
    engine.shipped_engine(fast=True)
    assert trained == []  # intact file: loaded
    with path.open("ab") as f:
        f.write(b"tampered")
    engine.shipped_engine(fast=True)
    assert trained == [1]  # mismatch: not unpickled, retrained and rewritten with a fresh sidecar
    assert engine._sidecar(path).read_text().strip() == engine._sha256(path)
    engine._sidecar(path).unlink()
    engine.shipped_engine(fast=True)
    assert trained == [1, 1]  # no sidecar: retrained


# --- manage.py triage: a bad line gives an error line, the batch goes on -----------------------------------------


@pytest.mark.django_db
def test_triage_command_writes_an_error_line_for_each_bad_line_and_goes_on(tmp_path: Path):
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    good = json.dumps({"id": "ok1", "text": "欠工资三个月不给"}, ensure_ascii=False)
    lines = [
        good,
        "{not json",
        json.dumps({"id": "h", "text": "楼上漏水", "headcount": "三人"}, ensure_ascii=False),
        json.dumps({"id": "t", "headcount": 2}),
        json.dumps({"id": "e", "text": "   "}),
        json.dumps({"id": "n", "text": "借钱不还", "amount_yuan": "NaN"}, ensure_ascii=False),
        json.dumps({"id": "ok2", "text": "借钱不还", "headcount": "3", "amount_yuan": 5000}, ensure_ascii=False),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine.set_engine(small_engine())
    try:
        with pytest.raises(CommandError, match="5 行未能分流"):
            call_command("triage", "--input", str(src), "--output", str(dst), stderr=StringIO())
    finally:
        engine.set_engine(None)
    out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == ["ok1", None, "h", "t", "e", "n", "ok2"]
    assert "dispute_type" in out[0] and "dispute_type" in out[-1]
    errors = {o["id"]: o["error"] for o in out if "error" in o}
    assert set(out[1]) == {"id", "error"} and "JSON" in out[1]["error"] and "第2行" in out[1]["error"]
    assert "人数" in errors["h"] and "text" in errors["t"] and "text" in errors["e"] and "金额" in errors["n"]
