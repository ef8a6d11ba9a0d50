"""研判 meetings (issue 12 point 5): list, new (the risks discussed chosen among the open risks the user can see),
detail; role gate, jurisdiction, bad input re-rendered with Chinese messages and nothing lost."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from screening.enums import RiskEventKind, RiskLevel, RiskStatus
from screening.models import RiskMeeting
from tests.screening.factories import at, make_risk

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def risks(sworld):
    w = sworld.w
    return {
        "a": make_risk(w.village_a, by=w.mediator_a, level=RiskLevel.RED, title="桂花村红色风险"),
        "b": make_risk(w.village_b, by=w.mediator_b, level=RiskLevel.YELLOW, title="柏墩村黄色风险"),
        "done": make_risk(
            w.village_a, by=w.mediator_a, status=RiskStatus.RESOLVED, resolved_at=at(2026, 3, 4), title="已化解风险"
        ),
        "c": make_risk(w.village_c, by=w.mediator_c, level=RiskLevel.ORANGE, title="嘉鱼县风险"),
    }


def post_data(**kw) -> dict:
    data = {
        "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "title": "温泉街道第49周矛盾纠纷研判会",
        "chair": "温泉司法所所长",
        "attendees": "司法所、综治中心、派出所、各村调委会主任",
        "minutes": "会议逐项研判了本周排查发现的风险，明确包案领导和稳控措施。",
    }
    data.update(kw)
    return data


def test_new_form_offers_open_visible_risks_only(sworld, risks):
    html = client_for(sworld.w.sfs_officer).get(reverse("screening:meeting_new")).content.decode()
    assert "桂花村红色风险" in html and "柏墩村黄色风险" in html
    assert "已化解风险" not in html and "嘉鱼县风险" not in html
    assert html.index("桂花村红色风险") < html.index("柏墩村黄色风险")  # red first


def test_record_meeting_and_detail(sworld, risks):
    w = sworld.w
    c = client_for(w.sfs_officer)
    resp = c.post(reverse("screening:meeting_new"), post_data(risks=[risks["a"].pk, risks["b"].pk]))
    assert resp.status_code == 302
    m = RiskMeeting.objects.get()
    assert resp["Location"] == reverse("screening:meeting", args=[m.pk])
    assert m.division_id == "421202001" and m.created_by == w.sfs_officer
    assert set(m.risks.all()) == {risks["a"], risks["b"]}
    assert risks["a"].events.filter(kind=RiskEventKind.DISCUSSED).count() == 1
    html = c.get(resp["Location"]).content.decode()
    assert "温泉街道第49周矛盾纠纷研判会" in html and "明确包案领导和稳控措施" in html
    assert reverse("screening:risk", args=[risks["a"].pk]) in html and "柏墩村黄色风险" in html
    listing = c.get(reverse("screening:meetings")).content.decode()
    assert "温泉街道第49周矛盾纠纷研判会" in listing and "2项" in listing
    # the county sees the township's meeting; another county does not (404 on its page)
    assert client_for(w.county_admin).get(resp["Location"]).status_code == 200
    assert client_for(w.other_county_admin).get(resp["Location"]).status_code == 404
    assert "温泉街道第49周" not in client_for(w.other_county_admin).get(reverse("screening:meetings")).content.decode()
    assert client_for(sworld.gov_officer).get(resp["Location"]).status_code == 200
    assert client_for(sworld.other_gov_officer).get(resp["Location"]).status_code == 404
    for user in (w.director_a, w.mediator_a, sworld.police_liaison, w.party_user, w.court_liaison):
        assert client_for(user).get(resp["Location"]).status_code == 404
    assert client_for(w.sfs_officer).get(reverse("screening:meeting", args=[99999])).status_code == 404


def test_governance_officer_records_a_meeting(sworld, risks):
    c = client_for(sworld.gov_officer)
    resp = c.post(reverse("screening:meeting_new"), post_data(risks=[risks["b"].pk]))
    assert resp.status_code == 302
    assert RiskMeeting.objects.get().created_by == sworld.gov_officer


def test_bad_input_keeps_what_was_typed(sworld, risks):
    c = client_for(sworld.w.sfs_officer)
    url = reverse("screening:meeting_new")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    resp = c.post(url, post_data(held_on=tomorrow, minutes="好", risks=[risks["a"].pk]))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "会议日期不能晚于今天" in html and "会议纪要至少4个字" in html
    assert "温泉街道第49周矛盾纠纷研判会" in html and "司法所、综治中心、派出所" in html  # kept
    assert f'value="{risks["a"].pk}" class="form-check-input" id="id_risks_0" checked' in html or "checked" in html
    # no risk chosen
    html = c.post(url, post_data()).content.decode()
    assert "请至少选择一项研判的风险事项" in html
    # a risk outside the jurisdiction, a resolved one, garbage: refused next to the field
    for bad in (risks["c"].pk, risks["done"].pk, "abc", "99999"):
        resp = c.post(url, post_data(risks=[bad]))
        assert resp.status_code == 200 and "所选风险事项不存在" in resp.content.decode(), bad
    html = c.post(url, post_data(held_on="2026-02-30", risks=[risks["a"].pk])).content.decode()
    assert "请输入有效日期" in html
    html = c.post(url, post_data(title="", chair="", attendees="", risks=[risks["a"].pk])).content.decode()
    assert "请填写会议名称" in html and "请填写主持人" in html and "请填写参会人员" in html
    html = c.post(url, post_data(title="长" * 121, risks=[risks["a"].pk])).content.decode()
    assert "会议名称不能超过120字" in html
    assert not RiskMeeting.objects.exists()


def test_get_only_csrf_and_roles(sworld, risks):
    w = sworld.w
    url = reverse("screening:meeting_new")
    for user in (w.director_a, w.mediator_b, sworld.police_liaison, w.party_user):
        assert client_for(user).post(url, post_data(risks=[risks["a"].pk])).status_code == 404
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(w.sfs_officer)
    assert csrf.post(url, post_data(risks=[risks["a"].pk])).status_code == 403
    assert not RiskMeeting.objects.exists()


def test_preselected_risk_from_query(sworld, risks):
    html = client_for(sworld.w.sfs_officer).get(reverse("screening:meeting_new"), {"risk": risks["a"].pk}).content
    assert b"checked" in html
    assert client_for(sworld.w.sfs_officer).get(reverse("screening:meeting_new"), {"risk": "x"}).status_code == 200


def test_meeting_detail_hides_risks_outside(sworld, risks):
    """A city meeting discussed risks of two counties: a county admin sees the meeting only if held in its area;
    the city's page lists both."""
    w = sworld.w
    c = client_for(w.city_admin)
    resp = c.post(
        reverse("screening:meeting_new"),
        post_data(title="全市研判会", held_on=date(2026, 3, 5).isoformat(), risks=[risks["a"].pk, risks["c"].pk]),
    )
    assert resp.status_code == 302
    html = c.get(resp["Location"]).content.decode()
    assert "桂花村红色风险" in html and "嘉鱼县风险" in html
    assert client_for(w.county_admin).get(resp["Location"]).status_code == 404  # held at the city
