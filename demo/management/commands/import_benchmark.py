"""Time the legacy import on generated ledger rows: N valid rows (as mapped field dicts, the values a ledger cell
holds) for the committees and mediators already on the platform, staged and imported by `imports.services` exactly
as `import_rows` does, with the staging and the import timed apart. Prints figures; asserts nothing.

    python manage.py seed_demo --seed 7 --cases 0      # a registry of committees and mediators
    python manage.py import_benchmark --rows 100000 [--profile /tmp/import.prof]
"""

import cProfile
import pstats
import random
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from cases import identity
from cases.enums import DisputeType
from cases.models import Case, CaseEvent
from demo import city as D
from imports import services
from imports.mapping import FIELD_NAMES
from imports.models import BatchStatus
from imports.validation import committees_for, may_import
from registry.models import Mediator

SOURCES = ["当事人申请", "主动调解", "公安机关移交", "信访移送", "其他部门委托移送"]


def generate_rows(user: User, n: int, seed: int = 7, today: date | None = None) -> list[dict]:
    """`n` valid legacy rows for the committees within `user`'s import scope: dates in the two years before
    today, valid ID numbers, 97 % agreements (30 % of them oral, 10 % still being performed), 3 % failures."""
    rng = random.Random(seed)
    today = today or date.today()
    mediators: dict[int, list[str]] = {}
    for m in Mediator.objects.filter(committee__in=committees_for(user), is_active=True).order_by("id"):
        mediators.setdefault(m.committee_id, []).append(m.name)
    committees = [c for c in committees_for(user).order_by("id") if c.pk in mediators]
    if not committees:
        raise CommandError("该用户管辖范围内没有有调解员的调委会（先运行 seed_demo --cases 0）")
    labels = {k: str(v).split("—")[-1] for k, v in DisputeType.choices}
    mix = D.DISPUTE_MIX["village"]
    rows = []
    for i in range(n):
        c = rng.choice(committees)
        dispute = rng.choices(list(mix), weights=list(mix.values()))[0]
        registered = today - timedelta(days=rng.randint(40, 730))
        accepted = registered + timedelta(days=rng.randint(0, 2))
        mediated = accepted + timedelta(days=rng.randint(1, 25))
        closed = mediated + timedelta(days=rng.randint(0, 10))
        g1, g2 = rng.choice("MF"), rng.choice("MF")
        a, r = D.person_name(rng, g1), D.person_name(rng, g2)
        county = c.division_id[:6] if len(c.division_id) >= 6 else "421202"
        born_a = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        born_r = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        facts, claims = (t.format(a=a, r=r, place=c.name[:4]) for t in D.texts(rng, dispute))
        success = rng.random() < 0.97
        amount = round(max(100, rng.lognormvariate(9, 1.0)), -2)
        rows.append(
            {
                "committee": c.name,
                "legacy_no": f"{registered.year}-{i + 1:06d}",
                "registered_on": registered.isoformat(),
                "accepted_on": accepted.isoformat(),
                "outcome_on": mediated.isoformat(),
                "closed_on": closed.isoformat(),
                "dispute_type": labels[dispute],
                "source": rng.choices(SOURCES, weights=[50, 40, 4, 3, 3])[0],
                "applicant_name": a,
                "applicant_id": identity.make_valid_id_number(county, born_a, rng.randrange(500) * 2 + (g1 == "M")),
                "applicant_phone": D.phone(rng),
                "applicant_address": f"{c.name[:6]}{rng.randint(1, 12)}组",
                "respondent_name": r,
                "respondent_id": identity.make_valid_id_number(county, born_r, rng.randrange(500) * 2 + (g2 == "M")),
                "facts": f"{facts}（台账第{i + 1}号）",
                "claims": claims,
                "amount_involved": str(amount),
                "outcome": "调解成功" if success else "调解不成功",
                "agreement_form": "口头协议" if success and rng.random() < 0.3 else "书面协议",
                "agreement_amount": str(round(amount * 0.8, -2)) if success else "",
                "agreement_content": "被申请人一次性支付赔偿款" if success else "",
                "performance": ("履行中" if rng.random() < 0.1 else "履行完毕") if success else "",
                "mediator": rng.choice(mediators[c.pk]),
            }
        )
    return rows


class Command(BaseCommand):
    help = "历史台账导入性能测试：生成N行有效台账数据，校验暂存并导入，分别计时（只打印数字）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--user", default="city", help="导入人（默认 seed_demo 的市级管理员 city）")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--chunk", type=int, default=services.CHUNK)
        parser.add_argument("--profile", default="", help="把 cProfile 结果写入该文件并打印前30项")

    def handle(self, *args, **opts) -> None:
        user = User.objects.filter(username=opts["user"]).first()
        if user is None or not may_import(user):
            raise CommandError("该用户不存在或无权导入台账")
        t0 = time.monotonic()
        rows = generate_rows(user, opts["rows"], opts["seed"])
        self.stdout.write(f"generated {len(rows):,} rows in {time.monotonic() - t0:.1f}s")
        cases_before, events_before = Case.objects.count(), CaseEvent.objects.count()
        profiler = cProfile.Profile() if opts["profile"] else None
        if profiler:
            profiler.enable()
        started = time.monotonic()
        batch = services.new_batch(user, "import_benchmark")
        records = ((i, r, [r.get(f, "") for f in FIELD_NAMES]) for i, r in enumerate(rows, start=2))
        services.stage_rows(batch, records, user)
        staged = time.monotonic()
        while batch.status != BatchStatus.DONE:
            services.run_step(batch, budget_seconds=30.0, chunk=opts["chunk"])
        finished = time.monotonic()
        if profiler:
            profiler.disable()
            profiler.dump_stats(opts["profile"])
            pstats.Stats(opts["profile"]).sort_stats("cumulative").print_stats(30)
            pstats.Stats(opts["profile"]).sort_stats("tottime").print_stats(30)
        total = finished - started
        self.stdout.write(
            f"rows {batch.total_rows:,}: valid {batch.valid_rows:,}, errors {batch.error_rows:,}, "
            f"imported {batch.imported_rows:,}, failed {batch.failed_rows:,}, skipped {batch.skipped_rows:,}\n"
            f"stage (validate + encrypt + store) {staged - started:.1f}s; import {finished - staged:.1f}s "
            f"({batch.imported_rows / max(1e-9, finished - staged):,.0f} rows/s); "
            f"total {total:.1f}s = {batch.total_rows / max(1e-9, total):,.0f} rows/s; "
            f"cases +{Case.objects.count() - cases_before:,}, events +{CaseEvent.objects.count() - events_before:,}"
        )
        failed = batch.rows.exclude(status="IMPORTED").values_list("row_number", "message")[:5]
        for number, message in failed:
            self.stdout.write(f"  row {number}: {message}")
