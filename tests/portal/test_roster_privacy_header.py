"""Issue 9 §8 (the public roster) and §9 (the portal's header badge, the privacy notice behind the consent boxes).

The roster follows the registry: only serving committees and mediators, paginated, with a count that equals what
the pages hold. The privacy notice is public and reachable from every consent box."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cases.enums import CaseStatus
from cases.models import Case, Notification
from portal.places import ROSTER_PER_PAGE
from registry.models import Committee, CommitteeType, Mediator, MediatorCategory
from tests.portal.helpers import invite_code, phone_login
from tests.portal.test_portal_rules import _fill_application
from tests.world import make_case

pytestmark = pytest.mark.django_db
PHONE = "13712345678"


def _html(response) -> str:
    return response.content.decode()


def _roster(client: Client, **params) -> tuple[int, list[str], str]:
    response = client.get("/portal/roster/", params)
    assert response.status_code == 200
    html = _html(response)
    count = int(re.search(r"共 (\d+) 个调解组织", html).group(1))
    names = re.findall(r'<h2 class="h5 mb-1">([^<]+)</h2>', html)
    return count, names, html


def _all_pages(client: Client, **params) -> tuple[int, list[str]]:
    count, names, html = _roster(client, **params)
    seen, page = list(names), 1
    while "下一页" in html:
        page += 1
        _, names, html = _roster(client, page=str(page), **params)
        seen += names
    return count, seen


@pytest.fixture
def many(world):
    """25 more committees in 温泉街道, one inactive and one deactivated yesterday among them."""
    made = []
    for i in range(25):
        made.append(
            Committee.objects.create(
                name=f"温泉街道第{i + 1:02d}调解工作室",
                short_name=f"温泉{i:02d}",
                committee_type=CommitteeType.SUBDISTRICT,
                division=world.township.division,
            )
        )
    Committee.objects.filter(pk=made[3].pk).update(is_active=False)
    Committee.objects.filter(pk=made[4].pk).update(deactivated_on=timezone.localdate() - timedelta(days=1))
    return made


def test_the_roster_count_equals_what_its_pages_hold(world, many):
    client = Client()
    serving = 4 + 25 - 2
    count, names = _all_pages(client)
    assert count == serving == len(names) == len(set(names))
    assert many[3].name not in names and many[4].name not in names
    first_count, first, html = _roster(client)
    assert len(first) == ROSTER_PER_PAGE and "第 1 / 2 页" in html
    # a search or an area keeps its count across the pages too
    count, names = _all_pages(client, county="421202", township="421202001", q="工作室")
    assert count == len(names) == 23
    assert _roster(client, county="421221")[0] == 1  # 嘉鱼县: 城关村 only


def test_garbage_page_numbers_show_a_page(world, many):
    client = Client()
    for raw in ["0", "-1", "x", "99999999999999999999", "²"]:
        assert client.get("/portal/roster/", {"page": raw}).status_code == 200


def test_the_roster_follows_the_registry(world):
    client = Client()
    today = timezone.localdate()
    before = _roster(client, county="421202")
    assert before[0] == 3 and "李调解" in before[2]
    # a mediator who left (is_active off, or a 离任日期 reached) and a committee deactivated leave the roster
    Mediator.objects.filter(name="李调解").update(is_active=False)
    Mediator.objects.filter(name="赵调解").update(left_on=today)
    Mediator.objects.create(
        committee=world.village_a,
        name="钱将来",
        gender="M",
        category=MediatorCategory.PART_TIME,
        left_on=today + timedelta(days=30),
    )  # leaving next month: still serving
    world.village_b.is_active = False
    world.village_b.save()
    count, names, html = _roster(client, county="421202")
    assert count == 2 and world.village_b.name not in names
    assert "李调解" not in html and "赵调解" not in html and "王主任" in html and "钱将来" in html
    # nor are they found by a search for their names
    assert _roster(client, q="李调解")[0] == 0 and _roster(client, q="赵调解")[0] == 0
    # a new committee appears at once
    Committee.objects.create(
        name="咸安区医疗纠纷人民调解委员会",
        short_name="咸医",
        committee_type=CommitteeType.SOCIAL_ORG_OTHER,
        division=world.township.division.parent,
    )
    assert _roster(client, county="421202")[0] == 3


# --- the header badge ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("unread", "shown"), [(0, None), (1, "1"), (3, "3"), (120, "99+")])
def test_the_header_badge_counts_the_partys_unread_notices(world, unread, shown):
    Notification.objects.filter(user=world.party_user).delete()
    for i in range(unread):
        Notification.objects.create(user=world.party_user, message=f"通知{i}")
    Notification.objects.create(user=world.party_user, message="已读", read_at=timezone.now())
    Notification.objects.create(user=world.outsider, message="别人的通知")  # another person's: not counted
    client = Client()
    client.force_login(world.party_user)
    header = _html(client.get("/portal/")).split("<header")[1].split("</header>")[0]
    badge = re.search(r'<span class="badge[^"]*"[^>]*>([^<]+)</span>', header)
    if shown is None:
        assert badge is None and "条未读" not in header
    else:
        assert badge.group(1) == shown and f"{unread}条未读" in header


# --- the privacy notice --------------------------------------------------------------------------------------


def _privacy_link(html: str) -> str:
    links = re.findall(r'href="([^"]+)"[^>]*>《个人信息保护说明》', html)
    assert links, "no privacy link next to the consent"
    return links[0]


def _check_notice(url: str) -> None:
    response = Client().get(url)  # public: no sign-in
    assert response.status_code == 200
    text = _html(response)
    for must in [
        "我们收集哪些信息",
        "为什么收集",
        "敏感个人信息",
        "保存多久",
        "您的权利",
        "有问题找谁",
        "咸宁市司法局",
        "12348",
    ]:
        assert must in text, must
    assert "永久保存" in text and "保存30年" in text and "保存10年" in text and "至少保存6个月" in text


def test_the_consent_boxes_link_to_the_privacy_notice(world):
    applicant = Client()
    phone_login(applicant, PHONE)
    _fill_application(applicant, respondent_phone="13766665555")
    confirm = _html(applicant.get("/portal/apply/confirm/"))
    assert "我同意调委会为调解本纠纷处理我提供的个人信息" in confirm
    _check_notice(_privacy_link(confirm))
    applicant.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
    case = Case.objects.get()
    other = Client()
    phone_login(other, "13766665555", ip="10.0.0.9")
    join = _html(other.post("/portal/join/", {"code": invite_code("13766665555")}))
    assert "加入案件" in join
    _check_notice(_privacy_link(join))
    other.post("/portal/join/", {"code": invite_code("13766665555"), "confirm": "1"})
    consent = _html(other.get(f"/portal/cases/{case.pk}/consent/"))
    assert "是否同意由人民调解委员会调解" in consent
    _check_notice(_privacy_link(consent))


def test_a_party_sees_the_committees_of_their_own_cases_as_contacts(world):
    world.village_a.phone = "0715-8123456"
    world.village_a.save()
    make_case(world, CaseStatus.IN_MEDIATION)
    client = Client()
    client.force_login(world.party_user)
    html = _html(client.get("/portal/privacy/"))
    assert world.village_a.name in html and "0715-8123456" in html
    assert world.village_c.name not in html
    anonymous = _html(Client().get("/portal/privacy/"))
    assert world.village_a.name not in anonymous and "调解组织名册" in anonymous


def test_the_privacy_notice_is_in_the_footer(world):
    assert "/portal/privacy/" in _html(Client().get("/portal/roster/"))
