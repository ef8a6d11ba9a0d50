"""PostgreSQL: scope and recency tags in the search index, so that the GIN index itself narrows a search to the
user's jurisdiction and to the newest documents (issue 13: p95 ≤ 50 ms at a million cases).

`tags` is a generated tsvector of lexemes no query can produce (they begin with '~'): the division code at every
level of the hierarchy (`~d42`, `~d4212`, `~d421202`, `~d421202001`, …), the committee (`~c17`) and the document's
id bucket (`~b<id // 4096>`, search.query.BUCKET). The GIN index over (tsv, tags) answers
`tsv @@ words AND tags @@ '~d421202' & ('~b244' | '~b243')` by intersecting posting lists, without reading the rows
of the other counties or of older years; search.query walks the buckets newest first and stops at the count cap.
SQLite needs none of this (FTS5 walks its rowids backwards and stops).
"""

from django.db import migrations

BUCKET = 4096  # = search.query.BUCKET

TAGS = (
    "array_to_tsvector(ARRAY["
    f"'~b' || (id / {BUCKET})::text, "
    "'~d' || left(division_code, 2), '~d' || left(division_code, 4), '~d' || left(division_code, 6), "
    "'~d' || left(division_code, 9), '~d' || division_code, "
    "'~c' || committee_id::text])"
)

PG_INDEXES = [
    "CREATE INDEX search_doc_tsv_gin ON search_searchdoc USING gin (tsv, tags)",
    "CREATE INDEX search_doc_names_trgm ON search_searchdoc USING gin (names gin_trgm_ops)",
    "CREATE INDEX search_doc_phones_trgm ON search_searchdoc USING gin (phones gin_trgm_ops)",
]
PG_DROP_INDEXES = [
    "DROP INDEX IF EXISTS search_doc_phones_trgm",
    "DROP INDEX IF EXISTS search_doc_names_trgm",
    "DROP INDEX IF EXISTS search_doc_tsv_gin",
]

PG_UP = [
    # similar cases no longer rank in the database (search.similar: BM25 over a bounded pool)
    "DROP INDEX IF EXISTS search_doc_summary_gin",
    "ALTER TABLE search_searchdoc DROP COLUMN IF EXISTS summary_tsv",
    f"ALTER TABLE search_searchdoc ADD COLUMN tags tsvector GENERATED ALWAYS AS ({TAGS}) STORED",
    "DROP INDEX IF EXISTS search_doc_tsv_gin",
    PG_INDEXES[0],
]
PG_DOWN = [
    "DROP INDEX IF EXISTS search_doc_tsv_gin",
    "ALTER TABLE search_searchdoc DROP COLUMN IF EXISTS tags",
    "CREATE INDEX search_doc_tsv_gin ON search_searchdoc USING gin (tsv)",
    "ALTER TABLE search_searchdoc ADD COLUMN summary_tsv tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, summary_tokens)) STORED",
    "CREATE INDEX search_doc_summary_gin ON search_searchdoc USING gin (summary_tsv)",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(_run(PG_UP), _run(PG_DOWN))]
