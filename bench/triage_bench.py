#!/usr/bin/env python
"""Triage timings (issue 13): `.venv/bin/python bench/triage_bench.py [--runs 5] [--model FILE]`.

Loads the triage model (the active TriageModelVersion's file when a database is configured and has one; else the
model trained on the shipped corpus, cached under var/triage/; or --model FILE), in a fresh process so that the
load time includes unpickling, then triages every held-out description of the corpus on one CPU core, several
runs, and prints the model load time and p50/p95 per description (median over the runs). Writes
bench/results/triage.json. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TIAOJIE_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaojie.settings")
    # One core: no BLAS threads.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import django

    django.setup()


def worker(model: str, runs: int) -> dict:
    """In a fresh process: load, then time every held-out text `runs` times."""
    _setup()
    from triage import corpus, engine, text

    tj = time.perf_counter()
    text.tokenizer()  # jieba's dictionary is shared with search and loaded once per process, not per model
    jieba_s = time.perf_counter() - tj
    t0 = time.perf_counter()
    if model:
        eng = engine.load_file(Path(model))
    else:
        path = engine._active_file() or engine.cache_path(fast=False)
        if not path.exists():
            eng = engine.shipped_engine(fast=False)  # trains once and caches; the load below is then timed
            path = engine.cache_path(fast=False)
            t0 = time.perf_counter()
        eng = engine.load_file(path)
    load_s = time.perf_counter() - t0
    texts = [r.text for r in corpus.heldout_rows()]
    for t in texts[:20]:  # warm-up
        eng.suggest(t)
    p50s, p95s, means, cpu50s, cpu95s = [], [], [], [], []

    def p95(xs: list[float]) -> float:
        return sorted(xs)[min(len(xs) - 1, int(0.95 * len(xs)))]

    for _ in range(runs):
        times, cpu = [], []
        for t in texts:
            a, c = time.perf_counter(), time.process_time()
            eng.suggest(t)
            times.append((time.perf_counter() - a) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        p50s.append(statistics.median(times))
        p95s.append(p95(times))
        means.append(statistics.fmean(times))
        cpu50s.append(statistics.median(cpu))
        cpu95s.append(p95(cpu))
    return {
        "model_version": eng.version,
        "texts": len(texts),
        "runs": runs,
        "load_s": round(load_s, 3),
        "jieba_init_s": round(jieba_s, 3),
        "p50_ms": round(statistics.median(p50s), 3),
        "p95_ms": round(statistics.median(p95s), 3),
        "mean_ms": round(statistics.median(means), 3),
        # CPU time of the process: what the text costs without the other processes of a shared machine.
        "cpu_p50_ms": round(statistics.median(cpu50s), 3),
        "cpu_p95_ms": round(statistics.median(cpu95s), 3),
        "p50_ms_runs": [round(x, 3) for x in p50s],
        "p95_ms_runs": [round(x, 3) for x in p95s],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--model", default="", help="a model file (default: the active one, else the shipped corpus's)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.model, args.runs)))
        return
    cmd = [sys.executable, __file__, "--worker", "--runs", str(args.runs)] + (
        ["--model", args.model] if args.model else []
    )
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    # Pin the worker to one CPU core where the platform allows it.
    if hasattr(os, "sched_setaffinity"):
        cmd = (
            ["taskset", "-c", "0", *cmd]
            if subprocess.run(["which", "taskset"], capture_output=True).returncode == 0
            else cmd
        )
    loads, jiebas = [], []
    result: dict = {}
    for _ in range(3):  # the load time is the median of three fresh processes
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd=ROOT)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        loads.append(result["load_s"])
        jiebas.append(result["jieba_init_s"])
    result["load_s_runs"] = loads
    result["load_s"] = round(statistics.median(loads), 3)
    result["jieba_init_s"] = round(statistics.median(jiebas), 3)
    result["load_with_jieba_s"] = round(result["load_s"] + result["jieba_init_s"], 3)
    result["machine"] = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    result["targets"] = {"load_s": 2.0, "p50_ms": 5.0}
    print(
        f"triage model {result['model_version']}: load {result['load_s']:.3f} s, jieba dictionary "
        f"{result['jieba_init_s']:.3f} s, together {result['load_with_jieba_s']:.3f} s (median of 3 processes)"
    )
    print(
        f"{result['texts']} held-out texts × {result['runs']} runs: p50 {result['p50_ms']:.2f} ms, "
        f"p95 {result['p95_ms']:.2f} ms per text (median of the runs); CPU time p50 {result['cpu_p50_ms']:.2f} ms, "
        f"p95 {result['cpu_p95_ms']:.2f} ms"
    )
    result["load_average"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "triage.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {RESULTS / 'triage.json'}")


if __name__ == "__main__":
    main()
