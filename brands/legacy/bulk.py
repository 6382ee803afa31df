"""`bulk_insert`: the import's new rows written with PostgreSQL's COPY instead of Django's `bulk_create`.

Profiled, most of a first import was `bulk_create` preparing values field by field (`prepare_value`,
`get_db_prep_save`, `pre_save`: tens of calls per row) and psycopg2 quoting them into multi-row INSERTs.
Here the rows are the same model instances the loaders build (their defaults already applied by the model's
`__init__`), their primary keys are taken from the table's sequence in one query, and their values are
rendered once into COPY's text format by one converter per column, chosen by the field's type. Same rows
as `bulk_create` (tests compare the two on every field type the loaders write), every instance gets its
primary key, and the database checks the same constraints (a value too long for its column is an error,
never truncated).

Elsewhere than PostgreSQL, and for a model with a field type not listed here, it is `bulk_create`.

`bulk_insert_rows` writes the same way from value tuples, for the import's most numerous rows (tracking
events, order lines, legacy-map entries): building a Django model instance costs more than writing its row.
"""

from __future__ import annotations

import datetime
import io
import itertools
from collections.abc import Callable, Iterable
from decimal import Decimal

import msgspec
from django.db import connection, models
from django.utils import timezone

# Field types whose values go to COPY as they are held (strings, numbers, booleans, ids, aware datetimes).
TEXT_TYPES = {"CharField", "TextField", "EmailField", "SlugField", "URLField"}
INTEGER_TYPES = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "ForeignKey", "OneToOneField",
}
PLAIN_TYPES = TEXT_TYPES | INTEGER_TYPES | {"BooleanField", "DecimalField", "DateTimeField", "DateField",
                                            "UUIDField"}


def bulk_insert(objs: Iterable[models.Model]) -> list[models.Model]:
    """Inserts `objs` (instances of one model, not saved yet) and sets their primary keys, like
    `bulk_create`; no signals are sent (nor are they by `bulk_create`)."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    columns = _columns(model)
    if connection.vendor != "postgresql" or columns is None:
        return model.objects.bulk_create(objs, batch_size=500)
    _allocate_pks(model, [obj for obj in objs if obj.pk is None])
    now = timezone.now()
    alias = connection.alias  # read once: each read of `connection` looks the connection up again
    stamped = [field.attname for field in model._meta.concrete_fields
               if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)]
    buffer = io.StringIO()
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")  # a parent saved since it was set
        for attname in stamped:
            setattr(obj, attname, now)  # what pre_save does on an insert
        buffer.write("\t".join(render(getattr(obj, attname)) for attname, render in columns))
        buffer.write("\n")
        obj._state.adding = False
        obj._state.db = alias
    _copy(model, buffer)
    return objs


def _copy(model: type[models.Model], buffer: io.StringIO, fields: list[models.Field] | None = None) -> None:
    """COPY's text rows in `buffer`, one per line, a value for each of `fields` (default: every concrete
    column) in the model's order."""
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields or model._meta.concrete_fields)
    sql = f"COPY {table} ({names}) FROM STDIN"
    # Django's debug cursor logs a COPY like any query (DEBUG, the tests' query counts); errors are turned
    # into Django's (DataError, IntegrityError, ...) as `execute` turns them.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(sql, buffer)


def bulk_insert_rows(model: type[models.Model], attnames: list[str], rows: Iterable[tuple], *,
                     keys: bool = True) -> list[int] | None:
    """Inserts one row per tuple of values of `attnames` (field attribute names: `order_id`, not `order`),
    without model instances; the other fields get what a new instance would (their defaults; auto_now and
    auto_now_add fields the current time, as `save` gives them; a `timezone.now` default the same time, one
    for the rows written together). Returns the primary keys, in row order.

    `keys=False`, for rows nothing refers to (tracking events, the legacy map): the database numbers them
    as it copies them, and nothing is returned; no query for the keys, none read back."""
    rows = list(rows)
    if not rows:
        return [] if keys else None
    fields = model._meta.concrete_fields
    unknown = sorted(set(attnames) - {field.attname for field in fields})
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
    if model._meta.pk.attname in attnames:
        raise ValueError(f"{model.__name__}.{model._meta.pk.attname}: the keys are the sequence's, not given")
    columns = _columns(model)
    now = timezone.now()
    if connection.vendor != "postgresql" or columns is None:
        batch_times = {field.attname: now for field in fields
                       if field.default is timezone.now and field.attname not in attnames}
        objs = model.objects.bulk_create([model(**batch_times, **dict(zip(attnames, row, strict=True)))
                                          for row in rows], batch_size=500)
        return [obj.pk for obj in objs] if keys else None
    pks = _next_pks(model, len(rows)) if keys else None
    position = {attname: index for index, attname in enumerate(attnames)}
    # Per column: (index of its value in (pk, *row), renderer), or (None, its text) for a value fixed for
    # the batch; a default that is a callable is rendered per row, as a new instance would call it, except
    # `timezone.now`: the rows are written together, so they get the batch's time, as auto_now fields do
    # (calling it and rendering its answer for each row was 6% of writing the points' lots and entries).
    plan: list[tuple[int | None, Callable | str]] = []
    per_row_defaults = []
    copied = [field for field in fields if keys or not field.primary_key]
    for field, (attname, render) in zip(fields, columns, strict=True):
        if field.primary_key and not keys:
            continue
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        if stamped or (field.default is timezone.now and attname not in position):
            plan.append((None, render(now)))
        elif attname in position:
            plan.append((position[attname] + 1, render))
        elif field.primary_key:
            plan.append((0, str))
        elif callable(field.default):
            per_row_defaults.append(field)
            plan.append((len(attnames) + len(per_row_defaults), render))
        else:
            plan.append((None, render(field.get_default())))
    buffer = io.StringIO()
    for row, pk in zip(rows, pks if keys else itertools.repeat(None, len(rows)), strict=True):
        values = (pk, *row, *[field.get_default() for field in per_row_defaults]) if per_row_defaults else (pk, *row)
        buffer.write("\t".join([render if index is None else render(values[index]) for index, render in plan]))
        buffer.write("\n")
    _copy(model, buffer, copied)
    return pks


def _columns(model: type[models.Model]) -> list[tuple[str, Callable]] | None:
    """(attribute, renderer) per column, or None when a field's type has no renderer here (or a JSON field has an
    encoder of its own)."""
    columns = []
    for field in model._meta.concrete_fields:
        kind = field.get_internal_type()
        if kind == "JSONField" and field.encoder is None:  # a field's own encoder: bulk_create's way
            columns.append((field.attname, _json))
        elif kind in TEXT_TYPES:
            columns.append((field.attname, _text))
        elif kind in INTEGER_TYPES:
            columns.append((field.attname, _integer))
        elif kind == "DateTimeField":
            columns.append((field.attname, _datetime))
        elif kind in PLAIN_TYPES:
            columns.append((field.attname, _plain))
        else:
            return None
    return columns


def _allocate_pks(model: type[models.Model], objs: list[models.Model]) -> None:
    """Takes len(objs) values of the primary key's sequence in one query, in ascending order (as the
    INSERTs of `bulk_create` would), and gives them to `objs` in order."""
    if not objs:
        return
    for obj, value in zip(objs, _next_pks(model, len(objs)), strict=True):
        setattr(obj, model._meta.pk.attname, value)


def _next_pks(model: type[models.Model], count: int) -> list[int]:
    """`count` values of the primary key's sequence, in one query, ascending.

    The sequence is looked up once (a materialized CTE): `nextval(pg_get_serial_sequence(...))` looks it
    up again for every value, which took 8 times as long (0.36 s against 0.05 s for 154,000 values)."""
    with connection.cursor() as cursor:
        cursor.execute("WITH sequence AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS id) "
                       "SELECT nextval(sequence.id) FROM sequence, generate_series(1, %s)",
                       [model._meta.db_table, model._meta.pk.column, count])
        return sorted(row[0] for row in cursor.fetchall())


def _escape(text: str) -> str:
    """COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


# Renderers for the most frequent column types: the value of the expected type is rendered straight away,
# any other (None included) by `_plain`; a fifth less time than `_plain` for every column (measured on
# tracking events).

def _text(value) -> str:
    if type(value) is str and "\\" not in value and "\t" not in value and "\n" not in value and "\r" not in value:
        return value
    return _plain(value)


def _integer(value) -> str:
    return str(value) if type(value) is int else _plain(value)


_last_datetime: tuple[datetime.datetime | None, str] = (None, "")


def _datetime(value) -> str:
    """The last time rendered is kept: the rows of a batch often share one (`imported_at`, `now`)."""
    global _last_datetime
    if type(value) is datetime.datetime and value.tzinfo is not None:
        last = _last_datetime
        if value is last[0]:
            return last[1]
        text = value.isoformat()
        _last_datetime = (value, text)
        return text
    return _plain(value)


def _plain(value) -> str:
    if type(value) is str:  # the most frequent first
        return _escape(value)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: the store keeps aware UTC times")
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _escape(str(value))  # a UUID, or a value the field itself would turn into text


_json_encode = msgspec.json.Encoder().encode


def _json(value) -> str:
    """A JSON column's text, by msgspec: a tenth of `json.dumps`'s time for an address (0.2 against 2.0 µs).
    The text differs (no spaces, UTF-8 rather than \\u escapes), not the value jsonb keeps. msgspec also
    encodes a Decimal, which `json.dumps` refuses: the SQLite path (`bulk_create`) would still refuse it."""
    return "\\N" if value is None else _escape(_json_encode(value).decode())
