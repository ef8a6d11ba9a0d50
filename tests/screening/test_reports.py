"""A unit's screening report (issue 12 point 2): zero report on time and late, refused with findings, a report
with findings, a correction as a new version; the pages for each role and jurisdiction."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.enums import DisputeType
from cases.models import Timer, TimerKind
from cases.timers import schedule
from screening.actions import (
    do_add_finding,
    do_correct_report,
    do_submit_report,
    do_submit_zero_report,
)
from screening.actions.base import ActionRefused
from screening.enums import FindingStatus, ReportStatus
from screening.models import ScreeningReport
from tests.screening.factories import at, make_finding, make_report

pytestmark = pytest.mark.django_db

MON, SUN = date(2026, 3, 2), date(2026, 3, 8)
DUE = at(2026, 3, 9, 18)  # Monday after the week, 18:00


def _week(sworld, committee=None, **kw) -> ScreeningReport:
    return make_report(committee or sworld.w.village_a, MON, SUN, due=DUE, **kw)


def _timers(report: ScreeningReport) -> list[Timer]:
    for rule, fire in (("REPORT:remind", at(2026, 3, 9, 9)), ("REPORT:overdue", DUE)):
        schedule(TimerKind.SCREENING_REPORT_DUE, case=None, deadline=DUE.date(), fire_at=fire, target=report, rule=rule)
    return list(Timer.objects.filter(target_id=report.pk, kind=TimerKind.SCREENING_REPORT_DUE))


def _finding(sworld, report, **kw):
    args = dict(
        place="桂花村三组",
        parties="张某与李某两户",
        headcount=2,
        dispute_type=DisputeType.NEIGHBOR,
        facts="两户因宅基地边界发生争执，双方情绪激动。",
        at=at(2026, 3, 5, 10),
    )
    args.update(kw)
    return do_add_finding(sworld.w.mediator_a, report, **args)


# ---- actions -------------------------------------------------------------------------------------------------


def test_zero_report_on_time_freezes_and_stops_the_timers(sworld):
    report = _week(sworld)
    live = _timers(report)
    assert len(live) == 2
    done = do_submit_zero_report(sworld.w.mediator_a, report, at=at(2026, 3, 8, 20))
    assert done.status == ReportStatus.SUBMITTED and done.is_zero and not done.is_late
    assert done.snapshot == [] and done.submitted_by == sworld.w.mediator_a
    assert done.submitted_at == at(2026, 3, 8, 20)
    for t in Timer.objects.filter(pk__in=[t.pk for t in live]):
        assert t.cancelled_at == at(2026, 3, 8, 20) and t.fired_at is None
    with pytest.raises(ActionRefused, match="已报送"):
        do_submit_zero_report(sworld.w.mediator_a, report, at=at(2026, 3, 8, 21))


def test_zero_report_late_after_overdue(sworld):
    report = _week(sworld, status=ReportStatus.OVERDUE)
    done = do_submit_zero_report(sworld.w.director_a, report, at=DUE + timedelta(minutes=1))
    assert done.status == ReportStatus.SUBMITTED and done.is_late and done.is_zero


def test_zero_report_exactly_at_due_time_is_on_time(sworld):
    report = _week(sworld)
    assert not do_submit_zero_report(sworld.w.mediator_a, report, at=DUE).is_late


def test_zero_report_refused_with_findings_and_before_the_period(sworld):
    report = _week(sworld)
    _finding(sworld, report)
    with pytest.raises(ActionRefused, match="不能报零报告"):
        do_submit_zero_report(sworld.w.mediator_a, report, at=at(2026, 3, 8, 20))
    future = make_report(sworld.w.village_a, date(2026, 3, 9), date(2026, 3, 15))
    with pytest.raises(ActionRefused, match="尚不能报送"):
        do_submit_zero_report(sworld.w.mediator_a, future, at=at(2026, 3, 8, 20))
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


def test_only_members_of_the_unit_file(sworld):
    report = _week(sworld)
    p = sworld.personas()
    for name in ("mediator_b", "director_t", "sfs_officer", "county_admin", "city_admin", "gov_officer", "party_user"):
        with pytest.raises(ActionRefused):
            do_submit_zero_report(p[name], report, at=at(2026, 3, 8, 20))
        with pytest.raises(ActionRefused):
            do_add_finding(
                p[name],
                report,
                place="某处",
                parties="某某",
                headcount=2,
                dispute_type=DisputeType.NEIGHBOR,
                facts="情况",
                at=at(2026, 3, 5),
            )
    assert ScreeningReport.objects.get(pk=report.pk).status == ReportStatus.PENDING


def test_report_with_findings_submitted_and_frozen(sworld):
    report = _week(sworld)
    _timers(report)
    f1 = _finding(sworld, report)
    f2 = _finding(sworld, report, headcount=12, place="桂花村五组", dispute_type=DisputeType.LABOR_MIGRANT_WAGES)
    assert f1.found_on == date(2026, 3, 5) and not f1.is_major
    assert f2.is_major  # 12 people: a mass dispute
    assert f1.committee == sworld.w.village_a and f1.division_code == "421202001001"
    assert f1.status == FindingStatus.WATCHING
    with pytest.raises(ActionRefused) as e:
        do_submit_report(sworld.w.mediator_a, report, participants="", method="走访", at=at(2026, 3, 9, 10))
    assert e.value.field == "participants"
    done = do_submit_report(
        sworld.w.mediator_a, report, participants="李调解、王主任", method="入户走访", at=at(2026, 3, 9, 10)
    )
    assert done.status == ReportStatus.SUBMITTED and not done.is_zero and not done.is_late
    assert [row["id"] for row in done.snapshot] == [f1.pk, f2.pk]
    assert done.snapshot[1]["headcount"] == 12 and done.snapshot[1]["is_major"] is True
    assert done.snapshot[0]["found_on"] == "2026-03-05" and done.snapshot[0]["status"] == "WATCHING"
    assert not Timer.objects.filter(target_id=report.pk, cancelled_at__isnull=True).exists()
    # frozen: no more findings
    with pytest.raises(ActionRefused, match="已报送"):
        _finding(sworld, report, at=at(2026, 3, 9, 11))


def test_submit_without_findings_is_refused(sworld):
    report = _week(sworld)
    with pytest.raises(ActionRefused, match="零报告"):
        do_submit_report(sworld.w.mediator_a, report, participants="李调解", method="走访", at=at(2026, 3, 8, 20))


def test_finding_dates_and_area_checked(sworld):
    report = _week(sworld)
    with pytest.raises(ActionRefused) as e:
        _finding(sworld, report, found_on=date(2026, 3, 1))
    assert e.value.field == "found_on"
    with pytest.raises(ActionRefused) as e:
        _finding(sworld, report, found_on=date(2026, 3, 7), at=at(2026, 3, 5))
    assert e.value.field == "found_on"
    with pytest.raises(ActionRefused) as e:
        _finding(sworld, report, division_code="421202001002")  # another village
    assert e.value.field == "division_code"
    for field, kw in (
        ("place", {"place": "  "}),
        ("headcount", {"headcount": 0}),
        ("dispute_type", {"dispute_type": "NOPE"}),
        ("amount", {"amount": -1}),
        ("facts", {"facts": ""}),
    ):
        with pytest.raises(ActionRefused) as e:
            _finding(sworld, report, **kw)
        assert e.value.field == field
    late = _finding(sworld, report, at=at(2026, 3, 9, 10))  # after the period: capped to its last day
    assert late.found_on == SUN


def test_correction_is_a_new_version_that_supersedes_on_submit(sworld):
    report = _week(sworld)
    f1 = _finding(sworld, report)
    v1 = do_submit_report(sworld.w.mediator_a, report, participants="李调解", method="走访", at=at(2026, 3, 10, 9))
    assert v1.is_late
    with pytest.raises(ActionRefused) as e:
        do_correct_report(sworld.w.mediator_a, v1, reason="补", at=at(2026, 3, 11))
    assert e.value.field == "reason"
    with pytest.raises(ActionRefused):
        do_correct_report(sworld.w.mediator_b, v1, reason="漏报一起纠纷", at=at(2026, 3, 11))
    v2 = do_correct_report(sworld.w.director_a, v1, reason="漏报一起纠纷", at=at(2026, 3, 11))
    assert v2.version == 2 and v2.supersedes == v1 and v2.status == ReportStatus.PENDING
    assert (v2.period_start, v2.period_end, v2.due_at) == (MON, SUN, DUE)
    assert v2.correction_reason == "漏报一起纠纷"
    f1.refresh_from_db()
    assert f1.report == v2
    with pytest.raises(ActionRefused, match="待报送的更正"):
        do_correct_report(sworld.w.director_a, v1, reason="再次更正", at=at(2026, 3, 11))
    v1.refresh_from_db()
    assert v1.status == ReportStatus.SUBMITTED  # until the correction is submitted
    f2 = _finding(sworld, v2, at=at(2026, 3, 11, 10), place="桂花村七组")
    assert f2.found_on == SUN
    v2 = do_submit_report(sworld.w.director_a, v2, participants="王主任", method="电话回访", at=at(2026, 3, 11, 11))
    v1.refresh_from_db()
    assert v1.status == ReportStatus.SUPERSEDED
    assert [r["id"] for r in v1.snapshot] == [f1.pk]  # the old version keeps what it said
    assert [r["id"] for r in v2.snapshot] == [f1.pk, f2.pk]
    assert v2.is_late  # as late as the original
    with pytest.raises(ActionRefused, match="更正"):
        do_correct_report(sworld.w.director_a, v1, reason="旧版本更正", at=at(2026, 3, 12))


def test_correction_of_an_on_time_zero_report_stays_on_time(sworld):
    v1 = do_submit_zero_report(sworld.w.mediator_a, _week(sworld), at=at(2026, 3, 8, 20))
    v2 = do_correct_report(sworld.w.mediator_a, v1, reason="发现漏报纠纷", at=at(2026, 3, 20))
    _finding(sworld, v2, at=at(2026, 3, 20))
    v2 = do_submit_report(sworld.w.mediator_a, v2, participants="李调解", method="走访", at=at(2026, 3, 20, 10))
    assert not v2.is_late and not v2.is_zero and len(v2.snapshot) == 1
    v1.refresh_from_db()
    assert v1.status == ReportStatus.SUPERSEDED and v1.is_zero and v1.snapshot == []


def test_pending_report_cannot_be_corrected(sworld):
    with pytest.raises(ActionRefused, match="只有已报送"):
        do_correct_report(sworld.w.mediator_a, _week(sworld), reason="更正原因", at=at(2026, 3, 8))


def test_findings_factory_report_is_refused_as_zero(sworld):
    report = _week(sworld)
    make_finding(sworld.w.village_a, by=sworld.w.mediator_a, report=report)
    with pytest.raises(ActionRefused):
        do_submit_zero_report(sworld.w.mediator_a, report, at=at(2026, 3, 8, 20))


# ---- pages ---------------------------------------------------------------------------------------------------

MEMBERS = ("director_a", "mediator_a", "mediator_a2")
READERS = ("sfs_officer", "county_admin", "city_admin", "gov_officer")
OUTSIDERS = (
    "mediator_b",
    "mediator_c",
    "director_b",
    "director_c",
    "director_t",
    "other_county_admin",
    "other_gov_officer",
    "court_liaison",
    "party_user",
    "outsider",
    "police_liaison",
)


def _client(client, user):
    client.force_login(user)
    return client


def test_home_for_members_lists_open_reports_overdue_first(sworld, client):
    w = sworld.w
    now = timezone.now()
    later = make_report(w.village_a, MON, SUN, due=now + timedelta(days=2), cadence="WEEKLY")
    late = make_report(w.village_a, MON, SUN, due=now - timedelta(hours=3), cadence="TEN_DAYS")
    with_finding = make_report(w.village_a, MON, SUN, due=now + timedelta(days=3), cadence="MONTHLY")
    make_finding(w.village_a, by=w.mediator_a, report=with_finding)
    done = make_report(w.village_a, date(2026, 2, 23), date(2026, 3, 1), status=ReportStatus.SUBMITTED, is_zero=True)
    other = make_report(w.village_b, MON, SUN, due=now + timedelta(days=2))
    watched = make_finding(w.village_a, by=w.mediator_a, place="桂花村九组")
    body = _client(client, w.mediator_a).get(reverse("screening:home")).content.decode()
    assert body.index(f'id="report-{late.pk}"') < body.index(f'id="report-{later.pk}"')
    assert "逾期" in body and "已逾期" in body
    assert reverse("screening:report_zero", args=[later.pk]) in body
    assert reverse("screening:report_zero", args=[late.pk]) in body
    assert "本期无矛盾纠纷，零报告" in body
    assert reverse("screening:report_zero", args=[with_finding.pk]) not in body  # findings: submit instead
    assert reverse("screening:finding_new", args=[later.pk]) in body
    assert f'id="report-{other.pk}"' not in body
    assert reverse("screening:report", args=[done.pk]) in body  # recent submitted
    assert reverse("screening:finding", args=[watched.pk]) in body
    assert "overdue-alert" in body


def test_home_by_role(sworld, client):
    p = sworld.personas()
    for name in MEMBERS:
        assert _client(client, p[name]).get(reverse("screening:home")).status_code == 200
    for name in ("sfs_officer", "county_admin", "city_admin", "other_county_admin"):
        r = _client(client, p[name]).get(reverse("screening:home"))
        assert r.status_code == 302 and r.url == reverse("screening:compliance")
    for name in ("gov_officer", "court_liaison", "party_user", "outsider", "police_liaison"):
        assert _client(client, p[name]).get(reverse("screening:home")).status_code == 404, name
    client.logout()
    assert client.get(reverse("screening:home")).status_code == 302


def test_report_page_by_role(sworld, client):
    report = _week(sworld)
    p = sworld.personas()
    url = reverse("screening:report", args=[report.pk])
    for name in MEMBERS:
        body = _client(client, p[name]).get(url).content.decode()
        assert "本期无矛盾纠纷，零报告" in body and reverse("screening:report_zero", args=[report.pk]) in body
    for name in READERS:
        r = _client(client, p[name]).get(url)
        assert r.status_code == 200, name
        assert reverse("screening:report_zero", args=[report.pk]) not in r.content.decode()
        assert reverse("screening:finding_new", args=[report.pk]) not in r.content.decode()
    for name in OUTSIDERS:
        assert _client(client, p[name]).get(url).status_code == 404, name
    assert _client(client, p["mediator_a"]).get(reverse("screening:report", args=[999999])).status_code == 404


def test_post_only_urls_and_posts_by_role(sworld, client):
    report = _week(sworld)
    p = sworld.personas()
    for name in ("report_zero", "report_submit", "report_correct"):
        assert _client(client, p["mediator_a"]).get(reverse(f"screening:{name}", args=[report.pk])).status_code == 405
    for name in (*READERS, *OUTSIDERS):
        c = _client(client, p[name])
        assert c.post(reverse("screening:report_zero", args=[report.pk])).status_code == 404, name
        assert (
            c.post(
                reverse("screening:report_submit", args=[report.pk]), {"participants": "某", "method": "某"}
            ).status_code
            == 404
        )
        assert c.get(reverse("screening:finding_new", args=[report.pk])).status_code == 404, name
        assert c.post(reverse("screening:finding_new", args=[report.pk]), {"place": "某处"}).status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING and not report.findings.exists()


def test_one_tap_zero_report_from_home(sworld, client):
    report = make_report(sworld.w.village_a, MON, SUN, due=timezone.now() + timedelta(days=1))
    c = _client(client, sworld.w.mediator_a)
    r = c.post(reverse("screening:report_zero", args=[report.pk]))
    assert r.status_code == 302 and r.url == reverse("screening:home")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.is_zero and not report.is_late
    assert report.submitted_by == sworld.w.mediator_a
    assert "已报送零报告" in c.get(reverse("screening:home")).content.decode()
    # twice: refused, said in Chinese on the report page
    r = c.post(reverse("screening:report_zero", args=[report.pk]), follow=True)
    assert "已报送" in r.content.decode()


def test_zero_report_from_the_report_page_with_findings_is_refused_there(sworld, client):
    report = _week(sworld)
    c = _client(client, sworld.w.mediator_a)
    make_finding(sworld.w.village_a, by=sworld.w.mediator_a, report=report)
    r = c.post(reverse("screening:report_zero", args=[report.pk]), {"back": "report", "participants": "李调解"})
    assert r.status_code == 200
    assert "不能报零报告" in r.content.decode()


def test_submit_and_correct_through_the_pages(sworld, client):
    report = make_report(sworld.w.village_a, MON, SUN, due=timezone.now() + timedelta(days=1))
    f = make_finding(sworld.w.village_a, by=sworld.w.mediator_a, report=report, found_on=MON)
    c = _client(client, sworld.w.director_a)
    body = c.get(reverse("screening:report", args=[report.pk])).content.decode()
    assert reverse("screening:report_submit", args=[report.pk]) in body
    r = c.post(
        reverse("screening:report_submit", args=[report.pk]),
        {"participants": "", "method": "入户走访x", "note": "备注内容"},
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "请填写参加排查的人员" in body and "入户走访x" in body and "备注内容" in body  # nothing typed lost
    r = c.post(reverse("screening:report_submit", args=[report.pk]), {"participants": "王主任", "method": "入户走访"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.snapshot[0]["id"] == f.pk
    body = c.get(reverse("screening:report", args=[report.pk])).content.decode()
    assert 'id="snapshot"' in body and reverse("screening:report_correct", args=[report.pk]) in body
    # readers see the snapshot, not the correction form
    body = _client(client, sworld.w.sfs_officer).get(reverse("screening:report", args=[report.pk])).content.decode()
    assert 'id="snapshot"' in body and reverse("screening:report_correct", args=[report.pk]) not in body
    c = _client(client, sworld.w.director_a)
    r = c.post(reverse("screening:report_correct", args=[report.pk]), {"reason": "漏"})
    assert r.status_code == 200 and "至少4个字" in r.content.decode() and 'value="漏"' in r.content.decode()
    r = c.post(reverse("screening:report_correct", args=[report.pk]), {"reason": "漏报一起纠纷"})
    v2 = ScreeningReport.objects.get(supersedes=report)
    assert r.status_code == 302 and r.url == reverse("screening:report", args=[v2.pk])
    body = c.get(r.url).content.decode()
    assert 'id="versions"' in body and "更正第2版" in body and "漏报一起纠纷" in body
    assert reverse("screening:report_submit", args=[v2.pk]) in body
    body = c.get(reverse("screening:report", args=[report.pk])).content.decode()
    assert 'id="newer-version"' in body and reverse("screening:report_correct", args=[report.pk]) not in body


def test_finding_new_page_keeps_what_was_typed(sworld, client):
    report = make_report(sworld.w.village_a, MON, SUN, due=timezone.now() + timedelta(days=1))
    c = _client(client, sworld.w.mediator_a)
    url = reverse("screening:finding_new", args=[report.pk])
    assert c.get(url).status_code == 200
    data = {
        "place": "桂花村三组",
        "parties": "张某与李某两户",
        "headcount": "abc",
        "dispute_type": DisputeType.NEIGHBOR,
        "amount": "",
        "found_on": "2026-02-01",
        "facts": "两户因宅基地边界发生争执。",
        "risk_signs": "一方扬言报复",
        "measures": "",
    }
    r = c.post(url, data)
    body = r.content.decode()
    assert r.status_code == 200 and "涉及人数须为整数" in body and "一方扬言报复" in body and "桂花村三组" in body
    data["headcount"] = "3"
    r = c.post(url, data)  # found_on outside the period: the action's refusal, next to the field
    body = r.content.decode()
    assert r.status_code == 200 and "发现日期须在本期排查期间" in body and "一方扬言报复" in body
    data["found_on"] = "2026-03-04"
    r = c.post(url, data)
    f = report.findings.get()
    assert r.status_code == 302 and r.url == reverse("screening:finding", args=[f.pk]) + "?saved=1"
    assert f.headcount == 3 and f.risk_signs == "一方扬言报复" and f.created_by == sworld.w.mediator_a
    body = c.get(r.url).content.decode()
    assert reverse("screening:risk_new_finding", args=[f.pk]) in body and 'id="saved-next"' in body
    # a submitted report takes no more findings
    report.status = ReportStatus.SUBMITTED
    report.save()
    assert c.get(url).status_code == 302


def test_correct_post_by_role_and_late_zero_from_home(sworld, client):
    p = sworld.personas()
    done = make_report(sworld.w.village_a, MON, SUN, status=ReportStatus.SUBMITTED, is_zero=True, snapshot=[])
    for name in (*READERS, *OUTSIDERS):
        r = _client(client, p[name]).post(
            reverse("screening:report_correct", args=[done.pk]), {"reason": "漏报纠纷一起"}
        )
        assert r.status_code == 404, name
    assert not ScreeningReport.objects.filter(supersedes=done).exists()
    late = make_report(sworld.w.village_a, MON, SUN, cadence="TEN_DAYS", due=timezone.now() - timedelta(hours=1))
    c = _client(client, p["mediator_a2"])
    r = c.post(reverse("screening:report_zero", args=[late.pk]), follow=True)
    late.refresh_from_db()
    assert late.status == ReportStatus.SUBMITTED and late.is_late
    assert "已报送零报告" in r.content.decode() and "逾期报送" in r.content.decode()
