"""Bad lines written on purpose, so the importer's quarantine is exercised at any size.

Each defect kind of `sample/EXPECTED.md` is forced at least once (on the first suitable records of its
file), then defects recur at `RATE` per suitable record. A defect is only ever put on a record that would
otherwise import cleanly, so the defect alone decides the record's fate (see truth.py).
"""

import time
from decimal import Decimal

from .common import parse_timestamp, pick

RATE = 0.001

# Kinds per file. `superseded` and `unknown_customer` are written by the bundle writer itself (an older
# copy of a record; records of a customer missing from customers.jsonl); `image_*` and
# `attachment_missing` are about files/ and leave the record importable.
KINDS = {
    "customers": ("not_json", "not_utf8", "missing_field", "bad_date", "wrong_type", "superseded", "unknown_customer"),
    "products": ("missing_field", "float_amount", "image_missing", "image_checksum_mismatch"),
    "orders": (
        "not_json",
        "missing_field",
        "bad_date",
        "wrong_type",
        "float_amount",
        "total_mismatch",
        "zero_quantity",
        "superseded",
    ),
    "shipments": ("missing_field", "bad_date"),
    "reviews": ("rating_out_of_range", "wrong_type", "missing_field"),
    "points": ("lots_mismatch", "wrong_type"),
    "coupons": ("float_amount", "bad_date", "missing_field"),
    "tickets": ("attachment_missing", "bad_date", "missing_field"),
}
# Kinds after which the record still imports.
HARMLESS = {"image_missing", "image_checksum_mismatch", "attachment_missing"}

_MISSING = {
    "customers": "email",
    "products": "name",
    "orders": "placed_at",
    "shipments": "tracking_number",
    "reviews": "rating",
    "coupons": "code",
    "tickets": "subject",
}
_DATE = {
    "customers": "created_at",
    "orders": "placed_at",
    "shipments": "shipped_at",
    "coupons": "valid_until",
    "tickets": "opened_at",
}
_DATE_STYLES = ("%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%a, %d %b %Y %H:%M:%S GMT", "%Y-%m-%dT%H:%M:%S")
_WRONG_TYPE = {"customers": "marketing_opt_in", "orders": "points_redeemed", "reviews": "rating", "points": "balance"}


class DefectPlan:
    """Decides which suitable record gets which defect."""

    def __init__(self, rng, enabled: bool):
        self.rng = rng
        self.enabled = enabled
        self.pending = {entity: list(kinds) for entity, kinds in KINDS.items()} if enabled else {}
        self._suitable = dict.fromkeys(KINDS, 0)

    def draw(self, entity: str, unfit: tuple = ()) -> str | None:
        """The defect for the next suitable record of `entity`, or None; never one of `unfit` (kinds this
        record cannot carry, e.g. a missing attachment on a ticket without any). Forced kinds go on every
        other suitable record, so the first lines of a file are not all bad."""
        if not self.enabled:
            return None
        self._suitable[entity] += 1
        pending = self.pending[entity]
        if pending and self._suitable[entity] % 2 == 0:
            for kind in pending:
                if kind not in unfit:
                    pending.remove(kind)
                    return kind
            return None
        if self.rng.random() < RATE:
            kind = pick(self.rng, KINDS[entity])
            return None if kind in unfit else kind
        return None

    def missing(self) -> dict:
        """Forced kinds never placed (the bundle was too small to hold them all)."""
        return {entity: kinds for entity, kinds in self.pending.items() if kinds}


def corrupt(rng, entity: str, kind: str, record: dict, encode) -> bytes:
    """The line for `record` spoiled by `kind` (record-level kinds only)."""
    if kind == "not_json":
        line = encode(record)
        cut = len(line) * 2 // 3
        while line[cut] >= 0x80:  # cut on a character boundary: this line is bad JSON, not bad UTF-8
            cut -= 1
        return line[:cut]
    if kind == "not_utf8":
        record["first_name"] = "Amélie"  # a row the legacy database kept in Latin-1
        return encode(record).decode("utf-8").encode("latin-1", "replace")
    if kind == "missing_field":
        del record[_MISSING[entity]]
    elif kind == "bad_date":
        field = _DATE[entity]
        moment = time.gmtime(parse_timestamp(record[field]))
        record[field] = time.strftime(pick(rng, _DATE_STYLES), moment)
    elif kind == "wrong_type":
        field = _WRONG_TYPE[entity]
        record[field] = "yes" if isinstance(record[field], bool) else str(record[field])
    elif kind == "float_amount":
        _floatify(entity, record)
    elif kind == "total_mismatch":
        cents = int(Decimal(record["total"]) * 100) + pick(rng, (1, 100, 499))  # a line or fee forgotten
        record["total"] = f"{cents // 100}.{cents % 100:02d}"
    elif kind == "zero_quantity":
        first = record["lines"][0]
        record["lines"].append({**first, "quantity": 0, "discount": "0.00"})
    elif kind == "rating_out_of_range":
        record["rating"] = 6
    elif kind == "lots_mismatch":
        record["balance"] += 10 * (1 + int(rng.random() * 50))
    else:
        raise ValueError(f"{kind!r} is not a record-level defect of {entity}")
    return encode(record)


def _floatify(entity: str, record: dict):
    if entity == "products":
        prices = record["variants"][0]["prices"]
        prices["uk"] = float(prices["uk"])
    elif entity == "orders":
        record["shipping"] = float(record["shipping"])
    else:
        record["value"] = float(record["value"])
