"""The monthly form computed two other ways, to put the ORM implementation (insights.metrics.monthly_form) in
perspective: by DuckDB over the same rows exported to Parquet (and CSV), and by a naive Python loop over the ORM.

All three produce the same canonical structure, and the benchmark checks that they are EQUAL before it reports a
time: a fast wrong answer is worth nothing. Canonical form:

    {"cube": {(dispute_type, source, committee_type, agreement_form): (cases, success, difficult, parties,
              amount "0.00", closed, duration_seconds, <4 prevention case counts>, <4 prevention person sums>)},
     "committees": {committee_type: n}, "mediators": {category: n}}

The definitions are those of insights.base / insights.slices: a case is reported in a period when it was accepted
within it (China time) and is not TRANSFERRED_OUT; its agreement form is that of its latest agreement that is not
DRAFT/CHANGED/REVOKED; parties are all its party rows; amount is amount_involved.
"""

from __future__ import annotations

import csv
import os
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.db import connection

PREVENTION = (
    "prevented_suicide_persons",
    "prevented_criminal_persons",
    "prevented_group_petition_persons",
    "prevented_group_fight_persons",
)
NOT_CURRENT = ("CHANGED", "REVOKED", "DRAFT")
CENT = Decimal("0.01")


# --- canonical forms ---------------------------------------------------------------------------------------------
def canonical_from_orm(result) -> dict:
    """insights.metrics.FormResult → canonical form (the measure order of metrics.CASE_MEASURES)."""
    from insights.metrics import CASE_MEASURES

    cube = {}
    for row in result.cube:
        key = (row["dispute_type"], row["source"], row["committee_type"], row["agreement_form"] or "")
        vals = []
        for m in CASE_MEASURES:
            v = row[m]
            vals.append(str(Decimal(v).quantize(CENT)) if m == "amount" else int(v))
        cube[key] = tuple(vals)
    return {
        "cube": cube,
        "committees": {k: int(v) for k, v in result.committees.items() if v},
        "mediators": {k: int(v) for k, v in result.mediators.items() if v},
    }


def diff(a: dict, b: dict, limit: int = 5) -> list[str]:
    """Human-readable differences between two canonical forms ([] when equal)."""
    out = []
    for part in ("committees", "mediators"):
        if a[part] != b[part]:
            out.append(f"{part}: {a[part]} != {b[part]}")
    keys = sorted(set(a["cube"]) | set(b["cube"]))
    for k in keys:
        if a["cube"].get(k) != b["cube"].get(k):
            out.append(f"cube{k}: {a['cube'].get(k)} != {b['cube'].get(k)}")
            if len(out) >= limit:
                break
    return out


# --- naive loop --------------------------------------------------------------------------------------------------
def naive_form(area_code: str, period) -> dict:
    """The same selection through the ORM, every measure computed by a Python loop over model instances (parties
    and agreements prefetched per chunk, so no query per case): what one writes without database aggregation."""
    from cases.models import Case
    from registry.models import Committee, Mediator

    qs = Case.objects.all()
    if area_code:
        qs = qs.filter(division_code__startswith=area_code)
    qs = (
        qs.filter(accepted_at__gte=period.start_at, accepted_at__lt=period.end_at)
        .select_related("committee")
        .prefetch_related("parties", "agreements")
        .order_by("id")
    )
    acc: dict[tuple, list] = defaultdict(lambda: [0] * 15)
    for case in qs.iterator(chunk_size=2000):
        if case.status == "TRANSFERRED_OUT":
            continue
        current = [a for a in case.agreements.all() if a.status not in NOT_CURRENT]
        form = max(current, key=lambda a: (a.drafted_at, a.id)).form if current else ""
        row = acc[(case.dispute_type, case.source, case.committee.committee_type, form)]
        row[0] += 1
        row[1] += case.outcome == "SUCCESS"
        row[2] += bool(case.is_difficult)
        row[3] += len(case.parties.all())
        row[4] += case.amount_involved
        if case.closed_at is not None:
            row[5] += 1
            row[6] += int((case.closed_at - case.accepted_at).total_seconds())
        for i, f in enumerate(PREVENTION):
            v = getattr(case, f)
            row[7 + i] += v > 0
            row[11 + i] += v
    cube = {
        k: tuple(str(Decimal(v).quantize(CENT)) if i == 4 else int(v) for i, v in enumerate(vals))
        for k, vals in acc.items()
    }
    committees: dict[str, int] = defaultdict(int)
    for c in Committee.objects.all():
        if c.is_active and c.division_id.startswith(area_code):
            committees[c.committee_type] += 1
    mediators: dict[str, int] = defaultdict(int)
    for m in Mediator.objects.select_related("committee"):
        if m.is_active and m.committee.is_active and m.committee.division_id.startswith(area_code):
            mediators[m.category] += 1
    return {"cube": cube, "committees": dict(committees), "mediators": dict(mediators)}


# --- export ------------------------------------------------------------------------------------------------------
def _ts(col: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS {col}"
    return f"substr({col}, 1, 26) AS {col}"


def _bool(col: str) -> str:
    # CAST: an expression has no declared type, so Django's sqlite "bool" converter leaves the 0/1 alone.
    return f"CAST({col} AS INTEGER) AS {col}"


def _money(col: str) -> str:
    return col if connection.vendor == "postgresql" else f"printf('%.2f', {col}) AS {col}"


EXPORTS = {
    "cases": (
        "cases_case",
        lambda: [
            "id",
            "committee_id",
            "division_code",
            "status",
            "dispute_type",
            "source",
            _money("amount_involved"),
            _bool("is_difficult"),
            _ts("accepted_at"),
            _ts("closed_at"),
            "outcome",
            *PREVENTION,
        ],
    ),  # fmt: skip
    "parties": ("cases_party", lambda: ["id", "case_id"]),
    "agreements": ("cases_agreement", lambda: ["id", "case_id", "form", "status", _ts("drafted_at")]),
    "committees": ("registry_committee", lambda: ["id", "committee_type", "division_id", _bool("is_active")]),
    "mediators": ("registry_mediator", lambda: ["id", "committee_id", "category", _bool("is_active")]),
}
CSV_TYPES = {
    "cases": {
        "id": "BIGINT",
        "committee_id": "BIGINT",
        "division_code": "VARCHAR",
        "status": "VARCHAR",
        "dispute_type": "VARCHAR",
        "source": "VARCHAR",
        "amount_involved": "DECIMAL(14,2)",
        "is_difficult": "INTEGER",
        "accepted_at": "TIMESTAMP",
        "closed_at": "TIMESTAMP",
        "outcome": "VARCHAR",
        **dict.fromkeys(PREVENTION, "INTEGER"),
    },  # fmt: skip
    "parties": {"id": "BIGINT", "case_id": "BIGINT"},
    "agreements": {
        "id": "BIGINT",
        "case_id": "BIGINT",
        "form": "VARCHAR",
        "status": "VARCHAR",
        "drafted_at": "TIMESTAMP",
    },
    "committees": {"id": "BIGINT", "committee_type": "VARCHAR", "division_id": "VARCHAR", "is_active": "INTEGER"},
    "mediators": {"id": "BIGINT", "committee_id": "BIGINT", "category": "VARCHAR", "is_active": "INTEGER"},
}


def export(directory: Path) -> dict:
    """Write the columns the form needs to CSV (from the Django database), then DuckDB converts them to Parquet.
    Returns the seconds of each step (not part of DuckDB's query time)."""
    import duckdb

    directory.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    for name, (table, cols) in EXPORTS.items():
        path = directory / f"{name}.csv"
        select = f"SELECT {', '.join(cols())} FROM {table}"
        header = [c.split(" AS ")[-1] for c in cols()]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur, open(path, "wb") as f:
                with cur.cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER true)") as cp:
                    for data in cp:
                        f.write(data)
        else:
            with connection.cursor() as cur, open(path, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(header)
                cur.execute(select)
                while rows := cur.fetchmany(50_000):
                    w.writerows(rows)
    t1 = time.monotonic()
    con = duckdb.connect()
    for name in EXPORTS:
        src = _csv_source(directory, name)
        con.execute(f"COPY (SELECT * FROM {src}) TO '{directory / (name + '.parquet')}' (FORMAT parquet)")
    con.close()
    t2 = time.monotonic()
    size = sum(os.path.getsize(directory / f"{n}.parquet") for n in EXPORTS)
    return {"csv_seconds": round(t1 - t0, 2), "parquet_seconds": round(t2 - t1, 2), "parquet_bytes": size}


def _csv_source(directory: Path, name: str) -> str:
    types = ", ".join(f"'{k}': '{v}'" for k, v in CSV_TYPES[name].items())
    return f"read_csv('{directory / (name + '.csv')}', header=true, columns={{{types}}})"


class DuckForms:
    """DuckDB over the exported files: the 12 monthly forms of an area in one grouped query."""

    def __init__(self, directory: Path, fmt: str = "parquet") -> None:
        import duckdb

        self.con = duckdb.connect()
        for name in EXPORTS:
            src = (
                f"read_parquet('{directory / (name + '.parquet')}')"
                if fmt == "parquet"
                else _csv_source(directory, name)
            )
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM {src}")

    def forms(self, area_code: str, periods: list) -> dict[str, dict]:
        """{period label: canonical form} for consecutive monthly periods."""
        start = _utc_naive(periods[0].start_at)
        end = _utc_naive(periods[-1].end_at)
        month_of = {f"{p.start.year:04d}-{p.start.month:02d}": p.label for p in periods}
        prevention_cases = ", ".join(f"count(*) FILTER (WHERE {f} > 0)" for f in PREVENTION)
        prevention_sums = ", ".join(f"coalesce(sum({f}), 0)" for f in PREVENTION)
        sql = f"""
            WITH rc AS (
                SELECT c.*, cm.committee_type, strftime(c.accepted_at + INTERVAL 8 HOUR, '%Y-%m') AS month
                FROM cases c JOIN committees cm ON cm.id = c.committee_id
                WHERE c.division_code LIKE ? AND c.accepted_at >= ? AND c.accepted_at < ?
                  AND c.status <> 'TRANSFERRED_OUT'
            ),
            pc AS (SELECT p.case_id, count(*) AS n FROM parties p SEMI JOIN rc ON rc.id = p.case_id GROUP BY 1),
            ag AS (
                SELECT a.case_id, first(a.form ORDER BY a.drafted_at DESC, a.id DESC) AS form
                FROM agreements a SEMI JOIN rc ON rc.id = a.case_id
                WHERE a.status NOT IN ('CHANGED', 'REVOKED', 'DRAFT') GROUP BY 1
            )
            SELECT rc.month, rc.dispute_type, rc.source, rc.committee_type, coalesce(ag.form, '') AS form,
                   count(*), count(*) FILTER (WHERE rc.outcome = 'SUCCESS'),
                   count(*) FILTER (WHERE rc.is_difficult = 1),
                   coalesce(sum(pc.n), 0), sum(rc.amount_involved)::VARCHAR,
                   count(*) FILTER (WHERE rc.closed_at IS NOT NULL),
                   coalesce(sum(epoch(rc.closed_at) - epoch(rc.accepted_at))
                            FILTER (WHERE rc.closed_at IS NOT NULL), 0),
                   {prevention_cases}, {prevention_sums}
            FROM rc LEFT JOIN pc ON pc.case_id = rc.id LEFT JOIN ag ON ag.case_id = rc.id
            GROUP BY ALL
        """
        rows = self.con.execute(sql, [area_code + "%", start, end]).fetchall()
        committees = dict(
            self.con.execute(
                "SELECT committee_type, count(*) FROM committees WHERE is_active = 1 AND division_id LIKE ? GROUP BY 1",
                [area_code + "%"],
            ).fetchall()
        )
        mediators = dict(
            self.con.execute(
                """SELECT m.category, count(*) FROM mediators m JOIN committees c ON c.id = m.committee_id
                   WHERE m.is_active = 1 AND c.is_active = 1 AND c.division_id LIKE ? GROUP BY 1""",
                [area_code + "%"],
            ).fetchall()
        )
        out = {label: {"cube": {}, "committees": committees, "mediators": mediators} for label in month_of.values()}
        for month, dt, src, ctype, form, *vals in rows:
            vals[4] = str(Decimal(vals[4] or 0).quantize(CENT))
            vals[6] = int(round(vals[6]))
            out[month_of[month]]["cube"][(dt, src, ctype, form)] = tuple(
                v if isinstance(v, str) else int(v) for v in vals
            )
        return out


def _utc_naive(dt):
    from datetime import UTC

    return dt.astimezone(UTC).replace(tzinfo=None)
