"""Case numbers （年）简称人调字第N号: per committee per calendar year (local time), gap-free, issued at acceptance."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction

from cases import actions as A
from cases.enums import CaseStatus
from cases.models import Case, CaseSequence
from tests.world import TZ, World, case_data
from workdays import calendar

S = CaseStatus


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def dt(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def register_at(world: World, committee, at: datetime) -> Case:
    registrar = {world.village_a: world.mediator_a, world.village_b: world.mediator_b}[committee]
    return A.do_register_case(registrar, committee, case_data(None), at=at)


def accept(world: World, case: Case, at: datetime) -> Case:
    director = {world.village_a.pk: world.director_a, world.village_b.pk: world.director_b}[case.committee_id]
    A.do_accept_case(case, director, at=at)
    return Case.objects.get(pk=case.pk)


def test_numbers_are_sequential_per_committee(world):
    a_cases = [register_at(world, world.village_a, dt(2026, 3, 2, 9, i)) for i in range(3)]
    b_case = register_at(world, world.village_b, dt(2026, 3, 2, 9, 5))
    numbers = [accept(world, c, dt(2026, 3, 3, 10 + i)).case_no for i, c in enumerate(a_cases[:2])]
    numbers.append(accept(world, b_case, dt(2026, 3, 3, 12)).case_no)
    numbers.append(accept(world, a_cases[2], dt(2026, 3, 3, 13)).case_no)
    assert numbers == [
        "（2026）桂花人调字第1号",
        "（2026）桂花人调字第2号",
        "（2026）柏墩人调字第1号",
        "（2026）桂花人调字第3号",
    ]
    assert {(s.committee_id, s.year): s.last for s in CaseSequence.objects.all()} == {
        (world.village_a.pk, 2026): 3,
        (world.village_b.pk, 2026): 1,
    }


def test_next_year_starts_a_new_series_and_due_dates_fall_back_to_weekends(world):
    old = register_at(world, world.village_a, dt(2026, 12, 1, 9))
    assert accept(world, old, dt(2026, 12, 1, 10)).case_no == "（2026）桂花人调字第1号"
    new = register_at(world, world.village_a, dt(2027, 1, 5, 9))
    new = accept(world, new, dt(2027, 1, 6, 10))
    assert (new.case_no, new.year, new.seq) == ("（2027）桂花人调字第1号", 2027, 1)
    # No 2027 holiday schedule is shipped: 2027-02-06 is a Saturday, so the limit runs to Monday 02-08.
    assert not calendar.has_calendar_for(2027)
    assert new.time_limit_due == date(2027, 2, 8)
    again = accept(world, register_at(world, world.village_a, dt(2027, 1, 6, 11)), dt(2027, 1, 6, 12))
    assert again.case_no == "（2027）桂花人调字第2号"


def test_the_year_is_the_local_year_in_shanghai(world):
    late = register_at(world, world.village_a, dt(2026, 12, 31, 20))
    early = register_at(world, world.village_a, dt(2026, 12, 31, 21))
    assert accept(world, late, dt(2026, 12, 31, 23, 30)).case_no == "（2026）桂花人调字第1号"
    # 00:30 in Shanghai on New Year's Day is still 2026-12-31 in UTC.
    new_year = dt(2027, 1, 1, 0, 30)
    assert new_year.astimezone(ZoneInfo("UTC")).year == 2026
    assert accept(world, early, new_year).case_no == "（2027）桂花人调字第1号"


def test_number_is_issued_at_acceptance_not_at_intake(world):
    cases = [register_at(world, world.village_a, dt(2026, 3, 2, 9, i)) for i in range(4)]
    for c in cases:
        c.refresh_from_db()
        assert (c.case_no, c.year, c.seq, c.status) == (None, None, None, S.INTAKE)
    assert not CaseSequence.objects.exists()
    at = dt(2026, 3, 3)
    A.do_refuse_case(cases[0], world.director_a, reason="不属于民间纠纷", routes=["LITIGATION"], at=at)
    A.do_transfer_case(cases[1], world.director_a, reason="跨村纠纷，移交街道", to_committee=world.township, at=at)
    with pytest.raises(A.ActionRefused):
        A.do_accept_case(cases[2], world.mediator_a, at=at)  # not the director: no number consumed
    assert accept(world, cases[3], at).case_no == "（2026）桂花人调字第1号"
    assert accept(world, cases[2], at + timedelta(hours=1)).case_no == "（2026）桂花人调字第2号"
    refused_ = Case.objects.filter(pk__in=[cases[0].pk, cases[1].pk])
    assert list(refused_.values_list("case_no", flat=True)) == [None, None]
    linked = Case.objects.get(committee=world.township)
    assert linked.case_no is None and linked.status == S.INTAKE


def test_a_rolled_back_acceptance_releases_its_number(world):
    first, second = (register_at(world, world.village_a, dt(2026, 3, 2, 9, i)) for i in range(2))

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        assert accept(world, first, dt(2026, 3, 3)).case_no == "（2026）桂花人调字第1号"
        raise Abort
    first.refresh_from_db()
    assert first.case_no is None and first.status == S.INTAKE
    assert accept(world, second, dt(2026, 3, 3, 11)).case_no == "（2026）桂花人调字第1号"
    assert accept(world, first, dt(2026, 3, 3, 12)).case_no == "（2026）桂花人调字第2号"


def test_number_format_is_configuration(world, settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "CASE_NUMBER_FORMAT": "{short}调字〔{year}〕第{seq}号"}
    case = accept(world, register_at(world, world.village_a, dt(2026, 3, 2, 9)), dt(2026, 3, 3))
    assert case.case_no == "桂花调字〔2026〕第1号"


THREADS, PER_THREAD = 8, 5
SQLITE_MEMORY_REASON = (
    "SQLite test database is in memory (shared cache): a second writer gets 'database table is locked' at once, "
    "without the busy timeout, so threads cannot queue. Give the test database a file, e.g. "
    "DATABASES['default']['TEST'] = {'NAME': BASE_DIR / 'var' / 'test.sqlite3'} in tiaojie/settings.py."
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_get_gap_free_unique_numbers(world):
    """8 threads accept 5 INTAKE cases each of the same committee at once: numbers 1..40, no gap, no duplicate.

    The point is PostgreSQL (`make test-pg`): the counter row is created by the first acceptance and then locked
    with SELECT … FOR UPDATE. On SQLite, writers are serialised by BEGIN IMMEDIATE and the 20 s busy timeout, which
    works on a database file; it is skipped on pytest-django's default shared-cache in-memory test database.
    """
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(connection.settings_dict["NAME"]):
        pytest.skip(SQLITE_MEMORY_REASON)
    cases = [register_at(world, world.village_a, dt(2026, 3, 2, 9, i)) for i in range(THREADS * PER_THREAD)]
    director = world.director_a
    chunks = [cases[i::THREADS] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(chunk: list[Case]) -> None:
        try:
            barrier.wait(timeout=30)
            for case in chunk:
                A.do_accept_case(case, director, at=dt(2026, 3, 3))
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == [], f"{connection.vendor}: {errors!r}"
    accepted = Case.objects.filter(pk__in=[c.pk for c in cases])
    assert sorted(accepted.values_list("seq", flat=True)) == list(range(1, THREADS * PER_THREAD + 1))
    numbers = list(accepted.values_list("case_no", flat=True))
    assert len(set(numbers)) == len(numbers) == THREADS * PER_THREAD
    assert set(numbers) == {f"（2026）桂花人调字第{n}号" for n in range(1, THREADS * PER_THREAD + 1)}
    assert CaseSequence.objects.get(committee=world.village_a, year=2026).last == THREADS * PER_THREAD
    for case in accepted:
        assert case.status == S.ACCEPTED
        assert case.events.filter(action="accept").count() == 1
