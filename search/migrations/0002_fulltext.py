"""The full-text structures of the search index, per database (connection.vendor):

SQLite: an FTS5 external-content table `search_fts` over search_searchdoc with the unicode61 tokenizer (the texts
are jieba-segmented, space-joined, so every token is a word), kept in step by triggers in the same transaction.
PostgreSQL: a generated `simple` tsvector (weights: identity A, facts/claims B, terms/records C, place D) with GIN,
another over the anonymised summary (similar cases), and pg_trgm GIN indexes over the names and phone tails.
"""

from django.db import migrations

COLUMNS = ["facts", "claims", "records", "terms", "ident", "names", "phones", "place", "summary_tokens"]

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    + ", ".join(COLUMNS)
    + ", content='search_searchdoc', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdoc BEGIN "
    f"INSERT INTO search_fts(rowid, {', '.join(COLUMNS)}) VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)});"
    " END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdoc BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {', '.join(COLUMNS)}) "
    f"VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdoc BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {', '.join(COLUMNS)}) "
    f"VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); "
    f"INSERT INTO search_fts(rowid, {', '.join(COLUMNS)}) VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)});"
    " END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_searchdoc ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, ident || ' ' || names || ' ' || phones), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, facts || ' ' || claims), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, terms || ' ' || records), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, place), 'D')) STORED",
    "ALTER TABLE search_searchdoc ADD COLUMN summary_tsv tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, summary_tokens)) STORED",
    "CREATE INDEX search_doc_tsv_gin ON search_searchdoc USING gin (tsv)",
    "CREATE INDEX search_doc_summary_gin ON search_searchdoc USING gin (summary_tsv)",
    "CREATE INDEX search_doc_names_trgm ON search_searchdoc USING gin (names gin_trgm_ops)",
    "CREATE INDEX search_doc_phones_trgm ON search_searchdoc USING gin (phones gin_trgm_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS search_doc_phones_trgm",
    "DROP INDEX IF EXISTS search_doc_names_trgm",
    "DROP INDEX IF EXISTS search_doc_summary_gin",
    "DROP INDEX IF EXISTS search_doc_tsv_gin",
    "ALTER TABLE search_searchdoc DROP COLUMN IF EXISTS summary_tsv",
    "ALTER TABLE search_searchdoc DROP COLUMN IF EXISTS tsv",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
