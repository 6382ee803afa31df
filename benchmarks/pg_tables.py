"""PostgreSQL table-level measures for the import benchmark: rows written per table, and the COPY limit.

`write_counters()` reads pg_stat_user_tables (inserted, updated, deleted tuples per table, cumulative);
the difference of two readings is what happened in between. `copy_round_trip()` is the physical limit
the import is compared with: it dumps the final rows of some tables, empties them and times loading the
same rows back with COPY into the same tables, indexes and constraints in place.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

# Rows of one import run, not of the store: a new ImportRun, its checkpoints and its per-run lists of
# what it set aside (written again by every run, by design).
BOOKKEEPING_TABLES = frozenset({
    "legacy_importrun", "legacy_checkpoint", "legacy_quarantinedrecord", "legacy_excludedrecord",
    "legacy_conflictrecord",
})

Counters = dict[str, tuple[int, int, int]]


def write_counters(*, timeout_seconds: float = 60.0) -> Counters:
    """table -> (inserted, updated, deleted) tuples so far, with every other session's counters in.

    A backend reports its counters at transaction end (at most once a second, else up to 10 s later
    when idle) and, at the latest, when it exits, before it leaves pg_stat_activity. So this closes its
    own connection and waits until no other client backend is connected to the database (the import's
    has exited) before reading.
    """
    connection.close()
    deadline = time.monotonic() + timeout_seconds
    while _other_sessions():
        if time.monotonic() > deadline:
            raise RuntimeError("other sessions stay connected to the benchmark database: its counters would "
                               "include their writes (close them, or use a database of its own)")
        time.sleep(0.2)
    return _read_counters()


def _other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def _read_counters() -> Counters:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
                       "WHERE schemaname = current_schema()")
        return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()}


def counters_delta(before: Counters, after: Counters) -> Counters:
    """The tables whose counters moved, with how much."""
    delta = {}
    for table, values in after.items():
        old = before.get(table, (0, 0, 0))
        moved = tuple(new - was for new, was in zip(values, old, strict=True))
        if any(moved):
            delta[table] = moved
    return delta


@dataclass
class CopyResult:
    tables: list[str]  # every table emptied and loaded back (written by the import, or referencing one)
    rows: dict[str, int]  # rows loaded per table
    dump_bytes: int
    seconds: float  # COPY ... FROM of every table, and the commit (deferred foreign keys checked there)
    table_seconds: dict[str, float]  # each table's COPY ... FROM (the commit's checks not included)

    @property
    def commit_seconds(self) -> float:
        return self.seconds - sum(self.table_seconds.values())

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def copy_round_trip(tables: set[str], workdir: Path) -> CopyResult:
    """Dumps `tables` (plus every table that references them, which TRUNCATE must empty too), empties
    them and times COPY FROM of the same rows, binary format, in one transaction with its commit.

    Leaves the tables as they were (same rows, same primary keys); sequences are not touched. Raises
    RuntimeError if a table does not get back exactly the rows it had.
    """
    tables = _with_referencing_tables(tables)
    order = sorted(tables)
    workdir.mkdir(parents=True, exist_ok=True)
    files = {table: workdir / f"{table}.copy" for table in order}
    dumped: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in order:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            dumped[table] = cursor.fetchone()[0]
            with files[table].open("wb") as out:
                cursor.copy_expert(f'COPY "{table}" TO STDOUT WITH (FORMAT binary)', out)
        cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in order))
    loaded: dict[str, int] = {}
    table_seconds: dict[str, float] = {}
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in order:
            table_started = time.monotonic()
            with files[table].open("rb") as source:
                cursor.copy_expert(f'COPY "{table}" FROM STDIN WITH (FORMAT binary)', source)
            table_seconds[table] = time.monotonic() - table_started
            loaded[table] = cursor.rowcount
    seconds = time.monotonic() - started
    dump_bytes = sum(path.stat().st_size for path in files.values())
    for path in files.values():
        path.unlink()
    wrong = {table: (dumped[table], loaded[table]) for table in order if dumped[table] != loaded[table]}
    if wrong:
        raise RuntimeError(f"COPY did not load back the rows dumped (dumped, loaded): {wrong}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(f'"{table}"' for table in order))
    return CopyResult(tables=order, rows=loaded, dump_bytes=dump_bytes, seconds=seconds, table_seconds=table_seconds)


# The tables every entity writes rows to, with an `entity` column: an entity's share of their COPY time is its
# share of their rows.
SHARED_BY_ENTITY = ("legacy_legacyrecord", "legacy_excludedrecord", "legacy_quarantinedrecord")


def rows_by_entity() -> dict[str, dict[str, int]]:
    """shared table -> entity -> rows, for `SHARED_BY_ENTITY`."""
    with connection.cursor() as cursor:
        found = {}
        for table in SHARED_BY_ENTITY:
            cursor.execute(f'SELECT entity, count(*) FROM "{table}" GROUP BY entity')
            found[table] = dict(cursor.fetchall())
        return found


def copy_share(copy: CopyResult, own_tables: set[str], entities: set[str], by_entity: dict) -> float:
    """The part of COPY's time that loads the rows of `entities`: their own tables, their share of the shared
    ones (by rows), and of the commit's checks (by rows of all they load)."""
    seconds = sum(copy.table_seconds.get(table, 0.0) for table in own_tables)
    rows = sum(copy.rows.get(table, 0) for table in own_tables)
    for table, counts in by_entity.items():
        total = sum(counts.values())
        mine = sum(counts.get(entity, 0) for entity in entities)
        if total and table in copy.table_seconds:
            seconds += copy.table_seconds[table] * mine / total
            rows += mine
    return seconds + copy.commit_seconds * rows / copy.total_rows


def _with_referencing_tables(tables: set[str]) -> set[str]:
    """`tables` and, transitively, every table with a foreign key to one of them."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT child.relname, parent.relname
            FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid
            JOIN pg_class parent ON parent.oid = c.confrelid
            JOIN pg_namespace n ON n.oid = child.relnamespace
            WHERE c.contype = 'f' AND n.nspname = current_schema()
        """)
        edges = cursor.fetchall()
    closure = set(tables)
    grew = True
    while grew:
        grew = False
        for child, parent in edges:
            if parent in closure and child not in closure:
                closure.add(child)
                grew = True
    return closure
