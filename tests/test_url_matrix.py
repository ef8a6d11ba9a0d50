"""Jurisdiction matrix: every persona × every case URL, console page and workbench page.

A case outside a user's jurisdiction does not exist for them (404 on every URL, never 403); inside, the case page
opens, an action page opens only for the actions the server offers (otherwise a redirect back with a message), and
the full ID number is revealed — and the access logged — only to the case's mediators, director and court."""

from datetime import datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from accounts.models import AccessLog
from cases import actions as A
from cases.enums import CaseSource, CaseStatus, CourtReferralType
from cases.models import Case
from cases.permissions import available_actions, can_view_full_id
from cases.views import FORMS
from demo.scenarios import Cast, Walker
from tests.world import PERSONAS, TZ, World, applicant_id, case_data, make_case

SUPERVISORS = {"sfs_officer", "county_admin", "city_admin"}  # the supervisors of village A
MEMBERS_A = {"director_a", "mediator_a", "mediator_a2"}
COMMITTEE_MEMBERS = MEMBERS_A | {"mediator_b", "mediator_c"}

# kind → (status, the applicant's portal account is party_user, court-referred)
KINDS = {
    "in_mediation": (CaseStatus.IN_MEDIATION, True, False),
    "archived": (CaseStatus.ARCHIVED, True, False),  # archived eleven years ago: the retention period is over
    "archived_in_retention": (CaseStatus.ARCHIVED, True, False),  # archived this year: 销毁 not offered
    "performing": (CaseStatus.PERFORMING, True, False),
    "not_party": (CaseStatus.IN_MEDIATION, False, False),
    "court": (CaseStatus.IN_MEDIATION, False, True),
}

# What each persona may do, written out by hand from the transition table (cases/transitions.py), so that a change
# in cases.permissions shows up here instead of being followed silently.
MEDIATING_A = [
    "record_investigation",
    "record_session",
    "extend",
    "pause",
    "draft_agreement",
    "oral_agreement",
    "terminate",
    "party_refusal",
]
# The supervisors of village A may 督办 and 催办 any open case of theirs (issue 8 §3).
SUPERVISE = {who: ["supervise", "urge"] for who in ("sfs_officer", "county_admin", "city_admin")}
_EXPECTED = {
    "in_mediation": {
        **SUPERVISE,
        "director_a": ["recuse", "terminate", "party_refusal"],
        "mediator_a": MEDIATING_A,
        # An unassigned member may no longer record a refusal (issue 8): nothing offered.
        "mediator_a2": [],
        "party_user": ["party_refusal"],
    },
    "not_party": {
        **SUPERVISE,
        "director_a": ["recuse", "terminate", "party_refusal"],
        "mediator_a": MEDIATING_A,
        # An unassigned member may no longer record a refusal (issue 8): nothing offered.
        "mediator_a2": [],
    },
    "court": {
        **SUPERVISE,
        "director_a": ["recuse", "terminate", "party_refusal"],
        "mediator_a": MEDIATING_A,
        # An unassigned member may no longer record a refusal (issue 8): nothing offered.
        "mediator_a2": [],
    },
    "archived": {"county_admin": ["dispose"]},
    "archived_in_retention": {},
    "performing": {
        **SUPERVISE,
        "mediator_a": [
            "record_payment",
            "record_follow_up",
            "confirm_performed",
            "report_non_performance",
            "remediate",
            "jc_apply",
        ],
        "party_user": ["jc_apply", "jc_request"],
    },
}
# Every member of the committee files scans of paper documents in any status but DISPOSED (issue 9 §3); the
# action's page is the scans page (cases.views_scans), not one of FORMS.
EXPECTED_ACTIONS = {
    kind: {**who, **{m: [*who.get(m, []), "attach_scan"] for m in ("director_a", "mediator_a", "mediator_a2")}}
    for kind, who in _EXPECTED.items()
}
# Joint mediation (issue 11 §6; pages of their own, cases.views_joint): in mediation, the director and the presiding
# mediator ask a mediator of another body to join; the case's mediators and the director invite participants.
for _kind in ("in_mediation", "not_party", "court"):
    EXPECTED_ACTIONS[_kind]["director_a"] += ["joint_mediator", "invite_participant"]
    EXPECTED_ACTIONS[_kind]["mediator_a"] += ["joint_mediator", "invite_participant"]
# Issue 13: 重新分类 — while open by the director and the case's mediators, once archived by the county bureau.
for _kind in ("in_mediation", "not_party", "court"):
    EXPECTED_ACTIONS[_kind]["director_a"] += ["reclassify"]
    EXPECTED_ACTIONS[_kind]["mediator_a"] += ["reclassify"]
EXPECTED_ACTIONS["performing"]["mediator_a"] += ["reclassify"]
EXPECTED_ACTIONS["performing"]["director_a"] = [*EXPECTED_ACTIONS["performing"].get("director_a", []), "reclassify"]
for _kind in ("archived", "archived_in_retention"):
    EXPECTED_ACTIONS[_kind]["county_admin"] = [*EXPECTED_ACTIONS[_kind].get("county_admin", []), "reclassify"]


def inside(persona: str, kind: str) -> bool:
    _status, has_party_user, court = KINDS[kind]
    if persona in MEMBERS_A or persona in SUPERVISORS:
        return True
    if persona == "party_user":
        return has_party_user
    if persona == "court_liaison":
        return court
    return False


def full_id_allowed(persona: str, kind: str) -> bool:
    return persona in ("director_a", "mediator_a") or (persona == "court_liaison" and KINDS[kind][2])


def build_case(world: World, kind: str):
    status, has_party_user, court = KINDS[kind]
    extra = {}
    if court:
        extra = {"source": CaseSource.REFERRED_COURT, "court": world.court, "court_mode": CourtReferralType.WEIPAI}
    case = make_case(world, status, party_user=world.party_user if has_party_user else None, **extra)
    if kind == "archived":  # a 10-year dossier archived eleven years ago (cases.retention)
        Case.objects.filter(pk=case.pk).update(archived_at=datetime.now(TZ) - timedelta(days=11 * 366))
        case.refresh_from_db()
    return case


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_urls(case) -> list[str]:
    return [f"/cases/{case.pk}/"] + [f"/cases/{case.pk}/do/{action}/" for action in FORMS]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_case_urls(world, kind, persona):
    case = build_case(world, kind)
    user = world.personas()[persona]
    client = client_for(user)
    parties = list(case.parties.all())
    full_numbers = [p.full_id_number() for p in parties]
    assert all(full_numbers)
    events = case.events.count()

    if not inside(persona, kind):
        for url in case_urls(case):
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code == 404, url
        for party in parties:
            assert client.post(f"/cases/{case.pk}/parties/{party.pk}/id-number/").status_code == 404
        assert client.get(f"/cases/{case.pk}/do/no-such-action/").status_code == 404
        assert not AccessLog.objects.exists()
        assert case.events.count() == events
        return

    # The case page: masked numbers only, never the full ones. A party is sent to the portal's case page, which
    # shows no identity numbers at all.
    response = client.get(f"/cases/{case.pk}/")
    if persona == "party_user":
        assert response.status_code == 302 and response["Location"] == f"/portal/cases/{case.pk}/"
        response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    for party, full in zip(parties, full_numbers, strict=True):
        assert full not in html
        assert party.id_number_masked == full[:3] + "*" * 11 + full[-4:]
        assert (party.id_number_masked in html) == (persona != "party_user")
    # Every staff view of a case is logged (§13.3, issue 10 point 7); a party's redirect to the portal is not.
    logged = AccessLog.objects.filter(user=user, case=case, action="VIEW_CASE").count()
    assert logged == (0 if persona == "party_user" else 1)
    reveal_buttons = html.count("查看完整号码")
    assert reveal_buttons == (len(parties) if full_id_allowed(persona, kind) else 0)

    # Action pages: 200 with the form only for the actions offered, otherwise back to the case with a message.
    # A party acts only through the portal's own pages: every staff action page is a 404 for them, even for the
    # actions the server offers them (which the portal uses).
    offered = [a for a, _label in available_actions(case, user)]
    assert offered == EXPECTED_ACTIONS.get(kind, {}).get(persona, [])
    for action in FORMS:
        url = f"/cases/{case.pk}/do/{action}/"
        response = client.get(url)
        if persona == "party_user":
            assert response.status_code == 404, url
            assert client.post(url, {"note": "试图越权操作", "reason": "试图越权操作"}).status_code == 404, url
        elif action in offered:
            assert response.status_code == 200, url
            assert response.context["form"].action == action
            assert '<form method="post"' in response.content.decode()
        else:
            assert response.status_code == 302, url
            assert response["Location"] == f"/cases/{case.pk}/"
            texts = [str(m) for m in get_messages(response.wsgi_request)]
            assert any("本案当前不能执行" in t for t in texts), (url, texts)
            # Posting to an action not offered changes nothing either.
            response = client.post(url, {"note": "试图越权操作", "reason": "试图越权操作"})
            assert response.status_code == 302, url
    assert case.events.count() == events
    assert client.get(f"/cases/{case.pk}/do/no-such-action/").status_code == 404

    # The full ID number: only for the case's mediators, director and court, and every view is logged.
    for n, (party, full) in enumerate(zip(parties, full_numbers, strict=True), start=1):
        response = client.post(f"/cases/{case.pk}/parties/{party.pk}/id-number/")
        if full_id_allowed(persona, kind):
            assert can_view_full_id(user, case)
            assert response.status_code == 200
            assert full in response.content.decode()
            assert AccessLog.objects.filter(user=user, case=case, party=party, action="VIEW_ID_NUMBER").count() == 1
            assert AccessLog.objects.filter(action="VIEW_ID_NUMBER").count() == n
        else:
            assert not can_view_full_id(user, case)
            assert response.status_code == 404
            assert full not in response.content.decode()
    if not full_id_allowed(persona, kind):
        assert not AccessLog.objects.filter(action="VIEW_ID_NUMBER").exists()
    # GET is not a way round the POST-only reveal.
    assert client.get(f"/cases/{case.pk}/parties/{parties[0].pk}/id-number/").status_code == 405


def test_reveal_refuses_a_party_of_another_case(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    other = make_case(world, CaseStatus.IN_MEDIATION, seed=1)
    client = client_for(world.mediator_a)
    stranger = other.parties.first()
    assert client.post(f"/cases/{case.pk}/parties/{stranger.pk}/id-number/").status_code == 404
    assert client.post(f"/cases/{case.pk}/parties/999999/id-number/").status_code == 404
    assert not AccessLog.objects.exists()


def test_unknown_case_is_404(world):
    client = client_for(world.mediator_a)
    assert client.get("/cases/999999/").status_code == 404
    assert client.get("/cases/999999/do/accept/").status_code == 404


CONSOLE_URLS = ["/console/", "/console/cases/", "/console/committees/", "/console/mediators/", "/console/holidays/"]
WORKBENCH_URLS = ["/workbench/", "/workbench/register/", "/workbench/cases/"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_console_pages(world, persona):
    client = client_for(world.personas()[persona])
    for url in CONSOLE_URLS:
        expected = 200 if persona in SUPERVISORS | {"other_county_admin"} else 403
        if persona == "court_liaison" and url == "/console/cases/":
            expected = 200  # the court's own list of referred and confirmation cases
        if url == "/console/committees/" and expected == 403:
            expected = 404  # the registry's pages do not exist outside the supervisors (issue 9 §1)
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_workbench_pages(world, persona):
    client = client_for(world.personas()[persona])
    for url in WORKBENCH_URLS:
        assert client.get(url).status_code == (200 if persona in COMMITTEE_MEMBERS else 403), url


def test_anonymous_is_sent_to_login_everywhere(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    party = case.parties.first()
    client = Client()
    urls = [
        *case_urls(case),
        *CONSOLE_URLS,
        *WORKBENCH_URLS,
        "/cases/",
        f"/console/committees/{world.village_a.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    for url in [*case_urls(case), f"/cases/{case.pk}/parties/{party.pk}/id-number/", "/console/holidays/"]:
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    assert not AccessLog.objects.exists()


def test_anonymous_home_is_the_public_portal(world):
    """The site root is the public portal home (what mediation is, how to apply), not a login wall."""
    response = Client().get("/")
    assert response.status_code == 200
    assert "人民调解" in response.content.decode()


def accepted_case(world: World, mediator, director, committee, n: int):
    """A case accepted at another committee (numbered), registered by that committee's own mediator."""
    data = case_data(None)
    data.parties[0].id_number = applicant_id(40 + n)
    case = A.do_register_case(mediator, committee, data, at=datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    return Walker(case, Cast(director=director, mediator=mediator), case.registered_at).walk(CaseStatus.ACCEPTED)


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("sfs_officer", {"a", "b"}),
        ("county_admin", {"a", "b"}),
        ("city_admin", {"a", "b", "c"}),
        ("other_county_admin", {"c"}),
    ],
)
def test_console_case_list_is_scoped(world, persona, sees):
    cases = {
        "a": make_case(world, CaseStatus.ACCEPTED),
        "b": accepted_case(world, world.mediator_b, world.director_b, world.village_b, 1),
        "c": accepted_case(world, world.mediator_c, world.director_c, world.village_c, 2),
    }
    assert cases["b"].case_no.startswith("（2026）柏墩人调字第")
    html = client_for(world.personas()[persona]).get("/console/cases/").content.decode()
    for key, case in cases.items():
        assert (case.case_no in html) == (key in sees), (persona, case.case_no)


# --- the registry's administration pages (issue 9 §1, §2) -------------------------------------------------------
# Every URL of registry/urls_*.py on an object of village A (tests/registry/urls_helpers.py reads them from the URL
# modules, so a page added later is covered without being listed here).
REGISTRY_ADMINS_OF_A = {"sfs_officer", "county_admin", "city_admin"}
NOT_ADMINISTRATORS = ("director_a", "mediator_a", "mediator_c", "court_liaison", "party_user", "outsider")


def test_registry_pages_send_the_anonymous_to_login(world):
    from tests.registry.urls_helpers import registry_urls, state

    urls = registry_urls(world)
    before = state()
    client = Client()
    for name, url in urls:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, name
            assert response["Location"].startswith("/accounts/login/?next="), name
    assert state() == before


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
def test_registry_pages_do_not_exist_for_non_administrators(world, persona):
    """A mediator, a director, the court, a party: every registry page and action is a 404 (not 403), GET or POST."""
    from tests.registry.urls_helpers import registry_urls, state

    urls = registry_urls(world)
    before = state()
    client = client_for(world.personas()[persona])
    post_only = {"registry_account_reset", "registry_account_deactivate", "registry_account_reactivate"}
    for name, url in urls:
        # a GET on a POST-only action is 405 whatever the id (it says nothing about any record)
        assert client.get(url).status_code == (405 if name in post_only else 404), name
        assert client.post(url, {"reason": "x", "username": "zzz", "name": "x"}).status_code == 404, name
    assert state() == before


def test_registry_pages_on_village_a_do_not_exist_for_another_county(world):
    """嘉鱼县's administrator: every page on one of 咸安区's objects is a 404 (the lists are theirs and open)."""
    from tests.registry.urls_helpers import registry_urls, state

    urls = registry_urls(world)
    before = state()
    client = client_for(world.other_county_admin)
    post_only = {"registry_account_reset", "registry_account_deactivate", "registry_account_reactivate"}
    for name, url in urls:
        if not any(ch.isdigit() for ch in url):
            continue  # a page of one's own area (list, new, terms)
        assert client.get(url).status_code == (405 if name in post_only else 404), name
        assert client.post(url, {"reason": "x", "username": "zzz", "on": "2026-01-01"}).status_code == 404, name
    assert state() == before


@pytest.mark.parametrize("persona", sorted(REGISTRY_ADMINS_OF_A))
def test_registry_pages_open_for_village_a_administrators(world, persona):
    """The administrators of village A reach every page of it (a GET on a POST-only action is 405; the 备案 file
    of the fixture has no stored file and the import preview's token was never issued, so both are the 404 that
    follows the access check; a 司法所 neither
    opens staff accounts nor administers the township's own committee, which is not village A)."""
    from tests.registry.urls_helpers import registry_urls

    client = client_for(world.personas()[persona])
    for name, url in registry_urls(world):
        expected = {200, 302, 405}
        if name in ("registry_filing_file", "registry_import_preview"):
            expected = {404}  # no stored file / a preview token never issued: the 404 after the access check
        if name == "registry_staff_account_new" and persona == "sfs_officer":
            expected = {404}
        assert client.get(url).status_code in expected, name
