"""Staffing against the rules (registry.staffing, console:registry_staffing): the configured rules applied to a
built dataset, hand-computed; the areas plus 本级 add up to the totals; only serving people and committees in use
count; supervisors only, 404 outside one's area."""

import json
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from registry.models import Committee, CommitteeKind, CommitteeType, Division, Industry, Mediator, MediatorCategory
from registry.staffing import rules_path, staffing_report
from tests.world import PERSONAS

URL = reverse("console:registry_staffing")


def _ft(committee: Committee, n: int, **kw) -> None:
    for i in range(n):
        Mediator.objects.create(
            committee=committee,
            name=f"{committee.short_name}专职{i}",
            gender="F",
            category=MediatorCategory.FULL_TIME,
            **kw,
        )


@pytest.fixture
def staffed(world):
    return add_staffing(world)


def add_staffing(world) -> dict[str, Committee]:
    """The world's committees (each with part-timers only) plus county-level ones, staffed as the tests expect."""
    today = timezone.localdate()
    xianan, city = Division.objects.get(code="421202"), Division.objects.get(code="4212")
    wenquan = Division.objects.get(code="421202001")

    def add(name, short, ctype, division, **kw):
        return Committee.objects.create(name=name, short_name=short, committee_type=ctype, division=division, **kw)

    social = CommitteeType.SOCIAL_ORG_OTHER
    centre = add("咸安区人民调解中心", "咸安中心", social, xianan, kind=CommitteeKind.CENTRE)
    labor = add(
        "咸安区劳动争议调委会", "咸安劳调", social, xianan, kind=CommitteeKind.INDUSTRY, industry=Industry.LABOR
    )
    enterprise = add("某纺织公司调委会", "纺织", CommitteeType.ENTERPRISE_INSTITUTION, xianan)
    studio = add("温泉街道老王调解工作室", "老王", CommitteeType.SUBDISTRICT, wenquan, kind=CommitteeKind.STUDIO)
    closed = add("桂花村旧调委会", "旧桂花", CommitteeType.VILLAGE, world.village_a.division, is_active=False)
    medical = add("咸宁市医调委", "咸宁医调", social, city, kind=CommitteeKind.INDUSTRY, industry=Industry.MEDICAL)
    _ft(world.village_a, 1)  # meets 1
    _ft(world.township, 1)  # short 1 of 2
    _ft(centre, 5)  # meets 5
    _ft(labor, 5)  # above the 2–4 range: not meeting, no shortfall
    _ft(medical, 3)  # meets 2–4
    _ft(closed, 2)  # a committee not in use: not counted at all
    # Full-timers of village B who do not count: term ended yesterday, inactive, left.
    _ft(world.village_b, 1, term_end=today - timedelta(days=1))
    _ft(world.village_b, 1, is_active=False)
    _ft(world.village_b, 1, left_on=today - timedelta(days=3))
    _ft(world.village_b, 1, term_end=today)  # ends today: still serving
    return {"centre": centre, "labor": labor, "enterprise": enterprise, "studio": studio, "medical": medical}


def _row(report, label_start):
    return next(a for a in report.rows if a.label.startswith(label_start))


def _sums(report):
    fields = ("count", "applicable", "meeting", "not_meeting", "shortfall", "full_time", "part_time")
    for f in fields:
        assert sum(getattr(a, f) for a in report.rows) == getattr(report.total, f), f


def test_county_report_by_hand(world, staffed):
    report = staffing_report(world.county_admin)
    assert [a.label for a in report.areas] == ["温泉街道"]
    wq = _row(report, "温泉街道")
    # village A (1 FT, meets), village B (1 FT ending today, meets), township (1 of 2), studio (no rule)
    assert (wq.count, wq.applicable, wq.meeting, wq.not_meeting, wq.shortfall) == (4, 3, 2, 1, 1)
    assert wq.full_time == 3 and wq.part_time == 3 + 2
    assert [c.committee for c in wq.failing] == [world.township]
    own = report.own_level
    assert own.label == "本级（咸安区）"
    assert (own.count, own.applicable, own.meeting, own.not_meeting, own.shortfall, own.full_time) == (
        3,
        2,
        1,
        1,
        0,
        10,
    )
    (labor,) = own.failing
    assert labor.committee == staffed["labor"] and labor.excess == 1 and labor.status == "超出上限1名"
    assert (report.total.count, report.total.meeting, report.total.shortfall) == (7, 3, 1)
    _sums(report)


def test_city_report_puts_city_level_committees_in_its_own_row(world, staffed):
    report = staffing_report(world.city_admin)
    assert [a.label for a in report.areas] == ["咸安区", "嘉鱼县"]
    xa, jy = _row(report, "咸安区"), _row(report, "嘉鱼县")
    assert (xa.count, xa.meeting, xa.shortfall) == (7, 3, 1)
    assert (jy.count, jy.applicable, jy.meeting, jy.shortfall) == (1, 1, 0, 1)  # village C: part-timers only
    assert [c.committee for c in report.own_level.committees] == [staffed["medical"]]
    assert report.own_level.meeting == 1
    assert (report.total.count, report.total.applicable, report.total.not_meeting, report.total.shortfall) == (
        9,
        7,
        3,
        2,
    )
    _sums(report)


def test_township_report_lists_its_villages(world, staffed):
    report = staffing_report(world.sfs_officer)
    assert [a.label for a in report.areas] == ["桂花村", "柏墩村"]
    assert [a.count for a in report.areas] == [1, 1]  # the deactivated 桂花村旧调委会 is left out
    assert report.own_level.count == 2 and report.own_level.shortfall == 1
    _sums(report)


def test_the_rules_come_from_the_json_file(world, staffed, tmp_path):
    config = json.loads(rules_path().read_text(encoding="utf-8"))
    assert all(rule["source"] for rule in config["rules"])
    for rule in config["rules"]:
        if rule["key"] == "village":
            rule["min_full_time"] = 3
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    with override_settings(TIAOJIE={**settings.TIAOJIE, "STAFFING_RULES": path}):
        report = staffing_report(world.sfs_officer)
    assert [a.shortfall for a in report.areas] == [2, 2]  # each village now needs 3 and has 1
    assert _row(report, "桂花村").failing[0].rule.requirement == "≥3名"


def test_a_rule_without_a_source_is_refused(tmp_path):
    from registry.staffing import parse_rules

    with pytest.raises(ValueError):
        parse_rules({"sources": {}, "rules": [{"key": "x", "label": "x", "min_full_time": 1, "match": {}}]})


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


SEES = {"sfs_officer", "county_admin", "other_county_admin", "city_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_supervisors_see_the_page(world, persona):
    response = _client(world.personas()[persona]).get(URL)
    assert response.status_code == (200 if persona in SEES else 404)


@pytest.mark.parametrize(
    "persona,area,status",
    [
        ("city_admin", "421221", 200),
        ("city_admin", "421202001", 200),
        ("county_admin", "421202001", 200),
        ("county_admin", "421221", 404),
        ("county_admin", "421221100", 404),
        ("county_admin", "4212", 404),
        ("other_county_admin", "421202", 404),
        ("sfs_officer", "421202001001", 200),
        ("sfs_officer", "421202", 404),
        ("sfs_officer", "421221100001", 404),
        ("county_admin", "42120299", 404),
        ("county_admin", "abc", 404),
    ],
)
def test_areas_outside_the_jurisdiction_are_404(world, persona, area, status):
    assert _client(world.personas()[persona]).get(URL, {"area": area}).status_code == status


def test_page_shows_areas_own_level_and_failing_committees(world, staffed):
    html = _client(world.county_admin).get(URL).content.decode()
    assert "本级（咸安区）" in html and "温泉街道人民调解委员会" in html and "缺1名" in html
    assert "咸安区劳动争议调委会" in html and "超出上限1名" in html
    assert "桂花村人民调解委员会</a>" not in html  # meets the rule: not listed among the failing
    drill = _client(world.county_admin).get(URL, {"area": "421202001"}).content.decode()
    assert "本级（温泉街道）" in drill and "咸安区人民调解中心" not in drill


def test_a_mediator_whose_term_ended_is_not_counted(world):
    _ft(world.village_c, 1, term_end=date(2020, 1, 1))
    report = staffing_report(world.other_county_admin)
    assert report.total.full_time == 0 and report.total.shortfall == 1
