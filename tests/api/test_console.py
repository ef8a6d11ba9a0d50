"""The console's API pages: a role × jurisdiction matrix over every page and action (county and city
administrators within their area; another county's administrator, a 司法所, committee members, liaisons and
parties get 404 and nothing is written), secrets shown once on no-store pages, CSRF on every POST."""

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

from accounts.models import AccessKind, AccessLog, Role, User
from api import clients as C
from api import webhooks
from api.models import ApiClient, DeliveryState, WebhookDelivery, WebhookEndpoint
from referrals.enums import Channel
from referrals.models import Institution
from registry.models import Division

OUTSIDERS = ["other_county_admin", "sfs_officer", "director_a", "mediator_a", "court_liaison", "party_user", "liaison"]
INSIDERS = ["county_admin", "city_admin"]
EVERYONE = INSIDERS + OUTSIDERS


@pytest.fixture
def people(world, court_institution):
    persons = dict(world.personas())
    persons["liaison"] = User.objects.create_user(
        username="liaison", password="x-pass-1234", role=Role.INSTITUTION_LIAISON, institution=court_institution
    )
    return persons


def client_for(user: User, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


@pytest.fixture
def things(world, court_institution, receiver, fast_schedule, django_capture_on_commit_callbacks):
    """A client, an endpoint and a delivered event of the court in 咸安区."""
    api_client, _ = C.create_client(court_institution, "诉讼服务平台", ["referrals:read"], world.county_admin)
    endpoint, _ = C.add_endpoint(court_institution, receiver.url, by=world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit("referral.accepted", institution=court_institution, data={"status": "ACCEPTED"})
    return {"client": api_client, "endpoint": endpoint, "delivery": WebhookDelivery.objects.get()}


LIST_PAGES = ["console:institutions", "console:institution_new", "console:api_clients", "console:api_client_new",
              "console:webhook_endpoint_new", "console:webhook_deliveries"]  # fmt: skip


@pytest.mark.parametrize("persona", EVERYONE)
def test_list_pages(people, persona, things):
    client = client_for(people[persona])
    allowed = persona in INSIDERS or persona == "other_county_admin"  # an administrator of another area: own area
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == (200 if allowed else 404), name


@pytest.mark.parametrize("persona", ["county_admin", "city_admin", "other_county_admin"])
def test_lists_show_only_the_area(people, persona, things, police_institution):
    client = client_for(people[persona])
    sees_court = persona != "other_county_admin"
    sees_police = persona != "county_admin"
    body = client.get(reverse("console:institutions")).content.decode()
    assert ("咸安区人民法院" in body) == sees_court and ("鱼岳派出所" in body) == sees_police
    body = client.get(reverse("console:api_clients")).content.decode()
    assert ("诉讼服务平台" in body) == sees_court
    body = client.get(reverse("console:webhook_deliveries")).content.decode()
    assert (reverse("console:webhook_delivery", args=[things["delivery"].pk]) in body) == sees_court
    form = client.get(reverse("console:api_client_new")).content.decode()
    assert (f'value="{things["client"].institution_id}"' in form) == sees_court


def _detail_urls(things, court_institution):
    return {
        "institution": reverse("console:institution", args=[court_institution.pk]),
        "client": reverse("console:api_client", args=[things["client"].pk]),
        "endpoint": reverse("console:webhook_endpoint", args=[things["endpoint"].pk]),
        "delivery": reverse("console:webhook_delivery", args=[things["delivery"].pk]),
    }


@pytest.mark.parametrize("persona", EVERYONE)
def test_detail_pages(people, persona, things, court_institution):
    client = client_for(people[persona])
    for what, url in _detail_urls(things, court_institution).items():
        assert client.get(url).status_code == (200 if persona in INSIDERS else 404), what


@pytest.mark.parametrize("persona", EVERYONE)
def test_actions_outside_the_area_write_nothing(people, persona, things, court_institution):
    allowed = persona in INSIDERS
    client = client_for(people[persona])
    api_client, endpoint, delivery = things["client"], things["endpoint"], things["delivery"]
    secret_rows = AccessLog.objects.filter(action=AccessKind.API_CLIENT_SECRET).count()

    r = client.post(reverse("console:api_client_rotate", args=[api_client.pk]))
    assert r.status_code == (200 if allowed else 404)
    r = client.post(reverse("console:webhook_endpoint", args=[endpoint.pk]), {"action": "rotate"})
    assert r.status_code == (200 if allowed else 404)
    r = client.post(reverse("console:webhook_replay", args=[delivery.pk]))
    assert r.status_code == (302 if allowed else 404)
    r = client.post(reverse("console:webhook_endpoint", args=[endpoint.pk]), {"action": "disable", "reason": "维护"})
    assert r.status_code == (302 if allowed else 404)
    r = client.post(reverse("console:api_client_revoke", args=[api_client.pk]))
    assert r.status_code == (302 if allowed else 404)
    r = client.post(reverse("console:institution", args=[court_institution.pk]), {
        "kind": Channel.COURT, "name": "改名法院", "code": "XA-COURT", "division": "421202",
        "court": court_institution.court_id, "is_active": "on",
    })  # fmt: skip
    assert r.status_code == (302 if allowed else 404)

    api_client.refresh_from_db()
    endpoint.refresh_from_db()
    court_institution.refresh_from_db()
    assert api_client.is_active != allowed
    assert endpoint.is_active != allowed
    assert (court_institution.name == "改名法院") == allowed
    assert (WebhookDelivery.objects.count() == 2) == allowed
    assert AccessLog.objects.filter(action=AccessKind.API_CLIENT_SECRET).count() == secret_rows + (2 if allowed else 0)


def test_new_client_secret_is_shown_once_on_a_no_store_page(people, court_institution):
    admin = client_for(people["county_admin"])
    response = admin.post(reverse("console:api_client_new"), {
        "institution": court_institution.pk, "name": "诉讼服务平台", "scopes": ["referrals:write", "referrals:read"],
    })  # fmt: skip
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    api_client = ApiClient.objects.get()
    assert check_password(secret, api_client.application.client_secret)
    assert secret in response.content.decode() and api_client.application.client_id in response.content.decode()
    row = AccessLog.objects.get(action=AccessKind.API_CLIENT_SECRET)
    assert row.user == people["county_admin"] and "POST" in row.detail
    # Nowhere else: the client's page, the lists.
    for url in (reverse("console:api_client", args=[api_client.pk]), reverse("console:api_clients"),
                reverse("console:institution", args=[court_institution.pk])):  # fmt: skip
        assert secret not in admin.get(url).content.decode()


def test_new_endpoint_secret_is_shown_once(people, court_institution):
    admin = client_for(people["city_admin"])
    response = admin.post(reverse("console:webhook_endpoint_new"), {
        "institution": court_institution.pk, "url": "https://court.example/hooks", "event_types": ["referral.accepted"],
    })  # fmt: skip
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == "referral.accepted"
    assert secret not in admin.get(reverse("console:webhook_endpoint", args=[endpoint.pk])).content.decode()


def test_an_institution_outside_the_area_cannot_be_chosen(people, police_institution):
    admin = client_for(people["county_admin"])
    response = admin.post(reverse("console:api_client_new"), {
        "institution": police_institution.pk, "name": "x", "scopes": ["referrals:read"],
    })  # fmt: skip
    assert response.status_code == 200 and "institution" in response.context["form"].errors
    assert not ApiClient.objects.exists()


def test_institution_new_within_the_area(people, world, hub):
    admin = client_for(people["county_admin"])
    url = reverse("console:institution_new")
    assert f'value="{hub.pk}" selected' in admin.get(url).content.decode()  # the area's 矛调中心 by default
    data = {"kind": Channel.POLICE, "name": "咸安区公安分局温泉派出所", "code": "XA-POLICE-WQ",
            "division": "421202001", "default_receiver": hub.pk}  # fmt: skip
    response = admin.post(url, {**data, "division": "421221100"})  # a township of another county
    assert response.status_code == 200 and "division" in response.context["form"].errors
    response = admin.post(url, {**data, "default_receiver": world.village_c.pk})  # a committee of another county
    assert response.status_code == 200 and "default_receiver" in response.context["form"].errors
    response = admin.post(url, {**data, "court": world.court.pk})
    assert response.status_code == 200 and "court" in response.context["form"].errors
    response = admin.post(url, data)
    assert response.status_code == 302
    created = Institution.objects.get(code="XA-POLICE-WQ")
    assert created.division == Division.objects.get(code="421202001") and created.default_receiver == hub


def test_a_court_institution_needs_its_court(people, hub):
    admin = client_for(people["county_admin"])
    data = {"kind": Channel.COURT, "name": "某法院", "code": "C1", "division": "421202", "default_receiver": hub.pk}
    response = admin.post(reverse("console:institution_new"), data)
    assert response.status_code == 200 and "court" in response.context["form"].errors


@pytest.mark.parametrize(
    "name,args,data",
    [
        ("console:api_client_rotate", "client", {}),
        ("console:api_client_revoke", "client", {}),
        ("console:webhook_replay", "delivery", {}),
        ("console:webhook_endpoint", "endpoint", {"action": "rotate"}),
        ("console:webhook_endpoint", "endpoint", {"action": "disable", "reason": "x"}),
        ("console:api_client_new", None, {"name": "x", "scopes": ["referrals:read"]}),
        ("console:webhook_endpoint_new", None, {"url": "https://x.example/h"}),
        ("console:institution_new", None, {"kind": "POLICE", "name": "x", "code": "x", "division": "421202"}),
    ],
)
def test_every_post_needs_csrf(people, things, court_institution, name, args, data):
    admin = client_for(people["county_admin"], csrf=True)
    url = reverse(name, args=[things[args].pk]) if args else reverse(name)
    if name.endswith("_new") and name != "console:institution_new":
        data = {**data, "institution": court_institution.pk}
    before = (ApiClient.objects.filter(revoked_at__isnull=True).count(), WebhookDelivery.objects.count(),
              WebhookEndpoint.objects.filter(is_active=True).count(), Institution.objects.count())  # fmt: skip
    assert admin.post(url, data).status_code == 403
    after = (ApiClient.objects.filter(revoked_at__isnull=True).count(), WebhookDelivery.objects.count(),
             WebhookEndpoint.objects.filter(is_active=True).count(), Institution.objects.count())  # fmt: skip
    assert before == after


def test_get_does_not_change_anything(people, things):
    admin = client_for(people["county_admin"])
    assert admin.get(reverse("console:api_client_rotate", args=[things["client"].pk])).status_code == 405
    assert admin.get(reverse("console:webhook_replay", args=[things["delivery"].pk])).status_code == 405


def test_replay_from_the_console(people, things, receiver, django_capture_on_commit_callbacks):
    admin = client_for(people["county_admin"])
    delivery = things["delivery"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("console:webhook_replay", args=[delivery.pk]))
    new = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("console:webhook_delivery", args=[new.pk])
    assert new.status == DeliveryState.DELIVERED
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.event.msg_id}
    page = admin.get(reverse("console:webhook_delivery", args=[new.pk])).content.decode()
    assert "重新推送" in page and people["county_admin"].display_name in page


def test_deliveries_filter(people, things, court_institution):
    admin = client_for(people["county_admin"])
    url = reverse("console:webhook_deliveries")
    row = reverse("console:webhook_delivery", args=[things["delivery"].pk])
    assert row in admin.get(url, {"status": "DELIVERED"}).content.decode()
    assert row not in admin.get(url, {"status": "FAILED"}).content.decode()
    assert row not in admin.get(url, {"event_type": "referral.declined"}).content.decode()
    assert row in admin.get(url, {"event_type": "referral.accepted"}).content.decode()
    assert row in admin.get(url, {"institution": court_institution.pk}).content.decode()


def test_menu_links_for_admins_only(people):
    from accounts.navigation import menu_for

    def names(user):
        flat = []
        for item in menu_for(user):
            flat += [item, *item.children]
        return {i.url for i in flat}

    assert reverse("console:api_clients") in names(people["county_admin"])
    assert reverse("console:webhook_deliveries") in names(people["city_admin"])
    assert reverse("console:api_clients") not in names(people["sfs_officer"])
