"""Import a legacy ledger (.xlsx) from the command line, with the automatic column mapping, as a given user."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from imports import services
from imports.mapping import config, guess_mapping
from imports.models import BatchStatus
from imports.parsing import read_sheet
from imports.validation import may_import


class Command(BaseCommand):
    help = "导入历史人民调解台账（.xlsx）：校验每一行，并通过案件操作把有效行建为案件（重复导入不会重复建案）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="以该用户身份导入（县/市司法局管理员或调委会主任）")
        parser.add_argument("--mapping", default="default", help="data/import_mappings.json 中的列对应方案")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不导入")

    def handle(self, *args, **opts) -> None:
        user = User.objects.filter(username=opts["user"]).first()
        if user is None or not may_import(user):
            raise CommandError("该用户不存在或无权导入台账")
        if opts["mapping"] not in config()["mappings"]:
            raise CommandError(f"没有名为 {opts['mapping']} 的列对应方案")
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        data = path.read_bytes()
        started = time.monotonic()
        with path.open("rb") as fh:
            sheet = read_sheet(fh)
        col_map = guess_mapping(sheet.headers, opts["mapping"])
        batch = services.new_batch(user, path.name, data, opts["mapping"])
        batch.headers, batch.header_row, batch.sheet_name, batch.mapping = (
            sheet.headers,
            sheet.header_row,
            sheet.name[:100],
            col_map,
        )
        batch.save()
        self.stdout.write(f"列对应：{col_map}")
        services.stage_rows(batch, services.records_from(sheet.rows, col_map), user)
        self.stdout.write(
            f"校验：共{batch.total_rows}行，可导入{batch.valid_rows}，错误{batch.error_rows}，"
            f"文件内重复{batch.duplicate_rows}，已导入跳过{batch.skipped_rows}"
        )
        if opts["dry_run"]:
            return
        while batch.status != BatchStatus.DONE:
            services.run_step(batch, budget_seconds=30.0)
            self.stdout.write(f"  已处理 {batch.processed_rows}/{batch.valid_rows}")
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"批次{batch.pk}完成：导入{batch.imported_rows}件，失败{batch.failed_rows}行，"
                f"用时{seconds:.1f}秒（{batch.total_rows / seconds:.1f}行/秒）"
            )
        )
