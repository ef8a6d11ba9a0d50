"""Filtering of case lists (workbench and console share it). Always applied to a scoped queryset."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Case as CaseWhen
from django.db.models import DateField, F, Prefetch, Q, QuerySet, When
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join

from accounts.models import COMMITTEE_ROLES, Role, User
from cases.bounds import bound_dates, validate_date_range
from cases.enums import CLOCK_STATES, CaseSource, CaseStatus, DisputeType
from cases.models import Case, Party
from cases.scoping import cases_visible_to
from registry.models import Committee, CommitteeType, Division, DivisionLevel
from registry.scoping import committees_visible_to


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


# The area chain: (field, label, level, empty label). A user gets the levels below their own area.
AREA_LEVELS = [
    ("county", "县（市、区）", DivisionLevel.COUNTY, "全部县（市、区）"),
    ("township", "乡镇（街道）", DivisionLevel.TOWNSHIP, "全部乡镇（街道）"),
    ("village", "村（社区）", DivisionLevel.VILLAGE, "全部村（社区）"),
]
AREA_FIELDS = [name for name, *_ in AREA_LEVELS]
CODE_LENGTH = {DivisionLevel.COUNTY: 6, DivisionLevel.TOWNSHIP: 9, DivisionLevel.VILLAGE: 12}
OUTSIDE_AREA = "所选地区不在您的辖区内，已忽略"


def area_root(user: User | None) -> Division | None:
    """The area a user's list can be narrowed inside: a supervisor's division, a court liaison's court's division;
    None for committee members (one committee, one place) and everyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN):
        return user.division if user.division_id else None
    if user.role == Role.COURT_LIAISON and user.court_id:
        return user.court.division
    return None


def hidden_filters(user: User | None) -> set[str]:
    """Filters that do not apply to the user (all apply without a user, as in the shell and older tests): a committee
    member's list is one committee, a court liaison sees no committees to pick from."""
    if user is None:
        return set()
    if user.role in COMMITTEE_ROLES:
        return {"committee", "committee_type"}
    if user.role == Role.COURT_LIAISON:
        return {"committee"}
    return set()


def _area_data(data, root: Division | None):
    """The query with the legacy `area` code (links from the overview: ?area=421202) turned into the chain's
    selects, when no select is given; a code outside `root` is dropped."""
    if data is None or root is None or any(data.get(f) for f in AREA_FIELDS):
        return data
    code = (data.get("area") or "").strip()
    if not (code.isascii() and code.isdigit() and code.startswith(root.code) and len(code) > len(root.code)):
        return data
    data = data.copy()
    for name, _label, level, _empty in AREA_LEVELS:
        length = CODE_LENGTH[level]
        if len(root.code) < length <= len(code):
            data[name] = code[:length]
    return data


FIELD_ORDER = ["q", "status", "dispute_type", "source", *AREA_FIELDS, "committee_type", "committee"]


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
    overdue = forms.BooleanField(label="仅看超期", required=False)
    date_from = date_filter("登记日期自")
    date_to = date_filter("至")

    def __init__(
        self, data=None, *args, committees: QuerySet[Committee] | None = None, user: User | None = None, **kwargs
    ) -> None:
        self.area_root = area_root(user)
        super().__init__(_area_data(data, self.area_root), *args, **kwargs)
        for name in hidden_filters(user):
            del self.fields[name]
        if "committee" in self.fields:
            self.fields["committee"].queryset = committees if committees is not None else Committee.objects.none()
        self._add_area_fields()
        self.order_fields(FIELD_ORDER)
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
        if "committee" in self.fields:
            committee = self.fields["committee"]
            committee.widget.choices = CommitteeOptions(committee.queryset, committee.empty_label)
        for name in self.area_fields:
            self.fields[name].widget.attrs["data-area-chain"] = name

    def _add_area_fields(self) -> None:
        """County → township → village selects below the user's own area, by name. Each level offers the divisions
        inside the level above as chosen (the user's area at the top); a lower level not inside the chosen higher
        one (a stale select after changing the county) is dropped, one outside the user's area is an error and
        ignored. One query per level that has a parent to list."""
        self.area_fields: list[str] = []
        root = self.area_root
        if root is None:
            return
        raw = self.data if self.is_bound else {}
        parent: str | None = root.code
        for name, label, level, empty in AREA_LEVELS:
            if level <= root.level:
                continue
            value = str(raw.get(name) or "").strip()
            if parent is not None:
                options = list(
                    Division.objects.filter(parent_id=parent, level=level).order_by("code").values_list("code", "name")
                )
            else:
                options = []
            if value and parent is not None and not value.startswith(parent) and self.is_bound:
                if value.startswith(root.code):  # stale: inside the user's area, not inside the choice above
                    self.data = self.data.copy()
                    self.data[name] = value = ""
            field = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", empty), *options],
                error_messages={"invalid_choice": OUTSIDE_AREA},
            )
            if not options:
                field.disabled = True
            self.fields[name] = field
            self.area_fields.append(name)
            codes = {code for code, _ in options}
            parent = value if value in codes else None

    def area_code(self) -> str:
        """The deepest valid area chosen ('' for none)."""
        valid = getattr(self, "cleaned_data", {})
        code = ""
        for name in self.area_fields:
            if valid.get(name):
                code = valid[name]
        return code


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
    d = {name: valid.get(name) for name in CaseFilterForm.base_fields}
    if d["q"]:
        # The case number exactly or by its beginning, or every word of `q` in the search index (names and their
        # parts, phone tails, places, facts: search.query), inside the already scoped list.
        from search.query import matching_case_ids

        qs = qs.filter(pk__in=matching_case_ids(d["q"]))
    for name in ("status", "dispute_type", "source"):
        if d[name]:
            qs = qs.filter(**{name: d[name]})
    if d["committee_type"]:
        qs = qs.filter(committee__committee_type=d["committee_type"])
    if d["committee"]:
        qs = qs.filter(committee=d["committee"])
    area = form.area_code()
    if area:
        qs = qs.filter(division_code__startswith=area)
    if d["overdue"]:
        qs = qs.filter(overdue_q(timezone.localdate()))
    if d["date_from"]:
        qs = qs.filter(registered_at__gte=local_day_start(d["date_from"]))
    if d["date_to"]:
        qs = qs.filter(registered_at__lt=local_day_start(d["date_to"] + timedelta(days=1)))
    return qs


def for_case_table(qs: QuerySet[Case]) -> QuerySet[Case]:
    """What cases/_case_table.html reads, in two extra queries per page: the committee and the presiding mediator
    (joined), and the parties' names only (a party row also carries encrypted ID numbers and addresses the table
    never shows)."""
    names = Party.objects.only("id", "case_id", "name", "order")
    return qs.select_related("committee", "presiding_mediator").prefetch_related(Prefetch("parties", queryset=names))


# Sortable columns: the key in ?sort= (a leading "-" for descending) → the column ordered by. Anything else in
# ?sort= is ignored (the default order). Ties are broken by id in the same direction, so pages never overlap.
SORT_COLUMNS = {
    "case_no": ("案号", "case_no"),
    "dispute_type": ("纠纷类型", "dispute_type"),
    "committee": ("调委会", "committee__name"),
    "mediator": ("调解员", "presiding_mediator__name"),
    "status": ("状态", "status"),
    "registered": ("登记", "registered_at"),
    "due": ("期限", "time_limit_due"),
    "overdue": ("超期", None),  # days past the time limit: see _overdue_due
}
DEFAULT_SORT = "-registered"
# The direction a first click on a header sorts in: newest, latest deadline and most overdue first.
FIRST_DESCENDING = {"registered", "overdue"}


def parse_sort(raw: str | None) -> str:
    """The whitelisted sort asked for ("key" or "-key"), else the default."""
    raw = (raw or "").strip()
    return raw if raw.lstrip("-") in SORT_COLUMNS and raw.count("-") <= 1 and not raw.endswith("-") else DEFAULT_SORT


def _overdue_due(today: date):
    """The time limit of a case over it on `today` (the 超期 rule of overdue_q), NULL for every other case: days
    overdue = today − this, so more days = an earlier date."""
    return CaseWhen(When(overdue_q(today), then=F("time_limit_due")), default=None, output_field=DateField())


def order_cases(qs: QuerySet[Case], sort: str, today: date | None = None) -> QuerySet[Case]:
    """`qs` in the order of `sort` (see parse_sort), empty values last either way, then by id."""
    sort = parse_sort(sort)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    column = SORT_COLUMNS[key][1]
    if column is None:
        qs = qs.annotate(overdue_due=_overdue_due(today or timezone.localdate()))
        # More days overdue first when descending: the earliest time limit first.
        expr = F("overdue_due").asc(nulls_last=True) if descending else F("overdue_due").desc(nulls_last=True)
    else:
        expr = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return qs.order_by(expr, "-id" if descending else "id")


def sort_links(query, sort: str) -> dict[str, dict]:
    """Per sortable column: the query string that sorts by it (the other direction when it is the current sort),
    whether it is current, and its direction, for the table headers. `query` keeps the filters (not the page)."""
    sort = parse_sort(sort)
    links = {}
    for key in SORT_COLUMNS:
        current = sort.lstrip("-") == key
        if current:
            target = key if sort.startswith("-") else f"-{key}"
        else:
            target = f"-{key}" if key in FIRST_DESCENDING else key
        q = query.copy()
        q.pop("page", None)
        q["sort"] = target
        links[key] = {
            "query": q.urlencode(),
            "current": current,
            "descending": sort.startswith("-"),
            "label": SORT_COLUMNS[key][0],
        }
    return links


def sort_choices() -> list[tuple[str, str]]:
    """The sort select of the filter form (phones do not see the table headers)."""
    out = []
    for key, (label, _column) in SORT_COLUMNS.items():
        first, second = ("-", "") if key in FIRST_DESCENDING else ("", "-")
        for sign in (first, second):
            out.append((f"{sign}{key}", f"{label}{'（降序）' if sign else '（升序）'}"))
    return out


def paginate_cases(qs: QuerySet[Case], page_param: str | None, per_page: int = 25, sort: str = DEFAULT_SORT) -> Page:
    """A page of a case list in the order of `sort` (newest first by default), with a capped count.

    Counting stops at LIST_COUNT_CAP rows, or just past the requested page when that is deeper, so every page that
    exists can still be reached with 下一页. `paginator.count_capped` tells the pager the total is a lower bound.
    """
    wanted = page_number(page_param, per_page)
    probe = max(LIST_COUNT_CAP, wanted * per_page) + 1
    paginator = Paginator(order_cases(qs, sort), per_page)
    counted = qs.order_by()[:probe].count()
    paginator.count = counted  # overrides the cached_property: no second, uncapped COUNT(*)
    paginator.count_capped = counted >= probe
    paginator.count_floor = probe - 1
    return paginator.get_page(wanted)


def list_detail(page) -> str:
    """The access-log detail of a case list page: which page and how many of the cases were shown (numbers the
    server computed, not text from the query string)."""
    return f"案件列表第{page.number}页，显示{len(page.object_list)}件"


def filter_form_for(user: User, data, committees: QuerySet[Committee] | None = None) -> CaseFilterForm:
    """The filter form of `user`'s case list (and of its export): the committees they can see (or `committees`),
    the filters that apply to them, the area chain below their own area."""
    if committees is None:
        committees = committees_visible_to(user)
    return CaseFilterForm(data or None, committees=committees, user=user)


def listed_cases(user: User, form: CaseFilterForm, sort: str) -> QuerySet[Case]:
    """The user's scoped cases as their list shows them: filtered by `form`, in the order of `sort`. The export
    writes exactly these."""
    return order_cases(filter_cases(cases_visible_to(user), form), sort)


def case_list_context(request, committees: QuerySet[Committee] | None = None) -> dict:
    """What a filtered, sorted, paginated case list page needs (console and workbench): the user's scoped cases,
    the filter form, the page, the sort and its header links, and the query string without the page number for
    the pager. The committee filter offers `committees` (by default those the user can see)."""
    user = request.user
    filter_form = filter_form_for(user, request.GET, committees)
    qs = filter_cases(cases_visible_to(user), filter_form)
    area = filter_form.area_code()
    if area and "committee" in filter_form.fields:  # the committees of the chosen place only
        field = filter_form.fields["committee"]
        field.widget.choices = CommitteeOptions(field.queryset.filter(division__code__startswith=area), "全部调委会")
    sort = parse_sort(request.GET.get("sort"))
    query = request.GET.copy()
    query.pop("page", None)
    if "sort" in query and query.get("sort") != sort:
        query["sort"] = sort  # an invalid sort is not carried on
    return {
        "page": paginate_cases(for_case_table(qs), request.GET.get("page"), sort=sort),
        "filter_form": filter_form,
        "query": query.urlencode(),
        "sort": sort,
        "sort_links": sort_links(query, sort),
        "sort_choices": sort_choices(),
        "hide_committee": user.role in COMMITTEE_ROLES,  # one committee: the column would repeat its name
        "today": timezone.localdate(),
        "clock_states": list(CLOCK_STATES),
    }
