"""Counters, totals and the JSON report in exactly the contract's shape ("The report")."""

from __future__ import annotations

from decimal import Decimal

from .entities import ENTITIES

COUNTERS = ("read", "created", "updated", "unchanged", "linked", "excluded", "quarantined", "superseded",
            "conflicts")
# The counter each outcome adds to.
COUNTER_OF = {"created": "created", "updated": "updated", "unchanged": "unchanged", "linked": "linked",
              "excluded": "excluded", "quarantined": "quarantined", "superseded": "superseded",
              "conflict": "conflicts"}


def empty_counters() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


def empty_totals() -> dict:
    return {
        "orders_by_currency": {},
        "points": {"legacy_unexpired": 0, "credited": 0},
        "coupons": {"reissued": 0, "history": 0},
        "files": {"copied": 0, "missing": 0, "mismatched": 0},
    }


def merge_totals(into: dict, more: dict) -> dict:
    """Adds `more` into `into`: integers add, decimal strings (amounts) add exactly, dicts recurse."""
    for key, value in more.items():
        if isinstance(value, dict):
            merge_totals(into.setdefault(key, {}), value)
        elif isinstance(value, str):
            into[key] = str(Decimal(into.get(key, "0")) + Decimal(value))
        else:
            into[key] = into.get(key, 0) + value
    return into


def build(*, bundle, cutover: str, dry_run: bool, counters: dict, not_loaded: set[str], totals: dict,
          quarantine: list[dict], conflicts: list[dict]) -> dict:
    """The report; every entity of the table appears, those the run left alone marked `not_loaded`."""
    entities = {}
    for entity in ENTITIES:
        entry = {**empty_counters(), **counters.get(entity, {})}
        if entity in not_loaded:
            entry["not_loaded"] = True
        entities[entity] = entry
    merged = merge_totals(empty_totals(), totals)
    merged["orders_by_currency"] = {
        currency: f"{Decimal(amount):.2f}" for currency, amount in sorted(merged["orders_by_currency"].items())
    }
    return {
        "bundle": {"source": bundle.source, "exported_at": bundle.exported_at, "version": bundle.version},
        "cutover": cutover,
        "dry_run": dry_run,
        "entities": entities,
        "totals": merged,
        "quarantine": quarantine,
        "conflicts": conflicts,
    }


def summary_table(report: dict) -> str:
    """The counters as a fixed-width table for the terminal and the logs."""
    headers = ("entity",) + COUNTERS
    rows = [headers]
    for entity, entry in report["entities"].items():
        name = entity + (" (not loaded)" if entry.get("not_loaded") else "")
        rows.append((name,) + tuple(str(entry[counter]) for counter in COUNTERS))
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    files = report["totals"]["files"]
    lines.append("")
    lines.append(f"files: {files['copied']} copied, {files['missing']} missing, {files['mismatched']} mismatched")
    currencies = ", ".join(f"{amount} {cur}" for cur, amount in report["totals"]["orders_by_currency"].items())
    if currencies:
        lines.append(f"orders: {currencies}")
    lines.append(f"{len(report['quarantine'])} quarantined, {len(report['conflicts'])} conflicts"
                 + (" (dry run: nothing written)" if report["dry_run"] else ""))
    return "\n".join(lines)
