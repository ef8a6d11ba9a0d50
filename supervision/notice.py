"""The monthly entry notice (录入情况通报) of an area: what the county and city bureaus point out each month —
entries against the same month last year, late entries, case numbers that break the numbering rule, facts too short
to be useful, and the share of written against oral agreements — overall and per committee (per county for a city).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone

from cases.enums import AgreementForm, AgreementStatus
from cases.models import Agreement, Case
from insights.base import Period, in_area, make_period
from registry.models import Committee, Division, DivisionLevel
from supervision import entries as E
from supervision.config import EntryRules, case_number_regex, entry_rules

LIST_LIMIT = 300


@dataclass
class NoticeRow:
    key: str
    label: str
    entries: int = 0
    last_year: int = 0
    late: int = 0
    bad_numbers: int = 0
    short_facts: int = 0
    written: int = 0
    oral: int = 0
    gaps: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    url_area: str = ""
    min_base: int = 1  # EntryRules.drop_min_base, set by entry_notice: the smallest base for a percentage

    @property
    def change(self) -> int:
        return self.entries - self.last_year

    @property
    def change_pct(self) -> float | None:
        return round(100 * self.change / self.last_year, 1) if self.last_year else None

    @property
    def written_share(self) -> float | None:
        total = self.written + self.oral
        return round(100 * self.written / total, 1) if total else None

    @property
    def comparable(self) -> bool:
        """Whether last year's figure is a base large enough to state a change in per cent (drop_min_base)."""
        return self.last_year >= self.min_base

    @property
    def stated_pct(self) -> float | None:
        """The change in per cent as the notice states it: None on a base too small to mean it."""
        return self.change_pct if self.comparable else None

    def flags(self, rules: EntryRules) -> dict[str, bool]:
        pct = self.stated_pct
        share = self.written_share
        return {
            "drop": pct is not None and pct <= -rules.drop_alert_percent,
            "late": self.late > 0,
            "numbers": self.bad_numbers > 0 or bool(self.gaps) or bool(self.duplicates),
            "short": self.short_facts > 0,
            "written": share is not None and share < rules.written_share_min_percent,
        }


@dataclass
class NumberProblem:
    case: Case
    reason: str


@dataclass
class Notice:
    area: Division
    period: Period
    last_period: Period
    rules: EntryRules
    deadline: date
    by_county: bool
    rows: list[NoticeRow]
    total: NoticeRow
    late_cases: list[Case]
    number_problems: list[NumberProblem]
    short_cases: list[Case]
    generated_at: datetime

    def summary(self) -> list[str]:
        """The notice's text, in the bureaus' own order."""
        t, r = self.total, self.rules
        pct = t.stated_pct
        trend = "持平" if t.change == 0 else ("增加" if t.change > 0 else "下降")
        if not t.change:
            amount = ""
        elif pct is not None:
            amount = f"{abs(pct)}%"
        else:  # a base too small for a percentage: the number of cases
            amount = f"{abs(t.change)}件"
        versus = f"去年同期{t.last_year}件，{trend}{amount}"
        share = f"，书面协议占{t.written_share}%" if t.written_share is not None else ""
        lines = [
            f"{self.period.label}，{self.area.name}按期录入人民调解案件{t.entries}件，{versus}。"
            f"逾期录入（{self.deadline:%-m月%-d日}后录入）{t.late}件；案件编号不规范{t.bad_numbers}件"
            + (f"，编号缺号{len(t.gaps)}个" if t.gaps else "")
            + f"；案件信息过于简单（纠纷简要情况不足{r.facts_min_chars}字）{t.short_facts}件；"
            f"达成协议的案件中书面协议{t.written}件、口头协议{t.oral}件{share}。"
        ]
        unit = "县（市、区）" if self.by_county else "调委会"
        checks = [
            ("drop", f"录入数量较去年同期下降{r.drop_alert_percent}%以上的{unit}", lambda x: f"{x.stated_pct}%"),
            ("late", f"存在逾期录入的{unit}", lambda x: f"{x.late}件"),
            (
                "numbers",
                f"案件编号不规范的{unit}",
                lambda x: f"{x.bad_numbers}件" + (f"，缺号{len(x.gaps)}个" if x.gaps else ""),
            ),
            ("short", f"案件信息过于简单的{unit}", lambda x: f"{x.short_facts}件"),
            ("written", f"书面协议占比低于{r.written_share_min_percent}%的{unit}", lambda x: f"{x.written_share}%"),
        ]
        for flag, title, fmt in checks:
            named = [f"{row.label}（{fmt(row)}）" for row in self.rows if row.flags(r)[flag]]
            if named:
                lines.append(f"{title}：" + "、".join(named) + "。")
        return lines


def _annotated(qs: QuerySet[Case]) -> QuerySet[Case]:
    current = Agreement.objects.filter(case_id=OuterRef("pk"), effective_at__isnull=False).exclude(
        status=AgreementStatus.REVOKED
    )
    return qs.annotate(
        facts_len=Length("brief_facts"),
        has_written=Exists(current.filter(form=AgreementForm.WRITTEN)),
        has_oral=Exists(current.filter(form=AgreementForm.ORAL)),
    )


def number_problem(case_no: str | None, year: int | None, seq: int | None, short: str, accepted: datetime) -> str:
    """Why a case number breaks the rule (settings CASE_NUMBER_FORMAT), or "" if it follows it."""
    if not case_no:
        return "已受理但未编号"
    match = case_number_regex().match(case_no)
    if not match:
        return "格式不符合编号规则"
    if match["short"] != short:
        return f"调委会简称应为“{short}”"
    accepted_year = timezone.localtime(accepted).year
    if int(match["year"]) != accepted_year or (year is not None and year != accepted_year):
        return f"年度应为{accepted_year}"
    if seq is not None and int(match["seq"]) != seq:
        return f"序号与登记序号{seq}不一致"
    return ""


def _sequence_issues(base: QuerySet[Case], year: int, until: datetime) -> dict[int, tuple[list[int], list[int]]]:
    """Gaps and duplicates in each committee's number series of `year`, for numbers issued up to `until`."""
    regex = case_number_regex()
    seqs: dict[int, list[int]] = defaultdict(list)
    rows = base.filter(year=year, seq__isnull=False, accepted_at__lt=until).values_list(
        "committee_id", "seq", "case_no"
    )
    for committee_id, seq, case_no in rows:
        match = regex.match(case_no or "")
        seqs[committee_id].append(int(match["seq"]) if match else seq)
    issues = {}
    for committee_id, values in seqs.items():
        counted = defaultdict(int)
        for v in values:
            counted[v] += 1
        gaps = sorted(set(range(1, max(values) + 1)) - set(values))
        dups = sorted(v for v, n in counted.items() if n > 1)
        if gaps or dups:
            issues[committee_id] = (gaps, dups)
    return issues


def entry_notice(scope: QuerySet[Case], area: Division, year: int, month: int) -> Notice:
    """`scope` is the user's visible cases; `area` a division inside the user's jurisdiction."""
    rules = entry_rules()
    period = make_period(year, "month", month)
    last_period = period.same_period_last_year()
    base = scope.filter(in_area(area.code))
    by_county = area.level <= DivisionLevel.CITY
    committees = Committee.objects.filter(division__code__startswith=area.code).order_by("division_id", "name")
    if by_county:
        units = Division.objects.filter(parent=area).order_by("code")
        rows = {u.code: NoticeRow(u.code, u.name, url_area=u.code) for u in units}
        key_len = len(next(iter(rows))) if rows else 6
        group = Substr("division_code", 1, key_len)
        unit_of = {c.pk: c.division_id[:key_len] for c in committees}
    else:
        rows = {str(c.pk): NoticeRow(str(c.pk), c.name) for c in committees}
        group = None
        unit_of = {c.pk: str(c.pk) for c in committees}

    def grouped(qs: QuerySet[Case], **aggregates) -> dict[str, dict]:
        if group is not None:
            qs = qs.annotate(unit=group).values("unit")
        else:
            qs = qs.values("committee_id")
        out = {}
        for r in qs.annotate(**aggregates).order_by():
            out[str(r.get("unit", r.get("committee_id")))] = r
        return out

    on_time = E.on_time_q(period)
    accepted = Q(accepted_at__isnull=False)
    mine = _annotated(E.of_period(base, period))
    current = grouped(
        mine,
        n_entries=Count("id", filter=on_time),
        n_late=Count("id", filter=accepted & ~on_time),
        n_short=Count("id", filter=Q(facts_len__lt=rules.facts_min_chars)),
        n_written=Count("id", filter=Q(has_written=True)),
        n_oral=Count("id", filter=Q(has_oral=True, has_written=False)),
    )
    previous = grouped(E.entries(base, last_period), n_entries=Count("id"))
    if by_county:
        # Committees seated at the area itself (e.g. the city's 医调委, 交调委) belong to no county: their own row,
        # so that the notice's total equals the reconciliation's and the monthly form's.
        direct = area.code
        if direct in current or direct in previous or any(len(c.division_id) < key_len for c in committees):
            rows[direct] = NoticeRow(direct, f"{area.name}本级")

    problems: list[NumberProblem] = []
    numbered = mine.filter(accepted).select_related("committee").order_by("case_date", "pk")
    bad_by_unit: dict[str, int] = defaultdict(int)
    for case in numbered:
        reason = number_problem(case.case_no, case.year, case.seq, case.committee.short_name, case.accepted_at)
        if reason:
            bad_by_unit[unit_of.get(case.committee_id, "")] += 1
            if len(problems) < LIST_LIMIT:
                problems.append(NumberProblem(case, reason))
    issues = _sequence_issues(base, year, period.end_at)

    total = NoticeRow("", area.name)
    for key, row in rows.items():
        c, p = current.get(key, {}), previous.get(key, {})
        row.entries, row.last_year = c.get("n_entries", 0), p.get("n_entries", 0)
        row.late, row.short_facts = c.get("n_late", 0), c.get("n_short", 0)
        row.written, row.oral = c.get("n_written", 0), c.get("n_oral", 0)
        row.bad_numbers = bad_by_unit.get(key, 0)
    for committee_id, (gaps, dups) in issues.items():
        row = rows.get(unit_of.get(committee_id, ""))
        if row is not None:
            row.gaps += gaps
            row.duplicates += dups
    for row in [*rows.values(), total]:
        row.min_base = rules.drop_min_base
    for row in rows.values():
        for attr in ("entries", "last_year", "late", "bad_numbers", "short_facts", "written", "oral"):
            setattr(total, attr, getattr(total, attr) + getattr(row, attr))
        total.gaps += row.gaps
        total.duplicates += row.duplicates

    listed = mine.select_related("committee").order_by("case_date", "pk")
    return Notice(
        area=area,
        period=period,
        last_period=last_period,
        rules=rules,
        deadline=E.last_entry_day(period),
        by_county=by_county,
        rows=list(rows.values()),
        total=total,
        late_cases=list(listed.filter(accepted & ~on_time)[:LIST_LIMIT]),
        number_problems=problems,
        short_cases=list(listed.filter(facts_len__lt=rules.facts_min_chars)[:LIST_LIMIT]),
        generated_at=timezone.localtime(),
    )
