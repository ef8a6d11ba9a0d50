"""The risk board and the area breakdown (issue 12 point 5): each filter on a fixed dataset, the counts per level,
the chain state line, the breakdown's rows adding up to the total, jurisdiction (a risk outside never appears) and
the role × page gate. Runs on SQLite and PostgreSQL (the flag filter reads a JSON list)."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import Division
from screening import board as B
from screening.enums import HopStatus, RiskFlag, RiskLevel, RiskStatus
from screening.scoping import access_risk_by_id
from tests.screening.factories import at, make_finding, make_hop, make_risk

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 3, 10, 20)


@pytest.fixture
def data(sworld):
    """Seven risks: six in 咸安区 (桂花村 ×4, 柏墩村, 温泉街道本级), one in 嘉鱼县."""
    w = sworld.w
    r = {}
    r["red_a"] = make_risk(
        w.village_a,
        by=w.mediator_a,
        level=RiskLevel.RED,
        flags=[RiskFlag.CIVIL_TO_CRIMINAL, RiskFlag.PUBLIC_SECURITY],
        owner=w.director_a,
        created=at(2026, 3, 3, 10, 0),
        title="扬言报复",
    )
    make_hop(r["red_a"], recipients=[w.sfs_officer], pushed=at(2026, 3, 3, 10, 0), minutes=15)  # overdue at NOW
    make_hop(
        r["red_a"], seq=2, step="POLICE", recipients=[sworld.police_liaison], institution=sworld.police, minutes=30
    )
    fb = make_finding(w.village_b, by=w.mediator_b, place="柏墩村五组")
    r["orange_b"] = make_risk(
        w.village_b,
        by=w.mediator_b,
        finding=fb,
        level=RiskLevel.ORANGE,
        flags=[RiskFlag.GROUP_PETITION],
        created=at(2026, 3, 1, 9, 0),
        title="工资拖欠集体上访",
    )
    make_hop(r["orange_b"], recipients=[w.sfs_officer], pushed=at(2026, 3, 3, 10, 15), minutes=120)
    r["yellow_t"] = make_risk(
        w.township, by=sworld.director_t, level=RiskLevel.YELLOW, created=at(2026, 2, 1, 9), title="街道本级"
    )
    r["red_c"] = make_risk(
        w.village_c,
        by=w.mediator_c,
        level=RiskLevel.RED,
        flags=[RiskFlag.SUICIDE_RISK],
        created=at(2026, 3, 2, 9),
        title="嘉鱼县的风险",
    )
    make_hop(r["red_c"], recipients=[w.other_county_admin], pushed=at(2026, 3, 2, 9), minutes=15)  # overdue
    r["resolved_a"] = make_risk(
        w.village_a,
        by=w.mediator_a,
        level=RiskLevel.ORANGE,
        flags=[RiskFlag.GROUP_FIGHT],
        status=RiskStatus.RESOLVED,
        created=at(2026, 2, 20, 9),
        resolved_at=at(2026, 3, 2, 16),
        title="已化解的械斗苗头",
    )
    make_hop(r["resolved_a"], status=HopStatus.ACKNOWLEDGED, pushed=at(2026, 2, 20, 9))
    r["yellow_a"] = make_risk(
        w.village_a,
        by=w.mediator_a,
        level=RiskLevel.YELLOW,
        flags=[RiskFlag.MASS_PARTIES, RiskFlag.LARGE_AMOUNT],
        owner=w.director_a,
        created=at(2026, 3, 3, 9),
        title="多人涉及的金额纠纷",
    )
    r["litig_a"] = make_risk(
        w.village_a,
        by=w.mediator_a,
        level=RiskLevel.YELLOW,
        flags=[RiskFlag.LITIGATION_PETITION],
        created=at(2026, 1, 10, 9),
        title="涉法涉诉",
    )
    return sworld, r


def board(user, now=NOW, **kw) -> set[str]:
    return {r.title for r in B.board_rows(user, B.BoardFilters(**kw), now)}


def test_default_is_open_risks_of_the_jurisdiction(data):
    s, r = data
    w = s.w
    inside_open = {"扬言报复", "工资拖欠集体上访", "街道本级", "多人涉及的金额纠纷", "涉法涉诉"}
    assert board(w.county_admin) == inside_open
    assert board(w.sfs_officer) == inside_open
    assert board(s.gov_officer) == inside_open
    assert board(w.other_county_admin) == {"嘉鱼县的风险"}
    assert board(w.city_admin) == inside_open | {"嘉鱼县的风险"}
    assert board(w.county_admin, status=B.ALL_STATUSES) == inside_open | {"已化解的械斗苗头"}
    assert board(w.county_admin, status=RiskStatus.RESOLVED) == {"已化解的械斗苗头"}
    # members: their committee's; police: what was pushed to the station
    assert board(w.director_a) == {"扬言报复", "多人涉及的金额纠纷", "涉法涉诉"}
    assert board(w.mediator_b) == {"工资拖欠集体上访"}
    assert board(s.police_liaison) == {"扬言报复"}
    assert board(w.party_user) == set()


def test_rows_most_urgent_first(data):
    s, _ = data
    titles = [x.title for x in B.board_rows(s.w.county_admin, B.BoardFilters(), NOW)]
    assert titles == ["扬言报复", "工资拖欠集体上访", "涉法涉诉", "街道本级", "多人涉及的金额纠纷"]


def test_level_filter_and_counts(data):
    s, _ = data
    w = s.w
    assert board(w.county_admin, level=RiskLevel.RED) == {"扬言报复"}
    assert board(w.county_admin, level=RiskLevel.YELLOW) == {"街道本级", "多人涉及的金额纠纷", "涉法涉诉"}
    counts = B.level_counts(w.county_admin, B.BoardFilters(level=RiskLevel.RED), NOW)  # the level filter ignored
    assert counts == {RiskLevel.RED: 1, RiskLevel.ORANGE: 1, RiskLevel.YELLOW: 3, "ALL": 5}
    counts = B.level_counts(w.city_admin, B.BoardFilters(status=B.ALL_STATUSES), NOW)
    assert counts == {RiskLevel.RED: 2, RiskLevel.ORANGE: 2, RiskLevel.YELLOW: 3, "ALL": 7}
    counts = B.level_counts(w.county_admin, B.BoardFilters(overdue_only=True), NOW)
    assert counts == {RiskLevel.RED: 1, RiskLevel.ORANGE: 0, RiskLevel.YELLOW: 0, "ALL": 1}


def test_flag_filter_is_exact_membership(data):
    s, _ = data
    u = s.w.city_admin
    assert board(u, flag=RiskFlag.PUBLIC_SECURITY) == {"扬言报复"}
    assert board(u, flag=RiskFlag.CIVIL_TO_CRIMINAL) == {"扬言报复"}
    # "GROUP_PETITION" is not matched by "LITIGATION_PETITION" and the other way round
    assert board(u, flag=RiskFlag.GROUP_PETITION) == {"工资拖欠集体上访"}
    assert board(u, flag=RiskFlag.LITIGATION_PETITION) == {"涉法涉诉"}
    assert board(u, flag=RiskFlag.LARGE_AMOUNT) == {"多人涉及的金额纠纷"}
    assert board(u, flag=RiskFlag.GROUP_FIGHT) == set()  # only the resolved one has it
    assert board(u, flag=RiskFlag.GROUP_FIGHT, status=B.ALL_STATUSES) == {"已化解的械斗苗头"}
    assert board(u, flag=RiskFlag.UNNATURAL_DEATH) == set()
    assert board(u, flag=RiskFlag.SUICIDE_RISK) == {"嘉鱼县的风险"}
    assert board(s.w.county_admin, flag=RiskFlag.SUICIDE_RISK) == set()  # outside the county
    # the flag filter combines with the counts
    counts = B.level_counts(u, B.BoardFilters(flag=RiskFlag.PUBLIC_SECURITY), NOW)
    assert counts["ALL"] == 1 and counts[RiskLevel.RED] == 1


def test_area_owner_age_overdue_filters(data):
    s, _ = data
    u = s.w.city_admin
    assert board(u, area="421202001001") == {"扬言报复", "多人涉及的金额纠纷", "涉法涉诉"}
    assert board(u, area="421202001002") == {"工资拖欠集体上访"}
    assert board(u, area="421221") == {"嘉鱼县的风险"}
    assert board(u, owner_id=s.w.director_a.pk) == {"扬言报复", "多人涉及的金额纠纷"}
    # age: opened at least N days before NOW (3 March 10:20)
    assert board(u, min_age_days=2) == {"工资拖欠集体上访", "街道本级", "涉法涉诉"}
    assert board(u, min_age_days=30) == {"街道本级", "涉法涉诉"}
    assert board(u, min_age_days=0) == board(u)
    # overdue: a PENDING hop past its deadline (the red one's 10:15 township hop; 嘉鱼's)
    assert board(u, overdue_only=True) == {"扬言报复", "嘉鱼县的风险"}
    assert board(u, overdue_only=True, now=at(2026, 3, 3, 10, 10)) == {"嘉鱼县的风险"}
    assert board(u, overdue_only=True, now=at(2026, 3, 3, 12, 16)) == {"扬言报复", "嘉鱼县的风险", "工资拖欠集体上访"}
    assert board(u, overdue_only=True, area="421202") == {"扬言报复"}
    # everything at once
    assert board(u, area="421202", level=RiskLevel.RED, flag=RiskFlag.PUBLIC_SECURITY, owner_id=s.w.director_a.pk,
                 overdue_only=True) == {"扬言报复"}  # fmt: skip


def test_chain_state_lines(data):
    s, r = data
    red = r["red_a"]
    state = B.chain_state(red, at(2026, 3, 3, 10, 7))
    assert state.text == "待温泉街道调委会和司法所、咸宁市公安局咸安分局温泉派出所签收 · 还剩8分钟"
    assert not state.overdue
    late = B.chain_state(red, NOW)
    assert late.overdue and late.text.endswith("已逾期5分钟") and late.tone == "danger"
    orange = B.chain_state(r["orange_b"], NOW)
    assert orange.text == "待温泉街道调委会和司法所签收 · 还剩1小时55分钟"
    assert B.chain_state(r["resolved_a"], NOW).text == "温泉街道调委会和司法所已签收"
    assert B.chain_state(r["yellow_a"], NOW).text == "就地化解，不逐级上报"
    # the police liaison's rows show only their station's hop
    [row] = [x for x in B.board_rows(s.police_liaison, B.BoardFilters(), NOW)]
    assert B.chain_state(row, at(2026, 3, 3, 10, 7)).text == "待咸宁市公安局咸安分局温泉派出所签收 · 还剩23分钟"


def test_age_days(data):
    _, r = data
    assert B.age_days(r["orange_b"], NOW) == 2
    assert B.age_days(r["resolved_a"], NOW) == 10  # 20 Feb → 2 Mar, frozen at its resolution


def test_owner_choices_are_visible_owners(data):
    s, _ = data
    assert B.owner_choices(s.w.county_admin) == [(s.w.director_a.pk, "王主任")]
    assert B.owner_choices(s.w.other_county_admin) == []


def _sum(rows, name):
    return sum(getattr(x, name) for x in rows)


FIGURES = ("red", "orange", "yellow", "overdue", "resolved", "total")


def test_area_breakdown_adds_up_township(data):
    s, _ = data
    u = s.w.county_admin
    wenquan = Division.objects.get(code="421202001")
    b = B.area_breakdown(B.risks_visible_to(u), wenquan, date(2026, 3, 1), date(2026, 3, 31), NOW)
    by = {x.name: x for x in b.rows}
    assert list(by) == ["桂花村", "柏墩村", "本级"]
    a = by["桂花村"]
    assert (a.red, a.orange, a.yellow, a.overdue, a.resolved, a.total) == (1, 0, 2, 1, 1, 4)
    bb = by["柏墩村"]
    assert (bb.red, bb.orange, bb.yellow, bb.overdue, bb.resolved, bb.total) == (0, 1, 0, 0, 0, 1)
    own = by["本级"]
    assert own.own_level and (own.yellow, own.total) == (1, 1)
    for name in FIGURES:
        assert _sum(b.rows, name) == getattr(b.total, name), name
    assert (b.total.red, b.total.orange, b.total.yellow, b.total.total) == (1, 1, 3, 6)
    # resolved in a period that does not hold 2 March
    b2 = B.area_breakdown(B.risks_visible_to(u), wenquan, date(2026, 3, 3), date(2026, 3, 31), NOW)
    assert b2.total.resolved == 0


def test_area_breakdown_adds_up_city(data):
    s, _ = data
    u = s.w.city_admin
    city = Division.objects.get(code="4212")
    b = B.area_breakdown(B.risks_visible_to(u), city, date(2026, 3, 1), date(2026, 3, 31), NOW)
    assert [x.name for x in b.rows] == ["咸安区", "嘉鱼县"]
    for name in FIGURES:
        assert _sum(b.rows, name) == getattr(b.total, name), name
    assert b.total.total == 7 and b.total.overdue == 2 and b.total.red == 2


def test_area_breakdown_member_has_outside_row(data):
    """A joint case's risk of another committee is counted in a 辖区外 row, so that rows still add up."""
    s, _ = data
    w = s.w
    village_a = Division.objects.get(code="421202001001")
    b = B.area_breakdown(B.risks_visible_to(w.director_a), village_a, date(2026, 3, 1), date(2026, 3, 31), NOW)
    assert [x.name for x in b.rows] == ["本级"]
    assert b.rows[0].total == b.total.total == 4


# --- pages ----------------------------------------------------------------------------------------------------


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def live(s, r):
    """Move the dataset's hops to now (the pages read the real clock): the red one overdue, the orange waiting."""
    from screening.models import EscalationHop

    now = timezone.now()
    late = now - timedelta(minutes=5, seconds=20)
    EscalationHop.objects.filter(risk=r["red_a"], seq=1).update(pushed_at=now - timedelta(minutes=20), ack_due_at=late)
    EscalationHop.objects.filter(risk=r["red_a"], seq=2).update(pushed_at=now, ack_due_at=now + timedelta(minutes=30))
    EscalationHop.objects.filter(risk=r["orange_b"]).update(
        pushed_at=now, ack_due_at=now + timedelta(minutes=8, seconds=30)
    )


BOARD_404 = ("court_liaison", "party_user", "outsider")  # everyone else of the personas may see the board
MEETING_OK = ("sfs_officer", "county_admin", "other_county_admin", "city_admin", "gov_officer", "other_gov_officer")


def test_role_page_matrix(data):
    s, r = data
    people = s.personas()
    pages = {
        "board": reverse("screening:risks"),
        "areas": reverse("screening:risk_areas"),
        "meetings": reverse("screening:meetings"),
        "meeting_new": reverse("screening:meeting_new"),
    }
    for name, user in people.items():
        c = client_for(user)
        for page, url in pages.items():
            allowed = name not in BOARD_404 if page in ("board", "areas") else name in MEETING_OK
            got = c.get(url).status_code
            assert got == (200 if allowed else 404), (name, page, got)
    # anonymous: to the login page
    assert Client().get(pages["board"]).status_code == 302


def test_board_page_shows_rows_chips_and_chain(data):
    s, r = data
    live(s, r)
    html = client_for(s.w.county_admin).get(reverse("screening:risks")).content.decode()
    for title in ("扬言报复", "工资拖欠集体上访", "街道本级", "多人涉及的金额纠纷", "涉法涉诉"):
        assert title in html
    assert "嘉鱼县的风险" not in html and "已化解的械斗苗头" not in html
    assert 'data-count="RED">1<' in html and 'data-count="YELLOW">3<' in html
    assert "待温泉街道调委会和司法所签收 · 还剩8分钟" in html
    assert "已逾期5分钟" in html
    assert reverse("screening:risk", args=[r["red_a"].pk]) in html
    assert "可能民转刑" in html and "涉及治安问题" in html
    assert "柏墩村五组" in html and "温泉街道·柏墩村" in html
    assert "王主任" in html


def test_board_page_filters_by_query(data):
    s, r = data
    c = client_for(s.w.city_admin)
    url = reverse("screening:risks")

    def titles(**q):
        html = c.get(url, q).content.decode()
        return {x.title for x in B.risks_visible_to(s.w.city_admin) if f'data-risk="{x.pk}"' in html}

    assert titles(level="RED") == {"扬言报复", "嘉鱼县的风险"}
    assert titles(flag="GROUP_PETITION") == {"工资拖欠集体上访"}
    assert titles(area="421221") == {"嘉鱼县的风险"}
    assert titles(area="421202001002") == {"工资拖欠集体上访"}  # a village reached by drilling
    assert titles(owner=str(s.w.director_a.pk)) == {"扬言报复", "多人涉及的金额纠纷"}
    assert titles(status="RESOLVED") == {"已化解的械斗苗头"}
    assert titles(status="ALL", area="421202001001") == {
        "扬言报复",
        "多人涉及的金额纠纷",
        "涉法涉诉",
        "已化解的械斗苗头",
    }
    since_feb = (timezone.localdate() - date(2026, 2, 1)).days  # the page counts age to today
    assert titles(age=str(since_feb + 1)) == {"涉法涉诉"}
    assert titles(age=str(since_feb)) == {"涉法涉诉", "街道本级"}
    assert "嘉鱼县的风险" in titles(overdue="on")  # its hop has been overdue since March


def test_board_bad_input_no_500(data):
    s, _ = data
    c = client_for(s.w.county_admin)
    url = reverse("screening:risks")
    for q in ({"level": "PURPLE"}, {"flag": "'; drop"}, {"age": "abc"}, {"age": "-3"}, {"owner": "x"},
              {"owner": "999999"}, {"status": "NOPE"}, {"page": "zz"}, {"overdue": "maybe"}):  # fmt: skip
        resp = c.get(url, q)
        assert resp.status_code == 200, q
    html = c.get(url, {"age": "abc"}).content.decode()
    assert "请输入整数天数" in html
    html = c.get(url, {"level": "PURPLE"}).content.decode()
    assert "请从列表中选择" in html and "扬言报复" in html  # the bad filter is dropped, the board still shows


def test_area_outside_jurisdiction_404(data):
    s, r = data
    w = s.w
    url = reverse("screening:risks")
    for bad in ("421221", "421221100001", "4212", "42", "abc", "421202001999"):
        assert client_for(w.county_admin).get(url, {"area": bad}).status_code == 404, bad
        assert client_for(w.county_admin).get(reverse("screening:risk_areas"), {"area": bad}).status_code == 404
    assert client_for(w.sfs_officer).get(url, {"area": "421202"}).status_code == 404
    # a risk outside the jurisdiction does not exist for them
    with pytest.raises(Http404):
        access_risk_by_id(w.county_admin, r["red_c"].pk)
    with pytest.raises(Http404):
        access_risk_by_id(w.mediator_b, r["red_a"].pk)
    # members and police have no area selector: ?area= is ignored, never widens
    html = client_for(w.mediator_b).get(url, {"area": "4212"}).content.decode()
    assert "工资拖欠集体上访" in html and "扬言报复" not in html and 'name="area"' not in html


def test_risk_page_outside_404(data):
    s, r = data
    w = s.w
    ok = client_for(w.county_admin).get(reverse("screening:risk", args=[r["red_a"].pk]))
    if "screening/_stub.html" in [t.name for t in ok.templates]:
        pytest.skip("screening:risk is still the skeleton's stub (h-risk builds it)")
    assert ok.status_code == 200
    resp = client_for(w.county_admin).get(reverse("screening:risk", args=[r["red_c"].pk]))
    assert resp.status_code == 404
    assert client_for(s.police_liaison).get(reverse("screening:risk", args=[r["orange_b"].pk])).status_code == 404


def test_areas_page_drill_down_and_totals(data):
    s, r = data
    c = client_for(s.w.county_admin)
    html = c.get(reverse("screening:risk_areas"), {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert "温泉街道" in html and "嘉鱼县" not in html
    assert "?area=421202001&amp;start=2026-03-01&amp;end=2026-03-31" in html
    html = c.get(reverse("screening:risk_areas"), {"area": "421202001", "start": "2026-03-01"}).content.decode()
    assert 'data-area="421202001001"' in html and 'data-area="OWN"' in html and 'data-area="TOTAL"' in html
    assert "本级" in html
    # bad dates: a message, the default period, no 500
    resp = c.get(reverse("screening:risk_areas"), {"start": "2026-13-01", "end": "2026-03-01"})
    assert resp.status_code == 200 and "请输入有效日期" in resp.content.decode()
    resp = c.get(reverse("screening:risk_areas"), {"start": "2026-03-05", "end": "2026-03-01"})
    assert "截止日期不能早于起始日期" in resp.content.decode()


def test_member_and_police_areas_page(data):
    s, r = data
    html = client_for(s.police_liaison).get(reverse("screening:risk_areas")).content.decode()
    assert 'data-area="TOTAL"' in html
    html = client_for(s.w.director_a).get(reverse("screening:risk_areas")).content.decode()
    assert 'data-area="OWN"' in html


def test_board_query_count_is_flat(data, django_assert_max_num_queries):
    s, r = data
    w = s.w
    c = client_for(w.city_admin)
    for i in range(12):
        risk = make_risk(w.village_b, by=w.mediator_b, level=RiskLevel.RED, created=at(2026, 3, 1, 9), title=f"批量{i}")
        make_hop(risk, recipients=[w.sfs_officer])
    with django_assert_max_num_queries(16):
        assert c.get(reverse("screening:risks")).status_code == 200
