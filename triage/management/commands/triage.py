"""`manage.py triage --input F.jsonl --output F.jsonl`: triage each line {"id", "text"} (optionally "headcount",
"amount_yuan", "division_code") into {"id", "dispute_type", "risk_level", "risk_flags", "route", "reasons"} — the
same function as the pages and the API (triage.service.suggest)."""

import json
import sys
import time
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from triage import engine
from triage.service import suggest


class Command(BaseCommand):
    help = "Triage dispute descriptions (JSONL in, JSONL out): type, risk level and flags, route, with reasons."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", required=True, help='JSONL file, one {"id", "text"} per line (\'-\' = stdin)')
        parser.add_argument("--output", required=True, help="JSONL file to write ('-' = stdout)")

    def handle(self, *args, **options) -> None:
        src = sys.stdin if options["input"] == "-" else None
        try:
            lines = (src or open(options["input"], encoding="utf-8")).read().splitlines()
        except OSError as exc:
            raise CommandError(f"--input: {exc}") from exc
        t0 = time.monotonic()
        engine.get()
        loaded = time.monotonic() - t0
        out = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"line {n}: not JSON ({exc})") from exc
            if not isinstance(obj, dict) or "text" not in obj:
                raise CommandError(f'line {n}: an object with "id" and "text" is expected')
            amount = obj.get("amount_yuan")
            try:
                amount = Decimal(str(amount)) if amount not in (None, "") else None
            except InvalidOperation as exc:
                raise CommandError(f"line {n}: amount_yuan is not a number") from exc
            s = suggest(
                str(obj.get("text") or ""),
                headcount=int(obj["headcount"]) if obj.get("headcount") not in (None, "") else None,
                amount_yuan=amount,
                division_code=str(obj.get("division_code") or ""),
            )
            out.append(json.dumps(s.as_output(obj.get("id")), ensure_ascii=False))
        text = "\n".join(out) + ("\n" if out else "")
        if options["output"] == "-":
            self.stdout.write(text, ending="")
        else:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(
                f"{len(out)} 条已分流，模型 {engine.get().version}"
                f"（加载 {loaded:.2f} 秒，共 {time.monotonic() - t0:.2f} 秒）"
            )
