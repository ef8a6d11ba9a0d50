"""Guards the test pipeline itself: the suite really runs on the database DATABASE_URL asks for.

`make test` runs everything twice (SQLite, then a throwaway PostgreSQL cluster); without this check a broken
DATABASE_URL hand-off would silently run both passes on SQLite. If TIAOJIE_DB_VENDOR_FILE is set, the vendor
and server version are written there for scripts/test.sh's summary.
"""

import os

import pytest
from django.db import connection


def expected_vendor() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "sqlite"
    scheme = url.split(":", 1)[0]
    return {"postgres": "postgresql", "postgresql": "postgresql", "pgsql": "postgresql"}.get(scheme, scheme)


@pytest.mark.django_db
def test_database_vendor_matches_database_url():
    assert connection.vendor == expected_vendor()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    report = os.environ.get("TIAOJIE_DB_VENDOR_FILE")
    if report:
        with open(report, "w", encoding="utf-8") as fh:
            fh.write(f"{connection.vendor} {version} (test database {connection.settings_dict['NAME']})\n")
