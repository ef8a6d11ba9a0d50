"""manage.py search_reindex [--division CODE] [--batch N]: rebuild the search index of every case (or of one area)
after a bulk path that bypassed the signals (legacy import, the benchmark generator)."""

import time

from django.core.management.base import BaseCommand

from cases.models import Case
from search.index import reindex


class Command(BaseCommand):
    help = "重建案件全文检索索引（批量导入、基准数据生成之后）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--division", default="", help="只重建该区划代码内的案件")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, division: str, batch: int, **options) -> None:
        started = time.monotonic()
        qs = Case.objects.all()
        if division:
            qs = qs.filter(division_code__startswith=division)
        n = reindex(qs, batch=batch, log=self.stdout.write if options.get("verbosity", 1) > 1 else None)
        self.stdout.write(f"检索索引已重建：{n} 件（{time.monotonic() - started:.1f}s）")
