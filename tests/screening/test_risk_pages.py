"""The risk pages (h-risk): role × jurisdiction for each page and POST, the suggested flags with their reasons,
bad input keeps what was typed, the countdown in words and the big 签收 on a phone."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from screening.actions import do_assess_risk
from screening.enums import HopStatus, RiskEventKind, RiskFlag, RiskLevel, RiskStatus
from screening.models import RiskAssessment
from tests.screening.factories import at, make_finding, make_hop, make_risk

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 3, 10, 0)
MEMBERS_A = {"director_a", "mediator_a", "mediator_a2"}
SUPERVISORS_A = {"sfs_officer", "county_admin", "city_admin"}
AREA_A = SUPERVISORS_A | {"gov_officer"}
ABOVE_MEDIATOR_A = {"director_a"} | AREA_A


def _status(client, user, method, url, data=None) -> int:
    client.force_login(user)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    client.logout()
    return response.status_code


def _codes(client, sworld, method, url_for, data=None) -> dict[str, int]:
    return {name: _status(client, user, method, url_for(), data) for name, user in sworld.personas().items()}


def _red(sworld, **kw):
    w = sworld.w
    finding = make_finding(w.village_a, by=w.mediator_a)
    return do_assess_risk(
        w.mediator_a,
        finding=finding,
        title="桂花村三组宅基地纠纷",
        flags=kw.pop("flags", []),
        level=kw.pop("level", RiskLevel.RED),
        reasons="一方扬言报复，情绪激动。",
        at=T0,
        **kw,
    )


def test_risk_page_role_by_jurisdiction(client, sworld):
    risk = _red(sworld)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        codes = _codes(client, sworld, "get", lambda: reverse("screening:risk", args=[risk.pk]))
    seen = {name for name, code in codes.items() if code == 200}
    assert seen == MEMBERS_A | AREA_A
    assert {code for name, code in codes.items() if name not in seen} == {404}


def test_police_see_the_risk_pushed_to_them_and_only_their_hop(client, sworld):
    risk = _red(sworld, flags=[RiskFlag.PUBLIC_SECURITY])
    client.force_login(sworld.police_liaison)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        page = client.get(reverse("screening:risk", args=[risk.pk])).content.decode()
    assert "咸宁市公安局咸安分局温泉派出所" in page and "签收" in page
    assert "桂花村人民调解委员会</span>" not in page  # the committee's hop is not theirs
    other = make_risk(sworld.w.village_a, by=sworld.w.mediator_a)
    assert client.get(reverse("screening:risk", args=[other.pk])).status_code == 404


def test_the_township_committee_director_told_at_the_township_rung_sees_and_acknowledges(client, sworld):
    from cases import timers

    risk = _red(sworld)
    timers.fire_due(T0 + timedelta(minutes=10))
    hop = risk.hops.get(step="TOWNSHIP")
    client.force_login(sworld.director_t)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        page = client.get(reverse("screening:risk", args=[risk.pk]))
        assert page.status_code == 200 and "还剩13分钟" in page.content.decode()
        response = client.post(reverse("screening:hop_acknowledge", args=[hop.pk]), {"note": "马上到"})
    assert response.status_code == 302
    hop.refresh_from_db()
    assert hop.status == HopStatus.ACKNOWLEDGED and hop.acknowledged_by == sworld.director_t


def test_countdown_in_words_and_the_big_button(client, sworld):
    risk = _red(sworld)
    client.force_login(sworld.w.director_a)
    url = reverse("screening:risk", args=[risk.pk])
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        page = client.get(url).content.decode()
    assert "还剩8分钟" in page and "btn-lg w-100" in page
    with time_machine.travel(T0 + timedelta(minutes=13), tick=False):  # the scan has not run yet
        page = client.get(url).content.decode()
    assert "已逾期3分钟" in page
    # Somebody who may not acknowledge sees the countdown but no button.
    client.force_login(sworld.w.mediator_a)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        page = client.get(url).content.decode()
    assert "还剩8分钟" in page and "hop-ack" not in page


def test_acknowledge_post_role_by_jurisdiction(client, sworld):
    w = sworld.w

    def url():
        risk = make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.RED)
        hop = make_hop(risk, step="COMMITTEE", recipients=[w.director_a], division_code=w.village_a.division_id)
        return reverse("screening:hop_acknowledge", args=[hop.pk])

    codes = _codes(client, sworld, "post", url, {"note": ""})
    assert {n for n, c in codes.items() if c == 302} == {"director_a"} | SUPERVISORS_A
    assert {c for n, c in codes.items() if n not in {"director_a"} | SUPERVISORS_A} == {404}


def test_acknowledge_with_a_note_and_twice(client, sworld):
    risk = _red(sworld)
    hop = risk.hops.get()
    client.force_login(sworld.w.director_a)
    url = reverse("screening:hop_acknowledge", args=[hop.pk])
    assert client.get(url).status_code == 405
    with time_machine.travel(T0 + timedelta(minutes=4), tick=False):
        assert client.post(url, {"note": "已到现场"}).status_code == 302
    hop.refresh_from_db()
    assert hop.status == HopStatus.ACKNOWLEDGED and hop.ack_note == "已到现场"
    assert risk.hops.count() == 2  # passed on to the township at once
    response = client.post(url, {"note": "again"}, follow=True)
    assert "无需再签收" in response.content.decode()
    too_long = client.post(reverse("screening:hop_acknowledge", args=[risk.hops.get(seq=2).pk]), {"note": "很" * 501})
    assert too_long.status_code == 404  # director_a is not a recipient of the township hop


def test_acknowledge_note_too_long_keeps_it(client, sworld):
    risk = _red(sworld)
    hop = risk.hops.get()
    client.force_login(sworld.w.director_a)
    note = "现场" * 251
    response = client.post(reverse("screening:hop_acknowledge", args=[hop.pk]), {"note": note})
    assert response.status_code == 400
    body = response.content.decode()
    assert "签收意见不超过500字" in body and note in body
    hop.refresh_from_db()
    assert hop.status == HopStatus.PENDING


@pytest.mark.parametrize("which", ["case", "finding"])
def test_new_risk_pages_role_by_jurisdiction(client, sworld, which):
    from cases.enums import CaseStatus
    from tests.world import make_case

    w = sworld.w
    if which == "case":
        case = make_case(w, CaseStatus.IN_MEDIATION)
        url = reverse("screening:risk_new_case", args=[case.pk])
    else:
        finding = make_finding(w.village_a, by=w.mediator_a)
        url = reverse("screening:risk_new_finding", args=[finding.pk])
    codes = _codes(client, sworld, "get", lambda: url)
    assert {n for n, c in codes.items() if c == 200} == MEMBERS_A | SUPERVISORS_A
    assert {c for n, c in codes.items() if n not in MEMBERS_A | SUPERVISORS_A} == {404}
    # POST by someone outside is a 404 too, and writes nothing.
    assert _status(client, w.mediator_b, "post", url, {"title": "x", "level": "RED", "reasons": "理由充分"}) == 404
    assert not RiskAssessment.objects.exists()


def test_new_risk_from_a_finding_shows_the_suggestions_and_their_reasons(client, sworld):
    w = sworld.w
    finding = make_finding(w.village_a, by=w.mediator_a, headcount=12, facts="十二户村民因征地补偿不满，有人扬言报复。")
    client.force_login(w.mediator_a)
    page = client.get(reverse("screening:risk_new_finding", args=[finding.pk])).content.decode()
    assert "涉及12人，达到10人以上群体性标准" in page
    assert "“扬言”" in page and "“报复”" in page
    assert 'value="MASS_PARTIES" id="flag-MASS_PARTIES" checked' in page  # a number: pre-ticked
    assert 'value="CIVIL_TO_CRIMINAL" id="flag-CIVIL_TO_CRIMINAL" >' in page  # a word: a person decides
    assert "由您判断" in page


def test_new_risk_post_creates_it_and_pushes_it(client, sworld):
    w = sworld.w
    finding = make_finding(w.village_a, by=w.mediator_a, headcount=12)
    client.force_login(w.mediator_a)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            reverse("screening:risk_new_finding", args=[finding.pk]),
            {
                "title": "征地补偿群体纠纷",
                "level": "RED",
                "flags": ["MASS_PARTIES", "GROUP_PETITION"],
                "reasons": "村民准备集体上访",
                "headcount": "12",
                "amount": "",
                "owner": str(w.director_a.pk),
                "measures": "",
                "review_on": "2026-03-05",
            },
        )
    risk = RiskAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("screening:risk", args=[risk.pk])
    assert risk.flags == ["GROUP_PETITION", "MASS_PARTIES"] and risk.owner == w.director_a
    assert risk.hops.get().step == "COMMITTEE"
    finding.refresh_from_db()
    assert finding.is_major


def test_new_risk_bad_input_keeps_what_was_typed(client, sworld):
    w = sworld.w
    finding = make_finding(w.village_a, by=w.mediator_a)
    client.force_login(w.mediator_a)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            reverse("screening:risk_new_finding", args=[finding.pk]),
            {
                "title": "我写的标题",
                "level": "RED",
                "flags": ["SUICIDE_RISK"],
                "reasons": "",
                "headcount": "abc",
                "amount": "-5",
                "owner": str(w.mediator_b.pk),
                "measures": "我写的措施",
                "review_on": "2026-02-30",
            },
        )
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("请写明研判理由", "涉及人数须为整数", "涉及金额不能为负数", "请填写正确的日期", "包案领导须为"):
        assert text in body, text
    assert "我写的标题" in body and "我写的措施" in body
    assert 'id="level-RED" value="RED" autocomplete="off" checked' in body
    assert 'value="SUICIDE_RISK" id="flag-SUICIDE_RISK" checked' in body
    assert not RiskAssessment.objects.exists()
    # A review date in the past is refused by the action, next to the field.
    with time_machine.travel(T0, tick=False):
        response = client.post(
            reverse("screening:risk_new_finding", args=[finding.pk]),
            {"title": "标题", "level": "YELLOW", "reasons": "理由充分", "headcount": "2", "review_on": "2026-03-01"},
        )
    assert "复核日期不能早于今天" in response.content.decode()


POSTS = {
    "risk_level": ({"level": "ORANGE", "reason": "情况缓和"}, ABOVE_MEDIATOR_A),
    "risk_update": ({"reason": "加强稳控", "measures": "每日走访", "flags": []}, ABOVE_MEDIATOR_A),
    "risk_instruct": ({"text": "请立即到场"}, ABOVE_MEDIATOR_A),
    "risk_review": ({"note": "情况稳定，继续关注", "next_review_on": ""}, ABOVE_MEDIATOR_A),
    "risk_resolve": ({"outcome": "RESOLVED", "note": "双方达成和解"}, ABOVE_MEDIATOR_A),
}


@pytest.mark.parametrize("name", list(POSTS))
def test_risk_posts_role_by_jurisdiction(client, sworld, name):
    w = sworld.w
    data, allowed = POSTS[name]

    def url():
        risk = make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.RED)
        return reverse(f"screening:{name}", args=[risk.pk])

    with time_machine.travel(T0, tick=False):
        codes = _codes(client, sworld, "post", url, data)
    assert {n for n, c in codes.items() if c == 302} == allowed
    # A mediator may raise but not lower: the form offers no lower level and says so (400), nothing is written.
    refused = {"mediator_a", "mediator_a2"} if name == "risk_level" else set()
    assert {n for n, c in codes.items() if c == 400} == refused
    assert {c for n, c in codes.items() if n not in allowed | refused} == {404}
    client.force_login(w.director_a)
    assert client.get(url()).status_code == 405


def test_raise_is_offered_to_a_mediator_lower_is_not(client, sworld):
    w = sworld.w
    risk = make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.ORANGE)
    client.force_login(w.mediator_a)
    page = client.get(reverse("screening:risk", args=[risk.pk])).content.decode()
    assert 'value="RED"' in page and 'value="YELLOW"' not in page
    response = client.post(reverse("screening:risk_level", args=[risk.pk]), {"level": "YELLOW", "reason": "情况缓和"})
    assert response.status_code == 400 and "请选择新的风险等级" in response.content.decode()
    risk.refresh_from_db()
    assert risk.level == RiskLevel.ORANGE


def test_level_change_bad_reason_keeps_it(client, sworld):
    w = sworld.w
    risk = make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.YELLOW)
    client.force_login(w.mediator_a)
    response = client.post(reverse("screening:risk_level", args=[risk.pk]), {"level": "RED", "reason": "急"})
    body = response.content.decode()
    assert response.status_code == 400 and "调整理由至少4个字" in body and "急</textarea>" in body
    assert '<details class="border-bottom py-1" open' in body and "未能保存" in body


def test_resolve_from_the_page_stops_the_chain(client, sworld):
    risk = _red(sworld)
    client.force_login(sworld.w.director_a)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        client.post(
            reverse("screening:risk_resolve", args=[risk.pk]), {"outcome": "HANDED_OVER", "note": "已移交派出所"}
        )
    risk.refresh_from_db()
    assert risk.status == RiskStatus.HANDED_OVER
    assert risk.hops.get().status == HopStatus.CANCELLED
    assert risk.events.filter(kind=RiskEventKind.HANDED_OVER).exists()


def test_garbage_ids_are_404(client, sworld):
    client.force_login(sworld.w.county_admin)
    for url in (
        "/screening/risks/999999/",
        "/screening/risks/new/finding/999999/",
        "/screening/risks/new/case/999999/",
    ):
        assert client.get(url).status_code == 404
    assert client.post("/screening/hops/999999/acknowledge/", {}).status_code == 404


WEIRD = ["", " ", "0", "-1", "1e9", "NaN", "Infinity", "９", "x" * 3000, "<script>", "2026-13-45", "'; drop", "\x00"]


def test_no_500_on_any_input(client, sworld):
    w = sworld.w
    risk = make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.RED, owner=w.director_a)
    hop = make_hop(risk, step="COMMITTEE", recipients=[w.director_a], division_code=w.village_a.division_id)
    finding = make_finding(w.village_a, by=w.mediator_a)
    client.force_login(w.director_a)
    posts = {
        reverse("screening:risk_new_finding", args=[finding.pk]): [
            "title",
            "level",
            "flags",
            "reasons",
            "headcount",
            "amount",
            "owner",
            "measures",
            "review_on",
        ],
        reverse("screening:risk_level", args=[risk.pk]): ["level", "reason"],
        reverse("screening:risk_update", args=[risk.pk]): ["flags", "owner", "measures", "review_on", "reason"],
        reverse("screening:risk_instruct", args=[risk.pk]): ["text"],
        reverse("screening:risk_review", args=[risk.pk]): ["note", "next_review_on"],
        reverse("screening:risk_resolve", args=[risk.pk]): ["outcome", "note"],
        reverse("screening:hop_acknowledge", args=[hop.pk]): ["note"],
    }
    with time_machine.travel(T0, tick=False):
        for url, fields in posts.items():
            for value in WEIRD:
                response = client.post(url, {f: value for f in fields})
                assert response.status_code in (200, 302, 400, 404), (url, value, response.status_code)
    for url in ("/screening/risks/abc/", "/screening/risks/0/", "/screening/hops/0/acknowledge/"):
        assert client.get(url).status_code in (404, 405)
