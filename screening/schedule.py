"""The screening scan: which units must report, the report rows of each period, their due timers, and
compliance figures. Owner: h-policy.

- `policy_for(committee, day)`: the policy in force for the committee's level (the nearest division's: a
  county's overrides the city's), or None;
- `units_for(division_code, unit_level, include_industry)`: active committees that must report;
- `ensure_reports(now)`: create the missing report rows of periods that have begun (routine, special, campaign),
  each with its SCREENING_REPORT_DUE timers (a reminder on the due day's morning, overdue at due_at); idempotent;
  run daily by screening.tasks and after a policy, special period or campaign is saved;
- the SCREENING_REPORT_DUE handler: remind the unit, or mark OVERDUE, tell the unit and the township's 司法所;
- `compliance(division_code, start, end)`: per unit, reports expected / on time / late / missing / zero — shown
  to the township and the bureau and used by the assessment (考评, issue 15)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cases import timers
from cases.models import Timer, TimerKind
from cases.timers import handler
from registry.models import Committee, CommitteeKind, DivisionLevel
from screening import cadence as cad
from screening.enums import ReportStatus
from screening.models import ScreeningCampaign, ScreeningPolicy, ScreeningReport, SpecialPeriod

REMIND = "REPORT:remind"
OVERDUE = "REPORT:overdue"
REMIND_AT = time(9, 0)
# A campaign report of a unit without a policy: due the next working day at 18:00.
DEFAULT_OFFSET, DEFAULT_DUE_TIME = 1, time(18, 0)
UNIT_LEVEL_VALUES = (DivisionLevel.VILLAGE, DivisionLevel.TOWNSHIP, DivisionLevel.COUNTY)


@dataclass
class UnitCompliance:
    committee: Committee
    expected: int
    on_time: int
    late: int
    missing: int  # past due and not submitted (OVERDUE)
    zero: int
    pending: int  # not yet due
    reports: list[ScreeningReport] = field(default_factory=list)  # the unit's latest reports of the range

    @property
    def rate(self) -> float | None:
        """On-time rate (%, one decimal: 5 of 8 is 62.5, not a rounded-down 62) of the reports already due."""
        due = self.on_time + self.late + self.missing
        return round(100 * self.on_time / due, 1) if due else None


def _in_force(policy: ScreeningPolicy, day: date) -> bool:
    return policy.effective_from <= day and (policy.effective_to is None or policy.effective_to >= day)


def _choose(policies: list[ScreeningPolicy], code: str, day: date) -> ScreeningPolicy | None:
    """Among candidate policies of one level, the one in force on `day` for an area: the longest code wins."""
    best = None
    for p in policies:
        if code.startswith(str(p.division_id)) and _in_force(p, day):
            if best is None or len(str(p.division_id)) > len(str(best.division_id)):
                best = p
    return best


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in (2, 4, 6, 9, 12) if len(code) >= n]


def policy_for(committee: Committee, day: date) -> ScreeningPolicy | None:
    """The policy in force on `day` for the committee's level (whatever the committee's kind: whether an industry
    committee must report under it is `include_industry`)."""
    code = str(committee.division_id)
    level = committee.division.level
    candidates = list(ScreeningPolicy.objects.filter(unit_level=level, division_id__in=_prefixes(code)))
    return _choose(candidates, code, day)


def _kinds(include_industry: bool) -> list[str]:
    return [CommitteeKind.STANDARD, CommitteeKind.INDUSTRY] if include_industry else [CommitteeKind.STANDARD]


def units_for(division_code: str, unit_level: int, include_industry: bool) -> list[Committee]:
    """The active committees at `unit_level` inside `division_code` that report (STANDARD, and INDUSTRY too when
    `include_industry`)."""
    return list(
        Committee.objects.filter(
            is_active=True,
            division__level=unit_level,
            division__code__startswith=division_code,
            kind__in=_kinds(include_industry),
        )
        .select_related("division")
        .order_by("division_id", "name")
    )


def _segments(
    policies: list[ScreeningPolicy], code: str, today: date
) -> list[tuple[ScreeningPolicy, date, date | None]]:
    """The spans of days on which each policy governs an area (policy, first day, last day or None), for the spans
    that have begun by today. Between two consecutive effective dates the policy in force does not change."""
    points = sorted(
        {p.effective_from for p in policies}
        | {p.effective_to + timedelta(days=1) for p in policies if p.effective_to is not None}
    )
    spans: list[tuple[ScreeningPolicy, date, date | None]] = []
    for i, start in enumerate(points):
        if start > today:
            break
        owner = _choose(policies, code, start)
        if owner is None:
            continue
        end = points[i + 1] - timedelta(days=1) if i + 1 < len(points) else None
        if spans and spans[-1][0].pk == owner.pk and spans[-1][2] == start - timedelta(days=1):
            spans[-1] = (owner, spans[-1][1], end)
        else:
            spans.append((owner, start, end))
    return spans


def _report_link(report: ScreeningReport) -> str:
    return reverse("screening:report", args=[report.pk])


def _schedule_timers(report: ScreeningReport, now: datetime) -> None:
    due_local = timezone.localtime(report.due_at)
    deadline = due_local.date()
    remind_at = datetime.combine(deadline, REMIND_AT, tzinfo=cad.TZ)
    if remind_at < report.due_at and report.due_at > now:
        timers.schedule(
            TimerKind.SCREENING_REPORT_DUE, case=None, deadline=deadline, fire_at=remind_at, target=report, rule=REMIND
        )
    timers.schedule(
        TimerKind.SCREENING_REPORT_DUE, case=None, deadline=deadline, fire_at=report.due_at, target=report, rule=OVERDUE
    )


class _Scan:
    """One run of ensure_reports: the existing rows of the units touched, looked up once."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = timezone.localtime(now).date()
        self.created = 0
        self.existing: dict[tuple, dict[tuple, ScreeningReport]] = {}

    def rows_of(self, committee: Committee, since: date) -> dict[tuple, ScreeningReport]:
        """The unit's first versions whose period ends on or after `since`, by key (cached per unit and day)."""
        cache_key = (committee.pk, since)
        rows = self.existing.get(cache_key)
        if rows is None:
            rows = {}
            for r in ScreeningReport.objects.filter(committee=committee, version=1, period_end__gte=since):
                rows[(r.campaign_id, r.cadence, r.period_start, r.period_end)] = r
            self.existing[cache_key] = rows
        return rows

    def latest_start(self, committee: Committee, policy: ScreeningPolicy) -> date | None:
        return ScreeningReport.objects.filter(
            committee=committee, campaign__isnull=True, policy=policy, version=1
        ).aggregate(latest=Max("period_start"))["latest"]

    def routine(self, committee: Committee, policy: ScreeningPolicy, planned: list[cad.PlannedPeriod]) -> None:
        if not planned:
            return
        rows = self.rows_of(committee, planned[0].start)
        routine_rows = [r for r in rows.values() if r.campaign_id is None]
        for p in planned:
            key = (None, p.cadence, p.start, p.end)
            if key in rows:
                continue
            # The same period re-clipped (a special period added or cancelled): a pending row follows the plan.
            moved = next(
                (
                    r
                    for r in routine_rows
                    if r.status == ReportStatus.PENDING
                    and r.policy_id == policy.pk
                    and r.special_period_id == p.special_period_id
                    and r.cadence == p.cadence
                    and r.period_start == p.start
                ),
                None,
            )
            if moved is not None:
                rows.pop((None, moved.cadence, moved.period_start, moved.period_end), None)
                timers.cancel(TimerKind.SCREENING_REPORT_DUE, target=moved, reason="排查期间调整", at=self.now)
                moved.period_end, moved.due_at = p.end, p.due_at
                moved.save(update_fields=["period_end", "due_at"])
                _schedule_timers(moved, self.now)
                rows[key] = moved
                continue
            start = p.start
            # Days already reported under another rule (a period begun before a new version) are not asked twice.
            for r in routine_rows:
                if r.period_start <= start <= r.period_end:
                    start = r.period_end + timedelta(days=1)
            if start > p.end:
                continue
            if any(start < r.period_start <= p.end for r in routine_rows):
                continue
            if start != p.start:
                key = (None, p.cadence, start, p.end)
                if key in rows:
                    continue
            report = self._create(committee, policy, None, p.special_period_id, p.cadence, start, p.end, p.due_at)
            rows[key] = report
            routine_rows.append(report)

    def campaign(self, committee: Committee, campaign: ScreeningCampaign, last: date) -> None:
        first = max(campaign.start, committee.established_on or campaign.start)
        if first > last:
            return
        rows = self.rows_of(committee, first)
        policy = policy_for(committee, first)
        offset = policy.due_offset_workdays if policy else DEFAULT_OFFSET
        due_time = policy.due_time if policy else DEFAULT_DUE_TIME
        for planned in cad.plan(campaign.cadence, offset, due_time, first, min(last, self.today), until=campaign.end):
            key = (campaign.pk, planned.cadence, planned.start, planned.end)
            if key in rows:
                continue
            rows[key] = self._create(
                committee, policy, campaign, None, planned.cadence, planned.start, planned.end, planned.due_at
            )

    def _create(self, committee, policy, campaign, special_id, cadence, start, end, due) -> ScreeningReport:
        status = ReportStatus.PENDING
        report = ScreeningReport.objects.create(
            committee=committee,
            division_code=committee.division_id,
            unit_level=committee.division.level,
            policy=policy,
            campaign=campaign,
            special_period_id=special_id,
            cadence=cadence,
            period_start=start,
            period_end=end,
            due_at=due,
            status=status,
            created_at=self.now,
        )
        _schedule_timers(report, self.now)
        self.created += 1
        return report


def _specials_for(specials: list[SpecialPeriod], code: str, level: int) -> list[tuple[int, date, date, str]]:
    return [
        (sp.pk, sp.start, sp.end, sp.cadence)
        for sp in specials
        if code.startswith(str(sp.division_id)) and (not sp.unit_levels or level in [int(x) for x in sp.unit_levels])
    ]


def ensure_reports(now: datetime, *, division_code: str = "") -> int:
    """Create the report rows due so far (and their timers); returns how many were created. With `division_code`
    only the units inside that area (and the policies over it) are looked at."""
    scan = _Scan(now)
    today = scan.today
    with transaction.atomic():
        policy_q = Q(effective_from__lte=today)
        if division_code:
            policy_q &= Q(division_id__in=_prefixes(division_code)) | Q(division__code__startswith=division_code)
        policies = list(ScreeningPolicy.objects.filter(policy_q).select_related("division"))
        specials = list(SpecialPeriod.objects.filter(cancelled_at__isnull=True, start__lte=today))
        by_level: dict[int, list[ScreeningPolicy]] = defaultdict(list)
        for p in policies:
            by_level[p.unit_level].append(p)
        for level, level_policies in by_level.items():
            areas = sorted({str(p.division_id) for p in level_policies}, key=len)
            roots = [a for a in areas if not any(a != b and a.startswith(b) for b in areas)]
            include = any(p.include_industry for p in level_policies)
            seen: set[int] = set()
            for root in roots:
                scope = division_code if division_code and division_code.startswith(root) else root
                for committee in units_for(scope, level, include):
                    if committee.pk in seen:
                        continue
                    seen.add(committee.pk)
                    code = str(committee.division_id)
                    mine = [p for p in level_policies if code.startswith(str(p.division_id))]
                    for policy, start, end in _segments(mine, code, today):
                        if committee.kind != CommitteeKind.STANDARD and not policy.include_industry:
                            continue
                        first = max(start, committee.established_on or start)
                        # Periods before the unit's latest row of this policy were planned by earlier scans (a
                        # policy or special period never begins in the past): plan from there on.
                        latest = scan.latest_start(committee, policy)
                        if latest is not None:
                            first = max(first, latest)
                        if end is not None and first > end:
                            continue
                        planned = cad.plan(
                            policy.cadence,
                            policy.due_offset_workdays,
                            policy.due_time,
                            first,
                            today,
                            _specials_for(specials, code, level),
                            until=end,
                        )
                        scan.routine(committee, policy, planned)
        campaigns = ScreeningCampaign.objects.filter(start__lte=today)
        if division_code:
            campaigns = campaigns.filter(
                Q(division_id__in=_prefixes(division_code)) | Q(division__code__startswith=division_code)
            )
        for campaign in campaigns:
            last = campaign.end
            if campaign.closed_at is not None:
                last = min(last, timezone.localtime(campaign.closed_at).date())
            for committee in campaign_units(campaign):
                if division_code and not str(committee.division_id).startswith(division_code):
                    continue
                scan.campaign(committee, campaign, last)
    return scan.created


def campaign_units(campaign: ScreeningCampaign) -> list[Committee]:
    """Every active unit (village, township, county level; STANDARD or INDUSTRY) inside the campaign's areas."""
    areas = [str(c) for c in (campaign.area_codes or [])] or [str(campaign.division_id)]
    q = Q()
    for code in areas:
        q |= Q(division__code__startswith=code)
    return list(
        Committee.objects.filter(q, is_active=True, division__level__in=UNIT_LEVEL_VALUES)
        .filter(kind__in=_kinds(True))
        .select_related("division")
        .order_by("division_id", "name")
    )


def unit_member_ids(committee_id: int) -> list[int]:
    return list(
        User.objects.filter(
            is_active=True, committee_id=committee_id, role__in=[Role.MEDIATOR, Role.DIRECTOR]
        ).values_list("pk", flat=True)
    )


def period_label(report: ScreeningReport) -> str:
    s, e = report.period_start, report.period_end
    if s == e:
        return cad_day(s)
    tail = f"{e.month}月{e.day}日" if e.year == s.year else cad_day(e)
    return f"{cad_day(s)}至{tail}"


def cad_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@handler(TimerKind.SCREENING_REPORT_DUE)
def report_due(timer: Timer, now: datetime) -> str:
    from notifications.enums import NoticeKind
    from notifications.services import notify, notify_supervisors

    if timer.target_type != ScreeningReport._meta.label:
        return "无此报告"
    report = (
        ScreeningReport.objects.select_for_update(of=("self",))
        .select_related("committee", "campaign")
        .filter(pk=timer.target_id)
        .first()
    )
    if report is None or report.status != ReportStatus.PENDING:
        return "已报送，无需处理"
    if timezone.localtime(report.due_at).date() != timer.deadline:
        return "报送期限已调整"
    what = f"{report.committee.name}{period_label(report)}的{'专项' if report.campaign_id else ''}排查报告"
    link = _report_link(report)
    due_local = timezone.localtime(report.due_at)
    if timer.rule == REMIND:
        if now >= report.due_at:
            return "已过报送期限"
        notify(
            unit_member_ids(report.committee_id),
            NoticeKind.SCREENING_DUE,
            f"{what}今日{due_local:%H:%M}前报送截止，无矛盾纠纷的请报送零报告",
            at=now,
            sms=f"本期矛盾纠纷排查报告今日{due_local:%H:%M}前报送截止，请登录调解平台报送，无纠纷请报零报告。",
            link=link,
        )
        report.reminded_at = now
        report.save(update_fields=["reminded_at"])
        return "已提醒报送单位"
    report.status = ReportStatus.OVERDUE
    report.save(update_fields=["status"])
    message = f"{what}已逾期未报（截止{cad_day(due_local.date())} {due_local:%H:%M}）"
    notify(
        unit_member_ids(report.committee_id),
        NoticeKind.SCREENING_OVERDUE,
        message + "，请尽快补报",
        at=now,
        sms="本期矛盾纠纷排查报告已逾期未报，请尽快登录调解平台补报。",
        link=link,
    )
    notify_supervisors(NoticeKind.SCREENING_OVERDUE, str(report.committee.division_id), message, at=now, link=link)
    return "逾期未报，已通知报送单位和司法所"


def current_reports(qs):
    """The reports that count: not a superseded version, and not a correction still being prepared."""
    return qs.exclude(status=ReportStatus.SUPERSEDED).exclude(
        supersedes__isnull=False, status__in=[ReportStatus.PENDING, ReportStatus.OVERDUE]
    )


def compliance(division_code: str, start: date, end: date) -> list[UnitCompliance]:
    """Per unit of the area, its reports whose period ends in [start, end] (routine and campaign): expected, on time,
    late, missing (OVERDUE), zero (submitted zero reports, on time or late) and pending (not yet due). Units in
    division-code order; each with its reports, latest first."""
    qs = current_reports(
        ScreeningReport.objects.filter(
            division_code__startswith=division_code, period_end__gte=start, period_end__lte=end
        )
    ).select_related("committee", "committee__division", "campaign")
    per: dict[int, UnitCompliance] = {}
    for r in qs.order_by("-period_end", "-id"):
        u = per.get(r.committee_id)
        if u is None:
            u = per[r.committee_id] = UnitCompliance(r.committee, 0, 0, 0, 0, 0, 0)
        u.expected += 1
        u.reports.append(r)
        if r.status == ReportStatus.SUBMITTED:
            if r.is_late:
                u.late += 1
            else:
                u.on_time += 1
            if r.is_zero:
                u.zero += 1
        elif r.status == ReportStatus.OVERDUE:
            u.missing += 1
        else:
            u.pending += 1
    return sorted(per.values(), key=lambda u: (str(u.committee.division_id), u.committee.name))
