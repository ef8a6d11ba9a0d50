"""Issue 9 §2: a mediator's record is checked (ID number, phone, term, one 主任), its ID number is never stored or
shown in full, every change is in its history, terms ending soon are listed, and the console list links to it."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from registry.models import Mediator, RegistryChange
from tests.registry.people_helpers import client_for, male_id, mediator_of, mediator_post


def _add(world, **overrides):
    client = client_for(world.county_admin)
    return client.post(reverse("console:registry_mediator_new", args=[world.village_a.pk]), mediator_post(**overrides))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": male_id()[:-1] + ("0" if male_id()[-1] != "0" else "1")}, "校验位不正确"),
        ({"id_number": "42120219751332001X"}, "出生日期无效"),
        ({"id_number": "12345"}, "应为18位"),
        ({"gender": "F"}, "性别与身份证号码不一致"),
        ({"phone": "1381234"}, "请填写11位手机号"),
        ({"term_end": "2025-12-31"}, "任期结束日期应晚于开始日期"),
        ({"term_end": ""}, "请填写任期结束日期"),
        ({"name": ""}, "请填写姓名"),
        ({"category": ""}, "请选择专职或兼职"),
        ({"role": "DIRECTOR"}, "本调委会已有主任（王主任）"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(world, overrides, message):
    before = Mediator.objects.count()
    response = _add(world, **overrides)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "邻里纠纷" in html  # what was typed is still there
    assert Mediator.objects.count() == before and not RegistryChange.objects.exists()


@pytest.mark.parametrize("phone", ["13712345678", "0715-8123456", "07158123456", "027-87654321-801", ""])
def test_mobile_and_landline_numbers_are_accepted(world, phone):
    assert _add(world, phone=phone).status_code == 302


def test_the_id_number_is_stored_encrypted_and_shown_masked_only(world):
    number = male_id(4)
    assert _add(world, id_number=number.lower()).status_code == 302
    mediator = Mediator.objects.get(name="吴新")
    row = Mediator.objects.filter(pk=mediator.pk).values().get()
    assert all(number not in str(value) for value in row.values())
    assert mediator.id_number_masked == number[:3] + "*" * 11 + number[-4:]
    admin = client_for(world.county_admin)
    for url in (
        reverse("console:registry_mediator", args=[mediator.pk]),
        reverse("console:registry_mediator_edit", args=[mediator.pk]),
        reverse("console:mediators"),
    ):
        html = admin.get(url).content.decode()
        assert number not in html, url
    assert (
        mediator.id_number_masked
        in admin.get(reverse("console:registry_mediator", args=[mediator.pk])).content.decode()
    )
    assert all(number not in str(r.changes) for r in RegistryChange.objects.all())
    # the same person twice in one committee is refused
    assert "已登记为本调委会" in _add(world, id_number=number, name="吴新二").content.decode()


def test_editing_keeps_the_id_number_when_left_empty_and_records_what_changed(world):
    _add(world)
    mediator = Mediator.objects.get(name="吴新")
    masked = mediator.id_number_masked
    admin = client_for(world.county_admin)
    response = admin.post(
        reverse("console:registry_mediator_edit", args=[mediator.pk]),
        mediator_post(id_number="", phone="0715-8123456", specialties="婚姻家庭"),
    )
    assert response.status_code == 302
    mediator.refresh_from_db()
    assert mediator.id_number_masked == masked and mediator.phone == "0715-8123456"
    edit = RegistryChange.objects.get(subject="MEDIATOR", subject_id=mediator.pk, action="EDIT")
    assert edit.changes == {"电话": ["13712345678", "0715-8123456"], "擅长领域": ["邻里纠纷", "婚姻家庭"]}
    assert edit.actor == world.county_admin
    page = admin.get(reverse("console:registry_mediator", args=[mediator.pk])).content.decode()
    assert "变更记录" in page and "婚姻家庭" in page and "咸安区司法局" in page and "新建" in page


def test_a_dissolved_committee_takes_no_new_mediators(world):
    world.village_a.is_active = False
    world.village_a.save()
    assert _add(world).status_code == 404


def test_terms_ending_within_60_days_and_ended_ones_are_listed(world):
    today = timezone.localdate()
    cases = {
        "mediator_a": today + timedelta(days=30),
        "mediator_a2": today - timedelta(days=3),
        "mediator_b": today + timedelta(days=200),
    }
    for persona, end in cases.items():
        m = mediator_of(world.personas()[persona])
        m.term_start, m.term_end = today - timedelta(days=1000), end
        m.save()
    left = mediator_of(world.mediator_c)
    left.term_end, left.is_active = today, False
    left.save()
    html = client_for(world.county_admin).get(reverse("console:registry_terms")).content.decode()
    assert "李调解" in html and "赵调解" in html and "陈调解" not in html
    assert "table-danger" in html and "已届满 3 天" in html and "1 人任期已届满" in html
    city = client_for(world.city_admin).get(reverse("console:registry_terms")).content.decode()
    assert "周调解" not in city  # left: not serving
    other = client_for(world.other_county_admin).get(reverse("console:registry_terms")).content.decode()
    assert "李调解" not in other
    page = client_for(world.county_admin).get(
        reverse("console:registry_mediator", args=[mediator_of(world.mediator_a).pk])
    )
    assert "还有 30 天" in page.content.decode()


def test_the_console_list_links_to_the_mediator_with_account_and_term(world):
    m = mediator_of(world.mediator_a)
    m.term_end = timezone.localdate() - timedelta(days=1)
    m.save()
    html = client_for(world.sfs_officer).get(reverse("console:mediators")).content.decode()
    assert reverse("console:registry_mediator", args=[m.pk]) in html
    assert "已届满" in html and "在用" in html and "任期结束" in html


@pytest.mark.parametrize(
    ("password", "why"),
    [("Ab#1234", "至少包含 10"), ("abcdefgh1234", "3类"), ("ABCDEFGH!!!!", "3类"), ("Xx#mediator_a", "用户名")],
)
def test_weak_passwords_are_refused(world, password, why):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, world.mediator_a)
    assert any(why in m for m in refused.value.messages)


def test_a_new_password_must_differ_from_the_current_one(world):
    from tests.world import PASSWORD

    with pytest.raises(ValidationError) as refused:
        validate_password(PASSWORD, world.mediator_a)
    assert refused.value.messages == ["新密码不能与当前密码相同。"]


def test_generated_passwords_pass_every_rule(world):
    from accounts.passwords import generate_password

    seen = {generate_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        validate_password(password, world.mediator_a)
        assert len(password) >= 10
