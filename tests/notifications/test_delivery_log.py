"""The delivery log's scope: each administrator sees the messages of their area (a county not the next county's,
the 司法所 its township, the city all of its counties); everyone else gets a 404 for the list, a message and its
retry. Secret bodies are never shown; the retry needs CSRF; the filters work."""

import pytest
from django.test import Client

from cases import actions as A
from cases.enums import CaseStatus
from notifications.enums import DeliveryStatus, NoticeKind
from notifications.models import OutboxMessage
from tests.world import PERSONAS, case_data, make_case

LOG = "/notifications/delivery/"
AREA = {  # persona → which of the two areas' messages they see
    "county_admin": {"A"},
    "sfs_officer": {"A"},
    "other_county_admin": {"C"},
    "city_admin": {"A", "C"},
}


def client_for(user, **kw) -> Client:
    c = Client(**kw)
    c.force_login(user)
    return c


@pytest.fixture
def two_areas(world):
    """A failed message of a case at 桂花村 (咸安区, 温泉街道) and one at 城关村 (嘉鱼县)."""
    case_a = make_case(world, CaseStatus.INTAKE)
    case_c = A.do_register_case(world.director_c, world.village_c, case_data(world.party_user))
    msgs = {"A": OutboxMessage.objects.filter(case=case_a).first(), "C": OutboxMessage.objects.get(case=case_c)}
    for msg in msgs.values():
        msg.status, msg.attempts, msg.last_error = DeliveryStatus.FAILED, 5, "GatewayDown: 短信网关连接超时"
        msg.save()
    OutboxMessage.objects.exclude(pk__in=[m.pk for m in msgs.values()]).update(status=DeliveryStatus.SENT)
    return msgs


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_only_their_areas_messages(world, two_areas, persona):
    client = client_for(getattr(world, persona))
    seen = AREA.get(persona)
    if seen is None:  # committees, courts, parties, outsiders: the log does not exist for them
        assert client.get(LOG).status_code == 404
        for msg in two_areas.values():
            assert client.get(f"{LOG}{msg.pk}/").status_code == 404
            assert client.post(f"{LOG}{msg.pk}/retry/").status_code == 404
        assert OutboxMessage.objects.filter(status=DeliveryStatus.FAILED).count() == 2
        return
    page = client.get(f"{LOG}?status=FAILED").content.decode()
    for area, msg in two_areas.items():
        link = f'href="{LOG}{msg.pk}/"'
        if area in seen:
            assert link in page
            assert client.get(f"{LOG}{msg.pk}/").status_code == 200
        else:
            assert link not in page
            assert client.get(f"{LOG}{msg.pk}/").status_code == 404
            assert client.post(f"{LOG}{msg.pk}/retry/").status_code == 404
            msg.refresh_from_db()
            assert msg.status == DeliveryStatus.FAILED and msg.retry_requested_by is None


def test_the_list_masks_numbers_and_filters_by_status_and_kind(world, two_areas):
    county = client_for(world.county_admin)
    page = county.get(LOG).content.decode()
    assert "139****0001" in page and "13900000001" not in page and "GatewayDown" in page
    failed = county.get(f"{LOG}?status=FAILED").content.decode()
    sent = county.get(f"{LOG}?status=SENT").content.decode()
    assert f'href="{LOG}{two_areas["A"].pk}/"' in failed and f'href="{LOG}{two_areas["A"].pk}/"' not in sent
    none = county.get(f"{LOG}?kind=SUPERVISION").content.decode()
    assert "没有符合条件的短信" in none
    assert county.get(f"{LOG}?status=NOPE&kind=<script>").status_code == 200  # bad filters: ignored, no error


def test_verification_code_bodies_are_never_shown(world):
    msg = OutboxMessage.objects.create(
        kind=NoticeKind.LOGIN_CODE,
        division_code="421202001001",
        address="13912345678",
        body="【人民调解】您的验证码是482913，5分钟内有效。请勿告诉他人。",
        status=DeliveryStatus.FAILED,
    )
    county = client_for(world.county_admin)
    for path in (LOG, f"{LOG}{msg.pk}/"):
        page = county.get(path).content.decode()
        assert "482913" not in page and "139****5678" in page
    assert "验证码短信（内容不显示）" in county.get(f"{LOG}{msg.pk}/").content.decode()


def test_a_login_code_to_a_bare_number_belongs_to_no_area(world):
    """A code sent before sign-in concerns no case and no jurisdiction: no administrator's log lists it."""
    from notifications.services import queue_sms

    msg = queue_sms("13912345678", "您的验证码是111111", NoticeKind.LOGIN_CODE)
    assert msg.division_code == ""
    for persona in AREA:
        assert client_for(getattr(world, persona)).get(f"{LOG}{msg.pk}/").status_code == 404


def test_retry_needs_the_csrf_token(world, two_areas):
    msg = two_areas["A"]
    client = client_for(world.county_admin, enforce_csrf_checks=True)
    assert client.post(f"{LOG}{msg.pk}/retry/").status_code == 403
    assert client.get(f"{LOG}{msg.pk}/retry/").status_code == 405
    msg.refresh_from_db()
    assert msg.status == DeliveryStatus.FAILED


def test_the_console_menu_has_the_log_for_county_and_city(world):
    from accounts.navigation import menu_for

    def urls(user) -> set[str]:
        return {c.url for item in menu_for(user) for c in (item.children or (item,))}

    assert LOG in urls(world.county_admin) and LOG in urls(world.city_admin)
    assert LOG not in urls(world.mediator_a) and LOG not in urls(world.party_user)
