"""Checks a loader runs before the database sees a record: texts against the columns they go to.

A text longer than its column would make PostgreSQL refuse the whole batch (SQLite would keep it), so a
loader quarantines such a record in `check` with a reason naming the field, and nothing is truncated.
"""

from functools import cache


def too_long(model, values: dict[str, str | None]) -> str:
    """A reason when a value is longer than its column of `model`, else ''.

    Keys name the field as the record has it (`lines[2].sku`); the column is the last name (`sku`).
    """
    for name, value in values.items():
        if value is None:
            continue
        limit = _max_length(model, name.rsplit(".", 1)[-1])
        if len(value) > limit:
            return f"{name} is {len(value)} characters long, more than the {limit} the store keeps"
    return ""


def too_long_in(model, items, prefix: str, fields: tuple[str, ...]) -> str:
    """`too_long` over a record's list of nested items (`events[2].status`): each item's `fields` against
    their columns of `model`. The names are formatted only for the item that has a problem."""
    limits = [(name, _max_length(model, name)) for name in fields]
    for n, item in enumerate(items):
        for name, limit in limits:
            value = getattr(item, name)
            if value is not None and len(value) > limit:
                return too_long(model, {f"{prefix}[{n}].{name}": value})
    return ""


@cache
def _max_length(model, column: str) -> int:
    """Read per value, on every record of an import: the field lookup costs more than the comparison."""
    return model._meta.get_field(column).max_length
