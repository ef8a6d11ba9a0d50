"""The demo's inspection (ledgers.rectification.demo): 30 items at different stages, built through the actions in
time order, with meetings, fired clocks and a published progress notice; and the county audit the city sums up."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.urls import reverse

from ledgers.events import history
from ledgers.models import LedgerEvent
from ledgers.rectification.demo import seed_rectification
from ledgers.rectification.models import ClosureOutcome, Inspection, ItemStatus, ProgressNotice, RectificationItem

S = ItemStatus


def test_the_demo_inspection(world, client):
    city = SimpleNamespace(
        city=world.city_admin.division,
        counties={d.code: d for d in (world.county_admin.division, world.other_county_admin.division)},
    )
    now = datetime(2026, 11, 30, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    figures = seed_rectification(city, now)
    assert figures == {"total": 30, "done": 17, "under_way": 10, "not_started": 3, "overdue": 3, "long_term": 4}
    insp = Inspection.objects.get(bureau=world.city_admin.division)
    items = insp.items.all()
    counts = {s: items.filter(status=s).count() for s in S.values}
    assert counts == {"LISTED": 3, "IN_PROGRESS": 6, "CLOSURE_REQUESTED": 2, "ACCEPTED": 2, "CLOSED": 17}
    returned = RectificationItem.objects.get(inspection=insp, number=5)
    assert [c.outcome for c in returned.closures.order_by("id")] == [ClosureOutcome.RETURNED, ClosureOutcome.ACCEPTED]
    assert insp.meetings.count() == 4
    # The clocks fired as the system: 督办 for the overdue items, reminders before the deadlines.
    actions = LedgerEvent.objects.filter(actor__isnull=True).values_list("action", flat=True)
    assert "duban" in actions and "reminder" in actions
    assert all(e.at <= now for e in LedgerEvent.objects.all())
    for item in items.filter(status=S.CLOSED):
        assert [e.action for e in history(item)][-2:] == ["accept", "close"]
    notice = ProgressNotice.objects.get(inspection=insp)
    assert notice.published
    assert client.get(reverse("rectification:public_notice", args=[notice.pk])).status_code == 200
    county = Inspection.objects.get(bureau=world.county_admin.division)
    assert county.items.count() == 6 and county.items.filter(status=S.CLOSED).count() == 2
