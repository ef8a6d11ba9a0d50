"""Regressions found by the review of issue 12: a case's own actions leave its risks' clocks alone; the owner is
changed only by the owner or above; a hop's recipient who left the area loses it; the area breakdown is the
chosen area's; out-of-range dates are a message, not a 500."""

from datetime import date, datetime, timedelta

import pytest
from django.test import Client

from cases.actions.base import ActionRefused
from cases.actions.mediation import do_record_mediation
from cases.enums import CaseStatus, RecordKind
from cases.models import Timer, TimerKind
from registry.models import Division
from screening.actions import do_acknowledge, do_assess_risk, do_change_level, do_update_risk
from screening.enums import HopStatus, RiskLevel
from screening.permissions import can_acknowledge
from tests.screening.factories import TZ, make_hop, make_risk
from tests.world import make_case

pytestmark = pytest.mark.django_db


def _live_ack_timers(risk) -> int:
    hop_ids = list(risk.hops.values_list("pk", flat=True))
    return Timer.objects.filter(
        kind=TimerKind.RISK_ACK_DUE, target_id__in=hop_ids, fired_at__isnull=True, cancelled_at__isnull=True
    ).count()


def test_a_case_action_does_not_cancel_the_risk_clocks(sworld):
    w = sworld.w
    at = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    case = make_case(w, CaseStatus.IN_MEDIATION, at=at)
    now = at + timedelta(days=1)
    risk = do_assess_risk(
        w.mediator_a,
        case=case,
        title="宅基地纠纷可能激化",
        flags=[],
        level=RiskLevel.RED,
        reasons="一方扬言报复，双方亲属聚集。",
        review_on=date(2026, 3, 10),
        at=now,
    )
    assert _live_ack_timers(risk) == 1
    do_record_mediation(
        case,
        w.mediator_a,
        kind=RecordKind.SESSION,
        held_at=now + timedelta(minutes=1),
        place="村委会",
        subject="第一次调解",
        content="双方陈述了各自意见，同意继续协商。",
        at=now + timedelta(minutes=2),
    )
    assert _live_ack_timers(risk) == 1
    assert Timer.objects.filter(kind=TimerKind.RISK_REVIEW_DUE, cancelled_at__isnull=True).count() == 1


def test_a_director_cannot_make_themselves_owner_to_lower_the_level(sworld):
    w = sworld.w
    risk = make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.RED, owner=w.county_admin)
    with pytest.raises(ActionRefused):
        do_update_risk(w.director_a, risk, reason="由本会主任包案", owner=w.director_a)
    risk.refresh_from_db()
    assert risk.owner_id == w.county_admin.pk
    with pytest.raises(ActionRefused):
        do_change_level(w.director_a, risk, level=RiskLevel.YELLOW, reason="已经平稳")
    do_update_risk(w.county_admin, risk, reason="改由街道包案", owner=w.sfs_officer)
    risk.refresh_from_db()
    assert risk.owner_id == w.sfs_officer.pk


def test_a_recipient_who_moved_away_can_no_longer_see_or_sign(sworld):
    w = sworld.w
    risk = make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.RED)
    hop = make_hop(risk, recipients=[w.sfs_officer])
    assert can_acknowledge(w.sfs_officer, hop)
    w.sfs_officer.division = Division.objects.get(code="421221100")  # moved to 鱼岳镇, another county
    w.sfs_officer.save()
    assert not can_acknowledge(w.sfs_officer, hop)
    client = Client()
    client.force_login(w.sfs_officer)
    assert client.get(f"/screening/risks/{risk.pk}/").status_code == 404
    assert client.post(f"/screening/hops/{hop.pk}/acknowledge/", {"note": ""}).status_code == 404
    hop.refresh_from_db()
    assert hop.status == HopStatus.PENDING
    with pytest.raises(ActionRefused):
        do_acknowledge(w.sfs_officer, hop)


def test_the_area_breakdown_is_the_chosen_areas(sworld):
    w = sworld.w
    make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.RED)
    make_risk(w.village_c, by=w.mediator_c, level=RiskLevel.ORANGE)
    client = Client()
    client.force_login(w.city_admin)
    page = client.get("/screening/risks/areas/", {"area": "421202"})
    assert page.status_code == 200
    breakdown = page.context["breakdown"]
    assert [r.name for r in breakdown.rows if r.total] == ["温泉街道"]  # 嘉鱼县's risk is not 辖区外 here
    assert breakdown.total.total == 1 and breakdown.total.red == 1
    assert "辖区外" not in page.content.decode()


@pytest.mark.parametrize("start,end", [("9999-01-01", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_out_of_range_dates_on_the_area_breakdown(sworld, start, end):
    client = Client()
    client.force_login(sworld.w.county_admin)
    page = client.get("/screening/risks/areas/", {"start": start, "end": end})
    assert page.status_code == 200
    assert "2000年至2100年" in page.content.decode()
