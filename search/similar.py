"""Similar closed cases (类案推荐): the database's own ranking (FTS5 bm25 / ts_rank) over the anonymised, segmented
summaries of the CLOSED cases the user may see (the case list's scoping, inside the query), the same dispute type
first. Shown: outcome, the agreement terms (anonymised: amounts, manner of performance), the duration and the words
shared — never another party's name, phone or ID number."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case as CaseWhen
from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Value, When

from accounts.models import User
from cases.models import Case
from cases.scoping import cases_visible_to
from search.index import CLOSED_STATES, anonymise, build, current_agreement, party_labels, term_text, with_texts
from search.models import SearchDoc

MAX_QUERY_WORDS = 16
# Words too common in dispute texts to say anything about similarity.
STOP = set(
    "申请人 被申请人 当事人 双方 要求 请求 因为 由于 发生 纠纷 问题 情况 一个 没有 进行 已经 可以 以及 "
    "我们 他们 自己 对方 当事 申请 事项 申请事项 协议 金额 履行 方式 履行方式 地点 履行地点 住址 电话 证件 证件号 代理 "
    "代理人 我们 他们 自己 对方 目前 现在 其中 之后 以后 之间 相关 有关 要求 调解 协商 事情 时间 同意 表示 认为".split()
)


@dataclass
class Similar:
    case_id: int
    case_no: str
    dispute_type: str
    outcome: str
    status: str
    committee: str
    terms: list[str]
    amount_total: str
    duration_days: int | None
    shared: list[str]
    summary: str
    same_type: bool


def key_words(summary_tokens: str) -> list[str]:
    """The words of a summary that can tell cases apart: two characters or more, not a stop word, first ones first."""
    out: dict[str, None] = {}
    for t in summary_tokens.split():
        if len(t) >= 2 and t not in STOP and not t.isdigit() and not t.startswith("当事人"):
            out.setdefault(t, None)
        if len(out) >= MAX_QUERY_WORDS:
            break
    return list(out)


def _ranked(words: list[str], dispute_type: str) -> QuerySet[SearchDoc]:
    qs = SearchDoc.objects.filter(closed=True)
    if connection.vendor == "sqlite":
        match = "summary_tokens : (" + " OR ".join('"' + w + '"' for w in words) + ")"
        qs = qs.extra(
            tables=["search_fts"],
            where=["search_fts.rowid = search_searchdoc.id", "search_fts MATCH %s"],
            params=[match],
            select={"score": "-bm25(search_fts, 0, 0, 0, 0, 0, 0, 0, 0, 1.0)"},
        )
    else:
        query = " | ".join(w.replace("'", "") for w in words)
        qs = qs.extra(
            where=["search_searchdoc.summary_tsv @@ to_tsquery('simple', %s)"],
            params=[query],
            select={"score": "ts_rank(search_searchdoc.summary_tsv, to_tsquery('simple', %s))"},
            select_params=[query],
        )
    same = CaseWhen(When(dispute_type=dispute_type, then=Value(1)), default=Value(0), output_field=IntegerField())
    return qs.annotate(same_type=same)


def similar_cases(user: User, case: Case, k: int = 5) -> list[Similar]:
    """The `k` closed cases most like `case` among those `user` may see (never `case` itself)."""
    doc = SearchDoc.objects.filter(case_id=case.pk).values_list("summary_tokens", flat=True).first()
    if doc is None:  # not indexed yet (a bulk path without reindex): build it on the fly, do not write
        doc = build(with_texts(Case.objects.filter(pk=case.pk)).get())["summary_tokens"]
    words = key_words(doc)
    if not words:
        return []
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"), status__in=CLOSED_STATES)
    base = _ranked(words, case.dispute_type).filter(Exists(visible)).exclude(case_id=case.pk)
    # The same type first, in a query of its own: the rank is computed only for the rows that pass the filters.
    fields = ("case_id", "summary_tokens", "same_type")
    rows = list(base.filter(dispute_type=case.dispute_type).order_by("-score", "-case_id").values_list(*fields)[:k])
    if len(rows) < k:
        others = base.exclude(dispute_type=case.dispute_type).order_by("-score", "-case_id")
        rows += list(others.values_list(*fields)[: k - len(rows)])
    cases = {c.pk: c for c in with_texts(Case.objects.filter(pk__in=[r[0] for r in rows]))}
    mine = set(words)
    out = []
    for case_id, tokens, same in rows:
        c = cases.get(case_id)
        if c is None:
            continue
        parties = list(c.parties.all())
        labels = party_labels(parties)
        terms, total = [], 0
        current = current_agreement(c.agreements.all())  # not the changed / revoked ones
        for t in current.terms.all() if current is not None else []:
            terms.append(anonymise(term_text(t), parties, labels))
            total += t.amount or 0
        start = c.accepted_at or c.registered_at
        days = (c.closed_at - start).days if c.closed_at and start else None
        shared = [w for w in dict.fromkeys(tokens.split()) if w in mine][:10]
        facts = anonymise(c.brief_facts, parties, labels)
        out.append(
            Similar(
                case_id=c.pk,
                case_no=c.case_no or c.registration_no,
                dispute_type=c.get_dispute_type_display(),
                outcome=c.get_outcome_display() if c.outcome else c.get_status_display(),
                status=c.get_status_display(),
                committee=c.committee.name,
                terms=terms,
                amount_total=f"{total:,.2f}" if total else "",
                duration_days=days,
                shared=shared,
                summary=facts[:120] + ("…" if len(facts) > 120 else ""),
                same_type=bool(same),
            )
        )
    return out
