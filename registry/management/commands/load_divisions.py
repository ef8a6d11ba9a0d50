"""Load the national administrative divisions (统计用区划代码) into `registry.models.Division`.

Source files (see data/README.md): `data/divisions/pcas-code.json.gz` (province → city → county → township,
nested `code`/`name`/`children`) and `data/divisions/villages-<city>.csv.gz` (`code,name,parent_code`).

Codes are hierarchical prefixes: province 2 digits, city 4, county 6, township 9, village 12. The loader
checks this, so `code__startswith` on any code finds everything inside it.

Idempotent: rows that exist are left alone unless their name/level/parent changed (then updated); nothing is
ever deleted (divisions are referenced with PROTECT). Parents are always written before their children.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from registry.models import Division, DivisionLevel

CODE_LENGTH = {
    DivisionLevel.PROVINCE: 2,
    DivisionLevel.CITY: 4,
    DivisionLevel.COUNTY: 6,
    DivisionLevel.TOWNSHIP: 9,
    DivisionLevel.VILLAGE: 12,
}
LEVEL_LABEL = {
    DivisionLevel.PROVINCE: "省级",
    DivisionLevel.CITY: "地级",
    DivisionLevel.COUNTY: "县级",
    DivisionLevel.TOWNSHIP: "乡级",
    DivisionLevel.VILLAGE: "村级",
}
DEFAULT_VILLAGE_CITIES = ["4212"]  # 湖北省咸宁市
BATCH_SIZE = 1000
NAME_MAX = 60


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: int
    parent_code: str | None


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "divisions"


def _check(code: str, name: str, level: int, parent_code: str | None, source: str) -> None:
    if not code.isdigit() or len(code) != CODE_LENGTH[level]:
        raise CommandError(f"{source}: code {code!r} ({name}) is not a {CODE_LENGTH[level]}-digit level-{level} code")
    if parent_code is not None and not code.startswith(parent_code):
        raise CommandError(f"{source}: code {code} ({name}) does not start with its parent's code {parent_code}")
    if not name:
        raise CommandError(f"{source}: code {code} has an empty name")
    if len(name) > NAME_MAX:
        raise CommandError(f"{source}: name of {code} is longer than {NAME_MAX} characters: {name!r}")


def read_tree(path: Path) -> list[Row]:
    """Flatten pcas-code.json.gz breadth-first, so every parent precedes its children."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            tree = json.load(fh)
    except FileNotFoundError as exc:
        raise CommandError(f"division file not found: {path}") from exc
    rows: list[Row] = []
    level_nodes: list[tuple[dict, str | None]] = [(node, None) for node in tree]
    level = int(DivisionLevel.PROVINCE)
    while level_nodes:
        if level > DivisionLevel.TOWNSHIP:
            raise CommandError(f"{path.name}: nesting deeper than townships")
        next_nodes: list[tuple[dict, str | None]] = []
        for node, parent_code in level_nodes:
            code, name = str(node["code"]).strip(), str(node["name"]).strip()
            _check(code, name, level, parent_code, path.name)
            rows.append(Row(code, name, level, parent_code))
            next_nodes.extend((child, code) for child in node.get("children") or [])
        level_nodes = next_nodes
        level += 1
    return rows


def read_villages(path: Path) -> list[Row]:
    try:
        raw = gzip.decompress(path.read_bytes()).decode("utf-8")
    except FileNotFoundError as exc:
        raise CommandError(f"village file not found: {path}") from exc
    rows = []
    for rec in csv.DictReader(io.StringIO(raw)):
        code, name, parent = rec["code"].strip(), rec["name"].strip(), rec["parent_code"].strip()
        if len(parent) != CODE_LENGTH[DivisionLevel.TOWNSHIP]:
            raise CommandError(f"{path.name}: village {code} has parent {parent!r}, not a 9-digit township code")
        _check(code, name, DivisionLevel.VILLAGE, parent, path.name)
        rows.append(Row(code, name, int(DivisionLevel.VILLAGE), parent))
    rows.sort(key=lambda r: r.code)
    return rows


class Command(BaseCommand):
    help = (
        "Load administrative divisions (provinces → townships for all of China, plus villages of the given "
        "cities) into registry.Division. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--villages-for",
            nargs="*",
            metavar="CITY_CODE",
            default=None,
            help=(
                "4-digit city codes whose villages to load from data/divisions/villages-<code>.csv.gz "
                f"(default: {' '.join(DEFAULT_VILLAGE_CITIES)}; give the option with no value to load none)"
            ),
        )
        parser.add_argument(
            "--data-dir", type=Path, default=None, help="directory holding the division files (default: data/divisions)"
        )

    def handle(self, *args, **options):
        data_dir: Path = options["data_dir"] or default_data_dir()
        cities = DEFAULT_VILLAGE_CITIES if options["villages_for"] is None else options["villages_for"]
        for city in cities:
            if not (city.isdigit() and len(city) == CODE_LENGTH[DivisionLevel.CITY]):
                raise CommandError(f"--villages-for expects 4-digit city codes, got {city!r}")

        rows = read_tree(data_dir / "pcas-code.json.gz")
        known = {r.code for r in rows}
        for city in dict.fromkeys(cities):
            if city not in known:
                raise CommandError(f"city {city} is not in pcas-code.json.gz")
            villages = read_villages(data_dir / f"villages-{city}.csv.gz")
            for v in villages:
                if not v.code.startswith(city):
                    raise CommandError(f"villages-{city}.csv.gz: village {v.code} is not inside city {city}")
                if v.parent_code not in known:
                    raise CommandError(f"villages-{city}.csv.gz: township {v.parent_code} of {v.code} is unknown")
            rows.extend(villages)

        seen: set[str] = set()
        for r in rows:
            if r.code in seen:
                raise CommandError(f"duplicate division code {r.code}")
            seen.add(r.code)

        created, updated = self._sync(rows)

        per_level: dict[int, int] = {}
        for r in rows:
            per_level[r.level] = per_level.get(r.level, 0) + 1
        summary = ", ".join(f"{LEVEL_LABEL[DivisionLevel(lv)]} {n}" for lv, n in sorted(per_level.items()))
        unchanged = len(rows) - len(created) - len(updated)
        self.stdout.write(f"区划数据 / divisions in source: {len(rows)} ({summary})")
        if cities:
            self.stdout.write(f"含村级的地市 / villages loaded for: {', '.join(cities)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"新增 created {len(created)}, 更新 updated {len(updated)}, 未变 unchanged {unchanged}; "
                f"库中共 total in database {Division.objects.count()}"
            )
        )

    @transaction.atomic
    def _sync(self, rows: list[Row]) -> tuple[list[Row], list[Row]]:
        existing = {
            code: (name, level, parent_id)
            for code, name, level, parent_id in Division.objects.values_list("code", "name", "level", "parent_id")
        }
        to_create: list[Row] = []
        to_update: list[Row] = []
        for r in rows:
            current = existing.get(r.code)
            if current is None:
                to_create.append(r)
            elif current != (r.name, r.level, r.parent_code):
                to_update.append(r)

        # Insert level by level: parents strictly before children (rows are already in level order,
        # but do not rely on the backend deferring FK checks).
        for level in sorted({r.level for r in to_create}):
            Division.objects.bulk_create(
                [
                    Division(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code)
                    for r in to_create
                    if r.level == level
                ],
                batch_size=BATCH_SIZE,
            )
        if to_update:
            Division.objects.bulk_update(
                [Division(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code) for r in to_update],
                ["name", "level", "parent"],
                batch_size=BATCH_SIZE,
            )
        return to_create, to_update
