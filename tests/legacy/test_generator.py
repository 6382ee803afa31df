"""The legacy bundle generator: deterministic, faithful to FORMAT.md, and honest about its bad lines.

`expected_import` below re-derives, from the bundle's bytes alone and the contract's rules, what a correct
import must count; the generator's own truth file has to agree with it line for line.
"""

import gzip
import hashlib
import json
import re
import tarfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from brands.legacy.generator import GeneratorError, legacy_password_for, legacy_password_hash, write_bundle
from brands.legacy.generator.orders import off_catalogue_skus

ENTITIES = ("customers", "products", "orders", "shipments", "reviews", "points", "coupons", "tickets")
EXPECTED_MD_KINDS = {  # sample/EXPECTED.md's list of bad lines, as the truth file names them
    "not_json",
    "not_utf8",
    "missing_field",
    "bad_date",
    "wrong_type",
    "float_amount",
    "total_mismatch",
    "zero_quantity",
    "unknown_customer",
    "superseded",
    "rating_out_of_range",
    "lots_mismatch",
    "image_missing",
    "image_checksum_mismatch",
    "no_final_newline",
}


# --- a reading of FORMAT.md, independent of the generator ----------------------------------------------

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
MONEY = re.compile(r"^-?\d+(\.\d+)?$")


def _is(kind, value):
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "ts":
        return isinstance(value, str) and bool(TS.match(value))
    if kind == "money":
        return isinstance(value, str) and bool(MONEY.match(value))
    if kind == "dict":
        return isinstance(value, dict)
    if isinstance(kind, dict):  # a nested object
        return isinstance(value, dict) and valid(kind, value)
    if isinstance(kind, list):  # a list of nested objects
        return isinstance(value, list) and all(_is(kind[0], item) for item in value)
    raise AssertionError(kind)


def valid(spec: dict, record: dict) -> bool:
    for name, kind in spec.items():
        nullable = name.endswith("?")
        value = record.get(name.rstrip("?"))
        if value is None:
            if not nullable:
                return False
        elif not _is(kind, value):
            return False
    return True


ADDRESS = {
    "name": "str",
    "line1": "str",
    "line2?": "str",
    "city": "str",
    "postcode": "str",
    "country": "str",
    "phone?": "str",
}
SPECS = {
    "customers": {
        "legacy_id": "str",
        "portal": "str",
        "email": "str",
        "first_name": "str",
        "last_name": "str",
        "phone?": "str",
        "language": "str",
        "created_at": "ts",
        "last_login_at?": "ts",
        "marketing_opt_in": "bool",
        "status": "str",
        "password_hash?": "str",
        "addresses": [{**ADDRESS, "legacy_id": "str", "is_default": "bool"}],
    },
    "products": {
        "legacy_id": "str",
        "slug": "str",
        "name": "str",
        "category": "str",
        "description_html": "str",
        "status": "str",
        "images": [{"path": "str", "sha256": "str", "alt": "str"}],
        "variants": [{"sku": "str", "attributes": "dict", "prices": "dict", "stock": "dict"}],
        "legacy_urls": ["str"],
    },
    "orders": {
        "legacy_id": "str",
        "number": "str",
        "portal": "str",
        "customer_legacy_id?": "str",
        "guest_email?": "str",
        "currency": "str",
        "status": "str",
        "placed_at": "ts",
        "lines": [
            {
                "sku": "str",
                "product_legacy_id?": "str",
                "name": "str",
                "quantity": "int",
                "unit_price": "money",
                "discount": "money",
            }
        ],
        "shipping": "money",
        "tax": "money",
        "total": "money",
        "coupon_code?": "str",
        "points_redeemed": "int",
        "shipping_address": ADDRESS,
        "billing_address?": ADDRESS,
        "payment_method": "str",
    },
    "shipments": {
        "legacy_id": "str",
        "order_legacy_id": "str",
        "carrier": "str",
        "tracking_number": "str",
        "status": "str",
        "shipped_at": "ts",
        "delivered_at?": "ts",
        "lines": [{"sku": "str", "quantity": "int"}],
        "events": [{"at": "ts", "status": "str", "location": "str", "description": "str"}],
    },
    "reviews": {
        "legacy_id": "str",
        "product_legacy_id": "str",
        "customer_legacy_id?": "str",
        "author_name": "str",
        "rating": "int",
        "title": "str",
        "body": "str",
        "language": "str",
        "created_at": "ts",
        "status": "str",
        "verified_purchase": "bool",
        "replies": [{"author_name": "str", "body": "str", "created_at": "ts"}],
    },
    "points": {
        "legacy_id": "str",
        "customer_legacy_id": "str",
        "balance": "int",
        "lots": [{"points": "int", "earned_at": "ts", "expires_at": "ts"}],
        "history": [{"at": "ts", "delta": "int", "reason": "str", "order_legacy_id?": "str"}],
    },
    "coupons": {
        "legacy_id": "str",
        "code": "str",
        "customer_legacy_id?": "str",
        "kind": "str",
        "value": "money",
        "currency?": "str",
        "min_order_amount": "money",
        "valid_from": "ts",
        "valid_until": "ts",
        "usage_limit": "int",
        "times_used": "int",
        "status": "str",
        "portal": "str",
    },
    "tickets": {
        "legacy_id": "str",
        "number": "str",
        "portal": "str",
        "customer_legacy_id": "str",
        "order_legacy_id?": "str",
        "product_sku?": "str",
        "serial_number?": "str",
        "kind": "str",
        "status": "str",
        "priority": "str",
        "subject": "str",
        "opened_at": "ts",
        "updated_at": "ts",
        "closed_at?": "ts",
        "assigned_to?": "str",
        "messages": [
            {
                "legacy_id": "str",
                "author_type": "str",
                "author_email": "str",
                "body": "str",
                "created_at": "ts",
                "internal": "bool",
                "attachments": [{"path": "str", "sha256": "str", "filename": "str", "content_type": "str"}],
            }
        ],
        "status_history": [{"at": "ts", "from?": "str", "to": "str", "by": "str"}],
    },
}


def own_fields_ok(entity: str, record: dict) -> bool:
    if not valid(SPECS[entity], record):
        return False
    if entity == "products":
        return all(_is("money", price) for v in record["variants"] for price in v["prices"].values())
    if entity == "orders":
        lines = record["lines"]
        if any(line["quantity"] < 1 for line in lines):
            return False
        owed = sum(line["quantity"] * Decimal(line["unit_price"]) - Decimal(line["discount"]) for line in lines)
        return owed + Decimal(record["shipping"]) + Decimal(record["tax"]) == Decimal(record["total"])
    if entity == "reviews":
        return 1 <= record["rating"] <= 5
    if entity == "points":
        return sum(lot["points"] for lot in record["lots"]) == record["balance"]
    return True


def read_lines(root: Path, name: str) -> list[bytes]:
    data = (root / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    lines = data.split(b"\n")
    return lines[:-1] if data.endswith(b"\n") else lines


def file_state(root: Path, path: str, sha: str) -> str:
    file = root / path
    if not file.is_file():
        return "missing"
    return "copied" if hashlib.sha256(file.read_bytes()).hexdigest() == sha else "mismatched"


def expected_import(root: Path, store_emails: set) -> tuple[dict, dict]:
    """Counts per entity and totals of a first import, per FORMAT.md's precedence, from the files alone."""
    manifest = json.loads((root / "manifest.json").read_text())
    cutover = manifest["exported_at"]
    names = {name.split(".")[0]: name for name in manifest["files"]}
    fate: dict[str, dict] = {entity: {} for entity in ENTITIES}  # legacy id -> imported/excluded/quarantined
    counts = {entity: Counter() for entity in ENTITIES}
    totals = {"orders_by_currency": Counter(), "unexpired": 0, "coupons": Counter(), "files": Counter()}
    accounts: set = set(store_emails)
    erased: set = set()
    for entity in ENTITIES:
        parsed = []
        for raw in read_lines(root, names[entity]):
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                record = None
            ok = isinstance(record, dict) and isinstance(record.get("legacy_id"), str)
            parsed.append(record if ok else None)
        last = {r["legacy_id"]: n for n, r in enumerate(parsed) if r is not None}
        for n, record in enumerate(parsed):
            outcome = _outcome(entity, n, record, last, fate)
            if outcome == "imported":
                outcome = _imported(entity, record, accounts, erased, totals, root, cutover)
            counts[entity][outcome] += 1
            if record is not None and last[record["legacy_id"]] == n:
                fate[entity][record["legacy_id"]] = outcome
    for entity in ENTITIES:
        counts[entity]["read"] = sum(counts[entity].values())
    return counts, totals


def _outcome(entity, n, record, last, fate) -> str:
    if record is None:
        return "quarantined"
    if last[record["legacy_id"]] != n:
        return "superseded"
    if record.get("portal") == "in":
        return "excluded"
    hard = {
        "orders": ("customers", "customer_legacy_id"),
        "shipments": ("orders", "order_legacy_id"),
        "reviews": ("products", "product_legacy_id"),
        "points": ("customers", "customer_legacy_id"),
        "coupons": ("customers", "customer_legacy_id"),
        "tickets": ("customers", "customer_legacy_id"),
    }
    if entity in hard:
        target, field = hard[entity]
        ref = record.get(field)
        if ref is not None:
            seen = fate[target].get(ref, "quarantined")
            if seen == "excluded-erased" and entity in ("orders", "shipments"):
                pass  # an erased customer's orders import as guest orders
            elif seen.startswith("excluded"):
                return "excluded"
            elif seen == "quarantined":
                return "quarantined"
    if not own_fields_ok(entity, record):
        return "quarantined"
    return "imported"


def _imported(entity, record, accounts, erased, totals, root, cutover) -> str:
    if entity == "customers":
        if record["status"] == "erased":
            return "excluded-erased"
        email = record["email"].strip().casefold()
        if email in accounts:
            return "linked"
        accounts.add(email)
        return "created"
    if entity == "orders":
        totals["orders_by_currency"][record["currency"]] += Decimal(record["total"])
    elif entity == "points":
        totals["unexpired"] += sum(lot["points"] for lot in record["lots"] if lot["expires_at"] > cutover)
    elif entity == "coupons":
        reissued = (
            record["status"] == "active"
            and record["valid_until"] >= cutover
            and record["times_used"] < record["usage_limit"]
        )
        totals["coupons"]["reissued" if reissued else "history"] += 1
    elif entity == "products":
        for image in record["images"]:
            totals["files"][file_state(root, image["path"], image["sha256"])] += 1
    elif entity == "tickets":
        for message in record["messages"]:
            for attachment in message["attachments"]:
                totals["files"][file_state(root, attachment["path"], attachment["sha256"])] += 1
    return "created"


def assert_truth_matches_contract(root: Path, truth: dict):
    store = {c["email"] for c in truth["assumes"]["store_before"]["customers"]}
    counts, totals = expected_import(root, store)
    for entity in ENTITIES:
        mine = counts[entity]
        expected = {k: v for k, v in truth["entities"][entity].items() if v}
        got = {
            "read": mine["read"],
            "created": mine["created"],
            "linked": mine["linked"],
            "excluded": mine["excluded"] + mine["excluded-erased"],
            "quarantined": mine["quarantined"],
            "superseded": mine["superseded"],
        }
        assert {k: v for k, v in got.items() if v} == expected, entity
    t = truth["totals"]
    assert {c: Decimal(v) for c, v in t["orders_by_currency"].items()} == dict(totals["orders_by_currency"])
    assert t["points"]["legacy_unexpired"] == totals["unexpired"]
    assert t["coupons"] == {"reissued": totals["coupons"]["reissued"], "history": totals["coupons"]["history"]}
    assert {k: v for k, v in t["files"].items() if v} == dict(totals["files"])


def records(root: Path, entity: str) -> list[dict]:
    manifest = json.loads((root / "manifest.json").read_text())
    name = next(n for n in manifest["files"] if n.startswith(entity + "."))
    out = []
    for raw in read_lines(root, name):
        try:
            out.append(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            continue
    return out


def tree_digest(root: Path) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A small bundle with every kind of bad line."""
    root = tmp_path_factory.mktemp("gen") / "bundle"
    summary = write_bundle(root, customers=120, seed=7)
    return root, summary.truth


@pytest.fixture(scope="module")
def clean_bundle(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen") / "clean"
    summary = write_bundle(root, customers=120, seed=7, bad_lines=False)
    return root, summary.truth


# --- tests ---------------------------------------------------------------------------------------------


def test_same_seed_and_size_give_the_same_bytes_and_another_seed_does_not(tmp_path, bundle):
    again = write_bundle(tmp_path / "again", customers=120, seed=7)
    assert tree_digest(again.path) == tree_digest(bundle[0])
    other = write_bundle(tmp_path / "other", customers=120, seed=8)
    assert tree_digest(other.path)["orders.jsonl"] != tree_digest(bundle[0])["orders.jsonl"]


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_manifest_counts_lines_and_hashes_the_bytes_as_written(tmp_path, compress):
    summary = write_bundle(tmp_path / "b", customers=60, seed=1, gzip=compress)
    manifest = json.loads((summary.path / "manifest.json").read_text())
    assert (manifest["format"], manifest["version"], manifest["source"]) == ("poco-legacy-export", 1, "www.po.co")
    assert manifest["exported_at"] == "2024-12-12T00:00:00Z"
    suffix = ".jsonl.gz" if compress else ".jsonl"
    assert list(manifest["files"]) == [entity + suffix for entity in ENTITIES]
    for name, entry in manifest["files"].items():
        data = (summary.path / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["records"] == len(read_lines(summary.path, name)) > 0, name


def test_tar_holds_the_bundle_as_one_top_level_directory_and_replaces_only_with_clean(tmp_path):
    first = write_bundle(tmp_path / "bundle", customers=60, seed=2, tar=True, gzip=True)
    assert first.path == tmp_path / "bundle.tar.gz" and not (tmp_path / "bundle").exists()
    with tarfile.open(first.path) as tar:
        assert {name.split("/")[0] for name in tar.getnames()} == {"bundle"}
        tar.extractall(tmp_path / "x", filter="data")
    root = tmp_path / "x" / "bundle"
    manifest = json.loads((root / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256((root / name).read_bytes()).hexdigest()
    assert_truth_matches_contract(root, first.truth)
    with pytest.raises(GeneratorError, match="already exists"):
        write_bundle(tmp_path / "bundle", customers=60, seed=2, tar=True)
    again = write_bundle(tmp_path / "bundle", customers=60, seed=2, tar=True, gzip=True, clean=True)
    assert again.path.read_bytes() == (tmp_path / "bundle.tar.gz").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind


@pytest.mark.parametrize("seed", [7, 11])
def test_truth_file_agrees_with_a_reading_of_the_contract(tmp_path, seed):
    summary = write_bundle(tmp_path / "b", customers=300, seed=seed, gzip=seed == 11)
    assert_truth_matches_contract(summary.path, summary.truth)


def test_every_kind_of_bad_line_is_written(bundle):
    root, truth = bundle
    kinds = {d["kind"] for d in truth["defects"]}
    assert EXPECTED_MD_KINDS <= kinds
    assert truth["entities"]["customers"]["excluded"] > 0
    assert any(c["portal"] == "in" for c in records(root, "customers"))
    raw = {entity: read_lines(root, f"{entity}.jsonl") for entity in ENTITIES}
    for defect in truth["defects"]:
        line = raw[defect["entity"]][defect["line"] - 1] if defect["line"] else None
        if defect["kind"] == "not_json":
            line.decode("utf-8")
            with pytest.raises(ValueError):
                json.loads(line)
        elif defect["kind"] == "not_utf8":
            with pytest.raises(UnicodeDecodeError):
                line.decode("utf-8")
    assert not (root / "reviews.jsonl").read_bytes().endswith(b"\n")
    states = Counter(file_state(root, i["path"], i["sha256"]) for p in records(root, "products") for i in p["images"])
    assert states["missing"] >= 1 and states["mismatched"] >= 1


def test_bad_lines_stay_few_at_scale(tmp_path):
    truth = write_bundle(tmp_path / "b", customers=3000, seed=3).truth
    read = sum(e["read"] for e in truth["entities"].values())
    assert len(truth["defects"]) < 0.002 * read + 40


def test_no_bad_lines_gives_a_bundle_that_imports_whole(clean_bundle):
    root, truth = clean_bundle
    assert truth["defects"] == [] and truth["quarantine"] == [] and truth["superseded"] == []
    for counts in truth["entities"].values():
        assert counts["quarantined"] == counts["superseded"] == 0
    assert truth["totals"]["files"]["missing"] == truth["totals"]["files"]["mismatched"] == 0
    for entity in ENTITIES:
        data = (root / f"{entity}.jsonl").read_bytes()
        assert data.endswith(b"\n")
        for line in data.splitlines():
            assert own_fields_ok(entity, json.loads(line)), line[:80]
    assert_truth_matches_contract(root, truth)


def test_every_order_total_adds_up_exactly(clean_bundle):
    orders = records(clean_bundle[0], "orders")
    assert len(orders) > 300
    for order in orders:
        owed = sum(ln["quantity"] * Decimal(ln["unit_price"]) - Decimal(ln["discount"]) for ln in order["lines"])
        assert owed + Decimal(order["shipping"]) + Decimal(order["tax"]) == Decimal(order["total"])
    currencies = {o["portal"]: o["currency"] for o in orders}
    assert currencies == {"global": "USD", "uk": "GBP", "fr": "EUR", "in": "INR"}


def test_legacy_password_of_each_customer_matches_its_hash(bundle):
    customers = records(bundle[0], "customers")
    hashed = [c for c in customers if isinstance(c.get("password_hash"), str)]
    assert len(hashed) > 0.8 * len(customers)
    for customer in hashed:
        scheme, salt, _ = customer["password_hash"].split("$")
        assert scheme == "sha256"
        assert legacy_password_hash(legacy_password_for(customer["legacy_id"]), salt) == customer["password_hash"]
    assert any(not c["password_hash"] for c in customers)
    assert legacy_password_for("C000043") == "poco-43-Fénix"


def test_logins_of_the_truth_file_follow_the_merge_rules(bundle):
    root, truth = bundle
    by_email: dict = {}
    for customer in records(root, "customers"):
        if isinstance(customer.get("email"), str):
            by_email.setdefault(customer["email"].strip().casefold(), []).append(customer)
    merged = [login for login in truth["logins"] if login["why"].startswith("merged")]
    assert {login["logs_in"] for login in merged} == {True, False}
    for login in merged:
        twins = by_email[login["email"]]
        assert len({c["portal"] for c in twins}) == 2 and len({c["email"] for c in twins}) == 2
        latest = max(twins, key=lambda c: c["last_login_at"])
        assert (legacy_password_for(latest["legacy_id"]) == login["password"]) == login["logs_in"]
    store = truth["assumes"]["store_before"]["customers"]
    assert store and all(c["email"] in by_email for c in store)


def test_references_hold_except_where_broken_on_purpose(bundle):
    root, truth = bundle
    customers = {c["legacy_id"] for c in records(root, "customers")}
    orders = {o["legacy_id"] for o in records(root, "orders")}
    products = records(root, "products")
    skus = {v["sku"] for p in products for v in p["variants"]} | off_catalogue_skus()
    unknown = {q["ref"] for q in truth["quarantine"] if q["reason"] == "unknown_customer"}
    unreadable = {d["legacy_id"] for d in truth["defects"] if d["kind"] in ("not_json", "not_utf8")}
    assert unknown and not unknown & customers
    for order in records(root, "orders"):
        assert order["customer_legacy_id"] in customers | unknown | unreadable | {None}
        assert (order["customer_legacy_id"] is None) == (order["guest_email"] is not None)
        assert all(line["sku"] in skus for line in order["lines"])
    assert {s["order_legacy_id"] for s in records(root, "shipments")} <= orders | unreadable
    assert {r["product_legacy_id"] for r in records(root, "reviews")} <= {p["legacy_id"] for p in products}
    for entity in ("points", "tickets"):
        assert {r["customer_legacy_id"] for r in records(root, entity)} <= customers | unknown | unreadable
    for ticket in records(root, "tickets"):
        for message in ticket["messages"]:
            for attachment in message["attachments"]:
                assert (root / attachment["path"]).is_file() or any(
                    d["kind"] == "attachment_missing" and d["legacy_id"] == ticket["legacy_id"]
                    for d in truth["defects"]
                )


def test_catalogue_has_unique_skus_prices_per_portal_and_legacy_urls(clean_bundle):
    products = records(clean_bundle[0], "products")
    skus = [v["sku"] for p in products for v in p["variants"]]
    assert len(skus) == len(set(skus))
    assert "POCO F6 Pro" in {p["name"] for p in products}
    for product in products:
        assert f"https://www.po.co/uk/product/{product['slug']}/" in product["legacy_urls"]
        for variant in product["variants"]:
            assert set(variant["prices"]) == set(variant["stock"]) == {"global", "uk", "fr", "in"}


def test_india_share_of_customers_is_about_a_tenth(tmp_path):
    customers = records(write_bundle(tmp_path / "b", customers=2000, seed=5).path, "customers")
    share = sum(c.get("portal") == "in" for c in customers) / len(customers)
    assert 0.08 < share < 0.16


def test_refuses_what_it_cannot_write(tmp_path):
    with pytest.raises(GeneratorError, match="--customers >= 50"):
        write_bundle(tmp_path / "b", customers=10, seed=1)
    with pytest.raises(GeneratorError, match="exported-at"):
        write_bundle(tmp_path / "b", customers=60, seed=1, exported_at="12/12/2024")
    assert (
        write_bundle(tmp_path / "b", customers=3, seed=1, bad_lines=False).truth["entities"]["customers"]["read"] == 3
    )


def test_command_prints_counts_and_writes_the_truth_beside_the_bundle(tmp_path, capsys):
    call_command("make_legacy_bundle", str(tmp_path / "demo"), "--customers", "60", "--seed", "4")
    out = capsys.readouterr().out
    assert re.search(r"customers\.jsonl\s+6\d lines", out) and "login: " in out
    truth = json.loads((tmp_path / "demo.truth.json").read_text())
    assert truth["generator"]["customers"] == 60
    with pytest.raises(CommandError, match="--clean"):
        call_command("make_legacy_bundle", str(tmp_path / "demo"), "--customers", "60")
