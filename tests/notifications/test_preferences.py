"""Who hears of what: the preference page per role, SMS queued only for people and kinds that want it, defaults
and supervisor roles from data/notice_rules.json (with a jurisdiction's override), and notice rows that exist
exactly when the action committed."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import Client

from cases import actions as A
from cases.enums import CaseStatus
from cases.models import Notification
from notifications import rules
from notifications.enums import NoticeKind
from notifications.models import NoticePreference, OutboxMessage
from notifications.services import notify, notify_supervisors, wants_sms
from tests.world import case_data, make_case


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def sms_to(user) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(user=user))


def test_the_page_lists_the_kinds_of_the_persons_role_with_the_configured_default(world):
    page = client_for(world.party_user).get("/notifications/preferences/").content.decode()
    assert "案件进展" in page and "案件消息与预约" in page and "督办" not in page
    assert 'name="kind_CASE_PROGRESS" id="k_CASE_PROGRESS_sms" value="sms" autocomplete="off" checked' in page
    assert 'name="kind_MESSAGE" id="k_MESSAGE_app" value="app" autocomplete="off" checked' in page
    assert "人民调解在线服务" in page  # a party's page is in the portal's frame, linked from the portal notices
    assert "/notifications/preferences/" in client_for(world.party_user).get("/portal/notices/").content.decode()
    page = client_for(world.county_admin).get("/notifications/preferences/").content.decode()
    assert "调解终止且有激化风险" in page and "拒绝受理法院委派案件" in page and "督办逾期未反馈" in page
    assert "案件录入逾期" in page and "验证码" not in page
    # linked from the notices page
    notices = client_for(world.mediator_a).get("/accounts/notifications/").content.decode()
    assert "/notifications/preferences/" in notices


def test_a_party_who_chooses_in_app_only_gets_the_notice_but_no_sms(world):
    party = client_for(world.party_user)
    r = party.post("/notifications/preferences/", {"kind_CASE_PROGRESS": "app", "kind_MESSAGE": "sms"})
    assert r.status_code == 302
    prefs = dict(NoticePreference.objects.filter(user=world.party_user).values_list("kind", "sms"))
    assert prefs == {NoticeKind.CASE_PROGRESS: False, NoticeKind.MESSAGE: True}
    case = make_case(world, CaseStatus.ACCEPTED)
    assert Notification.objects.filter(user=world.party_user, case=case).exists()
    assert sms_to(world.party_user) == []
    # the default (no choice made) would have sent them: another party account still gets them
    assert wants_sms(world.outsider, NoticeKind.CASE_PROGRESS)


def test_kinds_outside_the_role_and_garbage_are_not_saved(world):
    client_for(world.party_user).post(
        "/notifications/preferences/", {"kind_SUPERVISION": "sms", "kind_CASE_PROGRESS": "maybe", "kind_X": "sms"}
    )
    assert not NoticePreference.objects.filter(user=world.party_user).exists()


@pytest.mark.parametrize(
    ("kind", "chosen", "expected"),
    [
        (NoticeKind.SUPERVISION, None, True),  # staff default: SMS for what presses them
        (NoticeKind.CASE_PROGRESS, None, False),
        (NoticeKind.CASE_PROGRESS, True, True),
        (NoticeKind.SUPERVISION, False, False),
    ],
)
def test_staff_sms_follows_the_choice_else_the_default(world, kind, chosen, expected):
    mediator = world.mediator_a
    mediator.phone = "13800000011"
    mediator.save(update_fields=["phone"])
    if chosen is not None:
        NoticePreference.objects.create(user=mediator, kind=kind, sms=chosen)
    with transaction.atomic():
        notify([mediator, world.mediator_a2], kind, "测试通知", sms="测试短信")
    assert Notification.objects.filter(user=mediator, kind=kind).count() == 1
    assert [m.kind for m in sms_to(mediator)] == ([kind] if expected else [])
    assert sms_to(world.mediator_a2) == []  # no phone on the account: never an SMS


def test_message_notices_go_by_sms_only_to_those_who_chose_it(world):
    from tests.messaging.helpers import build_scene

    scene = build_scene(world)
    for user, phone in ((world.mediator_a, "13800000011"), (scene.party_b, scene.party_b.phone or "13900000003")):
        user.phone = phone
        user.save(update_fields=["phone"])
    NoticePreference.objects.create(user=world.mediator_a, kind=NoticeKind.MESSAGE, sms=True)
    OutboxMessage.objects.all().delete()
    r = client_for(world.party_user).post(f"/messages/case/{scene.case_a.pk}/post/", {"body": "请问什么时候调解？"})
    assert r.status_code in (200, 302)
    told = set(Notification.objects.filter(kind=NoticeKind.MESSAGE).values_list("user", flat=True))
    assert told == {world.mediator_a.pk, scene.party_b.pk}
    queued = list(OutboxMessage.objects.values_list("user", "kind"))
    assert queued == [(world.mediator_a.pk, NoticeKind.MESSAGE)]
    assert "请问" not in OutboxMessage.objects.get().body  # nothing a user typed goes out by SMS


def test_supervisors_told_are_those_the_rules_name_for_the_area(world):
    world.county_admin.phone = "13700000001"
    world.county_admin.save(update_fields=["phone"])
    NoticePreference.objects.create(user=world.county_admin, kind=NoticeKind.RISK_TERMINATION, sms=True)
    with transaction.atomic():
        notify_supervisors(NoticeKind.RISK_TERMINATION, "421202001001", "终止且有激化风险", sms="请关注")
        notify_supervisors(NoticeKind.RISK_TERMINATION, "421221100001", "终止且有激化风险", sms="请关注")
        notify_supervisors(NoticeKind.CASE_OVERDUE, "421202001001", "案件超期")
    told = {
        (n.user.username, n.kind)
        for n in Notification.objects.filter(kind__in=[NoticeKind.RISK_TERMINATION, NoticeKind.CASE_OVERDUE])
    }
    assert told == {
        ("sfs_officer", NoticeKind.RISK_TERMINATION),
        ("county_admin", NoticeKind.RISK_TERMINATION),
        # 嘉鱼县 (421221) also tells the city bureau of a risky termination (the file's jurisdiction override)
        ("other_county_admin", NoticeKind.RISK_TERMINATION),
        ("city_admin", NoticeKind.RISK_TERMINATION),
        # an overdue case is the township's (rules: CASE_OVERDUE → SFS_OFFICER only)
        ("sfs_officer", NoticeKind.CASE_OVERDUE),
    }
    # no case: the message belongs to the recipient's area
    assert [(m.user, m.division_code) for m in OutboxMessage.objects.all()] == [(world.county_admin, "421202")]


def test_a_jurisdiction_override_changes_the_defaults_of_that_area_only(world, settings, tmp_path):
    path = tmp_path / "rules.json"
    base = json.loads(rules.rules_path().read_text(encoding="utf-8"))
    base["jurisdictions"] = {"421221": {"roles": {"DIRECTOR": {"sms": ["CASE_PROGRESS"]}}}}
    path.write_text(json.dumps(base), encoding="utf-8")
    settings.TIAOJIE = {**settings.TIAOJIE, "NOTICE_RULES": path}
    assert wants_sms(world.director_c, NoticeKind.CASE_PROGRESS)  # 城关村 in 嘉鱼县
    assert not wants_sms(world.director_a, NoticeKind.CASE_PROGRESS)  # 桂花村 in 咸安区
    assert not wants_sms(world.director_c, NoticeKind.SUPERVISION)  # the override replaces the list


def test_a_rules_file_naming_an_unknown_kind_is_refused(settings, tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"supervisors": {"RISK_TERMINATON": ["COUNTY_ADMIN"]}}), encoding="utf-8")
    settings.TIAOJIE = {**settings.TIAOJIE, "NOTICE_RULES": path}
    with pytest.raises(ImproperlyConfigured, match="RISK_TERMINATON"):
        rules.supervisor_roles(NoticeKind.RISK_TERMINATION)


def test_a_refused_action_writes_no_notice_and_no_sms(world):
    case = make_case(world, CaseStatus.INTAKE)
    notices, sms = Notification.objects.count(), OutboxMessage.objects.count()
    # through the page: a member who is not the director cannot accept
    r = client_for(world.mediator_a).post(f"/cases/{case.pk}/do/accept/", {"note": "越权受理"})
    assert r.status_code in (302, 403, 404)
    # through the action: a refusal without a reason
    with pytest.raises(A.ActionRefused):
        A.do_refuse_case(case, world.director_a, reason="", routes=[])
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == (notices, sms)
    # and the committed one writes both, in its transaction
    A.do_accept_case(case, world.director_a)
    assert Notification.objects.count() > notices and OutboxMessage.objects.count() > sms


def test_registration_elsewhere_queues_sms_scoped_to_that_case(world):
    case = A.do_register_case(world.director_c, world.village_c, case_data(world.party_user))
    msg = OutboxMessage.objects.get(case=case)
    assert msg.user == world.party_user and msg.division_code == case.division_code.strip()
    assert msg.division_code.startswith("421221")
