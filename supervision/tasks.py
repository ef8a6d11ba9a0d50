"""Periodic work of the supervision app (huey). Each task is idempotent: running it twice sends nothing twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from supervision.entry_deadline import check_entry_deadlines


@db_periodic_task(crontab(hour="8", minute="15"))
def entry_deadline_check() -> None:
    """Every morning: tell the township office and the county of late entries (once per unit and month)."""
    check_entry_deadlines()
