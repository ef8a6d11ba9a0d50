"""Abstract bases shared by the apps: the guards of records that are evidence.

- `UndeletableModel`: a record of the mediation that may change (a message withdrawn, a booking moved) but is never
  deleted, one row or a whole queryset.
- `AppendOnlyModel`: a history (case events, booking history, spot-check audit, access log, delivery attempts,
  holiday changes): written once, never changed, never deleted. Corrections are new rows.

Both are abstract: they add no column and no migration. The guards hold for the ORM (`save`, `delete`,
`QuerySet.update`, `QuerySet.delete`); migrations work on historical models, which do not carry them, and the test
database is flushed below the ORM.
"""

from typing import Any, ClassVar, NoReturn

from django.db import models


class UndeletableQuerySet(models.QuerySet):
    def delete(self) -> NoReturn:  # type: ignore[override]
        raise PermissionError(f"{self.model.__name__} records are never deleted")


class AppendOnlyQuerySet(UndeletableQuerySet):
    def update(self, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise self.model.refusal()

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise self.model.refusal()


class UndeletableModel(models.Model):
    """Changed in place if need be, never deleted."""

    objects: ClassVar[Any] = UndeletableQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise PermissionError(f"{type(self).__name__} records are never deleted")


class AppendOnlyModel(models.Model):
    """Written once: `save()` of a stored row, `delete()`, and queryset `update()`/`delete()` raise PermissionError."""

    objects: ClassVar[Any] = AppendOnlyQuerySet.as_manager()
    # A model may raise its own subclass of PermissionError, with a message for its users.
    append_only_error: ClassVar[type[PermissionError]] = PermissionError
    append_only_message: ClassVar[str] = ""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A row read from the database is never written again; a new row is always an INSERT, even with an explicit
        # primary key (which then cannot overwrite a stored row).
        if not self._state.adding:
            raise self.refusal()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise self.refusal()

    @classmethod
    def refusal(cls) -> PermissionError:
        return cls.append_only_error(cls.append_only_message or f"{cls.__name__} is append-only")
