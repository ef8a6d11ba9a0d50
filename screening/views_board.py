"""Pages of the risk board (screening:risks), the area breakdown (screening:risk_areas) and the 研判 meetings
(screening:meetings, meeting_new, meeting). Owner: h-board.

Who: the board and the breakdown — supervisors and the 综治中心 of their area (?area= checked with
supervision.access.area_for), committee members (their committee's risks), police liaisons (the risks pushed to
their station); meetings — supervisors and the 综治中心. Anyone else gets a 404."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cases.actions.base import ActionRefused
from referrals.enums import Channel
from registry.models import Division
from screening import board as B
from screening.enums import RiskFlag, RiskLevel, RiskStatus
from screening.forms_board import BoardFilterForm, MeetingForm, PeriodForm
from screening.permissions import can_record_meeting
from screening.scoping import access_meeting_by_id, meetings_visible_to, risks_visible_to
from supervision.access import area_for

AREA_ROLES = {Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.GOVERNANCE_OFFICER}
MEETING_ROLES = AREA_ROLES
PER_PAGE = 30


def _board_user(request: HttpRequest) -> User:
    """The board's gate: area roles with a division, committee members, police liaisons; others 404."""
    user = request.user
    if user.role in AREA_ROLES and user.division_id:
        return user
    if user.role in (Role.MEDIATOR, Role.DIRECTOR) and user.committee_id:
        return user
    if user.role == Role.INSTITUTION_LIAISON and user.institution_id and user.institution.kind == Channel.POLICE:
        return user
    raise Http404("页面不存在")


def _root(user: User) -> Division | None:
    """The area a user without an area selector looks at: the committee's or the police station's division."""
    if user.role in (Role.MEDIATOR, Role.DIRECTOR):
        return user.committee.division
    if user.role == Role.INSTITUTION_LIAISON:
        return user.institution.division
    return None


def _chosen_area(request: HttpRequest, user: User) -> Division | None:
    """?area= for the area roles (404 outside their jurisdiction); the root for everyone else."""
    if B.has_area_selector(user):
        return area_for(user, request.GET.get("area"))
    return _root(user)


def _area_choices(user: User) -> list[tuple[str, str]]:
    """The user's own area and the areas down to the townships below it (a township's villages for a township
    office; villages are otherwise reached by drilling down)."""
    own = Division.objects.get(code=user.division_id)
    below = Division.objects.filter(code__startswith=own.code, level__gt=own.level, level__lte=max(4, own.level + 1))
    rows = [(own.code, own.name)]
    for d in below.order_by("code"):
        rows.append((d.code, ("　" * (d.level - own.level)) + d.name))
    return rows


def _breadcrumbs(user: User, area: Division | None) -> list[Division]:
    if area is None or not B.has_area_selector(user):
        return []
    chain = [*area.ancestors(), area]
    return [d for d in chain if d.code.startswith(str(user.division_id))]


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = _board_user(request)
    now = timezone.now()
    selector = B.has_area_selector(user)
    area = _chosen_area(request, user)
    choices = None
    if selector:
        choices = _area_choices(user)
        if area is not None and area.code not in dict(choices):
            choices.append((area.code, area.name))  # a village reached by drilling down
    form = BoardFilterForm(request.GET or {"status": RiskStatus.OPEN}, owners=B.owner_choices(user), areas=choices)
    filters = form.filters(area.code if selector and area is not None else "")
    counts = B.level_counts(user, filters, now)
    paginator = Paginator(B.board_rows(user, filters, now), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    labels = B.area_labels((r.division_code for r in page.object_list), area.code if area is not None else "")
    rows = [
        {
            "risk": r,
            "chain": B.chain_state(r, now),
            "age": B.age_days(r, now),
            "flags": _flag_labels(r.flags),
            "area": labels.get(r.division_code, ""),
        }
        for r in page.object_list
    ]
    params = {k: v for k, v in request.GET.items() if k not in ("page", "level") and v}
    chips = [
        {
            "level": lv,
            "label": B_LEVEL_SHORT[lv],
            "n": counts[lv],
            "active": filters.level == lv,
            "query": urlencode({**params, "level": lv}),
        }
        for lv in B.LEVELS
    ]
    return render(
        request,
        "screening/board.html",
        {
            "form": form,
            "area": area,
            "selector": selector,
            "crumbs": _breadcrumbs(user, area),
            "counts": counts,
            "chips": chips,
            "all_query": urlencode(params),
            "rows": rows,
            "page": page,
            "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
            "now": now,
            "filters": filters,
            "open_filters": any(k in request.GET for k in ("flag", "owner", "age", "overdue"))
            or request.GET.get("status", RiskStatus.OPEN) != RiskStatus.OPEN,
        },
    )


B_LEVEL_SHORT = {RiskLevel.RED: "红色", RiskLevel.ORANGE: "橙色", RiskLevel.YELLOW: "黄色"}
FLAG_LABELS = dict(RiskFlag.choices)


def _flag_labels(flags: list) -> list[str]:
    return [str(FLAG_LABELS.get(f, f)) for f in (flags or []) if isinstance(f, str)]


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    user = _board_user(request)
    now = timezone.now()
    area = _chosen_area(request, user)
    default = B.default_period(timezone.localdate(now))
    data = {
        "start": request.GET.get("start") or default[0].isoformat(),
        "end": request.GET.get("end") or default[1].isoformat(),
    }
    period_form = PeriodForm(data)
    start, end = period_form.bounds(default)
    risks = risks_visible_to(user)
    if B.has_area_selector(user):  # the drilled-down area only (members and the police keep 辖区外 for joint cases)
        risks = risks.filter(division_code__startswith=area.code)
    breakdown = B.area_breakdown(risks, area, start, end, now)
    selector = B.has_area_selector(user)
    period_q = {"start": start.isoformat(), "end": end.isoformat()}

    def links(row: B.AreaRow) -> dict:
        if not row.code or row.own_level:
            return {}
        board_q = {"area": row.code} if selector else {}
        return {
            "drill": reverse("screening:risk_areas") + "?" + urlencode({"area": row.code, **period_q})
            if selector and row.drill
            else "",
            "board": reverse("screening:risks") + ("?" + urlencode(board_q) if board_q else ""),
            "board_overdue": reverse("screening:risks") + "?" + urlencode({**board_q, "overdue": "on"}),
            "board_level": {
                lv: reverse("screening:risks") + "?" + urlencode({**board_q, "level": lv}) for lv in B.LEVELS
            },
        }

    return render(
        request,
        "screening/areas.html",
        {
            "area": area,
            "selector": selector,
            "crumbs": _breadcrumbs(user, area),
            "breakdown": breakdown,
            "rows": [{"row": r, "links": links(r)} for r in breakdown.rows],
            "has_own": any(r.own_level for r in breakdown.rows),
            "period_form": period_form,
            "start": start,
            "end": end,
            "period_q": urlencode(period_q),
        },
    )


# --- meetings -------------------------------------------------------------------------------------------------


def _meeting_user(request: HttpRequest) -> User:
    user = request.user
    if user.role not in MEETING_ROLES or not can_record_meeting(user):
        raise Http404("页面不存在")
    return user


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    user = _meeting_user(request)
    qs = meetings_visible_to(user).select_related("division", "created_by").order_by("-held_on", "-id")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    visible = risks_visible_to(user)
    from django.db.models import Count, Q

    counted = (
        meetings_visible_to(user)
        .filter(pk__in=[m.pk for m in page.object_list])
        .annotate(n=Count("risks", filter=Q(risks__in=visible)))
        .values_list("pk", "n")
    )
    n_by = dict(counted)
    return render(
        request,
        "screening/meetings.html",
        {"page": page, "rows": [{"m": m, "n": n_by.get(m.pk, 0)} for m in page.object_list]},
    )


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = _meeting_user(request)
    today = timezone.localdate()
    open_risks = (
        risks_visible_to(user)
        .filter(status=RiskStatus.OPEN)
        .select_related("committee")
        .annotate(level_rank=B.level_rank())
        .order_by("level_rank", "-created_at")
    )
    initial = {"held_on": today}
    preselect = request.GET.get("risk")
    if preselect and preselect.isascii() and preselect.isdigit():
        initial["risks"] = [int(preselect)]
    form = MeetingForm(request.POST or None, initial=initial, risks=open_risks, today=today)
    if request.method == "POST" and form.is_valid():
        from screening.actions.risk import do_record_meeting

        division = Division.objects.get(code=user.division_id)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                meeting = do_record_meeting(
                    user,
                    division,
                    held_on=data["held_on"],
                    title=data["title"].strip(),
                    chair=data["chair"].strip(),
                    attendees=data["attendees"].strip(),
                    minutes=data["minutes"],
                    risks=list(data["risks"]),
                )
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("screening:meeting", pk=meeting.pk)
    return render(request, "screening/meeting_new.html", {"form": form, "n_open": open_risks.count()})


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    user = _meeting_user(request)
    m = access_meeting_by_id(user, pk)
    now = timezone.now()
    risks = list(
        m.risks.filter(pk__in=risks_visible_to(user))
        .select_related("committee", "owner")
        .prefetch_related(B.hops_prefetch(user))
        .order_by("-created_at")
    )
    rows = [{"risk": r, "chain": B.chain_state(r, now), "flags": _flag_labels(r.flags)} for r in risks]
    return render(request, "screening/meeting.html", {"m": m, "rows": rows})
