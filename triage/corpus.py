"""The labelled triage corpus (data/triage/corpus/part-*.jsonl) and its fixed held-out split, plus the platform's
own closed cases as extra training rows.

Held-out rule (deterministic, never trained on): sha1(id) % 5 == 0 → held-out (about 20 %). The rule depends on the
line's id only, so adding lines never moves an existing line between the splits. Every dispute type has lines on
both sides once it has a dozen lines (checked by `split_report`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CORPUS_DIR = BASE_DIR / "data" / "triage" / "corpus"
EXTERNAL_DIR = BASE_DIR / "data" / "triage" / "external"  # descriptions written outside the corpus: never trained on
HELDOUT_MOD = 5


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    dispute_type: str
    risk_level: str
    risk_flags: tuple[str, ...] = ()
    route: str = ""
    register: str = ""
    hard: str = ""
    # Which labels are known (platform cases may lack a route or a risk outcome).
    known: frozenset[str] = field(default_factory=lambda: frozenset({"dispute_type", "risk_level", "route"}))

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "dispute_type": self.dispute_type,
            "risk_level": self.risk_level,
            "risk_flags": list(self.risk_flags),
            "route": self.route,
            "register": self.register,
            "hard": self.hard,
        }


def is_heldout(id_: str) -> bool:
    """The fixed split: sha1 of the id, modulo 5, equals 0."""
    return int(hashlib.sha1(str(id_).encode("utf-8")).hexdigest(), 16) % HELDOUT_MOD == 0


def corpus_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or CORPUS_DIR).glob("part-*.jsonl"))


def _row(obj: dict) -> Row:
    return Row(
        id=str(obj["id"]),
        text=str(obj["text"]),
        dispute_type=str(obj.get("dispute_type") or ""),
        risk_level=str(obj.get("risk_level") or ""),
        risk_flags=tuple(obj.get("risk_flags") or ()),
        route=str(obj.get("route") or ""),
        register=str(obj.get("register") or ""),
        hard=str(obj.get("hard") or ""),
    )


def read_jsonl(path: Path) -> Iterator[Row]:
    """Rows of one JSONL file; lines that are not complete JSON objects with an id and a text are skipped (the
    corpus files may be mid-write)."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict) and obj.get("id") and obj.get("text"):
                yield _row(obj)


def load(directory: Path | None = None) -> list[Row]:
    """Every corpus line (first occurrence of an id wins), in file order."""
    seen: set[str] = set()
    rows: list[Row] = []
    for path in corpus_files(directory):
        for row in read_jsonl(path):
            if row.id in seen:
                continue
            seen.add(row.id)
            rows.append(row)
    return rows


def split(rows: Iterable[Row]) -> tuple[list[Row], list[Row]]:
    """(train, heldout)."""
    train: list[Row] = []
    heldout: list[Row] = []
    for row in rows:
        (heldout if is_heldout(row.id) else train).append(row)
    return train, heldout


def train_rows(directory: Path | None = None) -> list[Row]:
    return split(load(directory))[0]


def heldout_rows(directory: Path | None = None) -> list[Row]:
    return split(load(directory))[1]


def external_rows() -> list[Row]:
    """The evaluation-only set (data/triage/external/*.jsonl), never part of training."""
    rows: list[Row] = []
    for path in sorted(EXTERNAL_DIR.glob("*.jsonl")):
        rows.extend(read_jsonl(path))
    return rows


def corpus_hash(directory: Path | None = None) -> str:
    """sha256 over the corpus files' bytes (names and contents), for the model cache key."""
    h = hashlib.sha256()
    for path in corpus_files(directory):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def split_report(rows: Iterable[Row]) -> dict[str, tuple[int, int]]:
    """Per dispute type: (train lines, held-out lines)."""
    out: dict[str, list[int]] = {}
    for row in rows:
        out.setdefault(row.dispute_type, [0, 0])[1 if is_heldout(row.id) else 0] += 1
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def platform_rows() -> list[Row]:
    """The platform's own closed cases as training rows: the case's confirmed dispute type; the route and risk
    outcome a person decided on its triage suggestion (TriageSuggestion.decided_*) where there is one; else the
    risk from its 研判 (screening RiskAssessment: highest level, union of flags); YELLOW when a case was never
    assessed. A case without a decided route teaches the type and the level only."""
    from cases.enums import CaseStatus
    from cases.models import Case
    from screening.models import RiskAssessment
    from triage.models import TriageSuggestion

    closed = [CaseStatus.CLOSED, CaseStatus.ARCHIVED]
    order = {"RED": 0, "ORANGE": 1, "YELLOW": 2}
    rows: list[Row] = []
    cases = Case.objects.filter(status__in=closed).only("id", "dispute_type", "brief_facts", "claims").order_by("id")
    decided: dict[int, TriageSuggestion] = {}
    for s in (
        TriageSuggestion.objects.filter(case__status__in=closed)
        .exclude(decided_at=None)
        .order_by("case_id", "decided_at")
        .only("case_id", "decided_route", "decided_level", "decided_flags", "decided_at")
    ):
        decided[s.case_id] = s  # the latest decision of each case
    risks: dict[int, tuple[str, set[str]]] = {}
    for r in RiskAssessment.objects.filter(case__status__in=closed).only("case_id", "level", "flags"):
        level, flags = risks.get(r.case_id, ("YELLOW", set()))
        if order.get(r.level, 2) < order.get(level, 2):
            level = r.level
        risks[r.case_id] = (level, flags | set(r.flags or []))
    for case in cases.iterator(chunk_size=2000):
        text = "\n".join(t for t in (case.brief_facts, case.claims) if t).strip()
        if not text or not case.dispute_type:
            continue
        known = {"dispute_type", "risk_level"}
        level, flags = risks.get(case.id, ("YELLOW", set()))
        route = ""
        s = decided.get(case.id)
        if s is not None:
            if s.decided_level:
                level = s.decided_level
            if s.decided_flags is not None:
                flags = set(s.decided_flags)
            if s.decided_route:
                route = s.decided_route
                known.add("route")
        rows.append(
            Row(
                id=f"case-{case.id}",
                text=text,
                dispute_type=case.dispute_type,
                risk_level=level,
                risk_flags=tuple(sorted(flags)),
                route=route,
                register="platform",
                known=frozenset(known),
            )
        )
    return rows
