"""huey periodic tasks of the clock (cases.timers). Each is idempotent: a timer fires at most once however often
the scans run, and the reconcile sweep only adds timers a case lacks.

- `fire_due_timers`: every minute (a red risk's acknowledgement deadline is minutes: issue 12), fire the timers
  whose time has come (reminders, overdue marking,
  automatic termination), so a worker that was down catches up soon after it restarts;
- `morning_scan`: daily at the configured hour (data/deadline_rules.json `scan_hour`), give timers to open cases
  that have none (created before timers existed: the demo seed, historical imports), then fire the due ones.
"""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

import cases.actions  # noqa: F401  (registers the handlers of cases.actions.system)
from cases.deadline_rules import scan_hour
from cases.timer_rules import reconcile_open_cases
from cases.timers import fire_due


@db_periodic_task(crontab(minute="*"))
def fire_due_timers() -> None:
    fire_due(timezone.now())


@db_periodic_task(crontab(hour=str(scan_hour()), minute="1"))
def morning_scan() -> None:
    now = timezone.now()
    reconcile_open_cases(now)
    fire_due(now)
