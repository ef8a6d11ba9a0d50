"""Writing the change log (LedgerEvent). Every `do_*` action of either ledger calls `record` inside its
transaction, so that the change and its record commit together or not at all."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from ledgers.models import LedgerEvent
from registry.models import Division


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: model instances by their text, dates in ISO form."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` of `obj` (foreign keys by their text), to compare after a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def record(
    *,
    ledger: str,
    bureau: Division | str,
    target: models.Model,
    action: str,
    summary: str,
    actor: User | None = None,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> LedgerEvent:
    """Append one change to the log. `actor` None means the clock (a timer) or the system."""
    bureau_id = bureau if isinstance(bureau, str) else bureau.pk
    return LedgerEvent.objects.create(
        ledger=ledger,
        bureau_id=bureau_id,
        target_type=ContentType.objects.get_for_model(type(target)),
        target_id=target.pk,
        action=action[:40],
        summary=summary[:300],
        changes=_plain(changes or {}),
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
    )


def history(target: models.Model) -> QuerySet[LedgerEvent]:
    """The change log of one object, oldest first."""
    return LedgerEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(type(target)), target_id=target.pk
    ).select_related("actor")


__all__ = ["diff", "history", "record", "snapshot"]
