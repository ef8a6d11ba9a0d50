"""The 矛调中心's pages (referrals.views_hub): who opens which page (404 outside one's door), the dispatch form, the
receiver's accept / return, the case page's dispatch action, a committee's transfer request."""

from datetime import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from accounts.models import AccessLog
from referrals import hub
from referrals.enums import DispatchKind, DispatchStatus, Tier
from referrals.models import Dispatch
from tests.referrals.hub_fixtures import HubWorld, build_hub_world, referral, walk_in
from tests.world import TZ, case_data

pytestmark = pytest.mark.django_db
MON = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
EVERYONE = (
    "county_hub_director",
    "county_hub_mediator",
    "township_hub_mediator",
    "medical_mediator",
    "other_hub_mediator",
    "police_liaison",
    "labour_liaison",
    "director_a",
    "mediator_b",
    "sfs_officer",
    "county_admin",
    "other_county_admin",
    "court_liaison",
    "party_user",
)


@pytest.fixture
def hw(world) -> HubWorld:
    return build_hub_world(world)


def person(hw: HubWorld, name: str):
    return getattr(hw, name, None) or getattr(hw.w, name)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("who", EVERYONE)
def test_the_queue_is_a_hub_members_page(hw, who):
    walk = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    ref = referral(hw, hw.court, hw.county_hub)
    response = client_for(person(hw, who)).get("/console/hub/")
    if who in ("county_hub_director", "county_hub_mediator", "township_hub_mediator", "other_hub_mediator"):
        assert response.status_code == 200
        html = response.content.decode()
        # Each hub sees its own window only.
        mine = who.startswith("county_hub")
        assert (walk.registration_no in html) == mine and (ref.reference in html) == mine
        assert hw.township_hub.name in html if who == "township_hub_mediator" else True
    else:
        assert response.status_code == 404


def test_the_queue_tabs(hw):
    walk = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    web = walk_in(hw, hw.county_hub, hw.w.party_user, at=MON, n=1)  # an application the party made on the portal
    ref = referral(hw, hw.police, hw.county_hub)
    d = hub.dispatch(walk, tier=Tier.SIMPLE, to_committee=hw.w.village_a, user=hw.county_hub_mediator, at=MON)
    c = client_for(hw.county_hub_director)
    new = c.get("/console/hub/").content.decode()
    assert walk.registration_no not in new and web.registration_no in new and ref.reference in new
    assert "公安机关（公调对接）" in new and 'id="hub-portal"' in new
    waiting = c.get("/console/hub/?tab=waiting").content.decode()
    assert walk.registration_no in waiting and hw.w.village_a.name in waiting
    hub.return_dispatch(d, hw.w.director_a, "当事人不在本村", at=datetime(2026, 3, 2, 10, tzinfo=TZ))
    returned = c.get("/console/hub/?tab=returned").content.decode()
    assert "当事人不在本村" in returned and f"/console/hub/cases/{walk.pk}/dispatch/" in returned


@pytest.mark.parametrize("who", EVERYONE)
def test_the_dispatch_form_opens_only_for_the_holding_hub(hw, who):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    ref = referral(hw, hw.court, hw.county_hub)
    c = client_for(person(hw, who))
    urls = [f"/console/hub/cases/{case.pk}/dispatch/", f"/console/hub/referrals/{ref.pk}/dispatch/"]
    for url in urls:
        response = c.get(url)
        if who in ("county_hub_director", "county_hub_mediator"):
            assert response.status_code == 200, url
            assert hw.medical.name in response.content.decode()  # an industry committee of the county
        else:
            assert response.status_code == 404, (who, url)
            assert c.post(url, {"tier": Tier.SIMPLE, "receiver": f"c{hw.w.village_a.pk}"}).status_code == 404
    assert not Dispatch.objects.exists()


def test_dispatch_by_the_form_then_accept_from_the_receivers_list(hw):
    w = hw.w
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    c = client_for(hw.county_hub_mediator)
    url = f"/console/hub/cases/{case.pk}/dispatch/"
    form = c.get(url).content.decode()
    assert hw.labour.name in form and w.village_c.name not in form and hw.other_hub.name not in form
    # A difficult one without its 包案领导: refused on the field, nothing dispatched.
    response = c.post(url, {"tier": Tier.DIFFICULT, "receiver": f"c{hw.medical.pk}"})
    assert response.status_code == 200 and "包案领导" in response.content.decode()
    assert not Dispatch.objects.exists()
    # Out of the area: not a choice.
    response = c.post(url, {"tier": Tier.SIMPLE, "receiver": f"c{w.village_c.pk}"})
    assert response.status_code == 200 and not Dispatch.objects.exists()
    response = c.post(url, {"tier": Tier.SIMPLE, "receiver": f"c{w.village_a.pk}", "note": "邻里纠纷，请就近调解"})
    d = Dispatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/hub/dispatches/{d.pk}/"
    assert d.to_committee == w.village_a and d.note == "邻里纠纷，请就近调解" and d.tier == Tier.SIMPLE
    # The form is gone while it waits for an answer.
    assert c.get(url).status_code == 302

    rc = client_for(w.mediator_a)
    listing = rc.get("/console/hub/dispatches/").content.decode()
    assert case.registration_no in listing and "接收或退回" in listing
    page = rc.get(f"/console/hub/dispatches/{d.pk}/")
    assert page.status_code == 200 and "邻里纠纷，请就近调解" in page.content.decode()
    assert AccessLog.objects.filter(user=w.mediator_a, case=case, action="VIEW_CASE").exists()
    # Visible to the sender and the supervisors above the receiver, not to another village or county.
    for who, code in [("county_hub_director", 200), ("sfs_officer", 200), ("county_admin", 200)]:
        assert client_for(person(hw, who)).get(f"/console/hub/dispatches/{d.pk}/").status_code == code, who
    for who in ("mediator_b", "other_county_admin", "police_liaison", "party_user", "township_hub_mediator"):
        other = client_for(person(hw, who))
        assert other.get(f"/console/hub/dispatches/{d.pk}/").status_code == 404, who
        assert other.post(f"/console/hub/dispatches/{d.pk}/accept/").status_code == 404, who
        assert other.post(f"/console/hub/dispatches/{d.pk}/return/", {"reason": "不归我们管"}).status_code == 404
    # The sender sees it but cannot answer it.
    response = c.post(f"/console/hub/dispatches/{d.pk}/accept/")
    assert response.status_code == 302 and any("承办单位" in t for t in texts(response))
    d.refresh_from_db()
    assert d.status == DispatchStatus.PENDING
    assert rc.get("/console/hub/dispatches/accept/").status_code == 404
    assert rc.get(f"/console/hub/dispatches/{d.pk}/accept/").status_code == 405

    response = rc.post(f"/console/hub/dispatches/{d.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.committee == w.village_a
    assert rc.get(f"/cases/{case.pk}/").status_code == 200
    assert c.get(f"/cases/{case.pk}/").status_code == 404  # no longer the hub's


def test_return_needs_a_reason(hw):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.ORDINARY, to_committee=hw.w.township, user=hw.county_hub_mediator, at=MON)
    rc = client_for(hw.township_director)
    url = f"/console/hub/dispatches/{d.pk}/return/"
    assert rc.get(url).status_code == 200
    assert rc.post(url, {"reason": ""}).status_code == 200
    d.refresh_from_db()
    assert d.status == DispatchStatus.PENDING
    response = rc.post(url, {"reason": "属于医疗纠纷，应由行业调委会办理"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == DispatchStatus.RETURNED and d.return_reason == "属于医疗纠纷，应由行业调委会办理"
    assert rc.get(url).status_code == 302  # answered: no second answer
    detail = client_for(hw.county_hub_director).get(f"/console/hub/dispatches/{d.pk}/").content.decode()
    assert "属于医疗纠纷，应由行业调委会办理" in detail and "退回分流交办" in detail


def test_a_department_liaison_answers_from_its_list(hw):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.ORDINARY, to_institution=hw.labour, user=hw.county_hub_mediator, at=MON)
    lc = client_for(hw.labour_liaison)
    assert case.registration_no in lc.get("/console/hub/dispatches/").content.decode()
    assert client_for(hw.police_liaison).get(f"/console/hub/dispatches/{d.pk}/").status_code == 404
    response = lc.post(f"/console/hub/dispatches/{d.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == f"/console/hub/dispatches/{d.pk}/"
    d.refresh_from_db()
    assert d.status == DispatchStatus.ACCEPTED


def test_the_case_page_offers_dispatch_to_hub_members_only(hw):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    c = client_for(hw.county_hub_director)
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/do/dispatch/" in page
    response = c.get(f"/cases/{case.pk}/do/dispatch/")
    assert response.status_code == 302 and response["Location"] == f"/console/hub/cases/{case.pk}/dispatch/"
    # A village's own intake case: no dispatch (it asks for a transfer instead).
    village_case = walk_in(hw, hw.w.village_a, hw.w.mediator_a, at=MON, n=2)
    vc = client_for(hw.w.mediator_a)
    assert "/do/dispatch/" not in vc.get(f"/cases/{village_case.pk}/").content.decode()
    response = vc.get(f"/cases/{village_case.pk}/do/dispatch/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{village_case.pk}/"
    assert vc.get(f"/cases/{case.pk}/do/dispatch/").status_code == 404  # the hub's case
    assert client_for(hw.w.county_admin).get(f"/cases/{case.pk}/do/dispatch/").status_code == 302
    assert client_for(hw.w.party_user).get(f"/cases/{case.pk}/do/dispatch/").status_code == 404


def test_a_village_asks_to_transfer_up_and_the_hub_accepts(hw):
    w = hw.w
    from cases import actions as A

    case = A.do_register_case(w.mediator_a, w.village_a, case_data(None), at=MON)
    url = f"/console/hub/cases/{case.pk}/transfer/"
    for who in ("mediator_b", "county_hub_director", "police_liaison", "party_user"):
        assert client_for(person(hw, who)).get(url).status_code == 404, who
    vc = client_for(w.mediator_a)
    form = vc.get(url).content.decode()
    assert hw.township_hub.name in form and w.village_c.name not in form
    assert vc.post(url, {"to_committee": hw.township_hub.pk, "reason": ""}).status_code == 200
    response = vc.post(url, {"to_committee": hw.township_hub.pk, "reason": "涉及多个村民小组，需街道调处"})
    d = Dispatch.objects.get()
    assert response.status_code == 302 and d.kind == DispatchKind.TRANSFER_UP
    hc = client_for(hw.township_hub_mediator)
    assert case.registration_no in hc.get("/console/hub/").content.decode()  # the hub's incoming
    assert hc.post(f"/console/hub/dispatches/{d.pk}/accept/").status_code == 302
    case.refresh_from_db()
    assert case.committee == hw.township_hub
    assert vc.get(url).status_code == 404  # no longer the village's case


def test_dispatch_a_referral_and_accept_it(hw):
    ref = referral(hw, hw.court, hw.county_hub)
    c = client_for(hw.county_hub_director)
    url = f"/console/hub/referrals/{ref.pk}/dispatch/"
    form = c.get(url).content.decode()
    assert hw.labour.name not in form  # a referral goes to a mediation body
    response = c.post(url, {"tier": Tier.ORDINARY, "receiver": f"c{hw.medical.pk}"})
    d = Dispatch.objects.get()
    assert response.status_code == 302 and d.referral == ref
    mc = client_for(hw.medical_mediator)
    detail = mc.get(f"/console/hub/dispatches/{d.pk}/").content.decode()
    assert ref.reference in detail and "接收并受理" not in detail  # the director's (it accepts the referral)
    assert AccessLog.objects.filter(user=hw.medical_mediator, action="VIEW_REFERRAL").exists()
    assert mc.post(f"/console/hub/dispatches/{d.pk}/accept/").status_code == 302
    ref.refresh_from_db()
    assert ref.receiver == hw.medical


def test_anonymous_is_sent_to_login(hw):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.SIMPLE, to_committee=hw.w.village_a, user=hw.county_hub_mediator, at=MON)
    for url in (
        "/console/hub/",
        "/console/hub/dispatches/",
        f"/console/hub/dispatches/{d.pk}/",
        f"/console/hub/dispatches/{d.pk}/return/",
        f"/console/hub/cases/{case.pk}/dispatch/",
        f"/console/hub/cases/{case.pk}/transfer/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert Client().post(f"/console/hub/dispatches/{d.pk}/accept/").status_code == 302
    d.refresh_from_db()
    assert d.status == DispatchStatus.PENDING


def test_the_county_bureau_makes_a_committee_a_hub(hw):
    """The committee form's 矛调中心 checkbox (registry.org_forms): the menu and the queue follow it."""
    from tests.registry.orgs_helpers import edit_post

    w = hw.w
    admin = client_for(w.county_admin)
    url = f"/console/registry/committees/{w.township.pk}/edit/"
    assert "矛调中心（统一受理、分流交办）" in admin.get(url).content.decode()
    assert client_for(hw.township_director).get("/console/hub/").status_code == 404
    response = admin.post(url, edit_post(w.county_admin, w.township, is_hub="on"))
    assert response.status_code == 302
    w.township.refresh_from_db()
    assert w.township.is_hub
    c = client_for(hw.township_director)
    assert c.get("/console/hub/").status_code == 200
    assert "/console/hub/" in c.get("/workbench/").content.decode()  # the menu's 统一受理
    admin.post(url, edit_post(w.county_admin, w.township))
    w.township.refresh_from_db()
    assert not w.township.is_hub


def test_a_director_accepts_the_dispatch_and_the_referral_in_one_go(hw):
    """“接收并受理”: the dispatch accepted, then the referral accepted through referrals.services (a numbered case
    of the receiving committee); the institution hears of the acceptance, not of the dispatch."""
    from referrals.enums import ReferralStatus

    w = hw.w
    ref = referral(hw, hw.police, hw.county_hub)
    d = hub.dispatch(ref, tier=Tier.SIMPLE, to_committee=w.village_a, user=hw.county_hub_director, at=MON)
    c = client_for(w.director_a)
    assert "接收并受理" in c.get(f"/console/hub/dispatches/{d.pk}/").content.decode()
    response = c.post(f"/console/hub/dispatches/{d.pk}/accept/", {"and_accept": "1"})
    ref.refresh_from_db()
    assert ref.status == ReferralStatus.ACCEPTED and ref.case is not None
    assert response.status_code == 302 and response["Location"] == f"/cases/{ref.case_id}/"
    assert ref.case.committee == w.village_a and ref.case.case_no.startswith("（2026）桂花人调字第")
    d.refresh_from_db()
    assert d.status == DispatchStatus.ACCEPTED
    from api.models import WebhookEvent

    types = list(WebhookEvent.objects.values_list("event_type", flat=True))
    assert "referral.accepted" in types and not [t for t in types if "dispatch" in t]
