"""Issue 9 §1: the rules of domain §5.3 on the committee form, what a committee with cases may no longer change,
what deactivation keeps and what it stops, and the history shown on the pages."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import actions as A
from cases.actions.base import ActionRefused
from cases.enums import CaseStatus
from portal.places import Place, committee_for, roster
from registry.models import ChangeAction, Committee, CommitteeKind, FilingDocument, RegistryChange
from registry.org_forms import CommitteeForm
from registry.org_services import do_deactivate_committee, do_edit_committee
from tests.files import clean_pdf, js_pdf
from tests.registry.orgs_helpers import committee_post, edit_post, login
from tests.world import case_data, make_case

NEW = "/console/registry/committees/new/"
VILLAGE = "421202001002"


def post_new(world, **overrides):
    return login(world.county_admin).post(NEW, committee_post(world.county_admin, VILLAGE, **overrides))


def errors_of(response) -> dict[str, list[str]]:
    return {name: list(errs) for name, errs in response.context["form"].errors.items()}


def test_a_studio_needs_its_person_and_is_named_after_them(world):
    response = post_new(world, kind="STUDIO", name="柏墩村调解工作室", committee_type="VILLAGE")
    assert response.status_code == 200
    assert "个人调解工作室须填写领衔调解员姓名" in errors_of(response)["studio_person"]
    response = post_new(world, kind="STUDIO", name="柏墩村调解工作室", studio_person="刘桂英")
    assert "名称中应含有“刘桂英”" in errors_of(response)["name"][0]
    assert "个人调解工作室以领衔调解员命名" in response.content.decode()
    assert not Committee.objects.filter(short_name="新村").exists()
    response = post_new(world, kind="STUDIO", name="柏墩村刘桂英人民调解工作室", studio_person="刘桂英")
    assert response.status_code == 302
    studio = Committee.objects.get(short_name="新村")
    assert (studio.kind, studio.studio_person) == (CommitteeKind.STUDIO, "刘桂英")


def test_an_industry_committee_needs_its_field_and_a_stationed_one_its_host(world):
    response = post_new(world, kind="INDUSTRY", committee_type="SOCIAL_ORG_OTHER", is_stationed="on")
    errors = errors_of(response)
    assert errors["industry"] == ["行业性专业性调委会须选择行业领域"]
    assert errors["stationed_at"] == ["派驻的调解组织须填写派驻单位"]
    code = "421202"  # a county-level committee: the township and village selects left at 本级
    data = committee_post(world.county_admin, code, kind="INDUSTRY", committee_type="SOCIAL_ORG_OTHER")
    data |= {"industry": "MEDICAL", "is_stationed": "on", "stationed_at": "咸安区人民医院", "name": "咸安区医调委"}
    assert login(world.county_admin).post(NEW, data).status_code == 302
    made = Committee.objects.get(short_name="新村")
    assert (made.industry, made.division_id, made.stationed_at) == ("MEDICAL", "421202", "咸安区人民医院")


def test_an_enterprise_committee_needs_its_host_and_big_ones_are_flagged(world, settings):
    response = post_new(world, committee_type="ENTERPRISE_INSTITUTION", name="某公司人民调解委员会")
    assert errors_of(response)["host_unit"] == ["企事业单位调委会须填写设立单位"]
    response = post_new(
        world,
        committee_type="ENTERPRISE_INSTITUTION",
        name="咸安纺织有限公司人民调解委员会",
        host_unit="咸安纺织有限公司",
        employee_count="450",
    )
    assert response.status_code == 302
    made = Committee.objects.get(short_name="新村")
    assert made.employee_count == 450
    client = login(world.county_admin)
    listing = client.get("/console/committees/").content.decode()
    assert "300人以上企业" in listing and "依规应当设立的 1 个" in listing
    assert "300人以上，依规应当设立" in client.get(f"/console/committees/{made.pk}/").content.decode()
    # A headcount on a committee that is no enterprise is not kept.
    post_new(world, short_name="新村2", name="新村二组人民调解委员会", employee_count="999")
    assert Committee.objects.get(short_name="新村2").employee_count is None


def test_a_village_committee_sits_at_a_village_and_a_township_one_at_a_township(world):
    response = post_new(world, committee_type="SUBDISTRICT")
    assert "街道调委会应设在乡镇/街道一级" in errors_of(response)["village"][0]
    data = committee_post(world.county_admin, "421202001", committee_type="VILLAGE")
    response = login(world.county_admin).post(NEW, data)
    assert "村调委会应设在村/社区一级" in errors_of(response)["village"][0]


def test_a_village_must_belong_to_the_chosen_township(world):
    data = committee_post(world.city_admin, VILLAGE)
    data["township"] = "421221100"  # 鱼岳镇 (嘉鱼县), with a village of 温泉街道
    data["county"] = "421221"
    response = login(world.city_admin).post(NEW, data)
    assert response.status_code == 200 and "village" in errors_of(response)
    assert not Committee.objects.filter(short_name="新村").exists()


def test_short_names_and_names_are_unique(world):
    response = post_new(world, short_name="桂花", name="桂花村人民调解委员会")
    errors = errors_of(response)
    assert "已有同名的调解组织" in errors["name"]
    assert any("简称" in e for e in errors["short_name"])


def test_the_short_name_and_the_division_are_locked_once_the_committee_has_cases(world):
    committee = world.village_a
    client = login(world.county_admin)
    url = f"/console/registry/committees/{committee.pk}/edit/"
    # Before any case: both may change.
    data = edit_post(world.county_admin, committee, short_name="桂花村")
    assert client.post(url, data).status_code == 302
    committee.refresh_from_db()
    assert committee.short_name == "桂花村"
    make_case(world, CaseStatus.ACCEPTED)
    form_html = client.get(url).content.decode()
    assert "该调委会已有案件，简称不能再修改" in form_html
    data = edit_post(world.county_admin, committee, short_name="改名", village="421202001002", phone="0715-1")
    assert client.post(url, data).status_code == 302  # the locked fields are disabled: their posted values ignored
    committee.refresh_from_db()
    assert (committee.short_name, committee.division_id, committee.phone) == ("桂花村", "421202001001", "0715-1")
    # The action refuses them too, whatever a form sends.
    fields = CommitteeForm.initial_for(committee) | {"division": world.village_b.division}
    with pytest.raises(ActionRefused, match="所在区划不能再修改"):
        do_edit_committee(world.county_admin, committee, fields)
    fields = CommitteeForm.initial_for(committee) | {"division": committee.division, "short_name": "又改"}
    with pytest.raises(ActionRefused, match="案号简称不能再修改"):
        do_edit_committee(world.county_admin, committee, fields)


def test_a_deactivated_committee_keeps_its_cases_and_statistics_and_takes_no_new_ones(world):
    case = make_case(world, CaseStatus.ACCEPTED)
    client = login(world.county_admin)
    response = client.post(
        f"/console/registry/committees/{world.village_a.pk}/deactivate/", {"on": "2026-03-20", "reason": "村组合并"}
    )
    assert response.status_code == 302
    committee = Committee.objects.get(pk=world.village_a.pk)
    assert not committee.is_active and committee.cases.count() == 1
    # Still in the console's case list and counted on its page.
    assert case.case_no in client.get("/console/cases/").content.decode()
    assert case.case_no in client.get(f"/console/cases/?committee={committee.pk}").content.decode()
    page = client.get(f"/console/committees/{committee.pk}/").content.decode()
    assert "1 件</a>" in page and "已撤销" in page and "村组合并" in page
    # Listed as 已撤销 in the registry, gone from the public roster and from where applications go.
    assert "已撤销" in client.get("/console/committees/?status=inactive").content.decode()
    assert committee not in [c for c, _ in roster(Place())]
    assert committee_for(committee.division_id) != committee
    with pytest.raises(ActionRefused, match="该调委会已停用"):
        A.do_register_case(world.mediator_a, committee, case_data(None))


def test_deactivation_needs_a_date_not_in_the_future_and_a_reason(world):
    url = f"/console/registry/committees/{world.village_b.pk}/deactivate/"
    client = login(world.county_admin)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"on": tomorrow, "reason": "合并"})
    assert errors_of(response) == {"on": ["撤销日期不能晚于今天"]}
    response = client.post(url, {"on": "2026-01-01", "reason": ""})
    assert "reason" in errors_of(response)
    assert Committee.objects.get(pk=world.village_b.pk).is_active
    assert not RegistryChange.objects.exists()
    with pytest.raises(ActionRefused, match="请填写撤销原因"):
        do_deactivate_committee(world.county_admin, world.village_b, date(2026, 1, 1), "  ")


def test_the_history_shows_on_the_committee_page_and_in_the_area_list(world):
    client = login(world.county_admin)
    committee = world.village_b
    client.post(
        f"/console/registry/committees/{committee.pk}/edit/",
        edit_post(world.county_admin, committee, phone="0715-8888888", is_regional="on"),
    )
    client.post(
        f"/console/registry/committees/{committee.pk}/filing/",
        {
            "form": "filing",
            "filing_date": "2025-06-01",
            "filing_number": "备2025-7",
            "filing_authority": "咸安区司法局",
        },
    )
    page = client.get(f"/console/committees/{committee.pk}/").content.decode()
    assert "变更记录" in page and "咸安区司法局" in page
    assert "电话：</span>（空） → 0715-8888888" in page
    assert "区域性：</span>否 → 是" in page
    assert "备案编号：</span>（空） → 备2025-7" in page
    changes = client.get("/console/registry/changes/").content.decode()
    assert committee.name in changes and "0715-8888888" in changes
    # Another county's bureau sees none of it; its own change list is empty.
    other = login(world.other_county_admin).get("/console/registry/changes/").content.decode()
    assert "0715-8888888" not in other and "暂无变更记录" in other
    # The township's 司法所 sees the changes made in its township.
    assert "0715-8888888" in login(world.sfs_officer).get("/console/registry/changes/").content.decode()


def test_the_change_list_shows_own_account_changes_without_a_committee(world):
    from registry.history import record_change

    record_change(world.county_admin, world.sfs_officer, ChangeAction.PASSWORD_RESET, {}, {}, note="重置")
    record_change(world.other_county_admin, world.city_admin, ChangeAction.PASSWORD_RESET, {}, {}, note="别人的")
    html = login(world.county_admin).get("/console/registry/changes/?subject=ACCOUNT").content.decode()
    assert "重置" in html and "别人的" not in html


def test_a_hostile_filing_file_is_refused_with_its_reason(world):
    url = f"/console/registry/committees/{world.village_a.pk}/filing/"
    response = login(world.county_admin).post(
        url, {"form": "upload", "title": "设立文件", "file": SimpleUploadedFile("设立.pdf", js_pdf())}
    )
    assert response.status_code == 200
    assert "PDF 中含有脚本" in response.content.decode()
    assert not FilingDocument.objects.exists() and not RegistryChange.objects.exists()
    response = login(world.county_admin).post(
        url, {"form": "upload", "title": "", "file": SimpleUploadedFile("名单.pdf", clean_pdf())}
    )
    assert response.status_code == 302
    assert FilingDocument.objects.get().title == "名单.pdf"


def test_the_list_filters_by_status_and_filing(world):
    Committee.objects.filter(pk=world.village_b.pk).update(is_active=False, deactivated_on=date(2026, 1, 1))
    Committee.objects.filter(pk=world.village_a.pk).update(filing_date=date(2025, 1, 1))
    client = login(world.county_admin)
    active = client.get("/console/committees/?status=active").content.decode()
    assert world.village_a.name in active and world.village_b.name not in active
    unfiled = client.get("/console/committees/?filing=unfiled").content.decode()
    assert world.village_a.name not in unfiled and world.township.name in unfiled


def test_a_township_officer_picks_only_among_its_own_villages(world):
    html = login(world.sfs_officer).get(NEW).content.decode()
    assert 'name="township"' not in html and 'name="county"' not in html
    assert "桂花村" in html and "柏墩村" in html and "城关村" not in html
    assert "咸宁市咸安区温泉街道" in html  # the fixed part of the area, shown as text
    city_html = login(world.city_admin).get(NEW).content.decode()
    assert 'data-parent="421221100"' in city_html and "城关村" in city_html


def test_an_account_attached_to_the_wrong_level_administers_nothing(world):
    from registry.scoping import admin_division, creatable_divisions, editable_committees

    world.sfs_officer.division_id = "421202"  # a 司法所 account pointed at the county
    world.sfs_officer.save()
    assert admin_division(world.sfs_officer) is None
    assert not editable_committees(world.sfs_officer).exists() and not creatable_divisions(world.sfs_officer).exists()
    assert login(world.sfs_officer).get(NEW).status_code == 404


def test_a_committee_is_not_deactivated_before_it_was_established(world):
    Committee.objects.filter(pk=world.village_b.pk).update(established_on=date(2020, 5, 1))
    url = f"/console/registry/committees/{world.village_b.pk}/deactivate/"
    response = login(world.county_admin).post(url, {"on": "2019-01-01", "reason": "合并"})
    assert errors_of(response) == {"on": ["撤销日期不能早于成立日期"]}
    assert Committee.objects.get(pk=world.village_b.pk).is_active


def test_dissolving_a_committee_stops_its_login_accounts_with_a_record_each(world, client):
    staff = [world.director_a, world.mediator_a, world.mediator_a2]
    do_deactivate_committee(world.county_admin, world.village_a, date(2026, 3, 20), "村组合并")
    for user in staff:
        user.refresh_from_db()
        assert not user.is_active
        row = RegistryChange.objects.get(subject="ACCOUNT", subject_id=user.pk, action=ChangeAction.ACCOUNT_DEACTIVATE)
        assert "村组合并" in row.note and row.actor == world.county_admin
    world.mediator_b.refresh_from_db()
    assert world.mediator_b.is_active  # another committee's accounts are untouched
    response = client.post("/accounts/login/", {"username": "mediator_a", "password": "pass-for-tests-1"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
