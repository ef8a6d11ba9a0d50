"""Issue 9 §10: the legacy import keeps the case numbers a ledger already carries (checked against the numbering
rule), reports gaps as a warning and duplicates as row errors, and the live sequence continues after the highest
imported number; short facts are a warning, not a refusal. Real .xlsx files through the pages."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from cases.enums import CaseStatus
from cases.models import Case, CaseSequence
from imports.models import BatchStatus, RowStatus
from tests.imports.ledger import HEADERS, row, workbook
from tests.imports.test_import import run_import, upload_and_validate
from tests.supervision.helpers import build, dt

NUMBERED = [*HEADERS, "案号"]
A = "（2026）桂花人调字第{}号"


def numbered(n: int, case_no: str, **kw) -> list:
    """A ledger row of 2026 (village A) with its number in the 案号 column."""
    dates = {"登记日期": f"2026-03-{n:02d}", "受理日期": f"2026-03-{n:02d}", "结案日期": "2026-04-20"}
    return [*row(n, **{**dates, **kw}), case_no]


def numbered_workbook(rows: list[list]) -> bytes:
    data = workbook([])
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    ws.delete_rows(2)
    ws.append(NUMBERED)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger() -> bytes:
    """Spreadsheet rows 3..12."""
    return numbered_workbook(
        [
            numbered(1, A.format(1)),  # r3 kept
            numbered(2, A.format(2)),  # r4 kept
            numbered(3, A.format(5)),  # r5 kept: 3 and 4 are missing
            numbered(4, "（2026）桂花人调字第007号"),  # r6 kept as 第7号, rewritten with a warning
            numbered(5, ""),  # r7 no number: a new one after the highest kept (8)
            numbered(6, "2026-桂-009"),  # r8 not under the rule: a new number (9), the ledger's kept in the record
            numbered(7, A.format(2)),  # r9 number of r4 again: row error
            numbered(8, "（2026）柏墩人调字第3号"),  # r10 another committee's short name: row error
            numbered(9, "（2025）桂花人调字第3号"),  # r11 accepted in 2026, numbered 2025: row error
            numbered(10, "", 纠纷简要情况="邻里吵架"),  # r12 short facts: imported, with a warning (10)
        ]
    )


def test_ledger_numbers_are_kept_checked_and_the_live_sequence_follows(world, login):
    client = login(world.county_admin)
    batch = upload_and_validate(client, ledger())
    assert batch.status == BatchStatus.VALIDATED
    assert batch.mapping["legacy_no"] == NUMBERED.index("案号")
    assert (batch.total_rows, batch.valid_rows, batch.error_rows) == (10, 7, 3)
    errors = dict(batch.rows.filter(status=RowStatus.ERROR).values_list("row_number", "message"))
    assert errors == {
        9: f"案号“{A.format(2)}”与第4行重复",
        10: "案号“（2026）柏墩人调字第3号”中的调委会简称“柏墩”与本调委会简称“桂花”不符",
        11: "案号“（2025）桂花人调字第3号”的年度2025与受理年度2026不一致",
    }
    warnings = dict(batch.rows.exclude(warning="").values_list("row_number", "warning"))
    assert warnings[6] == f"原编号“（2026）桂花人调字第007号”按编号规则写作“{A.format(7)}”"
    assert warnings[8].startswith("原编号“2026-桂-009”不符合编号规则")
    assert warnings[12] == "纠纷简要情况仅4字（不足20字），导入后将列为信息过于简单"
    # Gaps over the kept numbers 1, 2, 5, 7: a warning of the file, not a refusal.
    assert batch.warnings == ["桂花村人民调解委员会2026年的案号缺号3个：第3、4、6号"]

    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "桂花村人民调解委员会2026年的案号缺号3个" in page and "纠纷简要情况仅4字" in page
    assert 'data-warning="12"' in page

    # The error report lists the errors, and the warnings on a sheet of their own.
    report = client.get(reverse("imports:error_report", args=[batch.pk]))
    wb = load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    assert [r[0] for r in list(wb["错误报告"].iter_rows(values_only=True))[1:]] == [9, 10, 11]
    tips = list(wb["提示"].iter_rows(values_only=True))[1:]
    assert tips[0] == ("全表", batch.warnings[0]) and [t[0] for t in tips[1:]] == [6, 8, 12]

    batch = run_import(client, batch)
    assert (batch.status, batch.imported_rows, batch.failed_rows) == (BatchStatus.DONE, 7, 0)
    imported = batch.rows.filter(status=RowStatus.IMPORTED).select_related("case")
    numbers = {r.row_number: r.case.case_no for r in imported}
    assert numbers == {
        3: A.format(1),
        4: A.format(2),
        5: A.format(5),
        6: A.format(7),
        7: A.format(8),  # unnumbered rows: after the highest kept number, in acceptance order
        8: A.format(9),
        12: A.format(10),
    }
    kept = Case.objects.get(case_no=A.format(7))
    assert (kept.year, kept.seq) == (2026, 7)
    renumbered = Case.objects.get(case_no=A.format(9))
    assert "原编号2026-桂-009" in renumbered.events.get(action="accept").note
    short = Case.objects.get(case_no=A.format(10))
    assert short.brief_facts == "邻里吵架" and short.status == CaseStatus.CLOSED
    assert CaseSequence.objects.get(committee=world.village_a, year=2026).last == 10

    # A case accepted live after the import takes the next number, never one of the ledger's.
    live = build(world, CaseStatus.ACCEPTED, dt(2026, 11, 2))
    assert live.case_no == A.format(11)


def test_numbers_already_used_on_the_platform_are_row_errors(world, login):
    live = build(world, CaseStatus.ACCEPTED, dt(2026, 3, 2))
    assert live.case_no == A.format(1)
    client = login(world.county_admin)
    batch = upload_and_validate(client, numbered_workbook([numbered(5, A.format(1)), numbered(6, A.format(3))]))
    rows = {r.row_number: r for r in batch.rows.all()}
    assert rows[3].status == RowStatus.ERROR and rows[3].message == f"案号“{A.format(1)}”已被平台上的案件使用"
    assert rows[4].status == RowStatus.VALID
    # The platform's own 第1号 and the kept 第3号: 第2号 is missing.
    assert batch.warnings == ["桂花村人民调解委员会2026年的案号缺号1个：第2号"]
    batch = run_import(client, batch)
    assert Case.objects.filter(case_no=A.format(3)).exists()
    assert build(world, CaseStatus.ACCEPTED, dt(2026, 11, 3)).case_no == A.format(4)


def test_the_same_file_again_is_skipped_not_refused_as_duplicate_numbers(world, login):
    client = login(world.county_admin)
    data = numbered_workbook([numbered(1, A.format(1)), numbered(2, A.format(2))])
    run_import(client, upload_and_validate(client, data))
    again = upload_and_validate(client, data)
    assert (again.valid_rows, again.skipped_rows, again.error_rows) == (0, 2, 0)
    assert again.warnings == []
