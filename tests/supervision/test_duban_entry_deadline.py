"""The entry-deadline notice: the township office and the county hear once per (unit, month) of cases entered after
the entry deadline (data/entry_rules.json: 7 days after the month's end), the next county's bureau never."""

import pytest

from cases.enums import CaseStatus
from cases.models import Notification
from notifications.enums import NoticeKind
from supervision.entry_deadline import check_entry_deadlines
from supervision.models import EntryDeadlineNotice
from supervision.tasks import entry_deadline_check
from tests.supervision.helpers import build, dt

pytestmark = pytest.mark.django_db


def told() -> list[str]:
    return sorted(
        Notification.objects.filter(kind=NoticeKind.ENTRY_DEADLINE_MISSED).values_list("user__username", flat=True)
    )


def test_late_entries_are_notified_once_per_unit_and_month(world):
    build(world, CaseStatus.ACCEPTED, dt(2026, 2, 3), entered_at=dt(2026, 3, 10))  # late: deadline 7 March
    build(world, CaseStatus.ACCEPTED, dt(2026, 2, 4), entered_at=dt(2026, 2, 4, 12))  # on time
    build(world, CaseStatus.ACCEPTED, dt(2026, 2, 5), committee=world.village_b, entered_at=dt(2026, 3, 9))  # late
    assert check_entry_deadlines(dt(2026, 3, 7, 23)) == 0  # the deadline has not passed yet
    assert check_entry_deadlines(dt(2026, 3, 12, 8)) == 1  # one unit (温泉街道) for February
    notice = EntryDeadlineNotice.objects.get()
    assert (notice.division_code, notice.year, notice.month, notice.late_count) == ("421202001", 2026, 2, 2)
    assert told() == ["county_admin", "sfs_officer"]
    assert "2件" in Notification.objects.filter(user=world.sfs_officer).get().message
    assert check_entry_deadlines(dt(2026, 3, 13, 8)) == 0  # idempotent
    assert told() == ["county_admin", "sfs_officer"]


def test_each_unit_hears_of_its_own(world):
    build(world, CaseStatus.ACCEPTED, dt(2026, 2, 3), committee=world.village_c, entered_at=dt(2026, 3, 20))
    assert check_entry_deadlines(dt(2026, 3, 21, 8)) == 1
    assert told() == ["other_county_admin"]  # 鱼岳镇 has no 司法所 account in the world; 咸安区 hears nothing


def test_periodic_task_runs_the_check(world):
    build(world, CaseStatus.ACCEPTED, dt(2026, 2, 3), entered_at=dt(2026, 3, 10))
    import time_machine

    with time_machine.travel(dt(2026, 3, 12, 8, 15), tick=False):
        entry_deadline_check.call_local()
        entry_deadline_check.call_local()
    assert told() == ["county_admin", "sfs_officer"]
