"""huey periodic task of the supervision thresholds of referrals (h-board). Idempotent: an alert fires at most once
(cases.timers), and the sweep only adds the alert timers a referral lacks and cancels those it no longer wants.

Imported by referrals.timers_board (huey autodiscovers only modules named tasks.py)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"))
def referral_stage_alerts() -> None:
    """Every 15 minutes: give open referrals their missing 黄牌/红牌 timers and fire the due ones."""
    from referrals.timers_board import scan_stage_alerts

    scan_stage_alerts(timezone.now())
