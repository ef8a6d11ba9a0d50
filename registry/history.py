"""The change history of organisations, mediators and accounts (issue 9: who, when, what changed).

Every administration action takes a `snapshot` of the fields it may change before it changes them and calls
`record_change` afterwards, inside the same transaction, so a change and its record land together or not at all.
`history_of` lists a subject's records, newest first, for its page.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet

from accounts.models import User
from registry.models import ChangeAction, ChangeSubject, Committee, Mediator, RegistryChange

# Fields never written into a history record (secrets and derived values); an ID-number change is recorded
# as "身份证号码: 已更新", with the masked values only.
_SECRET_FIELDS = {"password", "id_number_encrypted", "id_number_hash", "last_login"}


def _plain(value: Any) -> Any:
    """A JSON-storable, human-readable form of a field value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _display(obj: models.Model, field: models.Field, value: Any) -> Any:
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else ""
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name, None)
        return str(related) if related is not None else None
    return _plain(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The displayable values of `fields` (default: every concrete, non-secret field) of `obj`."""
    result: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in _SECRET_FIELDS:
            continue
        if fields is not None and field.name not in fields:
            continue
        result[str(field.verbose_name)] = _display(obj, field, getattr(obj, field.attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """label → [before, after] for every label whose value changed (a new label counts as changed from None)."""
    return {label: [before.get(label), value] for label, value in after.items() if before.get(label) != value}


def _subject_of(obj: models.Model) -> tuple[str, Committee | None]:
    if isinstance(obj, Committee):
        return ChangeSubject.COMMITTEE, obj
    if isinstance(obj, Mediator):
        return ChangeSubject.MEDIATOR, obj.committee
    if isinstance(obj, User):
        return ChangeSubject.ACCOUNT, obj.committee
    raise TypeError(f"no registry history for {type(obj).__name__}")


def record_change(
    actor: User,
    obj: models.Model,
    action: ChangeAction | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> RegistryChange:
    """Writes one history record. `before`/`after` are snapshots; only what differs is stored.
    Call inside the action's transaction."""
    subject, committee = _subject_of(obj)
    changes = diff(before or {}, after if after is not None else snapshot(obj))
    return RegistryChange.objects.create(
        subject=subject,
        subject_id=obj.pk,
        committee=committee,
        action=action,
        actor=actor,
        changes=changes,
        note=note[:200],
    )


def history_of(obj: models.Model) -> QuerySet[RegistryChange]:
    """The subject's history, newest first."""
    subject, _ = _subject_of(obj)
    return RegistryChange.objects.filter(subject=subject, subject_id=obj.pk).select_related("actor")


__all__ = ["diff", "history_of", "record_change", "snapshot"]
