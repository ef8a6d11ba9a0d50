"""huey tasks of the webhook outbox: `deliver_webhook` is kicked after the action that emitted the event commits
(api.webhooks.emit, replay); the periodic sweep catches everything else (retries after backoff, deliveries written
while the worker was down, claims of a worker that died). Tests run huey immediately."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from api import webhooks


@db_task()
def deliver_webhook(delivery_id: int, requested_by_id: int | None = None) -> None:
    webhooks.deliver(delivery_id, requested_by_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks() -> None:
    webhooks.deliver_due()
