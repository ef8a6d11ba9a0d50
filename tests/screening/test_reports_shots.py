"""Screenshots of the unit's pages (desktop and 390 px), for looking at. Not part of the suite: run by hand."""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from screening.enums import ReportStatus, RiskLevel
from tests.screening.factories import build_sworld, make_finding, make_report, make_risk

pytestmark = pytest.mark.skipif(not os.environ.get("SHOTS"), reason="screenshots by hand")
OUT = Path("/tmp/shots-reports")


def test_shots(e2e_world, live_server, browser):
    from django.core.management import call_command

    call_command("load_holidays", verbosity=0)
    s = build_sworld(e2e_world)
    w = s.w
    now = timezone.now()
    today = timezone.localdate()
    mon = today - timedelta(days=today.weekday())
    late = make_report(
        w.village_a,
        mon - timedelta(days=7),
        mon - timedelta(days=1),
        status=ReportStatus.OVERDUE,
        due=now - timedelta(hours=20),
    )
    cur = make_report(w.village_a, mon, mon + timedelta(days=6), due=now + timedelta(days=3, hours=2))
    camp = make_report(w.village_a, mon, mon + timedelta(days=6), cadence="DAILY", due=now + timedelta(hours=5))
    make_finding(
        w.village_a,
        by=w.mediator_a,
        report=camp,
        found_on=today,
        place="桂花村五组",
        parties="某建筑工地22名务工人员与包工头",
        headcount=22,
        dispute_type="LABOR_MIGRANT_WAGES",
        is_major=True,
    )
    old = make_report(
        w.village_a,
        mon - timedelta(days=14),
        mon - timedelta(days=8),
        status=ReportStatus.SUBMITTED,
        is_zero=True,
        submitted_by=w.mediator_a,
        due=now - timedelta(days=7),
    )
    sub = make_report(
        w.village_a,
        mon - timedelta(days=21),
        mon - timedelta(days=15),
        status=ReportStatus.SUBMITTED,
        submitted_by=w.director_a,
        due=now - timedelta(days=14),
        participants="李调解、王主任",
        method="入户走访",
    )
    f = make_finding(
        w.village_a,
        by=w.mediator_a,
        report=sub,
        found_on=mon - timedelta(days=18),
        risk_signs="一方扬言报复",
        measures="已上门劝解",
    )
    sub.snapshot = [
        {
            "id": f.pk,
            "place": f.place,
            "parties": f.parties,
            "headcount": 2,
            "amount": None,
            "dispute_type": f.dispute_type,
            "division_code": f.division_code,
            "facts": f.facts,
            "risk_signs": "",
            "measures": "",
            "status": "WATCHING",
            "is_major": False,
            "found_on": f.found_on.isoformat(),
        }
    ]
    sub.save()
    make_risk(w.village_a, by=w.mediator_a, finding=f, level=RiskLevel.RED, title="宅基地纠纷一方扬言报复")
    paths = {
        "home": "/screening/",
        "report-open": f"/screening/reports/{cur.pk}/",
        "report-findings": f"/screening/reports/{camp.pk}/",
        "report-submitted": f"/screening/reports/{sub.pk}/",
        "finding-new": f"/screening/reports/{cur.pk}/findings/new/",
        "finding": f"/screening/findings/{f.pk}/?saved=1",
        "finding-case": f"/screening/findings/{f.pk}/case/",
    }
    assert late and old
    c = Client()
    c.force_login(w.mediator_a)
    cookie = c.cookies["sessionid"].value
    OUT.mkdir(exist_ok=True)
    overflow = []
    for vp, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        ctx = browser.new_context(viewport=size, device_scale_factor=1)
        ctx.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = ctx.new_page()
        for name, path in paths.items():
            page.goto(live_server.url + path)
            page.screenshot(path=str(OUT / f"{vp}-{name}.png"), full_page=True)
            sw, iw = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if sw > iw + 1:
                overflow.append((vp, name, sw, iw))
        # a bad finding: the bound form
        page.goto(live_server.url + paths["finding-new"])
        page.fill("#id_place", "桂花村三组")
        page.fill("#id_headcount", "0")
        page.click("button[type=submit]")
        page.screenshot(path=str(OUT / f"{vp}-finding-new-error.png"), full_page=True)
        ctx.close()
    assert not overflow, overflow
    assert date.today()
