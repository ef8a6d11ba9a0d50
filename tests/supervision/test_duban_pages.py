"""The supervision pages: the overdue list, the 督办 form on the case page, the workbench reply, the ledger and its
Excel export — scoped by role and jurisdiction (404 outside), with the ledger's counts equal to the events."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from cases import actions as A
from cases import timers
from cases.models import CaseEvent
from supervision.models import Supervision
from supervision.models_duban import SupervisionStatus
from tests.actions.helpers import dt
from tests.supervision.duban_helpers import (  # noqa: F401
    INSTRUCTION,
    ISSUE_AT,
    REPLY,
    fresh_calendar,
    mediating,
    other_township_officer,
    supervise,
)

pytestmark = pytest.mark.django_db
NOW = dt(2026, 4, 8, 10)  # after the time limit of a case accepted on 2 March (one month, 2 April)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_overdue_page_lists_the_area_only(world, frozen):
    case = mediating(world)
    c_case = mediating(world)  # another case, moved to the next county's committee below
    c_case.committee, c_case.division_code = world.village_c, world.village_c.division.code
    c_case.save(update_fields=["committee", "division_code"])
    for who, sees in [
        ("county_admin", True),
        ("sfs_officer", True),
        ("city_admin", True),
        ("other_county_admin", False),
    ]:
        page = client_for(getattr(world, who)).get("/supervision/overdue/")
        assert page.status_code == 200
        html = page.content.decode()
        assert (f'data-case="{case.pk}"' in html) is sees
        assert "超期" in html
    assert (
        f'data-case="{c_case.pk}"' in client_for(world.other_county_admin).get("/supervision/overdue/").content.decode()
    )
    for who in ("director_a", "mediator_a", "party_user", "court_liaison"):
        assert client_for(getattr(world, who)).get("/supervision/overdue/").status_code == 404


def test_due_soon_window_is_configurable(world, frozen):
    case = mediating(world, at=dt(2026, 3, 12, 10))  # due 12 April: 4 days ahead of NOW
    c = client_for(world.county_admin)
    assert f'data-case="{case.pk}"' in c.get("/supervision/overdue/?days=5").content.decode()
    assert f'data-case="{case.pk}"' not in c.get("/supervision/overdue/?days=2").content.decode()
    assert c.get("/supervision/overdue/?days=abc").status_code == 200


def test_supervise_through_the_case_page_and_reply_on_the_workbench(world, frozen):
    case = mediating(world)
    county = client_for(world.county_admin)
    form = county.get(f"/cases/{case.pk}/do/supervise/")
    assert form.status_code == 200 and "督办意见" in form.content.decode()
    bad = county.post(f"/cases/{case.pk}/do/supervise/", {"instruction": "短"})
    assert bad.status_code == 200 and "不少于" in bad.content.decode()
    ok = county.post(f"/cases/{case.pk}/do/supervise/", {"instruction": INSTRUCTION, "reply_deadline": ""})
    assert ok.status_code == 302
    sup = Supervision.objects.get()
    # the next county's bureau cannot even see the case or its action page
    assert client_for(world.other_county_admin).get(f"/cases/{case.pk}/do/supervise/").status_code == 404

    director = client_for(world.director_a)
    home = director.get("/workbench/").content.decode()
    assert "督办事项" in home and f'data-supervision="{sup.pk}"' in home
    # the co-mediator sees no 督办事项 and may not post a reply
    assert f'data-supervision="{sup.pk}"' not in client_for(world.mediator_a2).get("/workbench/").content.decode()
    client_for(world.mediator_a2).post(f"/supervision/duban/{sup.pk}/reply/", {"text": REPLY})
    assert Supervision.objects.get().status == SupervisionStatus.PENDING
    # a committee of the next county: 404
    assert client_for(world.director_c).post(f"/supervision/duban/{sup.pk}/reply/", {"text": REPLY}).status_code == 404
    done = director.post(f"/supervision/duban/{sup.pk}/reply/", {"text": REPLY, "next": "/workbench/"})
    assert done.status_code == 302 and done["Location"] == "/workbench/"
    assert Supervision.objects.get().status == SupervisionStatus.REPLIED
    page = county.get(f"/cases/{case.pk}/").content.decode()
    assert "督办与催办" in page and REPLY in page and "已反馈" in page


def _events(action: str) -> int:
    return CaseEvent.objects.filter(action=action).count()


def test_ledger_counts_equal_the_events_and_the_export(world):
    case, other = mediating(world), mediating(world, at=dt(2026, 3, 3, 10))
    supervise(world, case)  # SFS, will escalate yellow then red
    A.do_urge_case(other, world.county_admin, text="请尽快安排调解", at=ISSUE_AT)
    second = supervise(world, other, world.city_admin, at=ISSUE_AT + timedelta(hours=1))
    A.do_reply_supervision(second, world.director_a, text='=HYPERLINK("http://x")' + REPLY, at=dt(2026, 3, 11))
    with time_machine.travel(dt(2026, 3, 25), tick=False):
        timers.fire_due(dt(2026, 3, 25))
        c = client_for(world.city_admin)
        html = c.get("/supervision/duban/").content.decode()
        expected = {
            "supervised": _events("supervise"),
            "urged": _events("urge"),
            "replied": _events("supervision_reply"),
            "escalated": _events("supervision_escalate"),
        }
        assert expected == {"supervised": 2, "urged": 1, "replied": 1, "escalated": 2}
        for key, value in expected.items():
            assert f'data-count="{key}">{value}<' in html
        assert 'data-count="red">2<' in html and 'data-count="yellow">1<' in html
        # filters: kind, status, card
        assert html.count("data-supervision=") == Supervision.objects.count() == 5
        urged = c.get("/supervision/duban/?kind=URGE").content.decode()
        assert urged.count("data-supervision=") == 1
        red = c.get("/supervision/duban/?card=RED").content.decode()
        assert red.count("data-supervision=") == 2
        assert c.get("/supervision/duban/?area=421221").content.decode().count("data-supervision=") == 0
        # an area outside the jurisdiction does not exist
        assert client_for(world.county_admin).get("/supervision/duban/?area=421221").status_code == 404
        # the township officer sees the same records (all of 温泉街道); the next county none
        assert client_for(world.sfs_officer).get("/supervision/duban/").content.decode().count("data-supervision=") == 5
        other_html = client_for(world.other_county_admin).get("/supervision/duban/").content.decode()
        assert other_html.count("data-supervision=") == 0
        assert client_for(world.director_a).get("/supervision/duban/").status_code == 404

        resp = c.get("/supervision/duban/export/")
        assert resp.status_code == 200
        wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
        ws = wb["督办台账"]
        rows = list(ws.iter_rows(values_only=True))
        assert "督办2件，催办1件，反馈1次，逾期升级2次，黄牌1件，红牌2件" in rows[1][0]
        assert rows[2][0] == "案号" and len(rows) == 3 + 5
        replies = [r[14] for r in rows[3:] if r[14]]
        assert replies == ['\'=HYPERLINK("http://x")' + REPLY]  # written as text, never as a formula
        assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
        assert sorted(r[3] for r in rows[3:]) == sorted(["司法所", "县级", "市级", "县级", "市级"])


def test_export_outside_the_jurisdiction_is_404(world):
    assert client_for(world.county_admin).get("/supervision/duban/export/?area=4212").status_code == 404
    assert client_for(world.party_user).get("/supervision/duban/export/").status_code == 404
    assert client_for(other_township_officer()).get("/supervision/duban/export/?area=421202001").status_code == 404
