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
