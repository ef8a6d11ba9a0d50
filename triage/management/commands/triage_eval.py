"""`manage.py triage_eval [--split heldout|all|FILE.jsonl] [--limit N] [--json FILE]`: the triage engine's figures
on labelled lines (the corpus's fixed held-out split by default)."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from triage import corpus, engine, evaluate


class Command(BaseCommand):
    help = "Evaluate triage: per-type P/R/F1 and macro-F1, escalation recall/precision, levels, flags, routes, timings."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--split",
            default="heldout",
            help="heldout (default), all, external (data/triage/external/*.jsonl: evaluation only), or a JSONL file",
        )
        parser.add_argument("--limit", type=int, default=0, help="only the first N lines")
        parser.add_argument("--json", dest="json_path", help="also write the figures as JSON to this file")

    def handle(self, *args, **options) -> None:
        split = options["split"]
        if split == "heldout":
            rows = corpus.heldout_rows()
        elif split == "all":
            rows = corpus.load()
        elif split == "external":
            rows = corpus.external_rows()
            if not rows:
                raise CommandError(f"--split external: no labelled lines in {corpus.EXTERNAL_DIR}/*.jsonl")
        else:
            path = Path(split)
            if not path.exists():
                raise CommandError(f"--split: {split} is neither heldout, all nor a file")
            rows = list(corpus.read_jsonl(path))
        if options["limit"]:
            rows = rows[: options["limit"]]
        if not rows:
            raise CommandError("no labelled lines to evaluate")
        t0 = time.monotonic()
        eng = engine.get()
        load = time.monotonic() - t0
        metrics = evaluate.evaluate(eng, rows, load_seconds=load)
        metrics["split"] = split
        self.stdout.write(evaluate.format_report(metrics))
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
