"""huey tasks of the outbox. `deliver_message` is kicked after an action commits; the periodic sweep catches
everything else (retries after backoff, messages written while the worker was down)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from notifications import delivery


@db_task()
def deliver_message(message_id: int) -> None:
    delivery.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_pending() -> None:
    delivery.deliver_due()
