"""`manage.py triage --input F.jsonl --output F.jsonl`: triage each line {"id", "text"} (optionally "headcount",
"amount_yuan", "division_code") into {"id", "dispute_type", "risk_level", "risk_flags", "route", "reasons"} — the
same function as the pages and the API (triage.service.suggest)."""

import json
import logging
import sys
import time
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from triage import engine
from triage.service import suggest

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Triage dispute descriptions (JSONL in, JSONL out): type, risk level and flags, route, with reasons."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", required=True, help='JSONL file, one {"id", "text"} per line (\'-\' = stdin)')
        parser.add_argument("--output", required=True, help="JSONL file to write ('-' = stdout)")

    def handle(self, *args, **options) -> None:
        try:
            src = sys.stdin if options["input"] == "-" else open(options["input"], encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"--input: {exc}") from exc
        t0 = time.monotonic()
        engine.get()
        loaded = time.monotonic() - t0
        done = failed = 0
        dst = None
        try:
            dst = None if options["output"] == "-" else open(options["output"], "w", encoding="utf-8")  # noqa: SIM115
            for n, line in enumerate(src, 1):  # streamed: a line written as soon as it is triaged
                if not line.strip():
                    continue
                try:
                    result = self._one(line)
                    done += 1
                except _BadLine as exc:
                    result = {"id": exc.id, "error": f"第{n}行：{exc.message}"}
                    failed += 1
                text = json.dumps(result, ensure_ascii=False) + "\n"
                if dst is None:
                    self.stdout.write(text, ending="")
                    self.stdout.flush()
                else:
                    dst.write(text)
                    dst.flush()
        finally:
            if dst is not None:
                dst.close()
            if src is not sys.stdin:
                src.close()
        self.stderr.write(
            f"{done} 条已分流，{failed} 条有误，模型 {engine.get().version}"
            f"（加载 {loaded:.2f} 秒，共 {time.monotonic() - t0:.2f} 秒）"
        )
        if failed:
            raise CommandError(f"{failed} 行未能分流（见输出中的 error）")

    @staticmethod
    def _one(line: str) -> dict:
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise _BadLine(None, "不是有效的JSON") from exc
        if not isinstance(obj, dict):
            raise _BadLine(None, "应为包含 id 和 text 的JSON对象")
        ident = obj.get("id")
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _BadLine(ident, "缺少纠纷描述（text）")
        headcount = obj.get("headcount")
        if headcount in (None, ""):
            headcount = None
        else:
            try:
                if isinstance(headcount, bool) or (isinstance(headcount, float) and not headcount.is_integer()):
                    raise ValueError
                headcount = int(headcount)
                if headcount < 0:
                    raise ValueError
            except (TypeError, ValueError, OverflowError):
                raise _BadLine(ident, "人数（headcount）应为非负整数") from None
        amount = obj.get("amount_yuan")
        if amount in (None, ""):
            amount = None
        else:
            try:
                if isinstance(amount, bool):
                    raise InvalidOperation
                amount = Decimal(str(amount))
            except (InvalidOperation, ValueError):
                raise _BadLine(ident, "金额（amount_yuan）不是数字") from None
            if not amount.is_finite() or amount < 0:
                raise _BadLine(ident, "金额（amount_yuan）应为非负的有限数字")
        try:
            s = suggest(
                text, headcount=headcount, amount_yuan=amount, division_code=str(obj.get("division_code") or "")
            )
        except Exception as exc:  # noqa: BLE001 - one line must not sink the batch
            log.exception("triage line failed")
            raise _BadLine(ident, "分流失败（内部错误）") from exc
        return s.as_output(ident)


class _BadLine(Exception):
    def __init__(self, ident, message: str) -> None:
        super().__init__(message)
        self.id, self.message = ident, message
