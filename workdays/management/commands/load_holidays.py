"""Load statutory holidays and 调休 makeup working days into CalendarOverride.

The file is a JSON list of {"date": "YYYY-MM-DD", "kind": "HOLIDAY" | "WORKDAY", "name": "春节"}, or an object
whose "days" key holds that list. Running it again changes nothing; a day whose kind or name differs is updated.
Days present in the database but absent from the file are left alone (an administrator may have added them).
Each day it creates or changes is recorded as a HolidayChange (source: the import, reason: the file's name).
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from workdays.calendar import clear_cache
from workdays.models import CalendarOverride, ChangeSource, DayKind
from workdays.services import do_set_day

DEFAULT_PATH = Path(settings.BASE_DIR) / "data" / "holidays" / "cn-2025-2026.json"


def parse_days(document: Any) -> list[tuple[date, str, str]]:
    """Validate the loaded JSON and return (date, kind, name) triples; raises CommandError on bad input."""
    days = document.get("days") if isinstance(document, dict) else document
    if not isinstance(days, list):
        raise CommandError('expected a JSON list of days or an object with a "days" list')
    parsed: list[tuple[date, str, str]] = []
    seen: set[date] = set()
    for index, item in enumerate(days):
        try:
            day = date.fromisoformat(item["date"])
            kind = item["kind"]
            name = str(item.get("name", ""))
        except (TypeError, KeyError, ValueError) as exc:
            raise CommandError(f"entry {index}: {item!r} is not a valid day ({exc})") from exc
        if kind not in DayKind.values:
            raise CommandError(f"entry {index}: kind {kind!r} is not one of {', '.join(DayKind.values)}")
        if day in seen:
            raise CommandError(f"entry {index}: {day} appears twice")
        seen.add(day)
        parsed.append((day, kind, name))
    return parsed


class Command(BaseCommand):
    help = "Load holiday and 调休 makeup working days from a JSON file (default: the shipped 2025–2026 schedule)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="JSON file to load")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        days = parse_days(document)

        created = updated = 0
        reason = f"导入{path.name}"[:200]
        with transaction.atomic():
            rows = CalendarOverride.objects.filter(date__in=[day for day, _, _ in days])
            stored = {row.date: (row.kind, row.name) for row in rows}
            for day, kind, name in days:
                if stored.get(day) == (kind, name.strip()):
                    continue
                # Through the one door, so that each change is recorded (HolidayChange, actor = the system).
                do_set_day(None, day, kind, name, reason, source=ChangeSource.COMMAND)
                created += day not in stored
                updated += day in stored
        clear_cache()
        unchanged = len(days) - created - updated
        self.stdout.write(
            self.style.SUCCESS(f"{path.name}: {created} created, {updated} updated, {unchanged} unchanged")
        )
