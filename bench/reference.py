"""The monthly form computed two other ways, to put the ORM implementation (insights.metrics.monthly_form) in
perspective: by DuckDB over the same rows exported to Parquet (and CSV), and by a naive Python loop over the ORM.

All three produce the same canonical structure, and the benchmark checks that they are EQUAL before it reports a
time: a fast wrong answer is worth nothing. Canonical form:

    {"cube": {(dispute_type, source, committee_type, agreement_form): (cases, success, difficult, parties,
              amount "0.00", closed, duration_seconds, <4 prevention case counts>, <4 prevention person sums>,
              terminated, open, accepted)},
     "committees": {committee_type: n}, "mediators": {category: n}}

The definitions are those of data/statistics_definitions.json (insights.definitions, period_by "ended"), written
out again here: a case belongs to the report of a period [start, end) when it was accepted before `end` and is not
TRANSFERRED_OUT. The end of its mediation is its latest event (by time, then id) among the ending events
(success: agreement_effective, oral_agreement; termination: terminate, party_refusal, auto_terminate). It is
- 在办 (open) when its outcome is empty (mediating, paused, 重新调解) or that event is at or after `end`;
- 调解成功 / 调解终止 when that event lies in [start, end) (by the kind of event); these two make the counted
  调解案件 (`cases`), over which difficult, parties, amount, closed, duration and prevention are summed;
- nothing (ended before the period, or an outcome without an ending event) otherwise.
`accepted` counts the report's cases accepted within [start, end), whatever their bucket. Its agreement form is
that of its latest agreement that is not DRAFT/CHANGED/REVOKED; parties are all its party rows; amount is
amount_involved. A cube row whose measures are all zero is left out.
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
EXTRA_MEASURES = ("terminated", "open", "accepted")  # after metrics.CASE_MEASURES in the canonical tuple
N_MEASURES = 15 + len(EXTRA_MEASURES)


def ending_events() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(success events, termination events) of the definitions in force; the reference knows period_by "ended"."""
    from insights.definitions import definitions

    d = definitions()
    if d.period_by != "ended":
        raise NotImplementedError(f"bench.reference counts by the end of mediation, not period_by={d.period_by!r}")
    return d.success_events, d.termination_events


# --- canonical forms ---------------------------------------------------------------------------------------------
def canonical_from_orm(result) -> dict:
    """insights.metrics.FormResult → canonical form (the measure order of metrics.CASE_MEASURES)."""
    from insights.metrics import CASE_MEASURES

    cube = {}
    for row in result.cube:
        key = (row["dispute_type"], row["source"], row["committee_type"], row["agreement_form"] or "")
        vals = []
        for m in (*CASE_MEASURES, *EXTRA_MEASURES):
            v = row[m]
            vals.append(str(Decimal(v).quantize(CENT)) if m == "amount" else int(v))
        if any(v for v in vals if not isinstance(v, str)) or Decimal(vals[4]):
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
    """The same selection through the ORM, every measure computed by a Python loop over model instances (parties,
    agreements and ending events prefetched per chunk, so no query per case): what one writes without database
    aggregation."""
    from django.db.models import Prefetch

    from cases.models import Case, CaseEvent
    from registry.models import Committee, Mediator

    success_events, termination_events = ending_events()
    qs = Case.objects.all()
    if area_code:
        qs = qs.filter(division_code__startswith=area_code)
    qs = (
        qs.filter(accepted_at__isnull=False, accepted_at__lt=period.end_at)
        .exclude(status="TRANSFERRED_OUT")
        .select_related("committee")
        .prefetch_related(
            "parties",
            "agreements",
            Prefetch("events", CaseEvent.objects.filter(action__in=success_events + termination_events)),
        )
        .order_by("id")
    )
    acc: dict[tuple, list] = defaultdict(lambda: [0] * N_MEASURES)
    for case in qs.iterator(chunk_size=2000):
        accepted_in = case.accepted_at >= period.start_at
        ended = list(case.events.all())
        last = max(ended, key=lambda e: (e.at, e.id)) if ended else None
        if case.outcome == "" or (last is not None and last.at >= period.end_at):
            bucket = "open"
        elif last is not None and last.at >= period.start_at:
            bucket = "success" if last.action in success_events else "terminated"
        else:
            bucket = None  # ended before the period, or no ending event
        if bucket is None and not accepted_in:
            continue
        current = [a for a in case.agreements.all() if a.status not in NOT_CURRENT]
        form = max(current, key=lambda a: (a.drafted_at, a.id)).form if current else ""
        row = acc[(case.dispute_type, case.source, case.committee.committee_type, form)]
        row[17] += accepted_in
        if bucket == "open":
            row[16] += 1
        if bucket not in ("success", "terminated"):
            continue
        row[0] += 1
        row[1] += bucket == "success"
        row[15] += bucket == "terminated"
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
    "events": ("cases_caseevent", lambda: ["id", "case_id", "action", _ts("at")]),
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
    "events": {"id": "BIGINT", "case_id": "BIGINT", "action": "VARCHAR", "at": "TIMESTAMP"},
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
        success_events, termination_events = ending_events()
        end = _utc_naive(periods[-1].end_at)
        months = ", ".join(
            f"('{p.label}', TIMESTAMP '{_utc_naive(p.start_at)}', TIMESTAMP '{_utc_naive(p.end_at)}')" for p in periods
        )
        ending = ", ".join(f"'{a}'" for a in success_events + termination_events)
        success = ", ".join(f"'{a}'" for a in success_events)
        counted = "bm.bucket IN ('success', 'terminated')"
        prevention_cases = ", ".join(f"count(*) FILTER (WHERE {counted} AND {f} > 0)" for f in PREVENTION)
        prevention_sums = ", ".join(f"coalesce(sum({f}) FILTER (WHERE {counted}), 0)" for f in PREVENTION)
        sql = f"""
            WITH le AS (  -- the end of each case's mediation: its latest ending event
                SELECT case_id, first(action ORDER BY "at" DESC, id DESC) AS action, max("at") AS ended_at
                FROM events WHERE action IN ({ending}) GROUP BY 1
            ),
            rc AS (
                SELECT c.*, cm.committee_type, le.action AS end_action, le.ended_at
                FROM cases c JOIN committees cm ON cm.id = c.committee_id LEFT JOIN le ON le.case_id = c.id
                WHERE c.division_code LIKE ? AND c.accepted_at IS NOT NULL AND c.accepted_at < ?
                  AND c.status <> 'TRANSFERRED_OUT'
            ),
            months(label, s, e) AS (VALUES {months}),
            bm AS (  -- each case in the report of every month it belongs to, with its bucket there
                SELECT * FROM (
                    SELECT m.label, rc.*, rc.accepted_at >= m.s AS accepted_in,
                           CASE WHEN coalesce(rc.outcome, '') = '' OR rc.ended_at >= m.e THEN 'open'
                                WHEN rc.ended_at >= m.s THEN
                                     CASE WHEN rc.end_action IN ({success}) THEN 'success' ELSE 'terminated' END
                           END AS bucket
                    FROM rc JOIN months m ON rc.accepted_at < m.e
                ) WHERE bucket IS NOT NULL OR accepted_in
            ),
            ids AS (SELECT DISTINCT id FROM bm),
            pc AS (SELECT p.case_id, count(*) AS n FROM parties p SEMI JOIN ids ON ids.id = p.case_id GROUP BY 1),
            ag AS (
                SELECT a.case_id, first(a.form ORDER BY a.drafted_at DESC, a.id DESC) AS form
                FROM agreements a SEMI JOIN ids ON ids.id = a.case_id
                WHERE a.status NOT IN ('CHANGED', 'REVOKED', 'DRAFT') GROUP BY 1
            )
            SELECT bm.label, bm.dispute_type, bm.source, bm.committee_type, coalesce(ag.form, '') AS form,
                   count(*) FILTER (WHERE {counted}), count(*) FILTER (WHERE bm.bucket = 'success'),
                   count(*) FILTER (WHERE {counted} AND bm.is_difficult = 1),
                   coalesce(sum(pc.n) FILTER (WHERE {counted}), 0),
                   coalesce(sum(bm.amount_involved) FILTER (WHERE {counted}), 0)::VARCHAR,
                   count(*) FILTER (WHERE {counted} AND bm.closed_at IS NOT NULL),
                   coalesce(sum(epoch(bm.closed_at) - epoch(bm.accepted_at))
                            FILTER (WHERE {counted} AND bm.closed_at IS NOT NULL), 0),
                   {prevention_cases}, {prevention_sums},
                   count(*) FILTER (WHERE bm.bucket = 'terminated'), count(*) FILTER (WHERE bm.bucket = 'open'),
                   count(*) FILTER (WHERE bm.accepted_in)
            FROM bm LEFT JOIN pc ON pc.case_id = bm.id LEFT JOIN ag ON ag.case_id = bm.id
            GROUP BY ALL
        """
        rows = self.con.execute(sql, [area_code + "%", end]).fetchall()
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
        out = {p.label: {"cube": {}, "committees": committees, "mediators": mediators} for p in periods}
        for label, dt, src, ctype, form, *vals in rows:
            vals[4] = str(Decimal(vals[4] or 0).quantize(CENT))
            vals[6] = int(round(vals[6]))
            out[label]["cube"][(dt, src, ctype, form)] = tuple(v if isinstance(v, str) else int(v) for v in vals)
        return out


def _utc_naive(dt):
    from datetime import UTC

    return dt.astimezone(UTC).replace(tzinfo=None)
