"""Full-text search over the index, scoped inside the query.

`search_cases(user, q, page)` segments the query like the index (triage.text.query_tokens), asks for ALL tokens
(AND), ranks (bm25() on SQLite FTS5, ts_rank on PostgreSQL plus pg_trgm similarity of names and phone tails) and
keeps only the cases `cases.scoping.cases_visible_to(user)` returns — as an EXISTS inside the same SQL, so another
county's user gets neither a hit nor a count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from accounts.models import SUPERVISOR_ROLES, User
from cases.enums import PartyType, RecordKind
from cases.identity import mask_phone
from cases.models import Agreement, AgreementTerm, Case, MediationRecord, Party
from cases.models.case import mask_name
from cases.scoping import cases_visible_to
from search.highlight import highlight
from search.index import name_tokens, person_names, phone_tail, term_text
from search.models import SearchDoc
from triage.text import query_tokens

PER_PAGE = 20
COUNT_CAP = 500  # a search counts its hits up to here ("超过 500 件"); nobody reads past rank 500
MAX_TOKENS = 8
# bm25 column weights, in the order of the FTS5 columns (migration 0002): identity and names first.
BM25 = "bm25(search_fts, 2.0, 2.0, 1.0, 1.5, 6.0, 6.0, 6.0, 1.0, 0.0)"


def tokens_of(q: str) -> tuple[str, ...]:
    """The query's tokens: jieba search tokens; a whole phone number counts as its last four digits (only those are
    indexed)."""
    out: list[str] = []
    for t in query_tokens((q or "").strip()[:100]):
        if t.isdigit() and len(t) >= 7:
            t = t[-4:]
        if t not in out:
            out.append(t)
    return tuple(out[:MAX_TOKENS])


SEARCHED = "{facts claims records terms ident names phones place}"  # not the anonymised summary (当事人甲…)


def fts_match(tokens: tuple[str, ...], columns: str = SEARCHED) -> str:
    """An FTS5 MATCH expression: every token as a quoted string (AND) in `columns`; tokens are CJK, latin or digit
    runs only."""
    quoted = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
    return f"{columns} : ({quoted})"


def matching_docs(tokens: tuple[str, ...], trigram: bool = False) -> QuerySet[SearchDoc]:
    """SearchDocs containing every token, annotated with `score` (higher = better), not scoped. `trigram` (PG):
    the one token as a substring of the names or phone tails instead."""
    qs = SearchDoc.objects.all()
    if connection.vendor == "sqlite":
        return qs.extra(
            tables=["search_fts"],
            where=["search_fts.rowid = search_searchdoc.id", "search_fts MATCH %s"],
            params=[fts_match(tokens)],
            select={"score": f"-{BM25}"},
        )
    if trigram:
        # one word as a substring of the names or phone tails (pg_trgm GIN indexes), ranked by similarity: the
        # fallback when the words found nothing (a part of a long name, three digits of a phone)
        like = f"%{tokens[0]}%"
        return qs.extra(
            where=["(search_searchdoc.names LIKE %s OR search_searchdoc.phones LIKE %s)"],
            params=[like, like],
            select={"score": "similarity(search_searchdoc.names, %s)"},
            select_params=[tokens[0]],
        )
    text = " ".join(tokens)
    return qs.extra(
        where=["search_searchdoc.tsv @@ plainto_tsquery('simple', %s)"],
        params=[text],
        select={"score": "ts_rank(search_searchdoc.tsv, plainto_tsquery('simple', %s))"},
        select_params=[text],
    )


def matching_case_ids(q: str) -> RawSQL:
    """The ids of the cases whose case number is `q` or begins with it, or that contain every word of `q` in the index
    (for cases.listing's `q` filter, applied to an already scoped list): one UNION of two indexed lookups."""
    q = q.strip()
    like = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # the range uses the unique index on case_no; the LIKE keeps the prefix exact whatever the collation
    sql = "SELECT id FROM cases_case WHERE case_no >= %s AND case_no < %s AND case_no LIKE %s ESCAPE '\\'"
    params = [q, q + "\U0010ffff", like]
    tokens = tokens_of(q)
    if tokens and connection.vendor == "sqlite":
        sql += (
            " UNION SELECT d.case_id FROM search_fts JOIN search_searchdoc d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH %s"
        )
        params.append(fts_match(tokens))
    elif tokens:
        sql += " UNION SELECT case_id FROM search_searchdoc WHERE tsv @@ plainto_tsquery('simple', %s)"
        params.append(" ".join(tokens))
    return RawSQL(sql, params)


def scoped_docs(user: User, tokens: tuple[str, ...], trigram: bool = False) -> QuerySet[SearchDoc]:
    """The matching SearchDocs of the cases `user` may see (the case list's own scoping, inside the query). For a
    supervisor the document's copy of the division code is checked first (cheap, on the row already read); the
    EXISTS over cases_visible_to stays the rule either way, so the shortcut can only narrow, never widen."""
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"))
    docs = matching_docs(tokens, trigram)
    if user.is_authenticated and user.role in SUPERVISOR_ROLES and user.division_id:
        docs = docs.filter(division_code__startswith=user.division_id)
    return docs.filter(Exists(visible))


@dataclass
class Hit:
    case: Case
    score: float
    snippets: list[tuple[str, SafeString]] = field(default_factory=list)
    parties: list[tuple[str, str]] = field(default_factory=list)  # (masked name, masked phone)
    matched_names: bool = False


@dataclass
class Results:
    q: str
    tokens: tuple[str, ...]
    page: Page | None
    hits: list[Hit]
    count: int
    capped: bool


@dataclass
class _Person:
    name: str
    phone: str
    party_type: str
    legal_representative: str
    guardian_name: str

    @property
    def is_person(self) -> bool:
        return self.party_type == PartyType.NATURAL_PERSON


def _with_texts(ids: list[int]) -> dict[int, Case]:
    """The hits' cases with what the results show, read as plain rows (no model instances but the cases; a party row
    also carries encrypted ID numbers, never read here): `case.people` and `case.texts` [(label, text)]."""
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=ids)
        .select_related("committee")
        .only(
            "id", "case_no", "year", "seq", "registered_at", "dispute_type", "status", "brief_facts", "claims",
            "committee__name", "committee__short_name",
        )
    }  # fmt: skip
    for c in cases.values():
        c.people, c.texts = [], [("纠纷简要情况", c.brief_facts), ("申请事项", c.claims)]
    cols = ("case_id", "name", "phone", "party_type", "legal_representative", "guardian_name")
    for case_id, *row in Party.objects.filter(case_id__in=ids).order_by("order", "id").values_list(*cols):
        cases[case_id].people.append(_Person(*row))
    kinds = dict(RecordKind.choices)
    records = MediationRecord.objects.filter(case_id__in=ids).order_by("held_at", "id")
    for case_id, kind, content, result in records.values_list("case_id", "kind", "content", "result"):
        cases[case_id].texts.append((str(kinds.get(kind, "记录")), f"{content} {result}".strip()))
    for case_id, facts, resp in Agreement.objects.filter(case_id__in=ids).values_list(
        "case_id", "facts", "responsibilities"
    ):
        cases[case_id].texts.append(("调解协议", f"{facts} {resp}".strip()))
    terms = AgreementTerm.objects.filter(agreement__case_id__in=ids).order_by("agreement_id", "order", "id")
    for case_id, content, amount, manner, place in terms.values_list(
        "agreement__case_id", "content", "amount", "manner", "place"
    ):
        t = AgreementTerm(content=content, amount=amount, manner=manner, place=place)
        cases[case_id].texts.append(("协议条款", term_text(t)))
    return cases


def snippets(case: Case, tokens: tuple[str, ...], limit: int = 3) -> list[tuple[str, SafeString]]:
    """(label, highlighted html) of the case's texts that contain a query word: facts, claims, records, terms."""
    names = person_names(case.people)
    out = []
    for label, text in case.texts:
        html = highlight(text, tokens, names)
        if html:
            out.append((label, html))
        if len(out) >= limit:
            break
    return out


def ranked(user: User, tokens: tuple[str, ...], cap: int = COUNT_CAP + 1) -> list[tuple[int, float]]:
    """(case id, score) of the matching visible cases, best first: the `cap` most recent matches (the index returns
    them newest first and stops there), ranked. One query; its length is the count (capped)."""
    if connection.vendor == "sqlite":
        docs = scoped_docs(user, tokens).extra(order_by=["-search_fts.rowid"])  # FTS5 walks backwards, stops
        rows = list(docs.values_list("case_id", "score")[:cap])
    else:
        rows = _pg_ranked(user, tokens, cap)
    if not rows and connection.vendor == "postgresql" and len(tokens) == 1 and len(tokens[0]) >= 3:
        rows = list(scoped_docs(user, tokens, trigram=True).order_by("-id").values_list("case_id", "score")[:cap])
    rows.sort(key=lambda r: (-(r[1] or 0.0), -r[0]))
    return rows


# PostgreSQL: a GIN bitmap returns the matches in no order, so `ORDER BY id DESC LIMIT cap` reads EVERY match (a
# word in 10% of a million cases: 100k heap rows). When the words are common, the newest documents of the scope read
# backwards through the primary key (`WINDOW` at most, stopping at the cap) hold the cap most recent matches; the
# GIN index serves the rare words and any window that found fewer than the cap (then it decides, exactly).
WINDOW = 0  # off: at 100k the walk cost more than the GIN path (county p95 256 vs 59 ms); 40_000 helped at 1M
_FREQS: dict = {"at": -1e9, "freqs": {}, "floor": 0.0}


def _lexeme_freqs() -> tuple[dict[str, float], float]:
    """The share of documents holding each common lexeme, from the statistics ANALYZE keeps for `tsv`
    (pg_stats.most_common_elems: a ts_stat kept by the database itself); `floor` bounds every other lexeme."""
    now = time.monotonic()
    if now - _FREQS["at"] > 300:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'search_searchdoc' AND attname = 'tsv'"
            )
            row = cur.fetchone()
        if row and row[0]:
            elems, freqs = row
            _FREQS["freqs"] = dict(zip(elems, freqs, strict=False))
            _FREQS["floor"] = float(freqs[len(elems)])  # the minimum frequency among them
        else:
            _FREQS["freqs"], _FREQS["floor"] = {}, 1.0
        _FREQS["at"] = now
    return _FREQS["freqs"], _FREQS["floor"]


def _pg_ranked(user: User, tokens: tuple[str, ...], cap: int) -> list[tuple[int, float]]:
    text = " ".join(tokens)
    tsq = "plainto_tsquery('simple', %s)"
    docs = scoped_docs(user, tokens).order_by("-id").values_list("id", flat=True)
    freqs, floor = _lexeme_freqs()
    # the rarest word bounds the share of matches (a word's parts, 宅基地 宅基 基地, are as frequent as the word)
    share = min(freqs.get(t.lower(), floor / 2) for t in tokens)
    ids: list[int] = []
    if share * WINDOW >= 1.5 * cap:  # common words: walk the newest documents backwards
        sql, params = docs[:cap].query.sql_with_params()
        where, wparams = "", []
        if user.role in SUPERVISOR_ROLES and user.division_id:
            where, wparams = ' WHERE "division_code"::text LIKE %s', [user.division_id + "%"]
        window = f'(SELECT * FROM "search_searchdoc"{where} ORDER BY "id" DESC LIMIT {WINDOW}) "search_searchdoc"'
        head, sep, tail = sql.partition('FROM "search_searchdoc"')
        with connection.cursor() as cur:
            cur.execute(head + "FROM " + window + tail, [*wparams, *params])
            ids = [r[0] for r in cur.fetchall()]
    if len(ids) < cap:  # rare words, or the window was not enough: the GIN index decides
        ids = list(docs[:cap])
    if not ids:
        return []
    with connection.cursor() as cur:
        cur.execute(f"SELECT case_id, ts_rank(tsv, {tsq}) FROM search_searchdoc WHERE id = ANY(%s)", [text, ids])
        return list(cur.fetchall())


def search_cases(user: User, q: str, page: int | str | None = 1, per_page: int = PER_PAGE) -> Results:
    """A page of the cases `user` may see that contain every word of `q`, best first, with highlighted snippets and
    masked parties. Beyond COUNT_CAP matches the ranking is among the COUNT_CAP most recent ones."""
    tokens = tokens_of(q)
    if not tokens:
        return Results(q, tokens, None, [], 0, False)
    try:
        number = max(1, min(int(page or 1), COUNT_CAP // per_page))
    except (TypeError, ValueError):
        number = 1
    rows = ranked(user, tokens)
    count = len(rows)
    paginator = Paginator(range(min(count, COUNT_CAP)), per_page)
    pg = paginator.get_page(number)
    start = (pg.number - 1) * per_page
    rows = rows[start : start + per_page]
    cases = _with_texts([r[0] for r in rows])
    hits = []
    for case_id, score in rows:
        case = cases.get(case_id)
        if case is None:
            continue
        people = case.people
        parties = [(mask_name(p.name) if p.is_person else p.name, mask_phone(p.phone)) for p in people]
        name_toks = {t for n in person_names(people) for t in name_tokens(n)} | {phone_tail(p.phone) for p in people}
        hits.append(
            Hit(
                case=case,
                score=float(score or 0),
                snippets=snippets(case, tokens),
                parties=parties,
                matched_names=any(t in name_toks for t in tokens),
            )
        )
    return Results(q, tokens, pg, hits, min(count, COUNT_CAP), count > COUNT_CAP)
