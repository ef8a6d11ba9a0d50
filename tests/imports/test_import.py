"""Legacy import end to end through the pages: upload → mapping → validation → error report → import."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccessLog
from cases.enums import AgreementForm, CaseStatus, Outcome
from cases.models import Case, Notification
from imports import services
from imports.models import BatchStatus, ImportBatch, ImportedKey, RowStatus
from tests.imports.ledger import HEADERS, pid, row, workbook


def _bad_checksum(n: int) -> str:
    good = pid(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


def ledger() -> bytes:
    """Spreadsheet rows 3..13 (row 1 is the title, row 2 the headers)."""
    return workbook(
        [
            row(1, 受理日期="2025.3.2"),  # r3 written agreement, performed, closed
            row(2, 受理日期="2025-03-05", 协议形式="口头", 登记日期="2025-03-05", 结案日期="2025年3月6日"),  # r4 oral
            row(3, 受理日期="2025/3/4", 调解结果="调解不成功", 协议金额="", 结案日期="2025-03-30"),  # r5 terminated
            row(4, 受理日期=45717, 登记日期=45717, 调解结果="", 结案日期=""),  # r6 Excel serial date, still mediating
            row(
                5,
                受理日期="2025年3月10日",
                登记日期="2025-03-10",
                被申请人="咸宁市某物业服务有限公司",
                纠纷类型="物业管理纠纷",
                结案日期="2025-03-12",
            ),  # r7 company respondent
            row(6, 身份证号=_bad_checksum(6)),  # r8 bad ID checksum
            row(7, 受理日期="去年三月", 登记日期=""),  # r9 unparseable date
            row(8, 纠纷类型="外星纠纷"),  # r10 unknown type
            row(9, 调委会="城关村人民调解委员会"),  # r11 committee in another county
            row(10, 申请人=""),  # r12 missing name
            row(1, 受理日期="2025.3.2"),  # r13 duplicate of r3
        ]
    )


def upload_and_validate(client, data: bytes, name: str = "桂花村台账.xlsx") -> ImportBatch:
    response = client.post(reverse("imports:upload"), {"file": _file(data, name)})
    assert response.status_code == 302, response.content.decode()[:500]
    batch = ImportBatch.objects.latest("id")
    assert response["Location"] == reverse("imports:preview", args=[batch.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "前" in page.content.decode()
    form = page.context["form"]
    post = {name: form.initial.get(name, "") for name in form.fields}
    response = client.post(reverse("imports:preview", args=[batch.pk]), post)
    assert response.status_code == 302
    batch.refresh_from_db()
    return batch


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def run_import(client, batch: ImportBatch) -> ImportBatch:
    url = reverse("imports:batch", args=[batch.pk])
    client.post(url, {"action": "start"})
    for _ in range(50):
        batch.refresh_from_db()
        if batch.status == BatchStatus.DONE:
            break
        response = client.post(url, {"action": "step"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "import-progress" in response.content.decode()
    return batch


def test_validation_counts_error_report_and_import(world, login):
    client = login(world.county_admin)
    data = ledger()
    batch = upload_and_validate(client, data)
    assert batch.status == BatchStatus.VALIDATED
    assert batch.headers == HEADERS and batch.header_row == 2
    assert (batch.total_rows, batch.valid_rows, batch.error_rows, batch.duplicate_rows, batch.skipped_rows) == (
        11,
        5,
        5,
        1,
        0,
    )
    assert not batch.stored_path  # the uploaded file is not kept once its rows are staged
    messages = dict(batch.rows.exclude(status=RowStatus.VALID).values_list("row_number", "message"))
    assert "身份证号码校验位不正确" in messages[8]
    assert "受理日期：无法识别的日期“去年三月”" in messages[9]
    assert messages[10] == "无法识别的纠纷类型“外星纠纷”"
    assert messages[11] == "调委会“城关村人民调解委员会”不存在或不在您的管辖范围内"
    assert messages[12] == "申请人（当事人）姓名不能为空"
    assert messages[13] == "与第3行重复"

    # The error report: the original row and the reason, opened as a real workbook.
    response = client.get(reverse("imports:error_report", args=[batch.pk]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("行号", *HEADERS, "错误说明")
    assert [r[0] for r in rows[1:]] == [8, 9, 10, 11, 12, 13]
    by_row = {r[0]: r for r in rows[1:]}
    assert by_row[8][HEADERS.index("身份证号") + 1] == _bad_checksum(6)
    assert by_row[11][HEADERS.index("调委会") + 1] == "城关村人民调解委员会"
    assert by_row[9][-1].startswith("受理日期：无法识别的日期")
    assert AccessLog.objects.filter(user=world.county_admin, action="import_error_report").count() == 1

    before = timezone.now()
    assert Case.objects.count() == 0
    batch = run_import(client, batch)
    assert batch.status == BatchStatus.DONE
    assert (batch.imported_rows, batch.failed_rows) == (5, 0)
    cases = {r.row_number: r.case for r in batch.rows.filter(status=RowStatus.IMPORTED).select_related("case")}
    assert sorted(cases) == [3, 4, 5, 6, 7]
    # Numbers follow the ledger's acceptance order: r6 (3-1), r3 (3-2), r5 (3-4), r4 (3-5), r7 (3-10).
    numbers = {n: c.case_no for n, c in cases.items()}
    assert numbers == {
        6: "（2025）桂花人调字第1号",
        3: "（2025）桂花人调字第2号",
        5: "（2025）桂花人调字第3号",
        4: "（2025）桂花人调字第4号",
        7: "（2025）桂花人调字第5号",
    }
    local = lambda dt: timezone.localtime(dt).date()  # noqa: E731
    c3 = cases[3]
    assert c3.status == CaseStatus.CLOSED and c3.outcome == Outcome.SUCCESS
    assert local(c3.registered_at) == date(2025, 3, 1) and local(c3.accepted_at) == date(2025, 3, 2)
    assert local(c3.closed_at) == date(2025, 3, 20)
    assert c3.entered_at >= before  # a late entry: entered now, dated as in the ledger
    assert c3.agreements.get().form == AgreementForm.WRITTEN
    assert c3.presiding_mediator.user == world.mediator_a
    # The importer answers for the historical facts: they are the actor of every import step (the SYSTEM steps
    # of the table, an agreement taking effect, keep no actor, as in the interactive flow).
    assert c3.registered_by == world.county_admin and c3.accepted_by == world.county_admin
    steps = list(c3.events.order_by("at", "id").values_list("action", "actor_id"))
    assert [a for a, _ in steps] == [
        "register",
        "accept",
        "assign",
        "draft_agreement",
        "sign_agreement",
        "sign_agreement",
        "sign_agreement",
        "seal_agreement",
        "agreement_effective",
        "immediate_performance",
        "close",
    ]
    assert {actor for a, actor in steps if a != "agreement_effective"} == {world.county_admin.pk}
    accept_note = c3.events.get(action="accept").note
    assert accept_note.startswith(f"历史台账导入（批次{batch.pk}，第3行") and "原编号" not in accept_note
    assert cases[4].status == CaseStatus.CLOSED and cases[4].agreements.get().form == AgreementForm.ORAL
    assert cases[5].status == CaseStatus.CLOSED and cases[5].outcome == Outcome.FAILURE
    assert cases[6].status == CaseStatus.IN_MEDIATION and local(cases[6].accepted_at) == date(2025, 3, 1)
    assert cases[7].parties.get(side="RESPONDENT").party_type == "LEGAL_PERSON"
    assert cases[7].dispute_type == "PROPERTY_MGMT"
    assert ImportedKey.objects.count() == 5

    # The same file again adds nothing and says why.
    response = client.post(reverse("imports:upload"), {"file": _file(data, "桂花村台账.xlsx")}, follow=True)
    assert "该文件曾于" in response.content.decode()
    again = ImportBatch.objects.latest("id")
    client.post(reverse("imports:preview", args=[again.pk]), {k: str(v) for k, v in again.mapping.items()})
    again.refresh_from_db()
    assert (again.valid_rows, again.skipped_rows, again.error_rows, again.duplicate_rows) == (0, 5, 5, 1)
    assert set(again.rows.filter(status=RowStatus.SKIPPED).values_list("message", flat=True)) == {"已导入，跳过"}
    assert "没有可导入的行" in client.get(reverse("imports:batch", args=[again.pk])).content.decode()
    assert Case.objects.count() == 5


def test_running_the_same_rows_twice_through_the_service_adds_nothing(world):
    rows = [
        {
            "committee": "桂花",
            "accepted_on": "2025-04-01",
            "dispute_type": "合同纠纷",
            "applicant_name": "甲某",
            "applicant_id": pid(21),
            "respondent_name": "乙某",
            "facts": "双方因借款到期未还发生纠纷，申请调解。",
            "outcome": "调解成功",
            "agreement_form": "口头",
            "agreement_amount": "5000",
        }
    ]
    first = services.import_rows(None, rows, world.director_a)
    second = services.import_rows(None, rows, world.director_a)
    assert (first.imported, first.skipped) == (1, 0)
    assert (second.imported, second.skipped) == (0, 1)
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.status == CaseStatus.CLOSED and case.amount_involved == 5000


def test_historical_steps_do_not_land_in_inboxes(e2e_world):
    """With real commits (on_commit callbacks would run): a historical case notifies nobody, read or unread."""
    rows = [
        {
            "accepted_on": "2025-04-01",
            "dispute_type": "合同纠纷",
            "applicant_name": "甲某",
            "applicant_id": pid(22),
            "respondent_name": "乙某",
            "facts": "双方因借款到期未还发生纠纷，申请调解。",
            "outcome": "调解成功",
            "mediator": "李调解",
        }
    ]
    result = services.import_rows(None, rows, e2e_world.director_a)
    case = Case.objects.get(pk=ImportBatch.objects.get(pk=result.batch_id).rows.get().case_id)
    assert case.status == CaseStatus.CLOSED and case.presiding_mediator.user == e2e_world.mediator_a
    assert not Notification.objects.filter(case=case).exists()


def test_performing_and_minor_and_future_dates(world):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    base = {
        "committee": "桂花村人民调解委员会",
        "accepted_on": "2025-05-06",
        "dispute_type": "损害赔偿纠纷",
        "respondent_name": "乙某",
        "facts": "双方因车辆刮擦赔偿问题发生纠纷，申请调解。",
        "outcome": "调解成功",
    }
    rows = [
        {
            **base,
            "applicant_name": "甲一",
            "applicant_id": pid(31),
            "performance": "分期履行",
            "agreement_amount": "2万",
        },
        {**base, "applicant_name": "小明", "applicant_id": pid(32, date(2015, 1, 1))},  # a minor without a guardian
        {**base, "applicant_name": "小红", "applicant_id": pid(33, date(2015, 1, 1)), "guardian": "红妈"},
        {**base, "applicant_name": "甲四", "applicant_id": pid(34), "accepted_on": tomorrow},
    ]
    result = services.import_rows(None, rows, world.county_admin)
    assert (result.imported, result.errors) == (2, 2)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    msgs = dict(batch.rows.values_list("row_number", "message"))
    assert msgs[3] == "申请人登记时未满18周岁，须填写法定代理人"
    assert msgs[5] == "日期不能晚于今天"
    performing = batch.rows.get(row_number=2).case
    assert performing.status == CaseStatus.PERFORMING


@pytest.mark.parametrize(
    "persona,committee,expected_error",
    [
        ("other_county_admin", "桂花村人民调解委员会", "不存在或不在您的管辖范围内"),
        ("other_county_admin", "城关村人民调解委员会", None),
        ("director_a", "柏墩村人民调解委员会", "不存在或不在您的管辖范围内"),
        ("director_a", "", None),  # a director's ledger needs no committee column
        ("county_admin", "柏墩", None),  # short names are understood
        ("city_admin", "城关村人民调解委员会", None),
    ],
)
def test_scope_of_committees(world, persona, committee, expected_error):
    user = getattr(world, persona)
    mediator = {"城关村人民调解委员会": "周调解", "柏墩": "陈调解"}.get(committee, "")
    rec = {
        "committee": committee,
        "accepted_on": "2025-06-02",
        "dispute_type": "邻里纠纷",
        "applicant_name": "甲某",
        "applicant_id": pid(41),
        "respondent_name": "乙某",
        "facts": "双方因相邻通行问题发生争执，申请调解。",
        "outcome": "调解成功",
        "mediator": mediator,
    }
    result = services.import_rows(None, [rec], user)
    row = ImportBatch.objects.get(pk=result.batch_id).rows.get()
    if expected_error:
        assert expected_error in row.message and result.imported == 0
    else:
        assert row.status == RowStatus.IMPORTED, row.message
        assert row.case.status == CaseStatus.CLOSED


@pytest.mark.parametrize("persona", ["mediator_a", "sfs_officer", "court_liaison", "party_user"])
def test_roles_that_may_not_import_are_refused(world, login, persona):
    client = login(getattr(world, persona))
    assert client.get(reverse("imports:upload")).status_code == 403
    assert client.post(reverse("imports:upload"), {"file": _file(ledger(), "a.xlsx")}).status_code == 403


def test_a_batch_is_visible_only_to_its_uploader(world, login):
    batch = upload_and_validate(login(world.county_admin), ledger())
    other = login(world.other_county_admin)
    for name in ("imports:batch", "imports:preview", "imports:error_report"):
        assert other.get(reverse(name, args=[batch.pk])).status_code == 404
    assert other.post(reverse("imports:batch", args=[batch.pk]), {"action": "start"}).status_code == 404
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_bad_uploads_get_a_message_not_a_500(world, login, settings):
    client = login(world.director_a)
    response = client.post(reverse("imports:upload"), {"file": _file(b"%PDF-1.4 not a ledger %%EOF", "a.xlsx")})
    assert response.status_code == 200 and "不是可接受的格式" in response.content.decode()
    response = client.post(reverse("imports:upload"), {"file": _file(b"PK\x03\x04garbage", "b.xlsx")})
    assert response.status_code == 200 and "已损坏" in response.content.decode()
    response = client.post(reverse("imports:upload"), {"file": _file(workbook([]), "empty.xlsx")})
    assert response.status_code == 200 and "没有找到数据行" in response.content.decode()
    settings.TIAOJIE = {**settings.TIAOJIE, "UPLOAD_MAX_BYTES": 1000}
    response = client.post(reverse("imports:upload"), {"file": _file(ledger(), "big.xlsx")})
    assert response.status_code == 200 and "超过了" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_mapping_errors_are_shown_next_to_the_fields(world, login):
    client = login(world.director_a)
    client.post(reverse("imports:upload"), {"file": _file(ledger(), "a.xlsx")})
    batch = ImportBatch.objects.latest("id")
    response = client.post(reverse("imports:preview", args=[batch.pk]), {"facts": "2", "dispute_type": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请选择受理日期（或登记日期）所在的列" in html and "这一列已对应到" in html
    assert "请选择申请人（或当事人）所在的列" in html
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UPLOADED


def test_a_row_the_action_refuses_does_not_sink_its_chunk(world):
    """Staged as valid, then the world changes before the import (a mediator moves to another committee): the
    historical action refuses that row with its own message; the other rows of the same chunk are imported."""
    base = {
        "committee": "桂花村人民调解委员会",
        "dispute_type": "邻里纠纷",
        "respondent_name": "乙某",
        "facts": "双方因相邻通行问题发生争执，申请调解。",
        "outcome": "调解成功",
    }
    rows = [
        {**base, "accepted_on": "2025-06-02", "applicant_name": "甲一", "applicant_id": pid(51), "mediator": "李调解"},
        {**base, "accepted_on": "2025-06-03", "applicant_name": "甲二", "applicant_id": pid(52), "mediator": "赵调解"},
        {**base, "accepted_on": "2025-06-04", "applicant_name": "甲三", "applicant_id": pid(53), "mediator": "李调解"},
    ]
    batch = services.new_batch(world.county_admin, "t")
    services.stage_rows(batch, ((i, r, []) for i, r in enumerate(rows, start=2)), world.county_admin)
    assert batch.valid_rows == 3
    moved = world.mediator_a2.mediator
    moved.committee = world.village_b
    moved.save()
    services.run_step(batch, budget_seconds=30)
    assert batch.status == BatchStatus.DONE and (batch.imported_rows, batch.failed_rows) == (2, 1)
    verdicts = dict(batch.rows.values_list("row_number", "status"))
    assert verdicts == {2: RowStatus.IMPORTED, 3: RowStatus.FAILED, 4: RowStatus.IMPORTED}
    assert batch.rows.get(row_number=3).message == "主持调解员必须是桂花村人民调解委员会的调解员"
    # Gap-free: the refused row took no number.
    assert list(
        batch.rows.filter(status=RowStatus.IMPORTED).order_by("row_number").values_list("message", flat=True)
    ) == [
        "（2025）桂花人调字第1号",
        "（2025）桂花人调字第2号",
    ]
    assert ImportedKey.objects.count() == 2 and not batch.rows.exclude(payload="").exists()
