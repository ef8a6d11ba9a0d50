"""Divisions and committees as the public sees them: the county → township → village picker, the committee an
application goes to, and the public roster (名册公示)."""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

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


def roster(place: Place, q: str = "") -> list[tuple[Committee, list[Mediator]]]:
    """Active committees inside the chosen area (all of them without a choice), each with its serving mediators;
    `q` searches committee names and addresses, mediator names and specialties."""
    committees = Committee.objects.filter(is_active=True).select_related("division")
    if place.code:
        committees = committees.filter(division__code__startswith=place.code)
    q = q.strip()[:50]
    if q:
        matching = Mediator.objects.filter(is_active=True).filter(Q(name__contains=q) | Q(specialties__contains=q))
        committees = committees.filter(
            Q(name__contains=q) | Q(address__contains=q) | Q(pk__in=matching.values("committee_id"))
        )
    committees = list(committees.order_by("division_id", "name")[:200])
    mediators: dict[int, list[Mediator]] = {c.pk: [] for c in committees}
    for m in Mediator.objects.filter(committee_id__in=mediators, is_active=True).order_by(
        "committee_id", "role", "name"
    ):
        mediators[m.committee_id].append(m)
    return [(c, mediators[c.pk]) for c in committees]
