"""Checks a loader runs before the database sees a record: texts and amounts against the columns they go to.

A text longer than its column, or an amount with more digits than its column has, would make PostgreSQL
refuse the whole batch (SQLite would keep it); an amount with more decimal places than its column would be
rounded without a word. So a loader quarantines such a record in `check` with a reason naming the field,
and nothing is truncated or rounded.
"""

from decimal import Decimal
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


def unfit_amount(model, name: str, amount: Decimal, *, column: str = "") -> str:
    """A reason when `amount` cannot be kept exactly in its decimal column of `model`, else ''. `name` as in
    `too_long`: the field as the record has it, its last part the column unless `column` is given."""
    places, limit = _decimal_shape(model, column or name.rsplit(".", 1)[-1])
    if amount.as_tuple().exponent < -places:
        kept = "cents" if places == 2 else f"{places} decimal places"
        return f"{name} {amount} has more than {places} decimal places (the store keeps {kept})"
    if abs(amount) >= limit:
        return f"{name} {amount} is too large for the store"
    return ""


@cache
def _decimal_shape(model, column: str) -> tuple[int, Decimal]:
    """The column's decimal places, and the first amount too large for it (read per amount of every order)."""
    field = model._meta.get_field(column)
    return field.decimal_places, Decimal(10) ** (field.max_digits - field.decimal_places)


@cache
def _max_length(model, column: str) -> int:
    """Read per value, on every record of an import: the field lookup costs more than the comparison."""
    return model._meta.get_field(column).max_length
