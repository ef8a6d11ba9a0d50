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


# PostgreSQL: a GIN bitmap returns the matches in no order, so `ORDER BY id DESC LIMIT cap` alone reads EVERY match
# (a word in 10 % of a million cases: 100k heap rows). The index therefore also holds `tags` (migration 0003): the
# division code at every level, the committee and the id bucket (id // BUCKET). A search asks the GIN index for the
# words AND the user's scope tag AND the newest buckets, newest first, widening until it has the cap: the index
# intersects the posting lists and only the rows that match everything are read. The EXISTS over cases_visible_to
# stays in the same SQL; the tags can only narrow, never widen.
BUCKET = 4096  # = migration 0003
CHEAP = 2_000  # expected matches that are cheaper to read at once than bucket by bucket
MARGIN = 20  # candidates beyond the cap, for the few the visibility check may still drop
_STATS: dict = {"at": -1e9}


def pg_stats() -> dict:
    """Lexeme shares of `tsv` and `tags` from the statistics ANALYZE keeps (pg_stats.most_common_elems; `floor`
    bounds every lexeme not listed) and the table's size. Cached five minutes."""
    now = time.monotonic()
    if now - _STATS["at"] > 300:
        stats: dict = {"at": now}
        with connection.cursor() as cur:
            cur.execute(
                "SELECT attname, most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'search_searchdoc' AND attname IN ('tsv', 'tags')"
            )
            for attname, elems, freqs in cur.fetchall():
                if elems:
                    stats[attname] = (dict(zip(elems, freqs, strict=False)), float(freqs[len(elems)]))
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'search_searchdoc'")
            row = cur.fetchone()
            stats["rows"] = max(float(row[0]) if row else 0.0, 0.0)
        _STATS.clear()
        _STATS.update(stats)
    return _STATS


def share_of(stats: dict, column: str, lexemes: list[str]) -> float:
    """The estimated share of documents holding all of `lexemes` (the rarest one bounds it)."""
    freqs, floor = stats.get(column, ({}, 1.0))
    return min((freqs.get(lex, floor / 2) for lex in lexemes), default=1.0)


def scope_tag(user: User) -> str | None:
    """The tag that holds every document the user may see, if one does: a supervisor's division, a committee member's
    committee (their joint cases are added separately)."""
    if user.role in SUPERVISOR_ROLES and user.division_id and str(user.division_id).isdigit():
        return f"~d{user.division_id}"
    if user.is_committee_member and user.committee_id:
        return f"~c{int(user.committee_id)}"
    return None


def _tsquery_literal(tags: list[str], any_of: list[str]) -> str:
    """A tsquery text: every tag of `tags` AND one of `any_of` (lexemes quoted: taken verbatim)."""
    parts = [f"'{t}'" for t in tags]
    if any_of:
        parts.append("(" + " | ".join(f"'{t}'" for t in any_of) + ")")
    return " & ".join(parts)


def _with_joint(user: User, tokens: tuple[str, ...], ids: list[int], cap: int) -> list[int]:
    """A committee member's matches plus those of the cases they mediate jointly with another body (outside their
    committee's tag; few), the newest `cap`."""
    joint = Case.co_mediators.through.objects.filter(mediator__user=user).values("case_id")
    extra = scoped_docs(user, tokens).filter(case_id__in=joint).exclude(committee_id=user.committee_id)
    more = list(extra.order_by("-id").values_list("id", flat=True)[:cap])
    return sorted(set(ids) | set(more), reverse=True)[:cap] if more else ids


def newest_tagged(qs: QuerySet[SearchDoc], tags: list[str], share: float, want: int) -> list[int]:
    """PostgreSQL: the ids of the newest `want` documents of `qs` that hold every tag of `tags`, newest first, the
    GIN index narrowing by the tags and by id bucket. `share`: the estimated share of all documents that `qs` and
    the tags keep (from the statistics, see `share_of`)."""
    stats = pg_stats()
    if share * stats["rows"] <= CHEAP:  # few: every match at once
        qs = qs.extra(where=["search_searchdoc.tags @@ %s::tsquery"], params=[_tsquery_literal(tags, [])])
        return list(qs.order_by("-id").values_list("id", flat=True)[:want])
    # many: the newest buckets first, as many as should hold `want`, then as many more as the density seen says
    with connection.cursor() as cur:  # not cached: a document written a second ago is in the newest bucket
        cur.execute("SELECT max(id) FROM search_searchdoc")
        top = (cur.fetchone()[0] or 0) // BUCKET
    per_bucket = max(share * stats["rows"] / (top + 1), 1e-6)
    width = max(1, min(top + 1, int(1.2 * want / per_bucket) + 1))
    ids: list[int] = []
    hi = top
    while hi >= 0 and len(ids) < want:
        lo = max(0, hi - width + 1)
        tsq = _tsquery_literal(tags, [f"~b{b}" for b in range(hi, lo - 1, -1)])
        more = qs.extra(where=["search_searchdoc.tags @@ %s::tsquery"], params=[tsq])
        found = list(more.order_by("-id").values_list("id", flat=True)[: want - len(ids)])
        ids += found
        # the next round from the density just seen (four times wider when nothing was found)
        seen = (hi - lo + 1) * 1.0
        width = int(1.3 * (want - len(ids)) * seen / len(found)) + 1 if found else width * 4
        hi = lo - 1
    return ids


def _pg_ranked(user: User, tokens: tuple[str, ...], cap: int) -> list[tuple[int, float]]:
    stats = pg_stats()
    scope = scope_tag(user)
    if scope is None:  # a court liaison, a party: few visible cases; the EXISTS decides inside the GIN query
        ids = list(scoped_docs(user, tokens).order_by("-id").values_list("id", flat=True)[:cap])
        return _pg_scored(user, tokens, ids, cap)
    # The candidates by the tags alone (the user's scope tag holds every document they may see), newest first, a
    # few more than the cap; the EXISTS over cases_visible_to is then checked on those rows only (and drops any a
    # stale tag let in: the tags narrow, they never widen).
    want = cap + MARGIN
    share = share_of(stats, "tsv", [t.lower() for t in tokens]) * share_of(stats, "tags", [scope])
    ids = newest_tagged(matching_docs(tokens), [scope], share, want)
    if user.is_committee_member:
        ids = _with_joint(user, tokens, ids, want)
    return _pg_scored(user, tokens, ids, cap)


def _pg_scored(user: User, tokens: tuple[str, ...], ids: list[int], cap: int) -> list[tuple[int, float]]:
    """(case id, ts_rank) of the newest `cap` of the documents `ids` that `user` may see (checked again here)."""
    if not ids:
        return []
    # by primary key (no `tsv @@` here: the planner would take the GIN index and read every match again)
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"))
    rank = "ts_rank(search_searchdoc.tsv, plainto_tsquery('simple', %s))"
    qs = SearchDoc.objects.extra(where=["search_searchdoc.id = ANY(%s)"], params=[ids]).filter(Exists(visible))
    qs = qs.extra(select={"score": rank}, select_params=[" ".join(tokens)])
    rows = qs.values_list("id", "case_id", "score")
    return [(case_id, score) for _id, case_id, score in sorted(rows, reverse=True)[:cap]]


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
