"""Holiday edits are recorded with who, when, which day, before → after and why, in the edit's own transaction,
whichever door the edit comes through (console, admin site, load_holidays), and shown on the holiday page."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from cases.actions import ActionRefused
from workdays.calendar import is_working_day
from workdays.models import CalendarOverride, ChangeSource, DayKind, HolidayChange
from workdays.services import do_clear_day, do_set_day

SATURDAY = date(2026, 12, 5)
MONDAY = date(2026, 12, 7)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def changes() -> list[tuple]:
    return list(
        HolidayChange.objects.order_by("id").values_list(
            "actor__username", "source", "date", "before_kind", "before_name", "after_kind", "after_name", "reason"
        )
    )


def test_console_add_change_and_delete_each_write_one_record(world):
    client = login(world.city_admin)
    post = {"date": SATURDAY.isoformat(), "kind": "WORKDAY", "name": "调休上班", "reason": "国办发明电〔2026〕1号"}
    assert client.post("/console/holidays/", post).status_code == 302
    assert is_working_day(SATURDAY)
    # Submitting a stored date again changes its setting.
    assert (
        client.post("/console/holidays/", {**post, "kind": "HOLIDAY", "name": "补假", "reason": "更正"}).status_code
        == 302
    )
    assert not is_working_day(SATURDAY)
    override = CalendarOverride.objects.get(date=SATURDAY)
    assert client.post(f"/console/holidays/{override.pk}/delete/", {"reason": "录入有误"}).status_code == 302
    assert not CalendarOverride.objects.exists()
    assert changes() == [
        ("city_admin", "CONSOLE", SATURDAY, "", "", "WORKDAY", "调休上班", "国办发明电〔2026〕1号"),
        ("city_admin", "CONSOLE", SATURDAY, "WORKDAY", "调休上班", "HOLIDAY", "补假", "更正"),
        ("city_admin", "CONSOLE", SATURDAY, "HOLIDAY", "补假", "", "", "录入有误"),
    ]
    page = client.get("/console/holidays/?year=2026").content.decode()
    history = page[page.index('id="holiday-history"') :]
    assert "录入有误" in history and "更正" in history and "国办发明电〔2026〕1号" in history
    assert history.count("<li") == 3
    assert "法定节假日（休息）（补假） → 默认（周一至周五工作）" in history


def test_a_delete_without_a_reason_changes_nothing(world):
    do_set_day(world.city_admin, MONDAY, DayKind.HOLIDAY, "地方假日", "地方通知")
    override = CalendarOverride.objects.get()
    response = login(world.city_admin).post(f"/console/holidays/{override.pk}/delete/", {"reason": " "})
    assert response.status_code == 302
    assert CalendarOverride.objects.filter(pk=override.pk).exists()
    assert HolidayChange.objects.count() == 1


@pytest.mark.parametrize("who", ["sfs_officer", "county_admin", "director_a"])
def test_only_the_city_bureau_edits_and_nothing_is_recorded_for_others(world, who):
    client = login(getattr(world, who))
    post = {"date": SATURDAY.isoformat(), "kind": "WORKDAY", "name": "调休", "reason": "x"}
    assert client.post("/console/holidays/", post).status_code == 403
    assert not CalendarOverride.objects.exists() and not HolidayChange.objects.exists()


def test_the_record_is_in_the_edits_transaction(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        do_set_day(world.city_admin, SATURDAY, DayKind.WORKDAY, "调休", "通知")
        assert HolidayChange.objects.count() == 1
        raise RuntimeError
    assert not CalendarOverride.objects.exists() and not HolidayChange.objects.exists()


def test_refusals_record_nothing(world):
    with pytest.raises(ActionRefused, match="修改理由"):
        do_set_day(world.city_admin, SATURDAY, DayKind.WORKDAY, "调休", "")
    do_set_day(world.city_admin, SATURDAY, DayKind.WORKDAY, "调休", "通知")
    with pytest.raises(ActionRefused, match="未作修改"):
        do_set_day(world.city_admin, SATURDAY, DayKind.WORKDAY, "调休", "再次")
    with pytest.raises(ActionRefused, match="没有设置"):
        do_clear_day(world.city_admin, MONDAY, "删除")
    assert HolidayChange.objects.count() == 1


def test_load_holidays_records_what_it_changes_and_nothing_on_a_rerun(world, tmp_path):
    do_set_day(world.city_admin, date(2026, 10, 1), DayKind.HOLIDAY, "旧名", "手工")
    path = tmp_path / "days.json"
    days = [{"date": "2026-10-01", "kind": "HOLIDAY", "name": "国庆节"}, {"date": "2026-10-10", "kind": "WORKDAY"}]
    path.write_text(json.dumps(days), encoding="utf-8")
    call_command("load_holidays", str(path), verbosity=0)
    call_command("load_holidays", str(path), verbosity=0)
    assert changes()[1:] == [
        (None, "COMMAND", date(2026, 10, 1), "HOLIDAY", "旧名", "HOLIDAY", "国庆节", "导入days.json"),
        (None, "COMMAND", date(2026, 10, 10), "", "", "WORKDAY", "", "导入days.json"),
    ]
    assert HolidayChange.objects.filter(source=ChangeSource.COMMAND).first().actor_label == "系统（批量导入节假日安排）"


def test_the_admin_site_goes_through_the_same_door(world):
    world.city_admin.is_staff = world.city_admin.is_superuser = True
    world.city_admin.save()
    client = login(world.city_admin)
    add = client.post(
        "/admin/workdays/calendaroverride/add/", {"date": SATURDAY.isoformat(), "kind": "WORKDAY", "name": "调休"}
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    override = CalendarOverride.objects.get()
    client.post(f"/admin/workdays/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    assert not CalendarOverride.objects.exists()
    assert [(c[0], c[1], c[3], c[5]) for c in changes()] == [
        ("city_admin", "ADMIN", "", "WORKDAY"),
        ("city_admin", "ADMIN", "WORKDAY", ""),
    ]
