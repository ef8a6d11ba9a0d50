"""Bulk generator of a realistic case load for the benchmark: N cases of the demo city 咸宁市 over 24 months.

The cases are generated DIRECTLY into the tables (executemany on SQLite, COPY on PostgreSQL), not through
`cases.actions`: the actions take ~20 ms per case (events, numbering locks, notifications), i.e. hours for a million
cases. The rows respect what the actions would have produced for the fields the statistics and the lists read
(status ↔ timestamps ↔ outcome ↔ agreement, case numbers unique per committee and year, the case-number counters
in CaseSequence, encrypted/hashed/masked ID numbers). Of the CaseEvent history only the events the statistics and
the lists read are written: 登记 (register), 受理 (accept), the event that ended the mediation (agreement_effective
or oral_agreement at the agreement's time; terminate / party_refusal / auto_terminate at the termination's time, by
the termination reason), 重新调解 (remediate), 结案 and 归档 — the statistics count a case in the period in which
its mediation ended, found through these events (insights.definitions). No notifications.

Distributions: dispute types and sources per committee profile from `demo.city` (roughly the national
statistics), committee case loads from the demo city's weights, the status mix of `seed_demo` (open cases young,
archiving lagging closing), ~97% of mediated cases successful (the bureaus report 144,600 of 146,000 over five
years), about 30% oral agreements, ≈2.3 parties per case, log-normal amounts around each type's median, fewer
registrations at weekends and a mild seasonality (more disputes before the Spring Festival).
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

TZ = ZoneInfo("Asia/Shanghai")
EPOCH_DAY0 = date(1970, 1, 1)
CHUNK = 20_000  # cases per insert batch (with their parties and agreements)
PREVENTION_COLS = [
    "prevented_suicide_persons",
    "prevented_criminal_persons",
    "prevented_group_petition_persons",
    "prevented_group_fight_persons",
]
PERSON_POOL = 60_000  # distinct persons (ID numbers) per gender

# Status mix of seed_demo (share in %, mean age in days favoured by an open status).
OPEN_MIX = {
    "INTAKE": (1.5, 4),
    "ACCEPTED": (1.5, 6),
    "AGREEMENT_REACHED": (1.5, 12),
    "IN_MEDIATION": (4, 20),
    "PERFORMED": (2, 25),
    "TERMINATED": (2, 40),
    "PAUSED": (1.5, 45),
    "REMEDIATION": (1.5, 45),
    "PERFORMING": (3.5, 50),
    "NON_PERFORMANCE": (2, 100),
}
SUCCESS_SHARE_CLOSED = 0.97  # of closed/archived mediated cases
ORAL_SHARE = 0.30
MONTH_WEIGHT = {1: 1.25, 2: 1.15, 3: 0.95, 4: 0.95, 5: 1.0, 6: 0.95, 7: 0.9, 8: 0.9, 9: 1.0, 10: 0.95, 11: 1.0, 12: 1.1}
TERMINATION = {
    "NO_PROSPECT": 45,
    "PARTY_REFUSED": 25,
    "PARTY_WITHDREW": 12,
    "TIME_LIMIT_NO_CONSENT": 6,
    "EXCLUDED_ACCEPTED_ELSEWHERE": 5,
    "PARTY_UNREACHABLE": 4,
    "EXCLUDED_CRIMINAL_OR_ADMIN": 2,
    "OTHER": 1,
}
# The event that ends a mediation without agreement, by termination reason (default: 终止调解 by the mediator).
TERMINATION_EVENT = {"PARTY_REFUSED": "party_refusal", "TIME_LIMIT_NO_CONSENT": "auto_terminate"}


@dataclass
class GenStats:
    cases: int = 0
    parties: int = 0
    agreements: int = 0
    terms: int = 0
    judicial_confirmations: int = 0
    events: int = 0
    seconds: float = 0.0
    setup_seconds: float = 0.0
    write_seconds: dict = field(default_factory=dict)
    by_status: Counter = field(default_factory=Counter)
    by_action: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "cases": self.cases,
            "parties": self.parties,
            "parties_per_case": round(self.parties / max(1, self.cases), 3),
            "agreements": self.agreements,
            "agreement_terms": self.terms,
            "judicial_confirmations": self.judicial_confirmations,
            "case_events": self.events,
            "events_by_action": dict(sorted(self.by_action.items())),
            "setup_seconds": round(self.setup_seconds, 1),
            "insert_seconds": round(self.seconds, 1),
            "write_seconds_by_table": self.write_seconds,
            "by_status": dict(sorted(self.by_status.items())),
            "method": (
                "generated directly (executemany / COPY), not through cases.actions; CaseEvent rows only for register, "
                "accept, the end of mediation, remediate, close and archive"
            ),
        }


# --- formatting helpers (fast: precomputed strings) --------------------------------------------------------------
_TOD = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
_DAY: dict[int, str] = {}


def _day(d: int) -> str:
    s = _DAY.get(d)
    if s is None:
        s = _DAY[d] = (EPOCH_DAY0 + timedelta(days=d)).isoformat()
    return s


def ts(t: int | None) -> str | None:
    """UTC timestamp string as Django stores it on SQLite (and PostgreSQL reads it in a UTC session)."""
    if t is None:
        return None
    d, s = divmod(t, 86400)
    return f"{_day(d)} {_TOD[s]}"


def local_day(t: int) -> int:
    """Day number (since 1970-01-01) of a UTC epoch second in China time."""
    return (t + 8 * 3600) // 86400


def local_epoch(day: date, hour: int, minute: int) -> int:
    return (day - EPOCH_DAY0).days * 86400 + hour * 3600 + minute * 60 - 8 * 3600


# --- table writers ------------------------------------------------------------------------------------------------
class Writer:
    """Inserts rows (tuples of int/str/None in `columns` order) with the fastest path of the backend."""

    def __init__(self, model, columns: list[str]) -> None:
        self.table = model._meta.db_table
        missing = [f for f in model._meta.concrete_fields if f.column not in columns]
        self.extra = []
        for f in missing:
            # Without a default, Django's own empty value of the field ("" for text, None for nullable columns).
            value = f.get_default()
            if value is None and not f.null:
                raise ValueError(f"{self.table}.{f.column}: no value generated and no default")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            self.extra.append(int(value) if isinstance(value, bool) else value)
        self.extra = tuple(self.extra)
        columns = [*columns, *(f.column for f in missing)]
        self.given = len(columns) - len(missing)
        self.columns = columns
        qn = connection.ops.quote_name
        self.col_sql = ", ".join(qn(c) for c in columns)
        self.vendor = connection.vendor
        self.seconds = 0.0

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        t0 = time.monotonic()
        if len(rows[0]) != self.given:
            raise ValueError(f"{self.table}: rows have {len(rows[0])} values for {self.given} columns")
        if self.extra:
            rows = [row + self.extra for row in rows]
        self._write(rows)
        self.seconds += time.monotonic() - t0

    def _write(self, rows: list[tuple]) -> None:
        if self.vendor == "postgresql":
            buf = "".join(
                "\t".join("\\N" if v is None else str(v) for v in row) + "\n" for row in rows
            )  # no generated text contains tabs, newlines or backslashes
            with connection.cursor() as cur, cur.cursor.copy(f"COPY {self.table} ({self.col_sql}) FROM STDIN") as cp:
                cp.write(buf)
        else:
            # The sqlite3 connection itself: Django's cursor wrapper costs ~4x on executemany.
            marks = ", ".join(["?"] * len(self.columns))
            with transaction.atomic():
                connection.connection.executemany(f"INSERT INTO {self.table} ({self.col_sql}) VALUES ({marks})", rows)


def _columns(model, exclude: set[str] = frozenset()) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in exclude]


# --- reference data ----------------------------------------------------------------------------------------------
def setup_city(seed: int) -> dict:
    """Migrate, load divisions and holidays, build the demo city's committees, mediators, accounts and courts."""
    from accounts.models import User
    from demo import city as D
    from registry.models import Division, DivisionLevel, Mediator

    call_command("migrate", verbosity=0, interactive=False)
    if not Division.objects.filter(code__startswith=D.CITY_CODE, level=DivisionLevel.VILLAGE).exists():
        call_command("load_divisions", verbosity=0)
    call_command("load_holidays", verbosity=0)
    rng = random.Random(seed)
    with transaction.atomic():
        city = D.build_city(rng)
    mediators_by_committee: dict[int, list[int]] = {}
    for m in Mediator.objects.order_by("id").values("id", "committee_id"):
        mediators_by_committee.setdefault(m["committee_id"], []).append(m["id"])
    staff_user: dict[int, list[int]] = {}
    for u in User.objects.filter(committee__isnull=False).order_by("id").values("id", "committee_id"):
        staff_user.setdefault(u["committee_id"], []).append(u["id"])
    return {"city": city, "mediators": mediators_by_committee, "users": staff_user}


# --- the generator -----------------------------------------------------------------------------------------------
def generate(n: int, seed: int = 20260101, end: date | None = None, log=print) -> GenStats:
    """Create the demo city and n cases registered over the 24 months before `end` (default: today)."""
    from cases import identity
    from cases.models import Agreement, AgreementTerm, Case, CaseEvent, CaseSequence, JudicialConfirmation, Party
    from demo import city as D
    from workdays.calendar import mediation_due_date

    stats = GenStats()
    started = time.monotonic()
    ref = setup_city(seed)
    city = ref["city"]
    stats.setup_seconds = time.monotonic() - started
    log(f"  city ready: {len(city.units)} committees ({stats.setup_seconds:.1f}s)")

    rng = random.Random(seed + 1)
    end = end or datetime.now(TZ).date()
    end_ts = local_epoch(end, 0, 0)
    first_day = end - timedelta(days=730)

    # Registration times: uniform over 730 days, fewer at weekends, mild seasonality; sorted (ids grow with time).
    day_weights = []
    for k in range(730):
        d = first_day + timedelta(days=k)
        day_weights.append((1.0 if d.weekday() < 5 else 0.35) * MONTH_WEIGHT[d.month])
    cum = list(_accumulate(day_weights))
    days = rng.choices(range(730), cum_weights=cum, k=n)
    reg = sorted(
        local_epoch(first_day + timedelta(days=k), 0, 0) + rng.randint(8 * 3600, 17 * 3600 + 3599) for k in days
    )
    reg = [min(t, end_ts - 3600) for t in reg]

    units = city.units
    unit_weights = list(_accumulate([u.weight for u in units]))
    courts = city.courts
    counties = city.counties
    fernet = identity._fernet()  # one instance instead of one per value (same key, same format)
    hmac_key = hashlib.sha256(b"tiaojie-id-hmac:" + identity._key_material()).digest()

    due_cache: dict[int, str] = {}

    def due_for(day_no: int) -> str:
        s = due_cache.get(day_no)
        if s is None:
            s = due_cache[day_no] = mediation_due_date(EPOCH_DAY0 + timedelta(days=day_no), 1).isoformat()
        return s

    # The columns each generated tuple holds, by name; any other column of the model (added later) gets its
    # Python default in every row (Writer raises if it has none).
    case_cols = [
        "id", "case_no", "year", "seq", "committee_id", "division_code", "status", "source", "referral_body",
        "court_id", "court_mode", "court_case_no", "dispute_type", "brief_facts", "claims", "amount_involved",
        "is_difficult", "occurred_on", "registered_by_id", "registered_at", "entered_at", "accepted_at",
        "accepted_by_id", "not_accepted_reason", "routes_informed", "transferred_to", "presiding_mediator_id",
        "mediator_chosen_by", "rights_notified_at", "time_limit_due", "outcome", "termination_reason",
        "termination_note", "performance_status", "closed_at", "closing_summary", "archived_at", "archived_by_id",
        "retention_class", "dossier_pages", *PREVENTION_COLS, "disposed_at", "updated_at",
    ]  # fmt: skip
    model_case_cols = set(_columns(Case))
    rollups = {"agreement_form", "party_count"} <= model_case_cols  # per-case roll-ups of the statistics
    if rollups:
        case_cols += ["agreement_form", "party_count"]
    party_cols = [
        "id", "case_id", "side", "party_type", "name", "gender", "ethnicity", "birth_date", "occupation", "phone",
        "address", "id_number_encrypted", "id_number_hash", "id_number_masked", "credit_code",
        "legal_representative", "guardian_name", "identity_verified", "user_id", "order",
    ]  # fmt: skip
    agr_cols = [
        "id", "case_id", "form", "status", "facts", "responsibilities", "oral_reason", "drafted_by_id", "drafted_at",
        "effective_at", "supersedes_id",
    ]  # fmt: skip
    term_cols = ["id", "agreement_id", "order", "obligor_id", "obligee_id", "content", "amount", "manner", "place",
                 "deadline"]  # fmt: skip
    jc_cols = [
        "id", "case_id", "agreement_id", "status", "court_id", "applied_on", "applicant_id", "consenting_id",
        "accepted_on", "court_case_no", "decided_on", "reason", "updated_at",
    ]  # fmt: skip
    event_cols = [
        "id", "case_id", "action", "from_status", "to_status", "actor_id", "actor_kind", "system_job", "at", "note",
        "data",
    ]  # fmt: skip
    w_case, w_party = Writer(Case, case_cols), Writer(Party, party_cols)
    w_event = Writer(CaseEvent, event_cols)
    w_agr, w_term, w_jc = (
        Writer(Agreement, agr_cols),
        Writer(AgreementTerm, term_cols),
        Writer(JudicialConfirmation, jc_cols),
    )

    seq: Counter = Counter()
    party_id = agr_id = term_id = jc_id = event_id = 0
    open_names = list(OPEN_MIX)
    open_share = [OPEN_MIX[s][0] / 100 * 730 / OPEN_MIX[s][1] for s in open_names]
    open_mean = [OPEN_MIX[s][1] for s in open_names]
    term_names, term_w = list(TERMINATION), list(TERMINATION.values())
    dispute_tables = {p: (list(mix), list(_accumulate(mix.values()))) for p, mix in D.DISPUTE_MIX.items()}
    source_tables = {p: (list(mix), list(_accumulate(mix.values()))) for p, mix in D.SOURCE_MIX.items()}
    texts = D.TEXTS
    pools: dict[str, list[tuple[str, str, str, str]]] = {"M": [], "F": []}

    def person_id(county: str, gender: str) -> tuple[str, str, str, str]:
        """(birth date, encrypted, hash, masked) of a person; after PERSON_POOL distinct persons per gender they are
        reused (Fernet encryption costs ~45 µs, i.e. minutes for millions of parties)."""
        pool = pools[gender]
        if len(pool) >= PERSON_POOL:
            return pool[rng.randrange(PERSON_POOL)]
        born = date(rng.randint(1948, 2002), rng.randint(1, 12), rng.randint(1, 28))
        number = identity.make_valid_id_number(county, born, rng.randrange(500) * 2 + (1 if gender == "M" else 0))
        digest = hmac.new(hmac_key, number.encode(), hashlib.sha256).hexdigest()
        got = (born.isoformat(), fernet.encrypt(number.encode()).decode(), digest, identity.mask_id_number(number))
        pool.append(got)
        return got

    ins_started = time.monotonic()
    is_pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if is_pg:
            cur.execute("SET TIME ZONE 'UTC'")
        else:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-262144")
    case_id = 0
    events: list[tuple] = []

    def event(action: str, from_s: str, to_s: str, at: int, actor_id: int | None) -> None:
        """One CaseEvent row (the system acts for auto_terminate)."""
        nonlocal event_id
        event_id += 1
        system = action == "auto_terminate"
        events.append(
            (event_id, case_id, action, from_s, to_s, None if system else actor_id, "SYSTEM" if system else "PERSON",
             "DEADLINE_MONITOR" if system else "", ts(at), "", "{}")
        )  # fmt: skip
        stats.by_action[action] += 1

    for lo in range(0, n, CHUNK):
        cases, parties, agreements, terms, jcs = [], [], [], [], []
        events.clear()
        for reg_t in reg[lo : lo + CHUNK]:
            case_id += 1
            unit = units[_pick_index(rng, unit_weights)]
            c = unit.committee
            age = (end_ts - reg_t) / 86400
            # status
            r = rng.random()
            probs = [w * math.exp(-age / m) for w, m in zip(open_share, open_mean, strict=True)]
            total = sum(probs)
            scale = 1 / total if total > 0.97 else 1.0
            status = None
            acc = 0.0
            for s, p in zip(open_names, probs, strict=True):
                acc += p * scale
                if r < acc:
                    status = s
                    break
            if status is None:
                r2 = rng.random() * 79
                archived_w = 42 * min(1.0, age / 240) ** 0.7
                if r2 < 4:
                    status = "NOT_ACCEPTED"
                elif r2 < 7:
                    status = "TRANSFERRED_OUT"
                else:
                    status = "ARCHIVED" if rng.random() * 72 < archived_w else "CLOSED"
            # what kind of dispute
            profile = unit.profile
            dkeys, dcum = dispute_tables.get(profile, dispute_tables["township"])
            dispute = dkeys[_pick_cum(rng, dcum)]
            skeys, scum = source_tables[profile]
            source = skeys[_pick_cum(rng, scum)]
            _v, _r, _t, median, no_money, org_share, _business = D.DISPUTES[dispute]
            county = unit.county if unit.county != D.CITY_CODE else rng.choice(D.COUNTY_CODES)
            county_name = counties[county].name
            amount = 0
            if rng.random() >= no_money:
                amount = max(100, round(median * math.exp(rng.gauss(0, 1.0)), -2))
            # parties
            n_app = 2 if rng.random() < 0.12 else 1
            n_resp = 2 if rng.random() < 0.10 else 1
            n_third = 1 if rng.random() < 0.08 else 0
            sides = ["APPLICANT"] * n_app + ["RESPONDENT"] * n_resp + ["THIRD_PARTY"] * n_third
            org_resp = rng.random() < org_share
            names = []
            first_party = party_id + 1
            for order, side in enumerate(sides, start=1):
                party_id += 1
                if side == "RESPONDENT" and org_resp and order == n_app + 1:
                    if dispute == "MEDICAL":
                        name = f"{county_name}人民医院"
                        kind = "12"
                    else:
                        name = D.company_name(rng, dispute, county_name)
                        kind = "91"
                    body = kind + county + "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=9))
                    credit = identity.make_valid_credit_code(body)
                    parties.append(
                        (party_id, case_id, side, "LEGAL_PERSON", name, "", "", None, "", D.phone(rng),
                         f"湖北省咸宁市{county_name}", "", "", "", credit, D.person_name(rng, "M"), "", 0, None, order)
                    )  # fmt: skip
                else:
                    gender = "M" if rng.random() < 0.5 else "F"
                    name = D.person_name(rng, gender)
                    born, enc, digest, masked = person_id(county, gender)
                    ethnicity = "汉族" if rng.random() < 0.97 else rng.choice(["土家族", "苗族", "瑶族"])
                    address = (
                        f"{unit.area}{rng.randint(1, 12)}组"
                        if profile == "village"
                        else f"{unit.area}{rng.randint(1, 88)}号"
                    )
                    parties.append(
                        (party_id, case_id, side, "NATURAL_PERSON", name, gender, ethnicity, born,
                         rng.choice(D.OCCUPATIONS), D.phone(rng), address, enc, digest, masked, "", "", "", 0, None,
                         order)
                    )  # fmt: skip
                names.append(name)
            lines = texts[dispute]
            k = rng.randrange(len(lines) // 2) * 2
            fmt = {"a": names[0], "r": names[n_app], "place": unit.place}
            facts, claims = lines[k].format(**fmt), lines[k + 1].format(**fmt)
            # referral
            referral_body, court_id, court_mode, court_case_no = "", None, "", ""
            if source == "REFERRED_COURT":
                court = courts[county if unit.county != D.CITY_CODE else D.DEMO_COUNTY]
                court_id, referral_body = court.pk, court.name
                court_mode = "WEIPAI" if rng.random() < 0.8 else "WEITUO"
                year = (EPOCH_DAY0 + timedelta(days=local_day(reg_t))).year
                kind = "民诉前调" if court_mode == "WEIPAI" else "民初"
                court_case_no = f"（{year}）鄂{court.division_id[2:]}{kind}{case_id}号"
            elif source in D.REFERRAL_BODY:
                town, dept = (unit.area[3:] or "城关")[:2], rng.choice(["综治中心", "妇联", "人社局"])
                referral_body = D.REFERRAL_BODY[source].format(county=county_name, town=town, dept=dept)
            # the walk: timestamps consistent with the status
            users = ref["users"].get(c.pk) or [None]
            director = users[0]
            actor = rng.choice(users[1:] or users)
            entered = reg_t + rng.randint(300, 7200) if rng.random() < 0.6 else reg_t + rng.randint(7200, 96 * 3600)
            entered = min(entered, end_ts - 60)
            limit = end_ts - 60
            accepted_t = accepted_by = case_no = year = sq = due = presiding = chosen = rights = None
            outcome = termination = perf = routes = not_acc = transferred = closing = retention = ""
            closed_t = archived_t = archived_by = pages = None
            term_note = ""
            last_t = reg_t
            event("register", "", "INTAKE", reg_t, actor or director)
            accepted = status not in ("INTAKE", "NOT_ACCEPTED") and not (
                status == "TRANSFERRED_OUT" and rng.random() < 0.7
            )
            if status == "NOT_ACCEPTED":
                not_acc = "纠纷不属于人民调解受理范围" if rng.random() < 0.6 else "当事人一方明确拒绝调解"
                routes = "向人民法院起诉"
                last_t = min(limit, reg_t + rng.randint(3600, 3 * 86400))
                event("refuse", "INTAKE", "NOT_ACCEPTED", last_t, director)
            if accepted:
                accepted_t = min(limit, reg_t + rng.randint(1800, 3 * 86400))
                accepted_by = director
                year = (EPOCH_DAY0 + timedelta(days=local_day(accepted_t))).year
                seq[c.pk, year] += 1
                sq = seq[c.pk, year]
                case_no = f"（{year}）{c.short_name}人调字第{sq}号"
                due = due_for(local_day(accepted_t))
                meds = ref["mediators"].get(c.pk) or [None]
                presiding = rng.choice(meds)
                chosen = "COMMITTEE" if rng.random() < 0.9 else "PARTIES"
                rights = min(limit, accepted_t + rng.randint(600, 86400))
                last_t = rights
                event("accept", "INTAKE", "ACCEPTED", accepted_t, director)
            if status == "TRANSFERRED_OUT":
                dept = next((v for kk, v in D.TRANSFER_TO.items() if dispute.startswith(kk)), "人民法院")
                transferred = f"{county_name}{dept}"
                last_t = min(limit, last_t + rng.randint(3600, 5 * 86400))
                event("transfer", "ACCEPTED" if accepted else "INTAKE", "TRANSFERRED_OUT", last_t, director)
            success = failure = False
            if status in ("AGREEMENT_REACHED", "PERFORMING", "NON_PERFORMANCE", "PERFORMED"):
                success = True
            elif status in ("CLOSED", "ARCHIVED"):
                success = rng.random() < SUCCESS_SHARE_CLOSED
                failure = not success
            elif status == "TERMINATED":
                failure = True
            remediation = status == "REMEDIATION"
            agreement_t = None
            current_form = ""  # form of the current agreement (a CHANGED one, after remediation, is not current)
            if success or remediation:
                agreement_t = min(limit, last_t + rng.randint(3600, 20 * 86400))
                last_t = agreement_t
                outcome = "" if remediation else "SUCCESS"
                oral = rng.random() < ORAL_SHARE
                form = "ORAL" if oral else "WRITTEN"
                a_status = "CHANGED" if remediation else "EFFECTIVE"
                current_form = "" if remediation else form
                event("oral_agreement" if oral else "agreement_effective", "IN_MEDIATION", "AGREEMENT_REACHED",
                      agreement_t, actor or director)  # fmt: skip
                if remediation:  # the agreement was changed: mediated again, not ended (no extra draw of rng)
                    last_t = min(limit, agreement_t + 5 * 86400)
                    event("remediate", "AGREEMENT_REACHED", "REMEDIATION", last_t, actor or director)
                agr_id += 1
                agreements.append(
                    (agr_id, case_id, form, a_status, facts, "双方各自承担相应责任" if not oral else "",
                     "即时履行，双方同意口头协议" if oral else "", actor or director, ts(agreement_t), ts(agreement_t),
                     None)
                )  # fmt: skip
                term_id += 1
                deadline_day = local_day(agreement_t) + (0 if oral else rng.choice([0, 7, 15, 30, 60, 90]))
                term_amount = round(amount * rng.uniform(0.4, 1.0), 2) if amount else None
                terms.append(
                    (term_id, agr_id, 1, first_party + n_app, first_party, claims.replace("请求", "同意"),
                     None if term_amount is None else f"{term_amount:.2f}", "现金或转账", "", _day(deadline_day))
                )  # fmt: skip
                if not oral and rng.random() < 0.06:
                    jc_id += 1
                    applied = local_day(agreement_t) + rng.randint(1, 10)
                    jc_status = rng.choices(["CONFIRMED_VALID", "APPLIED", "ACCEPTED", "REJECTED"], [80, 8, 8, 4])[0]
                    acc_day = applied + 3 if jc_status != "APPLIED" else None
                    dec_day = acc_day + 10 if jc_status in ("CONFIRMED_VALID", "REJECTED") else None
                    court = courts[county if unit.county != D.CITY_CODE else D.DEMO_COUNTY]
                    jcs.append(
                        (jc_id, case_id, agr_id, jc_status, court.pk, _day(applied), first_party, first_party + n_app,
                         None if acc_day is None else _day(acc_day),
                         "" if acc_day is None else f"（{year}）鄂{court.division_id[2:]}民特{jc_id}号",
                         None if dec_day is None else _day(dec_day), "", ts(agreement_t))
                    )  # fmt: skip
                if remediation:
                    perf = ""
                elif oral:
                    perf = "IMMEDIATE"
                elif status in ("PERFORMING",):
                    perf = "PERFORMING"
                elif status == "NON_PERFORMANCE":
                    perf = "NOT_PERFORMED" if rng.random() < 0.6 else "PARTIALLY_PERFORMED"
                elif status == "AGREEMENT_REACHED":
                    perf = ""
                else:
                    perf = "FULLY_PERFORMED" if rng.random() < 0.85 else "IMMEDIATE"
            if failure:
                outcome = "FAILURE"
                termination = term_names[_pick_index(rng, list(_accumulate(term_w)))]
                term_note = "经多次调解，双方分歧较大，无法达成协议"
                routes = "向人民法院起诉"
                last_t = min(limit, last_t + rng.randint(3600, 25 * 86400))
                event(TERMINATION_EVENT.get(termination, "terminate"), "IN_MEDIATION", "TERMINATED", last_t,
                      actor or director)  # fmt: skip
            if status in ("CLOSED", "ARCHIVED"):
                closed_t = min(limit, last_t + rng.randint(3600, 12 * 86400))
                closing = "调解成功，协议已履行完毕" if success else "调解未成功，已告知当事人可通过诉讼等途径解决"
                last_t = closed_t
                event("close", "PERFORMED" if success else "TERMINATED", "CLOSED", closed_t, director)
            if status == "ARCHIVED":
                archived_t = min(limit, closed_t + rng.randint(86400, 40 * 86400))
                archived_by = director
                retention = rng.choices(["Y10", "Y30", "PERMANENT"], [80, 17, 3])[0]
                pages = rng.randint(8, 45)
                last_t = archived_t
                event("archive", "CLOSED", "ARCHIVED", archived_t, director)
            prevented = [0, 0, 0, 0]
            if accepted and rng.random() < 0.012:
                which = rng.choices([0, 1, 2, 3], [20, 45, 25, 10])[0]
                prevented[which] = rng.randint(1, 3) if which < 2 else rng.randint(5, 30)
            occurred = _day(local_day(reg_t) - min(365, int(rng.expovariate(1 / 30))))
            cases.append(
                (case_id, case_no, year, sq, c.pk, c.division_id, status, source, referral_body, court_id, court_mode,
                 court_case_no, dispute, facts, claims, f"{amount:.2f}", 1 if rng.random() < 0.1 else 0, occurred,
                 actor or director, ts(reg_t), ts(entered), ts(accepted_t), accepted_by, not_acc, routes, transferred,
                 presiding, chosen or "", ts(rights), due, outcome, termination, term_note, perf, ts(closed_t),
                 closing, ts(archived_t), archived_by, retention, pages, *prevented, None, ts(max(last_t, entered)))
                + ((current_form, len(sides)) if rollups else ())
            )  # fmt: skip
            stats.by_status[status] += 1
        w_case.write(cases)
        w_party.write(parties)
        w_agr.write(agreements)
        w_term.write(terms)
        w_jc.write(jcs)
        w_event.write(events)
        stats.cases += len(cases)
        stats.parties += len(parties)
        stats.agreements += len(agreements)
        stats.terms += len(terms)
        stats.judicial_confirmations += len(jcs)
        stats.events += len(events)
        if (lo // CHUNK) % 10 == 9 or lo + CHUNK >= n:
            rate = stats.cases / (time.monotonic() - ins_started)
            log(f"  {stats.cases:>9,} cases, {stats.parties:,} parties ({rate:,.0f} cases/s)")
    CaseSequence.objects.bulk_create(
        [CaseSequence(committee_id=cid, year=y, last=last) for (cid, y), last in sorted(seq.items())], batch_size=1000
    )
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Case, Party, Agreement, AgreementTerm, JudicialConfirmation, CaseEvent]
        ):
            cur.execute(sql)
        if is_pg:
            # What autovacuum does by itself shortly after a bulk load. Not on SQLite: a deployment never runs
            # ANALYZE there, and its statistics can make plans worse (cases.actions.base.recipient_ids: 6 s vs 5 ms).
            cur.execute("ANALYZE")
    stats.seconds = time.monotonic() - ins_started
    stats.write_seconds = {w.table: round(w.seconds, 1) for w in (w_case, w_party, w_agr, w_term, w_jc, w_event)}
    log(f"  insert time by table: {stats.write_seconds}")
    return stats


def _accumulate(values) -> list[float]:
    out, s = [], 0.0
    for v in values:
        s += v
        out.append(s)
    return out


def _pick_cum(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


def _pick_index(rng: random.Random, cum: list[float]) -> int:
    return _pick_cum(rng, cum)
