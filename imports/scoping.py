"""Which import batches a user can see (beside cases.scoping): a batch holds an uploaded ledger with personal data,
so it exists only for the person who uploaded it, and only while they may import. Everyone else: 404."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from imports.models import ImportBatch
from imports.validation import may_import


def import_batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    if not user.is_active or not may_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(created_by=user)


def access_import_batch_by_id(user: User, batch_id: object) -> ImportBatch:
    """A batch the user may see, or Http404."""
    try:
        return import_batches_visible_to(user).get(pk=int(str(batch_id)))
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("导入批次不存在") from None


__all__ = ["access_import_batch_by_id", "import_batches_visible_to"]
