"""The search index: one SearchDoc per case, with the case's texts segmented by jieba (space-joined tokens) so that
the database's own word tokenizer (SQLite FTS5 unicode61, PostgreSQL `simple` tsvector) indexes Chinese words,
including two-character ones (工资, 物业) that a trigram index cannot find.

The full-text structures themselves are created by migration 0002 per database: an FTS5 external-content table
`search_fts` kept in step by triggers on SQLite; a generated tsvector column `tsv` with a GIN index, and pg_trgm GIN
indexes on the names and phone tails, on PostgreSQL. Rows are written by search.index only (never by hand).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDoc(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="search_doc")
    # Copies of the case's columns the search and the similar cases filter on (kept by search.index).
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    committee = models.ForeignKey("registry.Committee", on_delete=models.PROTECT, related_name="+")
    dispute_type = models.CharField(_("纠纷类型"), max_length=30, db_index=True)
    status = models.CharField(_("状态"), max_length=20)
    closed = models.BooleanField(_("已结案"), default=False)
    updated = models.DateTimeField(_("索引时间"))
    # Segmented texts: jieba search-mode tokens joined by spaces (triage.text.search_tokens).
    facts = models.TextField(blank=True)  # 纠纷简要情况
    claims = models.TextField(blank=True)  # 申请事项
    records = models.TextField(blank=True)  # investigation and session records, their results
    terms = models.TextField(blank=True)  # agreement facts, responsibilities and terms
    ident = models.TextField(blank=True)  # case number
    names = models.TextField(blank=True)  # party names and every 1–4 character part of them
    phones = models.TextField(blank=True)  # last 4 digits of the parties' phones
    place = models.TextField(blank=True)  # addresses, record places, division names
    # Anonymised (names → 当事人甲/乙…, no phones nor ID numbers): shown and ranked for similar cases.
    summary = models.TextField(_("匿名摘要"), blank=True)
    summary_tokens = models.TextField(blank=True)

    class Meta:
        verbose_name = _("检索索引")
        verbose_name_plural = _("检索索引")
        # similar cases: the most recent closed cases of a type in a division, from the index alone
        # (search.similar._pool walks it backwards, the division checked on the index entry)
        indexes = [
            models.Index(fields=["dispute_type", "closed", "id", "division_code"], name="search_doc_type_recent_idx")
        ]

    def __str__(self) -> str:
        return f"SearchDoc({self.case_id})"
