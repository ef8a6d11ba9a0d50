"""What the judicial-confirmation page shows: the courts a party may choose, the other side, the requests of the
current agreement. Every change (request, consent, decline, withdrawal) is an action in cases.actions.judicial."""

from django.db.models import QuerySet

from cases.models import Agreement, Case, Party
from portal.models import JCRequest, JCRequestStatus
from registry.models import Court


def courts_for(case: Case) -> QuerySet[Court]:
    """The basic courts of the case's county, or of its city when the county has none on the platform."""
    courts = Court.objects.filter(division__code__startswith=case.division_code[:6])
    return courts if courts.exists() else Court.objects.filter(division__code__startswith=case.division_code[:4])


def other_side(case: Case, party: Party) -> Party | None:
    """The party a joint application is made with: the first party of the other side."""
    return case.parties.exclude(side=party.side).exclude(pk=party.pk).order_by("order", "id").first()


def requests_of(case: Case, agreement: Agreement) -> QuerySet[JCRequest]:
    return JCRequest.objects.filter(case=case, agreement=agreement).select_related("applicant", "consenting", "court")


def pending_of(requests: QuerySet[JCRequest]) -> JCRequest | None:
    return requests.filter(status=JCRequestStatus.PENDING).first()
