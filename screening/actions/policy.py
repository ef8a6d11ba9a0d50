"""Policy, special periods and campaigns (issue 12 point 1). Owner: h-policy.

Each action checks screening.permissions.can_set_policy, writes in one transaction and then runs the scan
(screening.schedule.ensure_reports) for its area, so the report rows of a period that has begun exist at once."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from registry.models import Division
from screening import cadence as cad
from screening.actions.base import ActionRefused, cn_day, local_date, now_or, require
from screening.enums import Cadence
from screening.models import UNIT_LEVELS, ScreeningCampaign, ScreeningPolicy, SpecialPeriod
from screening.permissions import can_set_policy

LEVEL_NAMES = {int(v): str(label) for v, label in UNIT_LEVELS}
NO_RIGHT = "您无权制定本地区的排查制度"


def _check_actor(actor: User, division: Division) -> None:
    require(can_set_policy(actor, division.code), NO_RIGHT)


def _scan(division_code: str, at: datetime) -> None:
    from screening.schedule import ensure_reports

    ensure_reports(at, division_code=division_code)


def _cadence(value: str, field: str = "cadence") -> str:
    require(value in Cadence.values, "请选择排查周期", field)
    return value


def do_set_policy(
    actor: User,
    division: Division,
    *,
    unit_level: int,
    cadence: str,
    due_offset_workdays: int,
    due_time: time,
    zero_report_required: bool,
    include_industry: bool,
    effective_from: date,
    document_no: str = "",
    note: str = "",
    at: datetime | None = None,
) -> ScreeningPolicy:
    """A new version of the screening policy of `division` for units at `unit_level`, in force from
    `effective_from` (not in the past); the version in force before it ends the day before. Only
    can_set_policy(actor, division.code). Reports of periods already begun keep their policy (the period around
    the change ends the day before the new version)."""
    at = now_or(at)
    _check_actor(actor, division)
    require(int(unit_level) in LEVEL_NAMES, "请选择报送单位层级", "unit_level")
    require(int(unit_level) >= division.level, "报送单位层级不能高于制定区划", "unit_level")
    _cadence(cadence)
    require(0 <= int(due_offset_workdays) <= 30, "报送期限应在0至30个工作日之间", "due_offset_workdays")
    today = local_date(at)
    require(effective_from >= today, f"生效日期不能早于今天（{cn_day(today)}）", "effective_from")
    with transaction.atomic():
        versions = ScreeningPolicy.objects.select_for_update().filter(division=division, unit_level=unit_level)
        require(
            not versions.filter(effective_from=effective_from).exists(),
            f"{cn_day(effective_from)}起生效的版本已经存在",
            "effective_from",
        )
        require(
            not versions.filter(effective_from__gt=effective_from).exists(),
            "已有更晚生效的版本，请选择更晚的生效日期",
            "effective_from",
        )
        previous = versions.filter(effective_from__lt=effective_from).order_by("-effective_from").first()
        if previous is not None and (previous.effective_to is None or previous.effective_to >= effective_from):
            previous.effective_to = effective_from - timedelta(days=1)
            previous.save(update_fields=["effective_to"])
        policy = ScreeningPolicy.objects.create(
            division=division,
            unit_level=unit_level,
            cadence=cadence,
            due_offset_workdays=due_offset_workdays,
            due_time=due_time,
            zero_report_required=zero_report_required,
            include_industry=include_industry,
            effective_from=effective_from,
            document_no=document_no.strip()[:60],
            note=note.strip()[:200],
            created_by=actor,
            created_at=at,
        )
        _scan(division.code, at)
    return policy


def _policies_in_force(division: Division, level: int, day: date) -> list[ScreeningPolicy]:
    """The policies of `level` that govern some unit inside `division` on `day` (its own or an enclosing one, and
    the overrides inside it)."""
    from screening.schedule import _in_force, _prefixes

    rows = ScreeningPolicy.objects.filter(unit_level=level, effective_from__lte=day)
    out = []
    for p in rows:
        code = str(p.division_id)
        if (code in _prefixes(division.code) or code.startswith(division.code)) and _in_force(p, day):
            out.append(p)
    return out


def do_add_special_period(
    actor: User,
    division: Division,
    *,
    name: str,
    start: date,
    end: date,
    cadence: str,
    unit_levels: list[int],
    at: datetime | None = None,
) -> SpecialPeriod:
    """A special period (节假日、敏感时期): from `start` to `end` the units of `unit_levels` (all if empty) screen at
    `cadence`, which must be more frequent than their policy's."""
    at = now_or(at)
    _check_actor(actor, division)
    name = (name or "").strip()
    require(bool(name), "请填写特殊时期名称", "name")
    _cadence(cadence)
    require(end >= start, "结束日期不能早于开始日期", "end")
    require(start >= local_date(at), f"开始日期不能早于今天（{cn_day(local_date(at))}）", "start")
    require((end - start).days <= 92, "特殊时期不宜超过三个月，请分段设置", "end")
    levels = sorted({int(x) for x in unit_levels})
    require(all(x in LEVEL_NAMES for x in levels), "请选择适用层级", "unit_levels")
    for level in levels or [x for x in LEVEL_NAMES if x >= division.level]:
        for day in (start, end):
            for policy in _policies_in_force(division, level, day):
                if not cad.more_frequent(cadence, policy.cadence):
                    raise ActionRefused(
                        f"特殊时期的排查周期须比{LEVEL_NAMES[level]}的日常周期（{policy.get_cadence_display()}，"
                        f"{policy.division.name}制定）更密",
                        "cadence",
                    )
    with transaction.atomic():
        period = SpecialPeriod.objects.create(
            division=division,
            name=name[:60],
            start=start,
            end=end,
            cadence=cadence,
            unit_levels=levels,
            created_by=actor,
            created_at=at,
        )
        _scan(division.code, at)
    return period


def do_cancel_special_period(actor: User, period: SpecialPeriod, *, at: datetime | None = None) -> SpecialPeriod:
    """Cancel a special period that has not begun (one that has begun ends today instead)."""
    at = now_or(at)
    require(can_set_policy(actor, str(period.division_id)), NO_RIGHT)
    today = local_date(at)
    with transaction.atomic():
        period = SpecialPeriod.objects.select_for_update().get(pk=period.pk)
        require(period.cancelled_at is None, "该特殊时期已撤销")
        require(period.end >= today, "该特殊时期已经结束")
        if period.start > today:
            period.cancelled_at = at
            period.save(update_fields=["cancelled_at"])
        else:
            period.end = today
            period.save(update_fields=["end"])
        _scan(str(period.division_id), at)
    return period


def do_start_campaign(
    actor: User,
    division: Division,
    *,
    theme: str,
    description: str,
    area_codes: list[str],
    start: date,
    end: date,
    cadence: str,
    at: datetime | None = None,
) -> ScreeningCampaign:
    """A special screening campaign (专项排查) with a theme, areas inside `division` and dates; the scan gives every
    unit in the areas a campaign report per campaign period; the units are notified."""
    from notifications.enums import NoticeKind
    from notifications.services import notify
    from screening.schedule import campaign_units, unit_member_ids

    at = now_or(at)
    _check_actor(actor, division)
    theme = (theme or "").strip()
    require(bool(theme), "请填写专项排查主题", "theme")
    _cadence(cadence)
    require(end >= start, "结束日期不能早于开始日期", "end")
    require(start >= local_date(at), f"开始日期不能早于今天（{cn_day(local_date(at))}）", "start")
    codes = sorted({str(c).strip() for c in area_codes if str(c).strip()})
    for code in codes:
        require(code.startswith(division.code), f"排查区域{code}不在{division.name}范围内", "area_codes")
        require(Division.objects.filter(code=code).exists(), f"区划代码{code}不存在", "area_codes")
    with transaction.atomic():
        campaign = ScreeningCampaign.objects.create(
            division=division,
            theme=theme[:100],
            description=(description or "").strip(),
            area_codes=codes,
            start=start,
            end=end,
            cadence=cadence,
            created_by=actor,
            created_at=at,
        )
        members: set[int] = set()
        for committee in campaign_units(campaign):
            members.update(unit_member_ids(committee.pk))
        when = f"{cn_day(start)}至{cn_day(end)}"
        notify(
            members,
            NoticeKind.SCREENING_DUE,
            f"{division.name}部署专项排查“{theme[:40]}”（{when}，{campaign.get_cadence_display()}报送），请按要求开展排查并报送",
            actor=actor,
            at=at,
            link=reverse("screening:home"),
        )
        _scan(division.code, at)
    return campaign


def do_close_campaign(actor: User, campaign: ScreeningCampaign, *, at: datetime | None = None) -> ScreeningCampaign:
    """End a campaign early: later periods get no reports; periods already begun are still due."""
    at = now_or(at)
    require(can_set_policy(actor, str(campaign.division_id)), NO_RIGHT)
    with transaction.atomic():
        campaign = ScreeningCampaign.objects.select_for_update().get(pk=campaign.pk)
        require(campaign.closed_at is None, "该专项排查已经结束")
        require(campaign.end >= local_date(at), "该专项排查已到期结束")
        campaign.closed_at = at
        campaign.save(update_fields=["closed_at"])
        _scan(str(campaign.division_id), at)
    return campaign


def campaign_last_day(campaign: ScreeningCampaign) -> date:
    """The campaign's last day: its end, or the day it was closed early."""
    if campaign.closed_at is not None:
        return min(campaign.end, timezone.localtime(campaign.closed_at).date())
    return campaign.end
