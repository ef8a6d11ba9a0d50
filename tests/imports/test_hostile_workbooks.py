"""Issue 10 point 1: workbooks built to exhaust the server are refused on the upload form, quickly, with a Chinese
reason, before openpyxl reads them (memory stays flat); cells, rows and columns staged per request are capped."""

import time
import tracemalloc

import pytest
from django.urls import reverse

from imports.models import ImportBatch
from tests.files import xlsx, xlsx_with_huge_shared_string
from tests.imports.ledger import HEADERS, row
from tests.imports.test_import import _file, upload_and_validate


def _post(client, data: bytes, name: str = "台账.xlsx"):
    """The upload, timed and with the peak of Python allocations during it (after a first request has imported
    every module, so that only the upload itself is measured)."""
    assert client.get(reverse("imports:upload")).status_code == 200
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = client.post(reverse("imports:upload"), {"file": _file(data, name)})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, time.monotonic() - started, peak


def _ledger_rows(n: int) -> list[list]:
    return [["桂花村人民调解案件登记台账"], HEADERS, *[row(i % 900 + 1, 序号=i) for i in range(1, n + 1)]]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: xlsx_with_huge_shared_string(50), "表格解压后的内容过大（约 50 MB）"),
        (
            lambda: xlsx([["受理日期", "纠纷简要情况"], *[["2025-03-01", f"事实{i}"] for i in range(20_000)]]),
            "表格超过 2000 行",
        ),
        (lambda: xlsx([[f"列{i}" for i in range(1, 5001)], list(range(1, 5001))]), "表格超过 100 列（第1行第101列"),
        (lambda: xlsx([HEADERS, row(1, 纠纷简要情况="争" * 2500)]), "表格第2行第11列超过 2000 个字"),
        (lambda: xlsx([HEADERS, row(1)], shared=["长" * 3000]), "表格中有单元格超过 2000 个字"),
        (lambda: xlsx([HEADERS, *[[None] * 100 for _ in range(900)]]), "表格中的行或单元格过多"),
    ],
    ids=["50MB-shared-string", "20000-rows", "5000-columns", "long-inline-cell", "long-shared-string", "cells"],
)
def test_a_hostile_workbook_is_refused_on_the_form_quickly_and_in_little_memory(world, login, build, message):
    data = build()
    assert len(data) < 700_000  # each is small on the wire
    response, seconds, peak = _post(login(world.county_admin), data)
    html = response.content.decode()
    assert response.status_code == 200 and "历史台账导入" in html
    assert "“台账.xlsx”未导入：" + message in html or message in html, html[html.find("invalid-feedback") :][:400]
    assert seconds < 3, seconds
    assert peak < 25 * 1024 * 1024, peak  # the 50 MB string was never inflated
    assert ImportBatch.objects.count() == 0


def test_a_sheet_whose_dimension_claims_the_whole_grid_is_read_as_what_it_holds(world, login):
    """openpyxl pads every row to the <dimension> a sheet claims (16,384 columns × 1,048,576 rows here): the reader
    ignores it, so this ordinary ledger previews and stages in well under a second each."""
    data = xlsx(_ledger_rows(20), dimension="A1:XFD1048576")
    client = login(world.county_admin)
    started = time.monotonic()
    batch = upload_and_validate(client, data)
    assert time.monotonic() - started < 5
    assert batch.total_rows == 20 and len(batch.headers) == len(HEADERS)


def test_the_caps_are_settings_and_a_ledger_within_them_is_accepted(world, login, settings):
    client = login(world.county_admin)
    settings.TIAOJIE = {**settings.TIAOJIE, "IMPORT_MAX_ROWS": 10}
    response, _seconds, _peak = _post(client, xlsx(_ledger_rows(9)))  # 2 + 9 = 11 rows with content
    assert "表格超过 10 行，一次最多导入 10 行" in response.content.decode()
    settings.TIAOJIE = {**settings.TIAOJIE, "IMPORT_MAX_ROWS": 11, "IMPORT_MAX_COLUMNS": 15}
    response, _seconds, _peak = _post(client, xlsx(_ledger_rows(9)))
    assert "表格超过 15 列" in response.content.decode()
    settings.TIAOJIE = {**settings.TIAOJIE, "IMPORT_MAX_COLUMNS": 16}
    response, _seconds, _peak = _post(client, xlsx(_ledger_rows(9)))
    assert response.status_code == 302
    assert ImportBatch.objects.get().total_rows == 0  # uploaded, not staged yet


def test_rows_are_refused_at_staging_if_the_cap_was_lowered_after_the_upload(world, login, settings):
    client = login(world.county_admin)
    response, _seconds, _peak = _post(client, xlsx(_ledger_rows(12)))
    batch = ImportBatch.objects.get()
    form = client.get(response["Location"]).context["form"]
    settings.TIAOJIE = {**settings.TIAOJIE, "IMPORT_MAX_ROWS": 5}
    response = client.post(
        reverse("imports:preview", args=[batch.pk]), {k: form.initial.get(k, "") for k in form.fields}
    )
    assert response.status_code == 302 and response["Location"] == reverse("imports:upload")
    assert "一次最多导入 5 行" in client.get(response["Location"]).content.decode()
    batch.refresh_from_db()
    assert batch.stored_path == "" and batch.rows.count() == 0


def test_the_preview_prints_long_cells_truncated(world, login):
    long_facts = "双方因宅基地边界发生争执。" * 100  # 1,300 characters: within the cell cap
    client = login(world.county_admin)
    response, _seconds, _peak = _post(client, xlsx([HEADERS, row(1, 纠纷简要情况=long_facts)]))
    html = client.get(response["Location"]).content.decode()
    assert long_facts[:199] + "…" in html  # the tooltip keeps 200 characters
    assert long_facts[:250] not in html
