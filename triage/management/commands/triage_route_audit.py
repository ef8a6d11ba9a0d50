"""`manage.py triage_route_audit [--split corpus|external|FILE.jsonl] [--problem contradicts|unsupported|possible]
[--json FILE]`: the written route rule (triage.route_rule) applied to each labelled line's OWN labels (dispute_type,
risk_level) and text; lists the lines whose route label contradicts it, for a person to read (never changed
automatically, never compared with what the model predicts)."""

import json
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from triage import corpus, route_rule


class Command(BaseCommand):
    help = "Audit route labels against the written route rule (lists contradictions; changes nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--split", default="corpus", help="corpus (default), external, or a JSONL file")
        parser.add_argument(
            "--problem",
            choices=["contradicts", "unsupported", "possible", "all"],
            default="contradicts",
            help="which findings to list (default: contradicts; counts are printed for all)",
        )
        parser.add_argument("--json", dest="json_path", help="also write the findings as JSON to this file")

    def handle(self, *args, **options) -> None:
        split = options["split"]
        if split == "corpus":
            rows = corpus.load()
        elif split == "external":
            rows = corpus.external_rows()
        else:
            path = Path(split)
            if not path.exists():
                raise CommandError(f"--split: {split} is neither corpus, external nor a file")
            rows = list(corpus.read_jsonl(path))
        findings = route_rule.audit(rows)
        counts = Counter((f.problem, f.route, f.expected or "—") for f in findings)
        self.stdout.write(f"检查 {len(rows)} 条（{split}），发现 {len(findings)} 条需阅读：")
        for (problem, route, expected), n in sorted(counts.items()):
            self.stdout.write(f"  {problem:12s} {route:20s} → {expected:20s} {n}")
        wanted = [f for f in findings if options["problem"] in ("all", f.problem)]
        for f in wanted:
            side = "heldout" if corpus.is_heldout(f.id) else "train"
            words = "、".join(f.words)
            self.stdout.write(
                f"{f.problem}\t{f.id}\t{side}\t{f.dispute_type}\t{f.risk_level}\t{f.route}→{f.expected or '—'}"
                f"\t{f.why}\t{words}\t{f.text}"
            )
        if options["json_path"]:
            data = [f.__dict__ | {"heldout": corpus.is_heldout(f.id)} for f in findings]
            Path(options["json_path"]).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
