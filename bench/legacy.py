"""A legacy ledger (人民调解案件登记台账) in .xlsx, as bureaus keep them, for the import benchmark.

Column headers are the first alias of each field in data/import_mappings.json ("default" mapping), values are the
Chinese labels a ledger holds (纠纷类型 names, 调解成功/调解不成功, 书面协议/口头协议, 履行完毕 ...). Committees are
the demo city's, dates in the 24 months before today, valid ID numbers; a title row above the headers, as bureaus
often have. ~1% of rows carry a mistake the importer must report (missing ID number, unknown dispute type).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

LABELS = {
    "outcome": {"SUCCESS": "调解成功", "FAILURE": "调解不成功"},
    "form": {"WRITTEN": "书面协议", "ORAL": "口头协议"},
}


def write_ledger(path: Path, rows: int, seed: int = 7, today: date | None = None) -> dict:
    from openpyxl import Workbook

    from cases import identity
    from cases.enums import DisputeType
    from demo import city as D
    from registry.models import Committee

    cfg = json.loads((settings.BASE_DIR / "data" / "import_mappings.json").read_text(encoding="utf-8"))
    headers = cfg["mappings"]["default"]["headers"]
    fields = [
        "committee", "legacy_no", "registered_on", "accepted_on", "outcome_on", "closed_on", "dispute_type", "source",
        "applicant_name", "applicant_id", "applicant_phone", "applicant_address", "respondent_name", "respondent_id",
        "facts", "claims", "amount_involved", "outcome", "agreement_form", "agreement_amount", "agreement_content",
        "performance",
    ]  # fmt: skip
    rng = random.Random(seed)
    today = today or date.today()
    committees = list(Committee.objects.select_related("division").order_by("id"))
    labels = dict(DisputeType.choices)
    source_labels = {
        "ON_APPLICATION": "当事人申请", "PROACTIVE": "主动调解", "REFERRED_POLICE": "公安机关移交",
        "REFERRED_PETITION": "信访移送", "REFERRED_OTHER_DEPT": "其他部门委托移送",
    }  # fmt: skip
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["咸宁市人民调解案件登记台账（历史数据）"])
    ws.append([headers[f][0] for f in fields])
    errors = 0
    for i in range(rows):
        c = rng.choice(committees)
        county = c.division_id[:6] if len(c.division_id) >= 6 else rng.choice(D.COUNTY_CODES)
        mix = D.DISPUTE_MIX["village"]
        dispute = rng.choices(list(mix), weights=list(mix.values()))[0]
        registered = today - timedelta(days=rng.randint(40, 730))
        accepted = registered + timedelta(days=rng.randint(0, 2))
        mediated = accepted + timedelta(days=rng.randint(1, 25))
        closed = mediated + timedelta(days=rng.randint(0, 10))
        g1, g2 = rng.choice("MF"), rng.choice("MF")
        a, r = D.person_name(rng, g1), D.person_name(rng, g2)
        born = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        id_a = identity.make_valid_id_number(county, born, rng.randrange(500) * 2 + (g1 == "M"))
        born = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        id_r = identity.make_valid_id_number(county, born, rng.randrange(500) * 2 + (g2 == "M"))
        facts, claims = (t.format(a=a, r=r, place=c.name[:4]) for t in D.texts(rng, dispute))
        facts = f"{facts}（台账第{i + 1}号）"  # ledgers repeat stock phrases; the number keeps rows distinct
        success = rng.random() < 0.97
        oral = success and rng.random() < 0.3
        amount = round(max(100, rng.lognormvariate(9, 1.0)), -2)
        dispute_label = labels[dispute].split("—")[-1]
        if rng.random() < 0.005:
            dispute_label, errors = "其它类别", errors + 1
        if rng.random() < 0.005:
            id_a, errors = "", errors + 1
        ws.append(
            [c.name, f"{registered.year}-{i + 1:06d}", registered, accepted, mediated, closed, dispute_label,
             source_labels[rng.choices(list(source_labels), weights=[50, 40, 4, 3, 3])[0]], a, id_a, D.phone(rng),
             f"{c.division.name}{rng.randint(1, 12)}组", r, id_r, facts, claims, amount,
             LABELS["outcome"]["SUCCESS" if success else "FAILURE"], LABELS["form"]["ORAL" if oral else "WRITTEN"],
             round(amount * 0.8, -2) if success else None, "被申请人一次性支付赔偿款" if success else "",
             "履行完毕" if success else ""]
        )  # fmt: skip
    wb.save(path)
    return {"rows": rows, "rows_with_mistakes": errors, "bytes": path.stat().st_size}
