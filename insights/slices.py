"""A slice of the case records: the one definition of "the cases behind a number".

Every figure of the dashboard and of the MoJ form is (measure, dimension filters) over an area and a period. The
metrics compute it with one grouped query; the case list (`insights:cases`) filters the records with the same
`Slice.queryset`, so a number and the list behind it agree by construction (and a test checks it).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.enums import AgreementForm, AgreementStatus, CaseSource, CaseStatus, DisputeType
from cases.listing import overdue_q
from cases.models import Agreement, Case, Party, Rating
from insights.base import (
    Period,
    accepted_cases,
    in_area,
    in_buckets,
    parse_period_key,
    period_key,
    reported_cases,
)
from insights.definitions import OPEN, SUCCESS, TERMINATED
from registry.models import CommitteeType

# Which agreements count as "the" agreement of a case: the latest one not superseded (cases.permissions
# .current_agreement excludes CHANGED and REVOKED the same way; a DRAFT has not reached agreement yet).
NOT_CURRENT = [AgreementStatus.CHANGED, AgreementStatus.REVOKED, AgreementStatus.DRAFT]

# measure → (Chinese label, extra filter on the reported cases). "received" and "overdue" and "rated" are special.
MEASURES: dict[str, str] = {
    "received": _("收案（登记）"),
    "accepted": _("受理"),
    "cases": _("调解案件"),
    "success": _("调解成功"),
    "terminated": _("调解终止"),
    "open": _("在办"),
    "difficult": _("疑难复杂"),
    "closed": _("已结案"),
    "overdue": _("超期未结"),
    "rated": _("已评价"),
    "prevented_suicide": _("防止民间纠纷引起自杀"),
    "prevented_criminal": _("防止民间纠纷转化为刑事案件"),
    "prevented_group_petition": _("防止群体性上访"),
    "prevented_group_fight": _("防止群体性械斗"),
}
PREVENTION_FIELDS = {
    "prevented_suicide": "prevented_suicide_persons",
    "prevented_criminal": "prevented_criminal_persons",
    "prevented_group_petition": "prevented_group_petition_persons",
    "prevented_group_fight": "prevented_group_fight_persons",
}
# Dimension name → (allowed values, Chinese label). Names are also the keys of the form layout's "filter".
DIMENSIONS: dict[str, tuple[set[str], str]] = {
    "dispute_type": (set(DisputeType.values), _("纠纷类型")),
    "source": (set(CaseSource.values), _("案件来源")),
    "committee_type": (set(CommitteeType.values), _("调委会类型")),
    "agreement_form": (set(AgreementForm.values), _("协议形式")),
}
DIMENSION_LABELS = {
    "dispute_type": dict(DisputeType.choices),
    "source": dict(CaseSource.choices),
    "committee_type": dict(CommitteeType.choices),
    "agreement_form": dict(AgreementForm.choices),
}


def agreement_form_expr() -> Subquery:
    """The form (书面/口头) of a case's current agreement, as a correlated subquery (NULL when none): the definition
    from the records. The statistics read its roll-up `Case.agreement_form` instead (kept by cases.actions);
    insights.checks.verify_case_facts compares the two."""
    current = Agreement.objects.filter(case_id=OuterRef("pk")).exclude(status__in=NOT_CURRENT)
    return Subquery(current.order_by("-drafted_at", "-id").values("form")[:1])


def rated_q(period: Period) -> Q:
    ratings = Rating.objects.filter(
        case_id=OuterRef("pk"), created_at__gte=period.start_at, created_at__lt=period.end_at
    )
    return Q(Exists(ratings))


def received_cases(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """收案: registered within the period. As in reported_cases, a transferred-out row is left out: the case is
    received again (and counted) by the committee it was transferred to; so is a merged one (issue 11 §5), a second
    registration of a dispute the case it was merged into carries."""
    return qs.filter(registered_at__gte=period.start_at, registered_at__lt=period.end_at).exclude(
        status__in=(CaseStatus.TRANSFERRED_OUT, CaseStatus.MERGED)
    )


@dataclass(frozen=True)
class Slice:
    """Cases of `area` (division-code prefix) — or of one committee — in `period`, by `measure`, narrowed by
    dimension filters (each a set of allowed codes; empty = all)."""

    area: str
    period: Period
    measure: str = "cases"
    committee_id: int | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def queryset(self, base: QuerySet[Case], today: date | None = None) -> QuerySet[Case]:
        qs = base.filter(in_area(self.area))
        if self.committee_id:
            qs = qs.filter(committee_id=self.committee_id)
        m = self.measure
        if m == "received":
            qs = received_cases(qs, self.period)
        elif m == "overdue":
            qs = qs.filter(overdue_q(today or timezone.localdate()))
        elif m == "rated":
            # Satisfaction is counted when the rating is given, whatever the month the case was accepted in.
            qs = qs.filter(rated_q(self.period))
        elif m == "accepted":
            qs = accepted_cases(qs, self.period)
        elif m in ("success", "terminated", "open"):
            qs = in_buckets(qs, self.period, {"success": SUCCESS, "terminated": TERMINATED, "open": OPEN}[m])
        else:
            qs = reported_cases(qs, self.period)
            if m == "difficult":
                qs = qs.filter(is_difficult=True)
            elif m == "closed":
                qs = qs.filter(closed_at__isnull=False)
            elif m in PREVENTION_FIELDS:
                qs = qs.filter(**{f"{PREVENTION_FIELDS[m]}__gt": 0})
        for dim, values in self.filters.items():
            if not values:
                continue
            if dim == "committee_type":
                qs = qs.filter(committee__committee_type__in=values)
            elif dim == "agreement_form":
                # The column the cube groups on (the roll-up of agreement_form_expr, see insights.checks).
                qs = qs.filter(agreement_form__in=values)
            else:
                qs = qs.filter(**{f"{dim}__in": values})
        return qs

    def query(self) -> str:
        """The GET parameters of `insights:cases` that reproduce this slice."""
        q = QueryDict(mutable=True)
        q["area"] = self.area
        q["period"] = period_key(self.period)
        q["measure"] = self.measure
        if self.committee_id:
            q["committee"] = str(self.committee_id)
        for dim, values in self.filters.items():
            if values:
                q.setlist(dim, list(values))
        return q.urlencode()

    def describe(self) -> list[str]:
        """Chinese description of the slice for the case-list heading."""
        parts = [str(MEASURES.get(self.measure, self.measure))]
        for dim, values in self.filters.items():
            if values:
                labels = DIMENSION_LABELS[dim]
                parts.append(f"{DIMENSIONS[dim][1]}：" + "、".join(str(labels.get(v, v)) for v in values))
        return parts

    @classmethod
    def from_query(cls, params: QueryDict) -> "Slice | None":
        """Parse the GET parameters of the case list; None when they do not describe a valid slice."""
        area = params.get("area", "")
        if not (area.isascii() and area.isdigit()) or len(area) > 12:
            return None
        period = parse_period_key(params.get("period"))
        measure = params.get("measure", "cases")
        if period is None or measure not in MEASURES:
            return None
        committee = params.get("committee") or None
        if committee is not None and not (committee.isascii() and committee.isdigit()):
            return None
        filters: dict[str, tuple[str, ...]] = {}
        for dim, (allowed, _label) in DIMENSIONS.items():
            values = tuple(params.getlist(dim))
            if any(v not in allowed for v in values):
                return None
            if values:
                filters[dim] = values
        return cls(area, period, measure, int(committee) if committee else None, filters)


def parties_of(qs: QuerySet[Case]) -> QuerySet[Party]:
    return Party.objects.filter(case__in=qs)
