"""Divisions and committees as the public sees them: the county → township → village picker, the committee an
application goes to, and the public roster (名册公示)."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from registry.models import Committee, CommitteeKind, Division, DivisionLevel, Mediator

LEVEL_LENGTH = {DivisionLevel.COUNTY: 6, DivisionLevel.TOWNSHIP: 9, DivisionLevel.VILLAGE: 12}


def _committee_prefixes(length: int) -> set[str]:
    codes = Committee.objects.filter(is_active=True).values_list("division_id", flat=True)
    return {c[:length] for c in codes if len(c) >= length}


def counties() -> QuerySet[Division]:
    """Counties that have at least one active committee (the platform's own area)."""
    return Division.objects.filter(level=DivisionLevel.COUNTY, code__in=_committee_prefixes(6)).order_by("code")


def children(parent_code: str, level: int) -> QuerySet[Division]:
    if not parent_code:
        return Division.objects.none()
    return Division.objects.filter(parent_id=parent_code, level=level).order_by("code")


@dataclass
class Place:
    county: str = ""
    township: str = ""
    village: str = ""

    @property
    def code(self) -> str:
        return self.village or self.township or self.county

    def clean(self) -> "Place":
        """Drop a lower level that is not inside the higher one (a stale select after changing the county)."""
        if self.township and not self.township.startswith(self.county or "-"):
            self.township = ""
        if self.village and not self.village.startswith(self.township or "-"):
            self.village = ""
        return self

    def options(self) -> dict:
        return {
            "counties": counties(),
            "townships": children(self.county, DivisionLevel.TOWNSHIP),
            "villages": children(self.township, DivisionLevel.VILLAGE),
        }

    def label(self) -> str:
        division = Division.objects.filter(code=self.code).first()
        return division.full_name if division else ""


def committee_for(code: str) -> Committee | None:
    """Where an application about a place goes: the committee of the village or community, else of the township or
    sub-district, else of the county (the nearest level up that has one; standard committees before others)."""
    for length in (12, 9, 6):
        if len(code) < length:
            continue
        found = Committee.objects.filter(is_active=True, division_id=code[:length]).order_by(*_kind_order()).first()
        if found is not None:
            return found
    return None


def _kind_order() -> list:
    return [Case(When(kind=CommitteeKind.STANDARD, then=Value(0)), default=Value(1), output_field=IntegerField()), "id"]


ROSTER_PER_PAGE = 20


def serving_committees(today: date | None = None) -> QuerySet[Committee]:
    """Committees on the public roster: active ones, not deactivated (as of `today`)."""
    today = today or timezone.localdate()
    return Committee.objects.filter(is_active=True).filter(Q(deactivated_on__isnull=True) | Q(deactivated_on__gt=today))


def serving_mediators(today: date | None = None) -> QuerySet[Mediator]:
    """Mediators on the public roster: in office (is_active) and not left (no 离任日期, or one still ahead)."""
    today = today or timezone.localdate()
    return Mediator.objects.filter(is_active=True).filter(Q(left_on__isnull=True) | Q(left_on__gt=today))


def roster_committees(place: Place, q: str = "") -> QuerySet[Committee]:
    """Serving committees inside the chosen area (all of them without a choice), in the roster's order; `q`
    searches committee names and addresses, serving mediators' names and specialties."""
    committees = serving_committees().select_related("division")
    if place.code:
        committees = committees.filter(division__code__startswith=place.code)
    q = q.strip()[:50]
    if q:
        matching = serving_mediators().filter(Q(name__contains=q) | Q(specialties__contains=q))
        committees = committees.filter(
            Q(name__contains=q) | Q(address__contains=q) | Q(pk__in=matching.values("committee_id"))
        )
    return committees.order_by("division_id", "name", "id")


def roster_page_of(place: Place, q: str, page: str | None) -> tuple[Page, list[tuple[Committee, list[Mediator]]]]:
    """One page of the roster (ROSTER_PER_PAGE committees) and its rows, each committee with its serving mediators:
    the page's count is the number of committees the search finds, all pages together."""
    paginator = Paginator(roster_committees(place, q), ROSTER_PER_PAGE)
    current = paginator.get_page(page)
    committees = list(current.object_list)
    mediators: dict[int, list[Mediator]] = {c.pk: [] for c in committees}
    for m in serving_mediators().filter(committee_id__in=mediators).order_by("committee_id", "role", "name"):
        mediators[m.committee_id].append(m)
    return current, [(c, mediators[c.pk]) for c in committees]


def roster(place: Place, q: str = "") -> list[tuple[Committee, list[Mediator]]]:
    """The first page of the roster's rows (kept for callers that show a short list)."""
    return roster_page_of(place, q, "1")[1]
