"""Search benchmark (issue 13): server time of search.query.search_cases for 1–4-word queries (two-character words
included), as the county administrator (咸安区) and as the city administrator, over the generated city.

Run by bench/run.py after the generator (which fills the index with search.index.reindex), or alone on an existing
database:

    TIAOJIE_ENV=test SQLITE_PATH=... .venv/bin/python bench/search_bench.py [--runs 20] [--reindex]

Server time = search_cases() (count, ranked page of 20, snippets, masking) and, separately, the whole page
(`search:home` through the Django test client).

Search-only mode at scale (the full `make bench N=1000000` takes over an hour here, most of it the jieba reindex):

    .venv/bin/python bench/search_bench.py --docs-only 1000000 [--db sqlite|pg|both] [--out JSON]

generates the N cases with bench/generate.py (real case rows, parties, agreements: what the scoping and the result
rows read), segments only a sample of them with jieba (search.index.reindex, `--sample` cases spread over the ids),
then fills the index of every other case in ONE INSERT … SELECT inside the database: the case's own columns
(division, committee, type, status, case number) with the segmented texts of a sampled case of the same dispute
type (names, phone tails and places included), the full-text structures rebuilt after the load (FTS5 'rebuild';
PG GIN indexes re-created, VACUUM ANALYZE). Then the same timings as above.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0

# 1–4 words from the generator's texts; two-character words (工资 物业 围墙 积水); a name part; a phone tail.
QUERIES = [
    "工资",
    "物业",
    "围墙",
    "积水",
    "宅基地",
    "宅基地 界线",
    "拖欠 工资",
    "车辆 维修",
    "赔偿 医疗费",
    "山林 界址 林木",
    "夫妻 财产 抚养",
    "拖欠 工资 建筑 工地",
    "小区 车库 积水 赔偿",
    "张建",
    "0001",
    "养猪场 污水 整改",
]


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(0.95 * len(s) + 0.5) - 1))]


def reindex_all(log=print) -> dict:
    from cases.models import Case
    from search.index import reindex

    t0 = time.monotonic()
    n = reindex(Case.objects.all(), batch=5000, log=log)
    seconds = time.monotonic() - t0
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does by itself shortly after a bulk load (merges the GIN pending lists, statistics);
        # otherwise it runs during the timings below.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE search_searchdoc")
    return {"cases": n, "seconds": round(seconds, 1), "cases_per_second": round(n / max(seconds, 1e-9))}


def run(runs: int = 10, log=print) -> list[dict]:
    """One op per user: p50/p95 over every query × runs; per query its median and hit count."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from search.query import search_cases

    ops = []
    for username, label in (("county", "county 咸安区"), ("city", "city 咸宁市")):
        user = User.objects.get(username=username)
        all_times, per_query = [], []
        for q in QUERIES:
            res = search_cases(user, q)  # warm-up
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                search_cases(user, q)
                times.append(time.perf_counter() - t0)
            all_times += times
            per_query.append(
                {"q": q, "words": len(q.split()), "median": statistics.median(times), "p95": p95(times),
                 "hits": res.count, "capped": res.capped}
            )  # fmt: skip
        client = Client()
        client.force_login(user)
        page_times = []
        for q in QUERIES:
            client.get(reverse("search:home"), {"q": q})
            for _ in range(max(2, runs // 4)):
                t0 = time.perf_counter()
                resp = client.get(reverse("search:home"), {"q": q})
                page_times.append(time.perf_counter() - t0)
            assert resp.status_code == 200
        worst = max(per_query, key=lambda r: r["p95"])
        op = {
            "key": f"search_{username}",
            "label": f"search, {label}, {len(QUERIES)} queries × {runs}",
            "median": statistics.median(all_times),
            "p95": p95(all_times),
            "page_p95": p95(page_times),
            "queries": per_query,
            "check": f"page p95 {p95(page_times) * 1000:.1f} ms; slowest {worst['q']!r} "
            f"p95 {worst['p95'] * 1000:.1f} ms",
        }
        log(f"  {op['label']}: p50 {op['median'] * 1000:.1f} ms, p95 {op['p95'] * 1000:.1f} ms ({op['check']})")
        ops.append(op)
    return ops


def similar_op(runs: int = 10) -> dict:
    from accounts.models import User
    from cases.models import Case
    from search.similar import similar_cases

    user = User.objects.get(username="county")
    ids = list(
        Case.objects.filter(division_code__startswith="421202").order_by("-id").values_list("id", flat=True)[:runs]
    )
    times = []
    for pk in ids:
        case = Case.objects.get(pk=pk)
        similar_cases(user, case)
        t0 = time.perf_counter()
        similar_cases(user, case)
        times.append(time.perf_counter() - t0)
    return {"key": "similar_county", "label": f"similar cases, county 咸安区, {len(times)} cases",
            "median": statistics.median(times), "p95": p95(times)}  # fmt: skip


DOC_COLUMNS = ["facts", "claims", "records", "terms", "names", "phones", "place", "summary", "summary_tokens"]


def fill_docs_from_sample(sample: int, log=print) -> dict:
    """Index a sample of the cases with jieba, then every other case from the sample's segmented texts (same
    dispute type) in one INSERT … SELECT, the full-text structures rebuilt after the load."""
    import importlib

    from django.db import connection, transaction
    from django.utils import timezone

    from cases.models import Case
    from search.index import CLOSED_STATES, reindex

    ft = importlib.import_module("search.migrations.0002_fulltext")
    tags = importlib.import_module("search.migrations.0003_scope_tags")
    out: dict = {"sample": sample}
    t0 = time.monotonic()
    n = Case.objects.count()
    step = max(1, n // sample)
    ids = list(Case.objects.order_by("id").values_list("id", flat=True)[::step])
    reindex(Case.objects.filter(pk__in=ids), batch=2000)
    out["sample_cases"] = len(ids)
    out["sample_seconds"] = round(time.monotonic() - t0, 1)
    log(f"  sample of {len(ids):,} cases indexed with jieba in {out['sample_seconds']}s")
    pg = connection.vendor == "postgresql"
    t0 = time.monotonic()
    closed = ", ".join("'" + s + "'" for s in CLOSED_STATES)
    cols = ", ".join(DOC_COLUMNS)
    with transaction.atomic(), connection.cursor() as cur:
        if pg:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for sql in tags.PG_DROP_INDEXES:
                cur.execute(sql)
        else:
            cur.execute("DROP TRIGGER search_fts_ai")
        cur.execute("DROP TABLE IF EXISTS bench_sample")
        cur.execute(
            "CREATE TEMP TABLE bench_sample AS SELECT case_id, dispute_type, "
            "ROW_NUMBER() OVER (PARTITION BY dispute_type ORDER BY id) - 1 AS k, "
            f"COUNT(*) OVER (PARTITION BY dispute_type) AS cnt, {cols} FROM search_searchdoc"
        )
        cur.execute("SELECT DISTINCT dispute_type, cnt FROM bench_sample")
        counts = dict(cur.fetchall())
        # a case of a type the sample lacks takes the texts of the largest type
        fallback = max(counts, key=counts.get)
        cur.execute(
            "INSERT INTO search_searchdoc (case_id, division_code, committee_id, dispute_type, status, closed, "
            f"updated, ident, {cols}) "
            f"SELECT c.id, c.division_code, c.committee_id, c.dispute_type, c.status, c.status IN ({closed}), %s, "
            f"COALESCE(c.case_no, '登记'), {', '.join('s.' + c for c in DOC_COLUMNS)} FROM cases_case c "
            "JOIN (SELECT DISTINCT dispute_type, cnt FROM bench_sample) t "
            "ON t.dispute_type = CASE WHEN c.dispute_type IN (SELECT dispute_type FROM bench_sample) "
            "THEN c.dispute_type ELSE %s END "
            "JOIN bench_sample s ON s.dispute_type = t.dispute_type AND s.k = c.id %% t.cnt "
            "WHERE c.id NOT IN (SELECT case_id FROM bench_sample) ORDER BY c.id",
            [timezone.now(), fallback],
        )
        out["docs_inserted"] = cur.rowcount
        cur.execute("DROP TABLE bench_sample")
    out["insert_seconds"] = round(time.monotonic() - t0, 1)
    log(f"  {out['docs_inserted']:,} documents inserted in {out['insert_seconds']}s")
    t1 = time.monotonic()
    # after the commit: PG refuses CREATE INDEX while the deferred foreign-key checks are pending
    with transaction.atomic(), connection.cursor() as cur:
        if pg:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for sql in tags.PG_INDEXES:
                cur.execute(sql)
        else:
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            cur.execute(ft.SQLITE_UP[1])
    if pg:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE search_searchdoc")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    out["fulltext_build_seconds"] = round(time.monotonic() - t1, 1)
    log(f"  full-text structures built in {out['fulltext_build_seconds']}s")
    return out


def docs_only_worker(n: int, runs: int, sample: int, seed: int, result: Path) -> int:
    from django.conf import settings
    from django.db import connection

    from bench.generate import generate

    settings.DEBUG = False
    res: dict = {"mode": "docs-only", "load_avg_start": os.getloadavg()}

    def save() -> None:
        result.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))

    def log(msg: str) -> None:
        print(msg, flush=True)

    with connection.cursor() as cur:
        cur.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cur.fetchone()[0]
    res["server"] = f"PostgreSQL {version.split()[1]}" if connection.vendor == "postgresql" else f"SQLite {version}"
    log(f"[{res['server']}] generating {n:,} cases ...")
    stats = generate(n, seed=seed, log=log)
    res["generation"] = {k: v for k, v in stats.as_dict().items() if k.endswith("seconds") or k in ("cases",)}
    log(f"  generated in {stats.setup_seconds + stats.seconds:.0f}s")
    save()
    res["docs"] = fill_docs_from_sample(sample, log=log)
    save()
    res["ops"] = run(runs, log=log)
    save()
    res["ops"].append(similar_op(runs))
    res["load_avg_end"] = os.getloadavg()
    save()
    return 0


def docs_only(args: argparse.Namespace) -> int:
    """Run docs_only_worker per database in a fresh database (SQLite file / throwaway PG cluster); one JSON."""
    import shutil
    import subprocess
    import tempfile
    from datetime import datetime

    dbs = ["sqlite", "pg"] if args.db == "both" else [args.db]
    tmp = Path(tempfile.mkdtemp(prefix="tiaojie-search-bench-"))
    results = {}
    started = time.monotonic()
    try:
        for db in dbs:
            workdir = tmp / db
            workdir.mkdir()
            result = workdir / "result.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--docs-only", str(args.docs_only), "--worker"]
            cmd += ["--runs", str(args.runs), "--sample", str(args.sample), "--result", str(result)]
            env = dict(os.environ, TIAOJIE_ENV="test", DEBUG="0", PYTHONPATH=str(ROOT))
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
            env["PRIVATE_FILES_ROOT"] = str(workdir / "private")
            if db == "pg":
                cmd = ["bash", str(ROOT / "scripts" / "pg_cluster.sh"), "start", "--", *cmd]
            print(f"=== {db} ===", flush=True)
            rc = subprocess.run(cmd, env=env, cwd=ROOT).returncode
            results[db] = json.loads(result.read_text()) if result.exists() else {"error": f"exit code {rc}"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    doc = {
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "n_cases": args.docs_only,
        "mode": "docs-only: generated cases; index texts sampled from jieba-segmented generated cases",
        "runs": args.runs,
        "target_p95_ms": TARGET_P95_MS,
        "wall_seconds": round(time.monotonic() - started, 1),
        "databases": results,
    }
    out = args.out or ROOT / "bench" / "results" / f"search-n{args.docs_only}-docs.json"
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    print(f"wrote {out}")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--reindex", action="store_true")
    p.add_argument("--docs-only", type=int, metavar="N", help="generate N cases, index them from a jieba sample")
    p.add_argument("--sample", type=int, default=4000, help="cases segmented with jieba in --docs-only")
    p.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--out", type=Path)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.docs_only and not args.worker:
        return docs_only(args)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaojie.settings")
    import django

    django.setup()
    if args.docs_only:
        return docs_only_worker(args.docs_only, args.runs, args.sample, args.seed, args.result)
    if args.reindex:
        print(reindex_all())
    ops = run(args.runs)
    for op in ops:
        print(op["label"], f"p50 {op['median'] * 1000:.1f} ms p95 {op['p95'] * 1000:.1f} ms")
        for q in op["queries"]:
            mark = "+" if q["capped"] else " "
            print(f"   {q['q']:<16} {q['hits']:>6}{mark} {q['median'] * 1000:7.1f} {q['p95'] * 1000:7.1f}")
    ops.append(similar_op(args.runs))
    print(ops[-1])
    if args.result:
        args.result.write_text(json.dumps({"ops": ops, "load_avg": os.getloadavg()}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
