"""An inspection's problem list from Excel (issue 16 §4): the template downloads and reads back; a good file is
imported whole; a file with bad rows shows every row's errors and imports nothing; a hostile or foreign file is
refused by the project's upload checks."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ledgers.events import history
from ledgers.rectification import clock
from ledgers.rectification.importing import COLUMNS
from ledgers.rectification.models import RectificationItem
from tests.files import clean_pdf
from tests.rectification_people import build, inspection

HEAD = ["序号", "问题描述", "责任领导", "责任部门", "整改措施", "阶段目标", "整改时限", "验收人", "长期整改"]


@pytest.fixture
def r(world):
    return build(world)


def workbook(rows, title: str | None = "区委第二巡察组反馈问题整改清单") -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = [
    [
        1,
        "落实第一议题制度不到位",
        "周局长",
        "人民参与和促进法治科",
        "严格执行第一议题制度。",
        "2026-02-28 制定学习计划",
        "2026-04-30",
        "冯验收",
        "否",
    ],
    [2, "政治轮训不严不实", "周局长", "公共法律服务科", "制定政治轮训方案。", "", "2026/6/30", "钱验收", ""],
    [
        "",
        "人民调解工作开展不扎实",
        "周局长",
        "人民参与和促进法治科",
        "开展摸底调研并下达整改函。",
        "",
        "2026年12月31日",
        "冯验收",
        "是",
    ],
]


def upload(client, insp, data: bytes, name: str = "清单.xlsx"):
    f = SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return client.post(reverse("rectification:import", args=[insp.pk]), {"file": f})


def test_the_template_reads_back(r, client):
    insp = inspection(r)
    client.force_login(r.office)
    response = client.get(reverse("rectification:import_template", args=[insp.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == [f"{c.header}*" if c.required else c.header for c in COLUMNS]
    assert wb.sheetnames == ["整改问题清单", "填写说明"]
    client.force_login(r.staff)
    assert client.get(reverse("rectification:import_template", args=[insp.pk])).status_code == 404


def test_a_good_file_is_imported_whole(r, client):
    insp = inspection(r)
    client.force_login(r.office)
    response = upload(client, insp, workbook(GOOD))
    assert response.status_code == 302
    items = list(RectificationItem.objects.order_by("number"))
    assert [i.number for i in items] == [1, 2, 3]
    assert [i.department.name for i in items] == ["人民参与和促进法治科", "公共法律服务科", "人民参与和促进法治科"]
    assert [i.reviewer for i in items] == [r.reviewer, r.other_reviewer, r.reviewer]
    assert [i.deadline.isoformat() for i in items] == ["2026-04-30", "2026-06-30", "2026-12-31"]
    assert [i.long_term for i in items] == [False, False, True]
    assert items[0].milestones.get().title == "制定学习计划"
    assert all(clock.live(i).exists() for i in items)
    assert "import_items" in [e.action for e in history(insp)]
    # The same file again: its numbers are taken, so nothing more is imported.
    again = upload(client, insp, workbook(GOOD[:2]))
    assert again.status_code == 400 and "序号1已在本次检查的台账中" in again.content.decode()
    assert RectificationItem.objects.count() == 3


def test_bad_rows_are_all_shown_and_nothing_is_imported(r, client):
    insp = inspection(r)
    rows = [
        GOOD[0],
        [2, "", "张三", "财务科", "", "三月 完成", "2026-02-30", "罗科长", "也许"],
        [1, "重复序号的问题", "周局长", "公共法律服务科", "整改措施写在这里。", "", "2025-12-01", "冯验收", ""],
    ]
    client.force_login(r.office)
    response = upload(client, insp, workbook(rows))
    page = response.content.decode()
    assert response.status_code == 400
    assert "共 3 行，其中 2 行有错误，本次未导入任何事项" in page
    for message in [
        "缺少问题描述",
        "缺少整改措施",
        "责任领导“张三”不在本局的责任领导名单中",
        "责任部门“财务科”不是本局在用的科室",
        "日期“2026-02-30”不存在",
        "验收人“罗科长”不在本局的验收人名单中",
        "长期整改应填“是”或“否”",
        "阶段目标“三月 完成”应写作“日期 内容”",
        "序号1与第3行重复",
        "整改时限不能早于反馈日期",
    ]:
        assert message in page, message
    assert "第4行" in page and "第5行" in page and "第3行</td>" not in page
    assert not RectificationItem.objects.exists()


def test_missing_headers_and_foreign_files_are_refused(r, client):
    insp = inspection(r)
    client.force_login(r.office)
    wb = Workbook()
    wb.active.append(["问题描述", "整改措施"])
    wb.active.append(["某问题", "某措施"])
    out = io.BytesIO()
    wb.save(out)
    page = upload(client, insp, out.getvalue()).content.decode()
    assert "表头与模板不符，缺少：责任领导、责任部门、整改时限、验收人" in page
    page = upload(client, insp, clean_pdf(), name="清单.xlsx").content.decode()
    assert "不是可接受的格式" in page
    assert not RectificationItem.objects.exists()


def test_only_the_office_imports(r, client):
    insp = inspection(r)
    for user in (r.staff, r.leader, r.reviewer, r.city_office, r.county_admin, r.outsider):
        client.force_login(user)
        assert upload(client, insp, workbook(GOOD)).status_code == 404
    assert not RectificationItem.objects.exists()
