"""`manage.py load_divisions`: hierarchy, prefix codes, villages of 咸宁市, idempotence."""

from io import StringIO

import pytest
from django.core.management import call_command

from registry.models import Division, DivisionLevel

XIANNING_COUNTIES = {
    "421202": "咸安区",
    "421221": "嘉鱼县",
    "421222": "通城县",
    "421223": "崇阳县",
    "421224": "通山县",
    "421281": "赤壁市",
}


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_divisions", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_divisions_twice_is_idempotent_and_builds_xianning():
    first = load()
    total = Division.objects.count()
    assert "新增 created" in first
    # provinces → townships for the whole country (≈44.7k) plus 咸宁's villages
    assert total > 44_000
    assert Division.objects.filter(level=DivisionLevel.PROVINCE).count() == 31

    second = load()
    assert Division.objects.count() == total
    assert "新增 created 0, 更新 updated 0" in second

    hubei = Division.objects.get(code="42")
    assert hubei.name == "湖北省" and hubei.level == DivisionLevel.PROVINCE and hubei.parent is None

    xianning = Division.objects.get(code="4212")
    assert xianning.name == "咸宁市"
    assert xianning.level == DivisionLevel.CITY
    assert xianning.parent_id == "42"
    assert {c.code: c.name for c in xianning.children.all()} == XIANNING_COUNTIES
    assert set(xianning.children.values_list("level", flat=True)) == {DivisionLevel.COUNTY}

    township = Division.objects.get(code="421202001")
    assert township.name == "温泉街道"
    assert township.level == DivisionLevel.TOWNSHIP
    assert township.parent_id == "421202"
    assert township.full_name == "咸宁市咸安区温泉街道"

    villages = Division.objects.filter(parent=township)
    assert villages.exists()
    assert set(villages.values_list("level", flat=True)) == {DivisionLevel.VILLAGE}
    assert all(len(code) == 12 and code.startswith("421202001") for code in villages.values_list("code", flat=True))

    # prefix codes: everything inside 咸安区 is found by code__startswith
    inside = Division.objects.filter(code__startswith="421202").exclude(code="421202")
    assert inside.filter(level=DivisionLevel.TOWNSHIP).count() == Division.objects.filter(parent_id="421202").count()
    assert inside.filter(level=DivisionLevel.VILLAGE).count() > 100
    assert Division.objects.filter(level=DivisionLevel.VILLAGE).exclude(code__startswith="4212").count() == 0

    # municipalities keep the NBS pseudo-city level: 北京市 → 市辖区 → 东城区
    dongcheng = Division.objects.get(code="110101")
    assert dongcheng.parent_id == "1101" and dongcheng.parent.parent_id == "11"

    # a changed name is put back on the next run, nothing else moves
    Division.objects.filter(code="421202001").update(name="改过的名字")
    third = load()
    assert "新增 created 0, 更新 updated 1" in third
    assert Division.objects.get(code="421202001").name == "温泉街道"
    assert Division.objects.count() == total


@pytest.mark.django_db
def test_villages_for_without_codes_loads_no_villages():
    load("--villages-for")
    assert Division.objects.filter(level=DivisionLevel.VILLAGE).count() == 0
    assert Division.objects.filter(level=DivisionLevel.TOWNSHIP, code__startswith="4212").exists()
