"""Shared by the timer tests: frozen-time scans, a configurable copy of data/deadline_rules.json, and cases opened
at a chosen committee with explicit times (Asia/Shanghai)."""

import json
from datetime import date, datetime, timedelta

import time_machine
from django.conf import settings

from cases import actions as A
from cases.deadline_rules import clear_cache
from cases.models import Case, Timer
from cases.timers import fire_due
from tests.world import TZ, World, case_data


def dt(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def write_rules(tmp_path, settings_fixture, *, default: dict | None = None, overrides: dict | None = None) -> None:
    """Point settings at a copy of the shipped rules, its default patched key by key and with `overrides`."""
    with open(settings.BASE_DIR / "data" / "deadline_rules.json", encoding="utf-8") as fh:
        raw = json.load(fh)
    for key, value in (default or {}).items():
        if isinstance(value, dict) and isinstance(raw["default"].get(key), dict):
            raw["default"][key] = {**raw["default"][key], **value}
        else:
            raw["default"][key] = value
    raw["overrides"] = overrides or {}
    path = tmp_path / "deadline_rules.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    settings_fixture.TIAOJIE = {**settings.TIAOJIE, "DEADLINE_RULES": path}
    clear_cache()


def scan(at: datetime) -> int:
    """One run of the periodic scan at `at`, with the clock frozen there."""
    with time_machine.travel(at, tick=False):
        return fire_due(at)


def scan_through(first: date, last: date, hours=(7, 8, 13, 20)) -> dict[date, list[tuple[str, date]]]:
    """Run the scan several times a day from `first` to `last`; return, per day, the timers that fired that day."""
    fired: dict[date, list[tuple[str, date]]] = {}
    day = first
    while day <= last:
        for h in hours:
            at = datetime(day.year, day.month, day.day, h, 0, tzinfo=TZ)
            before = set(Timer.objects.filter(fired_at__isnull=False).values_list("pk", flat=True))
            scan(at)
            new = Timer.objects.filter(fired_at__isnull=False).exclude(pk__in=before)
            fired.setdefault(day, []).extend((t.kind, t.deadline) for t in new)
        day += timedelta(days=1)
    return {d: v for d, v in fired.items() if v}


STAFF = {"a": ("mediator_a", "director_a", "village_a"), "b": ("mediator_b", "director_b", "village_b")}
STAFF["c"] = ("mediator_c", "director_c", "village_c")


def open_case(
    world: World, accepted_at: datetime, *, at_committee: str = "a", co: list | None = None, presiding=None
) -> Case:
    """Registered 1 h before `accepted_at`, accepted then, in mediation 1 h later with the committee's mediator
    presiding (or `presiding`, a user of the committee; `co` as co-mediators). Frozen time follows the action times."""
    mediator_name, director_name, committee_name = STAFF[at_committee]
    mediator, director = getattr(world, mediator_name), getattr(world, director_name)
    committee = getattr(world, committee_name)
    party_user = world.party_user if at_committee == "a" else None
    with time_machine.travel(accepted_at - timedelta(hours=1), tick=False):
        case = A.do_register_case(mediator, committee, case_data(party_user), at=accepted_at - timedelta(hours=1))
    with time_machine.travel(accepted_at, tick=False):
        A.do_accept_case(case, director, at=accepted_at)
    with time_machine.travel(accepted_at + timedelta(hours=1), tick=False):
        A.do_assign_mediators(
            case,
            director,
            presiding=(presiding or mediator).mediator,
            co_mediators=[u.mediator for u in co or []],
            rights_notified=True,
            identities_checked=True,
            at=accepted_at + timedelta(hours=1),
        )
    return Case.objects.get(pk=case.pk)


def live(case: Case, kind: str | None = None) -> list[tuple[str, date, datetime]]:
    qs = Timer.objects.filter(case=case, cancelled_at__isnull=True, fired_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return [(t.kind, t.deadline, t.fire_at.astimezone(TZ)) for t in qs.order_by("fire_at", "id")]
