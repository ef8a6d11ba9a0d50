"""Loading committee and mediator lists from Excel (registry.roster_import, console:registry_import…): real .xlsx
files written with openpyxl; a preview with row errors of every kind; confirm loads only the valid rows, in one
transaction, each with an IMPORT history record; nobody loads into another area; the preview lives server-side
(sealed in the session) and a forged, altered or foreign one loads nothing; CSRF; 404 for everyone else."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cases.identity import decrypt_id_number, make_valid_id_number
from imports import crypto
from registry import roster_import as R
from registry.models import ChangeAction, Committee, Mediator, RegistryChange
from registry.views_staffing import SESSION_KEY
from tests.world import PERSONAS

UPLOAD = reverse("console:registry_import")
C_HEAD = ["名称*", "简称*", "类型*", "组织形式", "行业领域", "所在区划*", "成立日期", "派驻", "派驻单位"]
M_HEAD = ["姓名*", "性别", "所在调委会*", "专兼职*", "职务", "电话", "身份证号码", "任期开始", "任期结束"]


def xlsx(headers: list[str], rows: list[list], title_row: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    if title_row:
        ws.append([title_row])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def client(user, **kw) -> Client:
    c = Client(**kw)
    c.force_login(user)
    return c


def upload(c: Client, kind: str, content: bytes, name: str = "名册.xlsx"):
    return c.post(UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def preview_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def pid(n: int) -> str:
    from datetime import date

    return make_valid_id_number("421202", date(1975, 3, 9), n)


def committee_rows() -> list[list]:
    return [
        ["温泉街道新村人民调解委员会", "新村", "村调委会", "", "", "桂花村", "2020-05-01", "", ""],  # 3: valid
        [
            "温泉街道物业纠纷调委会",
            "温泉物业",
            "街道调委会",
            "行业性专业性",
            "物业",
            "温泉街道",
            "2021/3/1",
            "",
            "",
        ],  # 4
        ["无名村调委会", "无名", "村调委会", "", "", "不存在村", "", "", ""],  # 5: unknown division
        ["嘉鱼某村调委会", "嘉鱼某", "村调委会", "", "", "421221100001", "", "", ""],  # 6: another county's code
        ["温泉街道新村人民调解委员会", "新村2", "村调委会", "", "", "柏墩村", "", "", ""],  # 7: name repeats row 3
        ["柏墩村第二调委会", "桂花", "村调委会", "", "", "柏墩村", "", "", ""],  # 8: short name already used
        ["柏墩村第三调委会", "柏三", "村委", "", "", "柏墩村", "", "", ""],  # 9: unknown type
        ["柏墩村第四调委会", "柏四", "村调委会", "", "", "柏墩村", "2025-13-45", "", ""],  # 10: bad date
        ["柏墩村第五调委会", "柏五", "村调委会", "行业性专业性", "", "柏墩村", "", "", ""],  # 11: no industry
        ["温泉街道第二调委会", "温二", "村调委会", "", "", "温泉街道", "", "", ""],  # 12: village type at township
        ["柏墩村第六调委会", "柏六", "村调委会", "", "", "柏墩村", "", "也许", ""],  # 13: bad yes/no
        ["柏墩村第七调委会", "柏七", "村调委会", "", "", "柏墩村", "", "是", ""],  # 14: stationed without unit
    ]


EXPECTED_COMMITTEE_ERRORS = {
    5: "未找到区划“不存在村”",
    6: "区划代码“421221100001”不在您的管辖范围内",
    7: "名称“温泉街道新村人民调解委员会”与第3行重复",
    8: "简称“桂花”已被已有的调解组织使用",
    9: "无法识别的类型“村委”",
    10: "成立日期：日期“2025-13-45”不存在",
    11: "行业性专业性调委会须填写行业领域",
    12: "村（居）调委会应设在村（社区）",
    13: "派驻应填“是”或“否”",
    14: "派驻的调解组织须填写派驻单位",
}


def test_committee_preview_reports_each_kind_of_bad_row(world):
    c = client(world.county_admin)
    page = c.get(preview_url(upload(c, R.COMMITTEES, xlsx(C_HEAD, committee_rows(), "咸安区调解组织名册"))))
    html = page.content.decode()
    assert page.status_code == 200 and '可导入</div><div class="fs-4 text-success">2<' in html
    results = R.check_rows(world.county_admin, R.COMMITTEES, _rows(committee_rows(), 3), _today())
    errors = {r.number: "；".join(r.errors) for r in results if r.errors}
    assert set(errors) == set(EXPECTED_COMMITTEE_ERRORS)
    for number, expected in EXPECTED_COMMITTEE_ERRORS.items():
        assert expected in errors[number], (number, errors[number])
        assert f"第{number}行" in html
    assert Committee.objects.filter(name__startswith="温泉街道新村").count() == 0  # nothing loaded by a preview


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _rows(rows: list[list], first: int) -> list[tuple[int, dict]]:
    keys = ["name", "short_name", "committee_type", "kind", "industry", "division", "established_on"]
    keys += ["is_stationed", "stationed_at"]
    return [(first + i, dict(zip(keys, row, strict=True))) for i, row in enumerate(rows)]


def test_confirm_loads_only_the_valid_rows_with_history(world):
    c = client(world.county_admin)
    url = preview_url(upload(c, R.COMMITTEES, xlsx(C_HEAD, committee_rows())))
    before = Committee.objects.count()
    response = c.post(url, {"action": "confirm"})
    assert response.status_code == 302 and response["Location"] == UPLOAD
    assert Committee.objects.count() == before + 2
    new = Committee.objects.get(short_name="新村")
    assert (
        new.division_id == "421202001001"
        and new.committee_type == "VILLAGE"
        and str(new.established_on) == "2020-05-01"
    )
    prop = Committee.objects.get(short_name="温泉物业")
    assert (prop.kind, prop.industry, prop.division_id) == ("INDUSTRY", "PROPERTY", "421202001")
    changes = RegistryChange.objects.filter(action=ChangeAction.IMPORT)
    assert sorted(changes.values_list("subject_id", flat=True)) == sorted([new.pk, prop.pk])
    assert all(ch.actor == world.county_admin and "第" in ch.note for ch in changes)
    assert changes.get(subject_id=new.pk).changes["名称"] == [None, "温泉街道新村人民调解委员会"]
    assert SESSION_KEY not in c.session  # used up: confirming again is a 404
    assert c.post(url, {"action": "confirm"}).status_code == 404
    assert Committee.objects.count() == before + 2


def mediator_rows(world) -> list[list]:
    return [
        [
            "钱专职",
            "女",
            "桂花村人民调解委员会",
            "专职",
            "委员",
            "13800001111",
            pid(2),
            "2024-01-01",
            "2027-12-31",
        ],  # 2
        ["孙兼职", "", "柏墩", "兼职", "", "", pid(3), "", ""],  # 3: gender from the ID number
        ["李四", "男", "桂花村", "专职", "", "", "421202197503091234", "", ""],  # 4: bad ID number
        ["周五", "男", "不存在调委会", "专职", "", "", "", "", ""],  # 5: unknown committee
        ["吴六", "男", "城关村人民调解委员会", "专职", "", "", "", "", ""],  # 6: another county's committee
        ["郑七", "男", "桂花村", "全职", "", "", "", "", ""],  # 7: bad category
        ["王八", "男", "桂花村", "专职", "", "", "", "2024-02-30", ""],  # 8: bad date
        ["冯九", "", "柏墩村", "兼职", "", "", pid(2), "", ""],  # 9: ID number repeats row 2
        ["陈十", "男", "桂花村", "兼职", "主任", "", "", "", ""],  # 10: 桂花村 already has a director
        ["李调解", "女", "桂花村", "兼职", "", "", "", "", ""],  # 11: already on the committee's roster
        ["褚一", "男", "柏墩村", "兼职", "", "12345", "", "", ""],  # 12: bad phone
        ["卫二", "女", "柏墩村", "专职", "", "", "", "2024-01-01", "2023-01-01"],  # 13: end before start
    ]


EXPECTED_MEDIATOR_ERRORS = {
    4: "身份证号码校验位不正确",
    5: "调委会“不存在调委会”不存在、已撤销或不在您的管辖范围内",
    6: "调委会“城关村人民调解委员会”不存在、已撤销或不在您的管辖范围内",
    7: "无法识别的专兼职“全职”",
    8: "任期开始：日期“2024-02-30”不存在",
    9: "身份证号码与第2行重复",
    10: "已有在任主任",
    11: "已有在任调解员“李调解”",
    12: "电话“12345”格式不正确",
    13: "任期结束不能早于任期开始",
}


def test_mediator_preview_errors_and_confirm(world):
    c = client(world.county_admin)
    response = upload(c, R.MEDIATORS, xlsx(M_HEAD, mediator_rows(world)))
    html = c.get(preview_url(response)).content.decode()
    assert pid(2) not in html and "421***********" in html  # ID numbers masked in the preview
    for number, expected in EXPECTED_MEDIATOR_ERRORS.items():
        assert f"第{number}行" in html and expected in html, (number, expected)
    assert "第2行" in html and "第3行" in html
    c.post(preview_url(response), {"action": "confirm"})
    qian = Mediator.objects.get(name="钱专职")
    assert qian.committee == world.village_a and qian.category == "FULL_TIME" and qian.phone == "13800001111"
    assert decrypt_id_number(qian.id_number_encrypted) == pid(2) and qian.id_number_masked.startswith("421")
    sun = Mediator.objects.get(name="孙兼职")
    assert sun.committee == world.village_b and sun.gender == "M"  # from the ID number (odd 17th digit)
    assert not Mediator.objects.filter(name__in=["李四", "周五", "吴六", "郑七", "王八", "冯九", "陈十"]).exists()
    logged = RegistryChange.objects.filter(action=ChangeAction.IMPORT, subject="MEDIATOR")
    assert sorted(logged.values_list("subject_id", flat=True)) == sorted([qian.pk, sun.pk])
    assert pid(2) not in str(list(logged.values_list("changes", flat=True)))


def test_another_county_cannot_load_into_this_one(world):
    rows = [["温泉街道新村人民调解委员会", "新村", "村调委会", "", "", "421202001001", "", "", ""]]
    c = client(world.other_county_admin)
    html = c.get(preview_url(upload(c, R.COMMITTEES, xlsx(C_HEAD, rows)))).content.decode()
    assert "不在您的管辖范围内" in html and "确认导入" not in html
    m = [["钱专职", "女", "桂花村人民调解委员会", "专职", "", "", "", "", ""]]
    html = c.get(preview_url(upload(c, R.MEDIATORS, xlsx(M_HEAD, m)))).content.decode()
    assert "不在您的管辖范围内" in html and "确认导入" not in html


def test_a_township_officer_loads_only_its_villages(world):
    rows = [
        ["温泉街道新村人民调解委员会", "新村", "村调委会", "", "", "桂花村", "", "", ""],
        ["温泉街道第二调委会", "温二", "街道调委会", "", "", "温泉街道", "", "", ""],
        ["城关村第二调委会", "城二", "村调委会", "", "", "421221100001", "", "", ""],
    ]
    results = R.check_rows(world.sfs_officer, R.COMMITTEES, _rows(rows, 2), _today())
    assert [r.valid for r in results] == [True, False, False]
    assert "司法所只能导入本乡镇（街道）所辖村（社区）" in results[1].errors[0]
    m = [(2, {"name": "某", "gender": "男", "committee": "温泉街道人民调解委员会", "category": "兼职"})]
    assert "不在您的管辖范围内" in R.check_rows(world.sfs_officer, R.MEDIATORS, m, _today())[0].errors[0]


def test_a_preview_is_rechecked_at_confirm_and_loads_nothing_if_it_changed(world):
    c = client(world.county_admin)
    url = preview_url(upload(c, R.COMMITTEES, xlsx(C_HEAD, committee_rows()[:2])))
    # Meanwhile the county admin is moved to another county: the rows are outside their area now.
    world.county_admin.division_id = "421221"
    world.county_admin.save()
    before = Committee.objects.count()
    response = c.post(url, {"action": "confirm"}, follow=True)
    assert "未导入任何一行" in response.content.decode()
    assert Committee.objects.count() == before and not RegistryChange.objects.exists()


def test_the_preview_page_shows_what_is_valid_now_and_confirm_loads_that(world):
    c = client(world.county_admin)
    url = preview_url(upload(c, R.COMMITTEES, xlsx(C_HEAD, committee_rows()[:2])))
    # After the upload, someone registers a committee under the first row's short name.
    Committee.objects.create(name="别的调委会", short_name="新村", committee_type="VILLAGE", division_id="421202001002")
    html = c.get(url).content.decode()
    assert "简称“新村”已被已有的调解组织使用" in html and "确认导入 1 行" in html
    c.post(url, {"action": "confirm"})
    assert Committee.objects.filter(short_name="温泉物业").exists()
    assert not Committee.objects.filter(name="温泉街道新村人民调解委员会").exists()


def test_forged_altered_or_foreign_previews_load_nothing(world):
    c = client(world.county_admin)
    url = preview_url(upload(c, R.COMMITTEES, xlsx(C_HEAD, committee_rows()[:1])))
    token = url.rstrip("/").rsplit("/", 1)[1]
    before = Committee.objects.count()
    # A guessed token.
    assert (
        c.post(reverse("console:registry_import_preview", args=["x" + token]), {"action": "confirm"}).status_code == 404
    )
    # Rows sent by the browser are never read: only the sealed server-side rows are.
    c2 = client(world.county_admin)
    assert c2.post(url, {"action": "confirm", "rows": '[[3, {"name": "伪造"}]]'}).status_code == 404  # not its session
    # Another user's session cannot use this token, even with the same sealed value copied in.
    other = client(world.city_admin)
    session = other.session
    session[SESSION_KEY] = c.session[SESSION_KEY]
    session.save()
    assert other.post(url, {"action": "confirm"}).status_code == 404
    # An altered sealed value does not unseal.
    session = c.session
    entry = dict(session[SESSION_KEY])
    entry["sealed"] = entry["sealed"][:-8] + "AAAAAAAA"
    session[SESSION_KEY] = entry
    session.save()
    assert c.post(url, {"action": "confirm"}).status_code == 404
    # A value sealed by someone else's key (a forged preview) does not unseal either.
    forged = {"user": world.county_admin.pk, "kind": R.COMMITTEES, "file_name": "x", "sha256": "", "header_row": 1}
    forged |= {
        "rows": [[2, {"name": "伪造调委会", "short_name": "伪造", "committee_type": "村调委会", "division": "城关村"}]]
    }
    forged["valid"] = [2]
    from cryptography.fernet import Fernet

    entry["sealed"] = Fernet(Fernet.generate_key()).encrypt(str(forged).encode()).decode()
    session[SESSION_KEY] = entry
    session.save()
    assert c.post(url, {"action": "confirm"}).status_code == 404
    assert Committee.objects.count() == before and not Committee.objects.filter(name="伪造调委会").exists()


def test_a_preview_cannot_be_widened_even_when_sealed(world):
    """Rows are re-checked at confirm against the user's area: a sealed preview naming another county loads
    nothing (defence in depth beyond the seal)."""
    c = client(world.county_admin)
    url = preview_url(upload(c, R.COMMITTEES, xlsx(C_HEAD, committee_rows()[:1])))
    session = c.session
    entry = dict(session[SESSION_KEY])
    data = crypto.unseal(entry["sealed"])
    data["rows"].append(
        [
            99,
            {
                "name": "城关村第二调委会",
                "short_name": "城二",
                "committee_type": "村调委会",
                "division": "421221100001",
            },
        ]
    )
    assert data["valid"] == [2]
    data["valid"] = [2, 99]
    entry["sealed"] = crypto.seal(data)
    session[SESSION_KEY] = entry
    session.save()
    c.post(url, {"action": "confirm"})
    assert not Committee.objects.filter(short_name__in=["城二", "新村"]).exists()


def test_confirm_needs_the_csrf_token(world):
    c = client(world.county_admin, enforce_csrf_checks=True)
    page = c.get(UPLOAD)
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else c.cookies["csrftoken"].value
    f = SimpleUploadedFile("名册.xlsx", xlsx(C_HEAD, committee_rows()[:1]))
    assert c.post(UPLOAD, {"kind": R.COMMITTEES, "file": f}).status_code == 403  # upload without the token
    f = SimpleUploadedFile("名册.xlsx", xlsx(C_HEAD, committee_rows()[:1]))
    url = preview_url(c.post(UPLOAD, {"kind": R.COMMITTEES, "file": f, "csrfmiddlewaretoken": token}))
    assert c.post(url, {"action": "confirm"}).status_code == 403
    assert not Committee.objects.filter(short_name="新村").exists()
    c.post(url, {"action": "confirm", "csrfmiddlewaretoken": token})
    assert Committee.objects.filter(short_name="新村").exists()


IMPORTERS = {"sfs_officer", "county_admin", "other_county_admin", "city_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "name,args", [("console:registry_import", []), ("console:registry_import_template", ["committees"])]
)
def test_only_bureau_and_township_staff_reach_the_import(world, persona, name, args):
    response = client(world.personas()[persona]).get(reverse(name, args=args))
    assert response.status_code == (200 if persona in IMPORTERS else 404)


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - IMPORTERS))
def test_others_cannot_post_an_upload(world, persona):
    response = upload(client(world.personas()[persona]), R.COMMITTEES, xlsx(C_HEAD, committee_rows()[:1]))
    assert response.status_code == 404 and not Committee.objects.filter(short_name="新村").exists()


@pytest.mark.parametrize("kind", [R.COMMITTEES, R.MEDIATORS])
def test_the_template_is_a_real_workbook_that_loads_back(world, kind):
    c = client(world.county_admin)
    response = c.get(reverse("console:registry_import_template", args=[kind]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    ws = wb.worksheets[0]
    headers = [cell.value for cell in ws[1]]
    assert headers == [f"{col.header}*" if col.required else col.header for col in R.COLUMNS[kind]]
    assert wb.sheetnames[1] == "填写说明"
    if kind == R.COMMITTEES:
        values = {"name": "温泉街道新村人民调解委员会", "short_name": "新村", "committee_type": "村调委会"}
        values |= {"division": "温泉街道桂花村"}
    else:
        values = {"name": "钱专职", "committee": "桂花村", "category": "专职", "id_number": pid(5)}
    for i, col in enumerate(R.COLUMNS[kind], start=1):
        ws.cell(row=2, column=i, value=values.get(col.key))
    out = BytesIO()
    wb.save(out)
    url = preview_url(upload(c, kind, out.getvalue()))
    c.post(url, {"action": "confirm"})
    model = Committee if kind == R.COMMITTEES else Mediator
    assert model.objects.filter(name=values["name"]).exists()


def test_upload_checks_refuse_non_workbooks_and_wrong_headers(world):
    c = client(world.county_admin)
    response = upload(c, R.COMMITTEES, b"%PDF-1.4 not a workbook", "名册.xlsx")
    assert response.status_code == 200 and "不是可接受的格式" in response.content.decode()
    response = upload(c, R.MEDIATORS, xlsx(C_HEAD, committee_rows()[:1]))
    assert response.status_code == 200 and "缺少：姓名、所在调委会、专兼职" in response.content.decode()
    response = upload(c, R.COMMITTEES, xlsx(C_HEAD, []))
    assert "没有数据行" in response.content.decode()
