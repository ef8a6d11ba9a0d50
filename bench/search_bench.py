"""Search benchmark (issue 13): server time of search.query.search_cases for 1–4-word queries (two-character words
included), as the county administrator (咸安区) and as the city administrator, over the generated city.

Run by bench/run.py after the generator (which fills the index with search.index.reindex), or alone on an existing
database:

    TIAOJIE_ENV=test SQLITE_PATH=... .venv/bin/python bench/search_bench.py [--runs 20] [--reindex]

Server time = search_cases() (count, ranked page of 20, snippets, masking) and, separately, the whole page
(`search:home` through the Django test client).
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--reindex", action="store_true")
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaojie.settings")
    import django

    django.setup()
    if args.reindex:
        print(reindex_all())
    for op in run(args.runs):
        print(op["label"], f"p50 {op['median'] * 1000:.1f} ms p95 {op['p95'] * 1000:.1f} ms")
        for q in op["queries"]:
            mark = "+" if q["capped"] else " "
            print(f"   {q['q']:<16} {q['hits']:>6}{mark} {q['median'] * 1000:7.1f} {q['p95'] * 1000:7.1f}")
    print(similar_op(args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
