"""Writing the search index: one SearchDoc per case, rebuilt from the case's rows.

`index_case(case_id)` is called by the signals (search.signals) inside the transaction of the change, so the index
never disagrees with a committed case. Bulk paths (the demo seed, the legacy import, the benchmark generator) bypass
the signals and call `reindex(qs)` (or `manage.py search_reindex`) afterwards.

What is indexed, segmented by jieba (triage.text.search_tokens) and space-joined: facts, claims, the records, the
agreements, the case number, the party names (with every 1–4 character part, so that 张建 finds 张建国), the last
four digits of the parties' phones, and the places. Party names, phones and ID numbers are taken OUT of the text
columns (they are found through their own columns), so a highlight never falls inside personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases.enums import AgreementStatus, CaseStatus
from cases.models import Agreement, AgreementTerm, Case, MediationRecord, Party
from registry.models import Division
from triage.text import search_tokens

CLOSED_STATES = {CaseStatus.CLOSED, CaseStatus.ARCHIVED}
LABELS = "甲乙丙丁戊己庚辛壬癸"
# Personal data removed from every text column and from the anonymised summary (one pass: `pii_spans`, used by
# strip_pii, anonymise and the snippets of search.highlight). Mobiles with separators or +86, landlines, ID numbers
# (also written in groups), bank cards of 16-19 digits (grouped or not).
PHONE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}|0\d{2,3}[-\s]?\d{3,4}[-\s]?\d{4}|\d{7,8})(?!\d)"
)
ID_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\d(?:[\s-]?\d){16}[\s-]?[\dXx]|\d{17}[\dXx]|\d{15}"
    r"|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z])"
)
CARD_RE = re.compile(r"(?<!\d)\d(?:[\s-]?\d){15,18}(?!\d)")
PII_TEXT = {"id": "（证件号略）", "card": "（卡号略）", "phone": "（电话略）"}


def pii_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every ID number, bank card and phone number in `text`, in order, not overlapping
    (an ID number wins over a card, a card over a phone)."""
    spans: list[tuple[int, int, str]] = []
    for kind, rx in (("id", ID_RE), ("card", CARD_RE), ("phone", PHONE_RE)):
        for m in rx.finditer(text or ""):
            if not any(a < m.end() and m.start() < b for a, b, _k in spans):
                spans.append((m.start(), m.end(), kind))
    return sorted(spans)


def sub_pii(text: str, repl: dict[str, str] | str) -> str:
    out, pos = [], 0
    for a, b, kind in pii_spans(text):
        out += [text[pos:a], repl if isinstance(repl, str) else repl[kind]]
        pos = b
    return "".join(out) + text[pos:]


def given_names(name: str) -> list[str]:
    """A person's name and its given name alone (张建国 → 建国), which texts often use; 2-character names and
    organisation names give only themselves."""
    name = (name or "").strip()
    if 3 <= len(name) <= 4 and all("\u3400" <= ch <= "\u9fff" for ch in name):
        return [name, name[1:]]
    return [name] if name else []


_TOKEN = re.compile(r"[\u3400-\u9fff]+|[a-z]+|\d+")


@lru_cache(maxsize=200_000)
def _tokens(text: str) -> str:
    """Space-joined search tokens of a text (cached: bulk reindexing sees the same sentences again and again)."""
    return " ".join(search_tokens(text))


def segment(text: str) -> str:
    return _tokens(text) if text else ""


def person_names(parties: Iterable[Party]) -> list[str]:
    """Every name of a person of the case (parties, their representatives and guardians), longest first."""
    names = set()
    for p in parties:
        for n in (p.name, p.legal_representative, p.guardian_name):
            n = (n or "").strip()
            if len(n) >= 2:
                names.add(n)
    return sorted(names, key=lambda n: (-len(n), n))


def strip_pii(text: str, names: list[str], replacement: str = " ") -> str:
    """`text` without the given names, phone numbers and ID numbers."""
    if not text:
        return ""
    for n in names:
        text = text.replace(n, replacement)
    return sub_pii(text, replacement)


@lru_cache(maxsize=100_000)
def name_tokens(name: str) -> tuple[str, ...]:
    """A name and its parts: every substring of 1–4 characters of a short name (张建国 → 张 建 国 张建 建国 张建国),
    the search tokens of a long one (an organisation)."""
    name = name.strip().lower()
    out = search_tokens(name)
    if len(name) <= 6:
        for size in range(1, min(4, len(name)) + 1):
            out += [name[i : i + size] for i in range(len(name) - size + 1)]
    return tuple(dict.fromkeys(t for t in out if _TOKEN.fullmatch(t)))


def phone_tail(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


_division_names: dict[str, str] = {}


def division_names(code: str) -> list[str]:
    """The names of the division `code` and of the divisions above it (cached per process: they do not change)."""
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if len(code) >= n]
    missing = [p for p in prefixes if p not in _division_names]
    if missing:
        found = dict(Division.objects.filter(code__in=missing).values_list("code", "name"))
        for p in missing:
            _division_names[p] = found.get(p, "")
    return [_division_names[p] for p in prefixes if _division_names[p]]


def party_labels(parties: list[Party]) -> dict[str, str]:
    """Each name of the case's people → 当事人甲/乙… (by party order); representatives and guardians → 代理人."""
    labels: dict[str, str] = {}
    for i, p in enumerate(sorted(parties, key=lambda p: (p.order, p.pk or 0))):
        if p.name and p.name.strip():
            for n in given_names(p.name):  # 张建国 and 建国 alone → the same label
                labels.setdefault(n, f"当事人{LABELS[i % len(LABELS)]}")
    for p in parties:
        for n in (p.legal_representative, p.guardian_name):
            if n and n.strip() and len(n.strip()) >= 2:
                labels.setdefault(n.strip(), "代理人")
    return labels


def anonymise(text: str, parties: list[Party], labels: dict[str, str] | None = None) -> str:
    """`text` with the people's names replaced by 当事人甲/乙…, their addresses and every phone or ID number removed."""
    if not text:
        return ""
    labels = labels if labels is not None else party_labels(parties)
    for name in sorted(labels, key=len, reverse=True):
        text = text.replace(name, labels[name])
    for p in parties:
        if p.address and len(p.address.strip()) >= 4:
            text = text.replace(p.address.strip(), "（住址略）")
    return sub_pii(text, PII_TEXT)


def term_parts(t: AgreementTerm) -> list[str]:
    """A term as its phrases (content, amount, manner, place): segmented one by one, the repeated ones are cached."""
    parts = [t.content]
    if t.amount is not None:
        parts.append(f"金额{t.amount:,.2f}元")
    parts.append(f"履行方式：{t.manner}")
    if t.place:
        parts.append(f"履行地点{t.place}")
    return parts


def term_text(t: AgreementTerm) -> str:
    return "，".join(term_parts(t))


CURRENT_AGREEMENT = (AgreementStatus.EFFECTIVE, AgreementStatus.CONFIRMED_BY_COURT)


def current_agreement(agreements: Iterable[Agreement]) -> Agreement | None:
    """The case's agreement in force: the latest effective (or court-confirmed) one; never a changed, revoked or
    court-invalidated one (a changed agreement's terms would otherwise count twice). Works on prefetched rows."""
    live = [a for a in agreements if a.status in CURRENT_AGREEMENT]
    return max(
        live, key=lambda a: (a.effective_at is not None, a.effective_at or a.drafted_at, a.pk or 0), default=None
    )


def build(case: Case) -> dict:
    """The SearchDoc fields of `case` (its parties, records, agreements and terms prefetched or fetched)."""
    parties = list(case.parties.all())
    names = person_names(parties)
    records = list(case.records.all())
    agreements = list(case.agreements.all())
    terms = [t for a in agreements for t in a.terms.all()]

    def clean(*texts: str) -> str:
        return " ".join(segment(strip_pii(t, names)) for t in texts if t)

    name_toks: list[str] = []
    for n in names:
        name_toks += name_tokens(n)
    for r in records:
        if r.subject:
            name_toks += search_tokens(r.subject)
    places = [p.address for p in parties if p.address] + [r.place for r in records] + [t.place for t in terms]
    places += division_names(case.division_code)
    if case.committee_id and getattr(case, "committee", None) is not None:
        places.append(case.committee.name)
    labels = party_labels(parties)
    summary_parts = [case.brief_facts.strip(), f"申请事项：{case.claims.strip()}"]
    current = current_agreement(agreements)
    current_terms = list(current.terms.all()) if current is not None else []
    summary_parts += [f"协议：{term_text(t)}" for t in current_terms]
    summary = "；".join(anonymise(s, parties, labels) for s in summary_parts if s)
    # tokens phrase by phrase: the anonymised facts repeat across cases (cached), an amount is a phrase of its own
    phrases = [case.brief_facts, case.claims, *[p for t in current_terms for p in term_parts(t)]]
    summary_tokens = " ".join(segment(anonymise(p.strip(), parties, labels)) for p in phrases if p and p.strip())
    return {
        "division_code": case.division_code,
        "committee_id": case.committee_id,
        "dispute_type": case.dispute_type,
        "status": case.status,
        "closed": case.status in CLOSED_STATES,
        "updated": timezone.now(),
        "facts": clean(case.brief_facts),
        "claims": clean(case.claims),
        "records": clean(*[f"{r.content} {r.result}" for r in records]),
        "terms": clean(
            *[f"{a.facts} {a.responsibilities} {a.written_text}" for a in agreements],
            *[p for t in terms for p in term_parts(t)],
        ),
        "ident": segment(case.case_no or case.registration_no),
        "names": " ".join(dict.fromkeys(name_toks)),
        "phones": " ".join(dict.fromkeys(t for t in (phone_tail(p.phone) for p in parties) if t)),
        "place": " ".join(dict.fromkeys(segment(p) for p in places if p)),
        "summary": summary,
        "summary_tokens": summary_tokens,
    }


def with_texts(qs: QuerySet[Case]) -> QuerySet[Case]:
    """`qs` with what `build` reads, in five queries per batch."""
    return qs.select_related("committee").prefetch_related(
        "parties",
        Prefetch("records", queryset=MediationRecord.objects.order_by("held_at", "id")),
        Prefetch("agreements", queryset=Agreement.objects.prefetch_related("terms")),
    )


def index_case(case_id: int) -> None:
    """(Re)write the SearchDoc of one case. Call inside the transaction of the change."""
    from search.models import SearchDoc

    case = with_texts(Case.objects.filter(pk=case_id)).first()
    if case is None:
        return
    SearchDoc.objects.update_or_create(case_id=case_id, defaults=build(case))


def _batches(qs: QuerySet[Case], size: int) -> Iterator[list[Case]]:
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), size):
        yield list(with_texts(Case.objects.filter(pk__in=ids[i : i + size])).order_by("pk"))


def reindex(qs: QuerySet[Case] | None = None, batch: int = 2000, log=None) -> int:
    """Rewrite the SearchDoc of every case of `qs` (all cases by default), a batch per transaction; returns the
    number of cases indexed. For bulk paths that bypass the signals."""
    from search.models import SearchDoc

    qs = Case.objects.all() if qs is None else qs
    done = 0
    fields = [f.name for f in SearchDoc._meta.concrete_fields if f.name not in ("id", "case")]
    table, qn = SearchDoc._meta.db_table, connection.ops.quote_name
    for cases in _batches(qs, batch):
        with transaction.atomic():
            ids = [c.pk for c in cases]
            existing = dict(SearchDoc.objects.filter(case_id__in=ids).values_list("case_id", "pk"))
            new, old = [], []
            for case in cases:
                doc = SearchDoc(case_id=case.pk, **build(case))
                if case.pk in existing:
                    doc.pk = existing[case.pk]
                    old.append(doc)
                else:
                    new.append(doc)
            if new:
                SearchDoc.objects.bulk_create(new, batch_size=500)
            if old:  # one plain UPDATE per row (bulk_update's CASE WHEN per field costs ~10 ms a row in Python)
                cols = [SearchDoc._meta.get_field(f).column for f in fields]
                sql = f"UPDATE {table} SET {', '.join(f'{qn(c)} = %s' for c in cols)} WHERE id = %s"
                params = [[getattr(d, SearchDoc._meta.get_field(f).attname) for f in fields] + [d.pk] for d in old]
                with connection.cursor() as cur:
                    cur.executemany(sql, params)
        done += len(cases)
        if log:
            log(f"  search index: {done:,} cases")
    return done
