"""Similar closed cases (类案推荐): BM25 over the anonymised, segmented summaries of the CLOSED cases the user may
see (the case list's scoping, inside the query), the same dispute type first. Shown: outcome, the agreement terms
(anonymised: amounts, manner of performance), the duration and the words shared — never another party's name, phone
or ID number.

Bounded at any size: the database hands over the POOL most recent closed cases of the same type in the user's
scope (one index walk, `search_doc_type_recent_idx`), and those are ranked by BM25 (k1 1.2, b 0.75; the word
weights from the pool itself, so a word every wage case has counts for little among wage cases). Recent practice is
the mediator's reference; a case closed years ago and never matched again is not missed much. Only when the type
has fewer than `k` cases sharing a word are other types' recent closed cases ranked the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from accounts.models import SUPERVISOR_ROLES, User
from cases.models import Case
from cases.scoping import cases_visible_to
from search.index import CLOSED_STATES, anonymise, build, current_agreement, party_labels, term_text, with_texts
from search.models import SearchDoc
from search.query import MARGIN

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


POOL = 600  # candidates ranked per query
K1, B = 1.2, 0.75


def bm25(words: list[str], docs: list[tuple[int, str]]) -> list[tuple[int, float]]:
    """(id, score) of the `docs` (id, space-joined tokens) that share a word with `words`, best first; the inverse
    document frequencies are the pool's."""
    if not docs:
        return []
    tokenised = [(pk, toks.split()) for pk, toks in docs]
    avg = sum(len(t) for _pk, t in tokenised) / len(tokenised) or 1.0
    wanted = set(words)
    df: dict[str, int] = dict.fromkeys(wanted, 0)
    tfs = []
    for pk, toks in tokenised:
        tf: dict[str, int] = {}
        for t in toks:
            if t in wanted:
                tf[t] = tf.get(t, 0) + 1
        for t in tf:
            df[t] += 1
        tfs.append((pk, tf, len(toks)))
    n = len(tokenised)
    idf = {w: math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5)) for w in wanted}
    out = []
    for pk, tf, length in tfs:
        if tf:
            norm = K1 * (1 - B + B * length / avg)
            out.append((pk, sum(idf[w] * f * (K1 + 1) / (f + norm) for w, f in tf.items())))
    out.sort(key=lambda r: (-r[1], -r[0]))
    return out


def _pool(user: User, case: Case, same_type: bool) -> list[tuple[int, str]]:
    """(case id, summary tokens) of the POOL most recent closed cases `user` may see, of `case`'s type or of the
    others, never `case` itself: the ids from `search_doc_type_recent_idx` alone (walked backwards, the division
    checked on the index entry), the visibility then checked on those rows."""
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"), status__in=CLOSED_STATES)
    qs = SearchDoc.objects.filter(closed=True).exclude(case_id=case.pk)
    qs = qs.filter(dispute_type=case.dispute_type) if same_type else qs.exclude(dispute_type=case.dispute_type)
    if user.role in SUPERVISOR_ROLES and user.division_id:  # the row's copy first; the EXISTS stays the rule
        qs = qs.filter(division_code__startswith=user.division_id)
    if user.is_committee_member and user.committee_id:
        # the committee's own cases (the row's copy narrows) and those mediated jointly with another body
        joint = Case.co_mediators.through.objects.filter(mediator__user=user).values("case_id")
        qs = qs.filter(Q(committee_id=user.committee_id) | Q(case_id__in=joint))
    elif user.role not in SUPERVISOR_ROLES:  # liaisons: few visible cases, the EXISTS decides in one query
        return list(qs.filter(Exists(visible)).order_by("-id").values_list("case_id", "summary_tokens")[:POOL])
    ids = list(qs.order_by("-id").values_list("id", flat=True)[: POOL + MARGIN])
    rows = SearchDoc.objects.filter(id__in=ids).filter(Exists(visible)).order_by("-id")
    return list(rows.values_list("case_id", "summary_tokens")[:POOL])


def similar_cases(user: User, case: Case, k: int = 5) -> list[Similar]:
    """The `k` closed cases most like `case` among those `user` may see (never `case` itself)."""
    doc = SearchDoc.objects.filter(case_id=case.pk).values_list("summary_tokens", flat=True).first()
    if doc is None:  # not indexed yet (a bulk path without reindex): build it on the fly, do not write
        doc = build(with_texts(Case.objects.filter(pk=case.pk)).get())["summary_tokens"]
    words = key_words(doc)
    if not words:
        return []
    pool = _pool(user, case, same_type=True)
    ranked = [(pk, score, True) for pk, score in bm25(words, pool)[:k]]
    if len(ranked) < k:
        others = _pool(user, case, same_type=False)
        ranked += [(pk, score, False) for pk, score in bm25(words, others)[: k - len(ranked)]]
        pool += others
    tokens_of = dict(pool)
    rows = [(pk, tokens_of.get(pk, ""), same) for pk, _score, same in ranked]
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
