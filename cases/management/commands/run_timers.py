"""Fire the due timers once (ops and tests): `manage.py run_timers [--now 2026-12-05T08:00+08:00] [--reconcile]`."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

import cases.actions  # noqa: F401  (registers the handlers of cases.actions.system)
from cases.timer_rules import reconcile_open_cases
from cases.timers import fire_due


class Command(BaseCommand):
    help = "Fire every timer that is due (reminders, overdue marking, automatic termination) once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="the time to fire as of, ISO 8601 (default: now); naive = local time")
        parser.add_argument("--reconcile", action="store_true", help="first give timers to open cases that have none")

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: not an ISO 8601 time: {options['now']}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        synced = reconcile_open_cases(now) if options["reconcile"] else 0
        fired = fire_due(now)
        self.stdout.write(f"reconciled {synced} case(s), fired {fired} timer(s) as of {now.isoformat()}")
