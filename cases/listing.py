"""Filtering of case lists (workbench and console share it). Always applied to a scoped queryset."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join

from cases.bounds import bound_dates, validate_date_range
from cases.enums import CLOCK_STATES, CaseSource, CaseStatus, DisputeType
from cases.models import Case, Party
from cases.scoping import cases_visible_to
from registry.models import Committee, CommitteeType


class PlainSelect(forms.Select):
    """A <select> whose options are written in Python: the template-rendered widget costs ~0.1 ms per option, and a
    city's committee list (hundreds of options) was most of the case list's server time once the queries were fast.
    Flat choices only (no optgroups), which is all the filter form uses."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), " selected" if str(v) in selected else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class CommitteeOptions(BaseChoiceIterator):
    """The committee <option>s from (pk, name) tuples, not model instances: a city has hundreds of committees and
    building a Committee per option cost ~8 ms per request. Validation still goes through the field's queryset."""

    def __init__(self, committees: QuerySet[Committee], empty_label: str) -> None:
        self.committees, self.empty_label = committees, empty_label

    def __iter__(self):
        yield ("", self.empty_label)
        yield from self.committees.values_list("pk", "name")


# Rows a pager counts through at most (page × per page): page=10**18 asked SQLite for LIMIT 25·10**18 + 1.
MAX_LIST_OFFSET = 1_000_000


def date_filter(label: str) -> forms.DateField:
    """A date filter refused (with its message next to it) outside cases.bounds, where a day bound overflows."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_date_range],
    )


def page_number(raw: str | None, per_page: int) -> int:
    """The page asked for, 1 for anything that is not a page number, at most the page of MAX_LIST_OFFSET."""
    raw, last = (raw or "").strip(), MAX_LIST_OFFSET // per_page
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return last if len(raw) > 12 else min(max(1, int(raw)), last)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="案号/当事人", required=False, max_length=50)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *CaseStatus.choices])
    dispute_type = forms.ChoiceField(
        label="纠纷类型", required=False, choices=[("", "全部纠纷类型"), *DisputeType.choices]
    )
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), *CaseSource.choices])
    committee_type = forms.ChoiceField(
        label="调委会类型", required=False, choices=[("", "全部调委会类型"), *CommitteeType.choices]
    )
    committee = forms.ModelChoiceField(
        label="调委会", required=False, queryset=Committee.objects.none(), empty_label="全部调委会"
    )
    area = forms.CharField(label="区划代码（如 421202）", required=False, max_length=12)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    date_from = date_filter("登记日期自")
    date_to = date_filter("至")

    def __init__(self, *args, committees: QuerySet[Committee] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees if committees is not None else Committee.objects.none()
        bound_dates(self)
        for f in self.fields.values():
            if isinstance(f.widget, forms.Select):
                f.widget = PlainSelect(attrs=f.widget.attrs, choices=f.widget.choices)
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs["class"] = "form-check-input"
            elif isinstance(f.widget, forms.Select):
                f.widget.attrs["class"] = "form-select"
            else:
                f.widget.attrs["class"] = "form-control"
            f.widget.attrs.setdefault("aria-label", f.label)
        committee = self.fields["committee"]
        committee.widget.choices = CommitteeOptions(committee.queryset, committee.empty_label)


# A list counts at most this many rows (beyond it: "超过 10,000 件"): an exact COUNT(*) over a million scoped cases
# costs more than the whole page otherwise (bench: 170 ms of 280 ms on SQLite).
LIST_COUNT_CAP = 10_000


def overdue_q(today: date) -> Q:
    """Over the mediation time limit on `today`: the one rule behind 超期 everywhere (lists, queues, statistics)."""
    return Q(status__in=CLOCK_STATES, time_limit_due__lt=today)


def local_day_start(day) -> datetime:
    """Midnight in China time as an aware datetime: date filters become half-open ranges on the indexed column
    instead of a per-row timezone conversion (`__date` on SQLite calls a Python function for every row)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_cases(qs: QuerySet[Case], form: CaseFilterForm) -> QuerySet[Case]:
    """`qs` narrowed by the form's valid filters; an invalid one (shown with its error next to the field) is left
    out rather than emptying or failing the list."""
    if form.is_bound:
        form.is_valid()
    valid = getattr(form, "cleaned_data", {})
    d = {name: valid.get(name) for name in form.fields}
    if d["q"]:
        # An IN (matching parties' case ids) rather than a join + DISTINCT: the party names are scanned once, not
        # once per case, and no DISTINCT over the whole result (1M cases: 4.1 s -> 1.6 s on SQLite). Still a scan of
        # every party name; only a trigram index (pg_trgm / FTS5) would make it fast.
        named = Party.objects.filter(name__icontains=d["q"]).values("case_id")
        qs = qs.filter(Q(case_no__icontains=d["q"]) | Q(pk__in=named))
    for name in ("status", "dispute_type", "source"):
        if d[name]:
            qs = qs.filter(**{name: d[name]})
    if d["committee_type"]:
        qs = qs.filter(committee__committee_type=d["committee_type"])
    if d["committee"]:
        qs = qs.filter(committee=d["committee"])
    if d["area"] and (d["area"].isascii() and d["area"].isdigit()):
        qs = qs.filter(division_code__startswith=d["area"])
    if d["overdue"]:
        qs = qs.filter(overdue_q(timezone.localdate()))
    if d["date_from"]:
        qs = qs.filter(registered_at__gte=local_day_start(d["date_from"]))
    if d["date_to"]:
        qs = qs.filter(registered_at__lt=local_day_start(d["date_to"] + timedelta(days=1)))
    return qs


def for_case_table(qs: QuerySet[Case]) -> QuerySet[Case]:
    """What cases/_case_table.html reads, in two extra queries per page: the committee, and the parties' names only
    (a party row also carries encrypted ID numbers and addresses the table never shows)."""
    names = Party.objects.only("id", "case_id", "name", "order")
    return qs.select_related("committee").prefetch_related(Prefetch("parties", queryset=names))


def paginate_cases(qs: QuerySet[Case], page_param: str | None, per_page: int = 25) -> Page:
    """A page of a case list, newest first, with a capped count.

    Counting stops at LIST_COUNT_CAP rows, or just past the requested page when that is deeper, so every page that
    exists can still be reached with 下一页. `paginator.count_capped` tells the pager the total is a lower bound.
    """
    wanted = page_number(page_param, per_page)
    probe = max(LIST_COUNT_CAP, wanted * per_page) + 1
    paginator = Paginator(qs.order_by("-registered_at", "-id"), per_page)
    counted = qs.order_by()[:probe].count()
    paginator.count = counted  # overrides the cached_property: no second, uncapped COUNT(*)
    paginator.count_capped = counted >= probe
    paginator.count_floor = probe - 1
    return paginator.get_page(wanted)


def list_detail(page) -> str:
    """The access-log detail of a case list page: which page and how many of the cases were shown (numbers the
    server computed, not text from the query string)."""
    return f"案件列表第{page.number}页，显示{len(page.object_list)}件"


def case_list_context(request, committees: QuerySet[Committee]) -> dict:
    """What a filtered, paginated case list page needs (console and workbench): the user's scoped cases, the
    filter form offering `committees`, the page, and the query string without the page number for the pager."""
    filter_form = CaseFilterForm(request.GET or None, committees=committees)
    qs = filter_cases(cases_visible_to(request.user), filter_form)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": paginate_cases(for_case_table(qs), request.GET.get("page")),
        "filter_form": filter_form,
        "query": query.urlencode(),
        "today": timezone.localdate(),
        "clock_states": list(CLOCK_STATES),
    }
