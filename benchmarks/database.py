"""The benchmark's database: created, migrated and filled with generated products, or reused as it is.

SQLite by default (`var/bench/catalog.sqlite3`); PostgreSQL when DATABASE_URL is set. Because the
benchmark writes into it (and empties it to shrink the catalog), a DATABASE_URL must name a database
whose name contains "bench"; anything else is refused before a single write.
"""

import os
import sys
from urllib.parse import urlparse

from .paths import BENCH_DIR


class BenchDatabaseError(Exception):
    """The benchmark cannot use the database it was given."""


def check_database_url() -> None:
    """Refuses a DATABASE_URL that does not name a PostgreSQL database with "bench" in its name."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not parsed.scheme.startswith("postgres"):
        raise BenchDatabaseError(f"DATABASE_URL must be a postgres:// URL for the benchmark, not {parsed.scheme}://")
    if "bench" not in name:
        raise BenchDatabaseError(
            f"DATABASE_URL names the database {name!r}: the benchmark fills and empties its database, so its "
            "name must contain 'bench' (e.g. postgres://postgres@127.0.0.1:5432/storefront_bench)"
        )


def create_postgres_database_if_missing() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None,
              "password": db.get("PASSWORD") or None, "dbname": "postgres"}
    connection = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    connection.close()


def bench_database_prepare(*, products: int, rebuild: bool = False) -> int:
    """Migrates the benchmark database and leaves exactly `products` generated products in it.

    A catalog of that size already there is reused; a larger one (or `rebuild`) is emptied and rebuilt.
    Call after `django.setup()` with benchmarks.settings. Returns the number of products.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from .catalog_data import catalog_ensure, generated_product_count

    check_database_url()
    is_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    if is_sqlite:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
    else:
        create_postgres_database_if_missing()
    call_command("migrate", verbosity=0, interactive=False)
    existing = generated_product_count()
    if rebuild or existing > products:
        print(f"emptying the benchmark database ({existing} generated products)", file=sys.stderr)
        call_command("flush", verbosity=0, interactive=False)
        existing = 0
    if existing < products:
        print(f"generating products {existing} to {products}...", file=sys.stderr)
        catalog_ensure(products=products, progress=lambda n: print(f"  {n} products", file=sys.stderr))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics on both SQLite and PostgreSQL
    connection.close()
    return products

