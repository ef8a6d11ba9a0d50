"""huey periodic task of screening: the daily scan creates the reports of periods that have begun (the due timers
fire with the cases' clock, every minute)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from screening.schedule import ensure_reports


@db_periodic_task(crontab(hour="0", minute="5"))
def screening_scan() -> None:
    ensure_reports(timezone.now())
