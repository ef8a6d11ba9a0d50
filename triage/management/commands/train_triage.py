"""`manage.py train_triage [--no-platform] [--folds N]`: train the triage models on the corpus's training split
plus the platform's own closed cases, write var/triage/model-<version>.joblib, record it as the active
TriageModelVersion (metrics = the held-out evaluation) and print the evaluation."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from triage import corpus, engine, evaluate, train
from triage.models import TriageModelVersion


class Command(BaseCommand):
    help = "Retrain triage from the shipped corpus and the platform's closed cases; activate the new version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-platform", action="store_true", help="the corpus only, not the platform's cases")
        parser.add_argument("--folds", type=int, default=3, help="cross-validation folds for the thresholds (0: none)")
        parser.add_argument("--limit", type=int, default=0, help="train on the first N corpus lines only (tests)")
        parser.add_argument("--eval-limit", type=int, default=0, help="evaluate on the first N held-out lines only")
        parser.add_argument("--by", default="", help="who trained it (shown on the model page)")
        parser.add_argument("--output-dir", default="", help="where the model file goes (default var/triage/)")

    def handle(self, *args, **options) -> None:
        all_rows = corpus.load()
        train_rows, heldout = corpus.split(all_rows)
        if options["limit"]:
            train_rows = train_rows[: options["limit"]]
        if not train_rows:
            raise CommandError("the corpus (data/triage/corpus/part-*.jsonl) has no lines")
        platform = [] if options["no_platform"] else corpus.platform_rows()
        self.stdout.write(
            f"语料训练集 {len(train_rows)} 条，留出集 {len(heldout)} 条，本平台结案案件 {len(platform)} 件"
        )
        version = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        t0 = time.monotonic()
        bundle = train.train(
            train_rows + platform,
            version=version,
            folds=options["folds"],
            platform_cases=len(platform),
            log=lambda m: self.stdout.write(m),
        )
        out_dir = Path(options["output_dir"]) if options["output_dir"] else Path(settings.BASE_DIR) / "var" / "triage"
        path = out_dir / f"model-{version}.joblib"
        sha = engine.save_bundle(bundle, path)
        trained = time.monotonic() - t0
        t1 = time.monotonic()
        eng = engine.load_file(path)
        load = time.monotonic() - t1
        rows = heldout[: options["eval_limit"]] if options["eval_limit"] else heldout
        metrics = evaluate.evaluate(eng, rows, load_seconds=load) if rows else {}
        metrics.pop("type_errors", None)
        metrics["train_seconds"] = round(trained, 1)
        metrics["split"] = "heldout"
        try:
            rel = str(path.relative_to(settings.BASE_DIR))
        except ValueError:
            rel = str(path)
        with transaction.atomic():
            TriageModelVersion.objects.filter(active=True).update(active=False)
            TriageModelVersion.objects.create(
                version=version,
                path=rel,
                sha256=sha,
                trained_by=options["by"],
                corpus_lines=len(train_rows),
                platform_cases=len(platform),
                metrics=metrics,
                active=True,
            )
        engine.set_engine(eng)
        self.stdout.write(f"模型文件 {rel}（sha256 {sha[:12]}…），版本 {version} 已启用")
        if metrics.get("rows"):
            self.stdout.write(evaluate.format_report(metrics))
