"""Batch lookups by legacy id in plain SQL, for the import's hot path.

Django compiles a `legacy_id__in=[...]` filter value by value (each through the field's preparation), which
profiled as a tenth of a re-import's time for lists of a batch's thousand ids; here the ids go to the
database as one array parameter on PostgreSQL (`= ANY(%s)`) and as plain placeholders elsewhere. Values
are always parameters, never text in the SQL.
"""

from __future__ import annotations

from django.db import connection


def any_of(column: str, values: list) -> tuple[str, list]:
    """A condition `column` is one of `values`, and its parameters."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def table(model) -> str:
    """The model's table, quoted for the SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def select_any(model, columns: list[str], column: str, values, *, also: str = "") -> list[tuple]:
    """`columns` of the rows of `model` whose `column` is one of `values` (and, with `also`, that condition of
    plain SQL without values), in one query; none for no values."""
    values = list(values)
    if not values:
        return []
    condition, params = any_of(column, values)
    where = f"{condition} AND {also}" if also else condition
    return fetch(f"SELECT {', '.join(columns)} FROM {table(model)} WHERE {where}", params)
