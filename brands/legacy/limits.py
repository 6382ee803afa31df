"""Checks a loader runs before the database sees a record: texts against the columns they go to.

A text longer than its column would make PostgreSQL refuse the whole batch (SQLite would keep it), so a
loader quarantines such a record in `check` with a reason naming the field, and nothing is truncated.
"""


def too_long(model, values: dict[str, str | None]) -> str:
    """A reason when a value is longer than its column of `model`, else ''.

    Keys name the field as the record has it (`lines[2].sku`); the column is the last name (`sku`).
    """
    for name, value in values.items():
        column = name.rsplit(".", 1)[-1]
        limit = model._meta.get_field(column).max_length
        if value is not None and len(value) > limit:
            return f"{name} is {len(value)} characters long, more than the {limit} the store keeps"
    return ""
