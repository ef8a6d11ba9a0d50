"""Which evidence files a user can see (beside cases.scoping). portal.views will call these once it is split
(another branch); until then portal.views.evidence_file decides the same thing itself.

- An uploader sees their own files: on a draft application, and on the case once submitted (while they can still
  see the case).
- Staff and supervisors see the files of every case they can see (cases_visible_to).
- A party never sees the other party's files. Removed files are seen by nobody. Everything else: 404.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from cases.scoping import cases_visible_to
from portal.models import Evidence


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    qs = Evidence.objects.filter(removed_at__isnull=True)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    cases = cases_visible_to(user)
    own = Q(uploaded_by=user) & (Q(case__isnull=True) | Q(case__in=cases))
    if user.role == Role.PARTY:
        return qs.filter(own)
    return qs.filter(own | Q(case__in=cases))


def access_evidence_by_id(user: User, evidence_id: object) -> Evidence:
    """An evidence file the user may open, or Http404."""
    try:
        return evidence_visible_to(user).get(pk=int(str(evidence_id)))
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404("文件不存在") from None


def draft_evidence_of(user: User) -> QuerySet[Evidence]:
    """Files on the user's own applications not yet submitted: the only ones they may still remove."""
    if not user.is_authenticated:
        return Evidence.objects.none()
    return Evidence.objects.filter(draft__user=user, draft__submitted_at__isnull=True)


__all__ = ["access_evidence_by_id", "draft_evidence_of", "evidence_visible_to"]
