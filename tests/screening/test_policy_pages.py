"""The policy, special period, campaign and compliance pages: role × jurisdiction, POSTs through the actions,
bad input re-rendered with the message and what was typed, CSRF-protected POST only."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import Division, DivisionLevel
from screening.enums import Cadence, ReportStatus
from screening.models import ScreeningCampaign, ScreeningPolicy, SpecialPeriod
from tests.screening.factories import make_policy, make_report

pytestmark = pytest.mark.django_db

VIEWERS = {"sfs_officer", "county_admin", "city_admin", "other_county_admin"}
SETTERS = {"county_admin", "city_admin", "other_county_admin"}  # each in its own area
ALL = [
    "director_a",
    "mediator_a",
    "mediator_b",
    "mediator_c",
    "sfs_officer",
    "county_admin",
    "other_county_admin",
    "city_admin",
    "court_liaison",
    "party_user",
    "outsider",
    "director_t",
    "gov_officer",
    "police_liaison",
]


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def data(sworld):
    w = sworld.w
    xianan = Division.objects.get(code="421202")
    today = timezone.localdate()
    make_policy(
        xianan,
        DivisionLevel.VILLAGE,
        Cadence.WEEKLY,
        effective_from=date(2026, 1, 1),
        by=w.county_admin,
        document_no="咸司发〔2026〕1号",
    )
    sp = SpecialPeriod.objects.create(
        division=xianan,
        name="春节",
        start=today + timedelta(days=30),
        end=today + timedelta(days=40),
        cadence=Cadence.DAILY,
        created_by=w.county_admin,
    )
    campaign = ScreeningCampaign.objects.create(
        division=xianan,
        theme="欠薪矛盾专项排查",
        area_codes=["421202001"],
        start=today - timedelta(days=3),
        end=today + timedelta(days=20),
        cadence=Cadence.WEEKLY,
        created_by=w.county_admin,
    )
    make_report(w.village_a, today - timedelta(days=13), today - timedelta(days=7), status=ReportStatus.OVERDUE)
    make_report(
        w.village_b,
        today - timedelta(days=13),
        today - timedelta(days=7),
        status=ReportStatus.SUBMITTED,
        is_zero=True,
        submitted_by=w.mediator_b,
    )
    camp_report = make_report(w.village_a, today - timedelta(days=3), today + timedelta(days=3), campaign=campaign)
    return sworld, sp, campaign, camp_report


@pytest.mark.parametrize("who", ALL)
def test_view_pages_role_gate(client, data, who):
    sw, sp, campaign, _ = data
    user = sw.personas()[who]
    login(client, user)
    for name, args in [("policies", []), ("campaigns", []), ("compliance", []), ("campaign", [campaign.pk])]:
        r = client.get(reverse(f"screening:{name}", args=args))
        if who in VIEWERS and not (name == "campaign" and who == "other_county_admin"):
            assert r.status_code == 200, (who, name)
        else:
            assert r.status_code == 404, (who, name)
    for name in ("policy_new", "special_new", "campaign_new"):
        r = client.get(reverse(f"screening:{name}"))
        assert r.status_code == (200 if who in SETTERS else 404), (who, name)


def test_area_outside_jurisdiction_is_404(client, data):
    sw = data[0]
    login(client, sw.w.sfs_officer)
    assert client.get(reverse("screening:compliance") + "?area=421221100").status_code == 404
    assert client.get(reverse("screening:compliance") + "?area=421202").status_code == 404
    assert client.get(reverse("screening:compliance") + "?area=abc").status_code == 404
    login(client, sw.w.county_admin)
    assert client.get(reverse("screening:policy_new") + "?area=421221").status_code == 404
    assert client.get(reverse("screening:policies") + "?area=421202001").status_code == 200


def test_compliance_page_shows_units_and_overdue(client, data):
    sw = data[0]
    w = sw.w
    login(client, w.county_admin)
    r = client.get(reverse("screening:compliance"))
    html = r.content.decode()
    assert "温泉街道" in html  # the drill-down row
    assert "桂花村人民调解委员会" in html and "柏墩村人民调解委员会" in html
    assert "逾期未报" in html and "table-danger" in html
    report = sw.w.village_a.screening_reports.filter(status=ReportStatus.OVERDUE).get()
    assert reverse("screening:report", args=[report.pk]) in html
    # The overdue unit comes first.
    assert html.index("桂花村人民调解委员会") < html.index("柏墩村人民调解委员会")
    r = client.get(reverse("screening:compliance") + "?area=421202001&start=2026-13-01&end=x")
    assert r.status_code == 200 and "请填写正确的日期" in r.content.decode()
    r = client.get(reverse("screening:compliance") + "?start=2026-05-01&end=2026-04-01")
    assert "结束日期不能早于开始日期" in r.content.decode()


def test_policies_page_shows_version_history_and_specials(client, data):
    sw, sp, _, _ = data
    login(client, sw.sfs_officer if hasattr(sw, "sfs_officer") else sw.w.sfs_officer)
    html = client.get(reverse("screening:policies")).content.decode()
    assert "每周" in html and "咸司发〔2026〕1号" in html and "春节" in html
    assert "新增制度版本" not in html and "撤销" not in html  # the 司法所 views only
    login(client, sw.w.county_admin)
    html = client.get(reverse("screening:policies")).content.decode()
    assert "新增制度版本" in html and reverse("screening:special_cancel", args=[sp.pk]) in html


def test_policy_new_post_and_bad_input(client, data):
    sw = data[0]
    login(client, sw.w.county_admin)
    url = reverse("screening:policy_new") + "?area=421202"
    yesterday = timezone.localdate() - timedelta(days=1)
    post = {
        "area": "421202",
        "unit_level": "4",
        "cadence": Cadence.TEN_DAYS,
        "due_offset_workdays": "2",
        "due_time": "17:30",
        "zero_report_required": "on",
        "effective_from": yesterday.isoformat(),
        "document_no": "咸司发〔2026〕9号",
    }
    r = client.post(url, post)
    html = r.content.decode()
    assert r.status_code == 200 and "生效日期不能早于今天" in html
    assert "咸司发〔2026〕9号" in html and "17:30" in html  # kept
    assert not ScreeningPolicy.objects.filter(unit_level=4).exists()
    r = client.post(url, {**post, "due_offset_workdays": "abc"})
    assert "请填写整数" in r.content.decode()
    r = client.post(url, {**post, "area": "421221"})
    assert "请选择本辖区内的区划" in r.content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    r = client.post(url, {**post, "effective_from": tomorrow.isoformat()})
    assert r.status_code == 302
    p = ScreeningPolicy.objects.get(unit_level=4)
    assert (p.cadence, p.due_offset_workdays, p.effective_from, p.division_id) == (
        Cadence.TEN_DAYS,
        2,
        tomorrow,
        "421202",
    )
    # Others may not POST.
    for who in ("sfs_officer", "director_a", "other_county_admin"):
        login(client, sw.personas()[who])
        assert (
            client.post(url, {**post, "effective_from": (tomorrow + timedelta(days=1)).isoformat()}).status_code == 404
        )
    assert ScreeningPolicy.objects.filter(unit_level=4).count() == 1


def test_special_new_and_cancel(client, data):
    sw, sp, _, _ = data
    login(client, sw.w.county_admin)
    today = timezone.localdate()
    url = reverse("screening:special_new") + "?area=421202"
    post = {
        "area": "421202",
        "name": "国庆节",
        "start": (today + timedelta(days=5)).isoformat(),
        "end": (today + timedelta(days=2)).isoformat(),
        "cadence": Cadence.DAILY,
        "unit_levels": ["5"],
    }
    r = client.post(url, post)
    assert "结束日期不能早于开始日期" in r.content.decode() and "国庆节" in r.content.decode()
    r = client.post(url, {**post, "cadence": Cadence.MONTHLY, "end": (today + timedelta(days=9)).isoformat()})
    assert "更密" in r.content.decode()
    r = client.post(url, {**post, "end": (today + timedelta(days=9)).isoformat()})
    assert r.status_code == 302
    assert SpecialPeriod.objects.get(name="国庆节").unit_levels == [5]
    cancel = reverse("screening:special_cancel", args=[sp.pk])
    assert client.get(cancel).status_code == 405
    for who in ("sfs_officer", "other_county_admin", "mediator_a"):
        login(client, sw.personas()[who])
        assert client.post(cancel).status_code == 404
    login(client, sw.w.county_admin)
    assert client.post(cancel).status_code == 302
    sp.refresh_from_db()
    assert sp.cancelled_at is not None


def test_campaign_new_detail_close(client, data):
    sw, _, campaign, camp_report = data
    w = sw.w
    login(client, w.county_admin)
    today = timezone.localdate()
    url = reverse("screening:campaign_new") + "?area=421202"
    html = client.get(url).content.decode()
    assert "温泉街道" in html and "鱼岳镇" not in html
    post = {
        "theme": "",
        "description": "排查土地承包纠纷",
        "area_codes": ["421202001"],
        "start": today.isoformat(),
        "end": (today + timedelta(days=14)).isoformat(),
        "cadence": Cadence.WEEKLY,
    }
    r = client.post(url, post)
    assert "此项为必填项" in r.content.decode() and "排查土地承包纠纷" in r.content.decode()
    r = client.post(url, {**post, "area_codes": ["421221100"]})
    assert "所选排查区域不在本辖区内" in r.content.decode()
    r = client.post(url, {**post, "theme": "土地承包纠纷专项排查"})
    new = ScreeningCampaign.objects.get(theme="土地承包纠纷专项排查")
    assert r.status_code == 302 and r["Location"] == reverse("screening:campaign", args=[new.pk])
    # Detail: areas, the units' reports, close.
    html = client.get(reverse("screening:campaign", args=[campaign.pk])).content.decode()
    assert "温泉街道" in html and reverse("screening:report", args=[camp_report.pk]) in html
    assert "提前结束" in html
    login(client, w.sfs_officer)
    html = client.get(reverse("screening:campaign", args=[campaign.pk])).content.decode()
    assert "提前结束" not in html
    close = reverse("screening:campaign_close", args=[campaign.pk])
    assert client.post(close).status_code == 404
    login(client, w.other_county_admin)
    assert client.post(close).status_code == 404
    login(client, w.county_admin)
    assert client.get(close).status_code == 405
    assert client.post(close).status_code == 302
    campaign.refresh_from_db()
    assert campaign.closed_at is not None


def test_posts_need_csrf(data):
    sw, sp, campaign, _ = data
    client = Client(enforce_csrf_checks=True)
    client.force_login(sw.w.county_admin)
    assert client.post(reverse("screening:campaign_close", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("screening:special_cancel", args=[sp.pk])).status_code == 403
    assert client.post(reverse("screening:policy_new"), {"area": "421202"}).status_code == 403
    campaign.refresh_from_db()
    sp.refresh_from_db()
    assert campaign.closed_at is None and sp.cancelled_at is None
