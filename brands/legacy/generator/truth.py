"""The expected outcome of importing a generated bundle, tallied as the generator writes each line.

The generator knows what it wrote on purpose (a bad line, an India record, an erased customer, a repeated
legacy id...) and applies the contract's precedence (FORMAT.md, "What the import must do") to it, line by
line: so the counts are exact, not estimated, for a first import into a store holding only the accounts
listed under `store_before`, with the cutover at the bundle's `exported_at` and a points rate of 1.
"""

from collections import Counter

from .common import money

ENTITIES = ("customers", "products", "orders", "shipments", "reviews", "points", "coupons", "tickets")
CREATED, LINKED, EXCLUDED, QUARANTINED, SUPERSEDED = "created", "linked", "excluded", "quarantined", "superseded"
_COUNTERS = ("read", "created", "updated", "unchanged", "linked", "excluded", "quarantined", "superseded", "conflicts")


class Truth:
    def __init__(self):
        self.counts = {entity: Counter() for entity in ENTITIES}
        self.quarantine: list[dict] = []
        self.superseded: list[dict] = []
        self.defects: list[dict] = []
        self.orders_by_currency: Counter = Counter()  # cents
        self.points_unexpired = 0
        self.coupons = Counter()
        self.files = Counter()
        self.store_customers: list[dict] = []
        self.staff: list[str] = []
        self.logins: list[dict] = []

    def line(
        self, entity: str, number: int, legacy_id: str, outcome: str, reason: str | None = None, ref: str | None = None
    ):
        """Count one written line. `reason`/`ref` say why a line is quarantined (or excluded)."""
        counts = self.counts[entity]
        counts["read"] += 1
        counts[outcome] += 1
        if outcome == QUARANTINED:
            entry = {"entity": entity, "legacy_id": legacy_id, "line": number, "reason": reason}
            if ref:
                entry["ref"] = ref
            self.quarantine.append(entry)
        elif outcome == SUPERSEDED:
            self.superseded.append({"entity": entity, "legacy_id": legacy_id, "line": number})

    def defect(self, entity: str, legacy_id: str, number: int | None, kind: str):
        """A defect written on purpose (every kind of EXPECTED.md's list appears here at least once)."""
        self.defects.append({"entity": entity, "legacy_id": legacy_id, "line": number, "kind": kind})

    def as_json(self, generator: dict, exported_at: str) -> dict:
        entities = {e: {name: self.counts[e][name] for name in _COUNTERS} for e in ENTITIES}
        return {
            "format": "poco-legacy-export-truth",
            "version": 1,
            "generator": generator,
            "assumes": {
                "cutover": exported_at,
                "points_rate": 1,
                "first_import": True,
                "store_before": {"customers": self.store_customers, "staff": self.staff},
            },
            "entities": entities,
            "totals": {
                "orders_by_currency": {c: money(v) for c, v in sorted(self.orders_by_currency.items())},
                "points": {"legacy_unexpired": self.points_unexpired, "credited": self.points_unexpired},
                "coupons": {"reissued": self.coupons["reissued"], "history": self.coupons["history"]},
                "files": {k: self.files[k] for k in ("copied", "missing", "mismatched")},
            },
            "defects": self.defects,
            "quarantine": self.quarantine,
            "superseded": self.superseded,
            "logins": self.logins,
        }
