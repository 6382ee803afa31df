"""Engine rules every loader inherits: hard references, erased customers (rule 2), --only, --cutover.

So that only the engine is under test, these tests put minimal real loaders in the registry in place of
the orders and points ones (they answer `created` and keep the record in the legacy map).
"""

import gc
import hashlib
import json

import msgspec
import pytest

from brands.legacy import loaders
from brands.legacy.loaders import CREATED, BatchResult, Loaded, Loader
from brands.legacy.models import LegacyRecord
from brands.legacy.schemas import SCHEMAS

from .bundles import customer, write_bundle

pytestmark = pytest.mark.django_db


class RecordingLoader(Loader):
    """Keeps every record it is given in the legacy map only; `seen` lists what reached it."""

    seen: list = []

    def load(self, items):
        self.seen.extend(items)
        return BatchResult({item.legacy_id: Loaded(CREATED, owns_target=False) for item in items})

    def state_hashes(self, pks):
        return {}


class PointsProbe(RecordingLoader):
    entity = "points"


class OrdersProbe(RecordingLoader):
    entity = "orders"
    totals_fields = ("currency", "total")

    def totals(self, record):
        return {"orders_by_currency": {record.currency: record.total}}


@pytest.fixture
def probes(monkeypatch):
    loaders.registered_loaders()  # the apps' own loaders first, so registering them later cannot clash
    monkeypatch.setitem(loaders._REGISTRY, "points", PointsProbe)
    monkeypatch.setitem(loaders._REGISTRY, "orders", OrdersProbe)
    monkeypatch.setattr(PointsProbe, "seen", [])
    monkeypatch.setattr(OrdersProbe, "seen", [])


def points(legacy_id, customer_id):
    return {"legacy_id": legacy_id, "customer_legacy_id": customer_id, "balance": 10,
            "lots": [{"points": 10, "earned_at": "2024-01-01T00:00:00Z", "expires_at": "2025-06-01T00:00:00Z"}],
            "history": []}


def order(legacy_id, customer_id, **fields):
    address = {"name": "A", "line1": "1 St", "line2": None, "city": "Leeds", "postcode": "LS1", "country": "GB",
               "phone": None}
    return {"legacy_id": legacy_id, "number": f"PO-UK-{legacy_id}", "portal": "uk", "customer_legacy_id": customer_id,
            "guest_email": None, "currency": "GBP", "status": "paid", "placed_at": "2024-01-01T00:00:00Z",
            "lines": [{"sku": "X", "product_legacy_id": None, "name": "X", "quantity": 1, "unit_price": "10.00",
                       "discount": "0.00"}],
            "shipping": "0.00", "tax": "0.00", "total": "10.00", "coupon_code": None, "points_redeemed": 0,
            "shipping_address": address, "billing_address": None, "payment_method": "card", **fields}


@pytest.fixture
def bundle(tmp_path, reference_data):
    return write_bundle(tmp_path / "bundle", {
        "customers": [customer("C1"), customer("C2", portal="in"), customer("C3", status="erased"),
                      customer("C4", email=None)],
        "orders": [order("O1", "C1"), order("O2", "C3"), order("O3", "C2"), order("O4", None),
                   order("O5", "C404"), order("O6", "C4")],
        "points": [points("S1", "C1"), points("S2", "C2"), points("S3", "C3"), points("S4", "C4"),
                   points("S5", "C404"), points("S6", "C1") | {"balance": "ten"}],
    })


def outcomes(report, entity):
    return {key: value for key, value in report["entities"][entity].items() if value and key != "read"}


def test_hard_references_set_aside_records_that_hang_on_excluded_quarantined_or_unknown_ones(bundle, probes,
                                                                                           run_import):
    _, report = run_import(bundle)
    assert outcomes(report, "points") == {"created": 1, "excluded": 2, "quarantined": 3}
    reasons = {row["legacy_id"]: row["reason"] for row in report["quarantine"] if row["entity"] == "points"}
    assert reasons == {
        "S4": "customer_legacy_id C4: that customers record is quarantined",
        "S5": "customer_legacy_id C404: no such customers record",
        "S6": "Expected `int`, got `str` - at `$.balance`",
    }


def test_an_erased_customers_orders_are_still_imported_but_their_points_are_excluded(bundle, probes, run_import):
    _, report = run_import(bundle)
    assert outcomes(report, "orders") == {"created": 3, "excluded": 1, "quarantined": 2}
    assert sorted(item.legacy_id for item in OrdersProbe.seen) == ["O1", "O2", "O4"]  # O2: erased customer
    assert report["totals"]["orders_by_currency"] == {"GBP": "30.00"}
    assert "S3" not in {item.legacy_id for item in PointsProbe.seen}


def test_unchanged_records_still_count_in_the_totals(bundle, probes, run_import):
    run_import(bundle)
    _, again = run_import(bundle)
    assert outcomes(again, "orders") == {"unchanged": 3, "excluded": 1, "quarantined": 2}
    assert again["totals"]["orders_by_currency"] == {"GBP": "30.00"}


def test_only_imports_the_named_entities_and_resolves_the_others_from_earlier_runs(bundle, probes, run_import):
    run_import(bundle, "--only", "customers")
    assert not LegacyRecord.objects.filter(entity="points").exists()
    _, report = run_import(bundle, "--only", "points")
    assert report["entities"]["customers"]["not_loaded"] is True
    assert outcomes(report, "points") == {"created": 1, "excluded": 2, "quarantined": 3}


def test_the_cutover_is_the_manifests_unless_given(bundle, probes, run_import):
    assert run_import(bundle, "--dry-run")[1]["cutover"] == "2024-12-12T00:00:00Z"
    assert run_import(bundle, "--dry-run", "--cutover", "2025-01-01T00:00:00+01:00")[1]["cutover"] == \
        "2025-01-01T00:00:00+01:00"
    assert run_import(bundle, "--cutover", "2025-01-01") == (2, None)  # no offset: refused


def test_a_line_that_fails_its_schema_is_set_aside_by_its_portal_or_references_first(tmp_path, reference_data,
                                                                                     probes, run_import):
    """Lines that do not decode straight into their schema take the long way, in the contract's order."""
    bundle = write_bundle(tmp_path / "bundle", {
        "customers": [customer("C1"), customer("C2", portal="in")],
        "orders": [order("O1", "C404", portal="in", total=10.0), order("O2", "C2", total=10.0),
                   order("O3", "C404", total=10.0), order("O4", "C1", total=10.0),
                   order("O5", "C405", portal="in")],  # its portal before its unknown customer, both ways
        "points": [points("S1", "C2") | {"balance": "ten"}, points("S2", "C1") | {"balance": "ten"}],
    })
    _, report = run_import(bundle)
    assert outcomes(report, "orders") == {"excluded": 3, "quarantined": 2}
    assert outcomes(report, "points") == {"excluded": 1, "quarantined": 1}
    reasons = {row["legacy_id"]: row["reason"] for row in report["quarantine"]}
    assert reasons == {"O3": "customer_legacy_id C404: no such customers record",
                       "O4": "Expected `str`, got `float` - at `$.total`",
                       "S2": "Expected `int`, got `str` - at `$.balance`"}


def test_a_record_unchanged_since_its_import_is_not_checked_again_but_a_changed_one_is(
        tmp_path, bundle, probes, run_import, monkeypatch):
    checked = []
    monkeypatch.setattr(PointsProbe, "check", lambda self, record: checked.append(record.legacy_id))
    run_import(bundle)
    assert checked == ["S1"]  # the only points record with a valid customer

    checked.clear()
    _, report = run_import(bundle)
    assert checked == [] and outcomes(report, "points")["unchanged"] == 1

    changed = write_bundle(tmp_path / "changed", {
        "customers": [customer("C1")], "points": [points("S1", "C1") | {"balance": 20, "lots": [
            {"points": 20, "earned_at": "2024-01-01T00:00:00Z", "expires_at": "2025-06-01T00:00:00Z"}]}],
    })
    _, report = run_import(changed)
    assert checked == ["S1"] and outcomes(report, "points") == {"created": 1}  # loaded again (the probe's answer)


def test_the_heap_is_frozen_out_of_the_collectors_sight_while_importing_and_unfrozen_after(bundle, probes,
                                                                                          run_import, monkeypatch):
    frozen_while_loading = []
    load = PointsProbe.load
    monkeypatch.setattr(PointsProbe, "load",
                        lambda self, items: frozen_while_loading.append(gc.get_freeze_count()) or load(self, items))
    assert gc.get_freeze_count() == 0
    run_import(bundle)
    assert frozen_while_loading and min(frozen_while_loading) > 0
    assert gc.get_freeze_count() == 0


def test_a_loader_that_fails_still_releases_what_it_holds(bundle, probes, run_import, monkeypatch):
    finished = []

    def fails(self, items):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(PointsProbe, "load", fails)
    monkeypatch.setattr(PointsProbe, "finish", lambda self: finished.append(self.entity), raising=False)
    with pytest.raises(RuntimeError, match="the database went away"):
        run_import(bundle)
    assert finished == ["points"]


def test_a_record_imported_again_rewrites_its_legacy_map_entry_in_place(tmp_path, reference_data, probes,
                                                                       run_import):
    def bundle(name, balance):
        return write_bundle(tmp_path / name, {"customers": [customer("C1")], "points": [
            points("S1", "C1") | {"balance": balance, "lots": [
                {"points": balance, "earned_at": "2024-01-01T00:00:00Z", "expires_at": "2025-06-01T00:00:00Z"}]}]})

    run_import(bundle("first", 10))
    [before] = LegacyRecord.objects.filter(entity="points")
    _, report = run_import(bundle("changed", 20))
    assert report["entities"]["points"]["created"] == 1  # the probe answers created for what it is given
    [after] = LegacyRecord.objects.filter(entity="points")
    assert after.pk == before.pk and after.first_run_id == before.first_run_id
    assert after.fingerprint != before.fingerprint and after.last_run_id != before.last_run_id
    _, again = run_import(bundle("changed-again", 20))
    assert outcomes(again, "points") == {"unchanged": 1}


def test_a_line_read_again_byte_for_byte_is_unchanged_by_its_line_digest_without_its_fingerprint(
        tmp_path, reference_data, probes, run_import):
    bundle = write_bundle(tmp_path / "b", {"customers": [customer("C1")], "points": [points("S1", "C1")]})
    run_import(bundle)
    # A stored fingerprint no line gives: only the line digest can tell that the line is the one imported.
    LegacyRecord.objects.filter(entity="points").update(fingerprint="0" * 64)
    _, report = run_import(bundle)
    assert outcomes(report, "points") == {"unchanged": 1} and PointsProbe.seen[1:] == []


def test_the_same_record_in_other_bytes_is_unchanged_by_its_fingerprint_and_keeps_its_entry(
        tmp_path, reference_data, probes, run_import):
    record = points("S1", "C1")
    run_import(write_bundle(tmp_path / "first", {"customers": [customer("C1")], "points": [record]}))
    [before] = LegacyRecord.objects.filter(entity="points")
    reordered = json.dumps(dict(reversed(record.items())), indent=None, separators=(" , ", " : "))
    _, report = run_import(write_bundle(tmp_path / "other-bytes", {"customers": [customer("C1")],
                                                                   "points": [reordered]}))
    assert outcomes(report, "points") == {"unchanged": 1}
    [after] = LegacyRecord.objects.filter(entity="points")
    assert (after.fingerprint, after.line_digest, after.last_run_id) == (
        before.fingerprint, before.line_digest, before.last_run_id)


def test_a_line_digest_kept_under_another_schema_is_not_trusted(tmp_path, reference_data, probes, run_import):
    bundle = write_bundle(tmp_path / "b", {"customers": [customer("C1")], "points": [points("S1", "C1")]})
    run_import(bundle)
    [entry] = LegacyRecord.objects.filter(entity="points")
    raw = (bundle / "points.jsonl").read_bytes().rstrip(b"\n")
    assert entry.line_digest == hashlib.sha256(
        msgspec.json.encode(msgspec.json.schema(SCHEMAS["points"]), order="sorted") + b"\n" + raw).hexdigest()
    assert entry.line_digest != hashlib.sha256(raw).hexdigest()
    # As if a release had changed the schema: the digest no longer matches, the fingerprint decides.
    LegacyRecord.objects.filter(pk=entry.pk).update(line_digest=hashlib.sha256(raw).hexdigest(), fingerprint="0" * 64)
    _, report = run_import(bundle)
    assert outcomes(report, "points") == {"created": 1}  # loaded again (the probe's answer)


def test_a_line_reimported_new_or_changed_is_decoded_whole_while_the_unchanged_ones_are_decoded_only_in_part(
        tmp_path, reference_data, probes, run_import):
    """A re-import decodes lines into the entity's view (references, what the report totals) while most are
    unchanged; the others are decoded again whole, and a changed line that fails the schema is quarantined
    with the schema's message, as in a first import."""
    run_import(write_bundle(tmp_path / "first", {
        "customers": [customer("C1")],
        "orders": [order(f"O{n}", "C1", total="1.00") for n in range(1, 5)],
    }))
    OrdersProbe.seen.clear()
    _, report = run_import(write_bundle(tmp_path / "second", {
        "customers": [customer("C1")],
        "orders": [order("O1", "C1", total="1.00"), order("O2", "C1", total="1.00"), order("O3", "C1", total=1.0),
                   order("O4", "C1", total="1.00", status="delivered"), order("O5", "C1", total="1.00")],
    }))
    assert outcomes(report, "orders") == {"unchanged": 2, "quarantined": 1, "created": 2}
    assert [row["reason"] for row in report["quarantine"]] == ["Expected `str`, got `float` - at `$.total`"]
    assert {item.legacy_id: (type(item.record), item.record.status) for item in OrdersProbe.seen} == {
        "O4": (SCHEMAS["orders"], "delivered"), "O5": (SCHEMAS["orders"], "paid")}
    assert report["totals"]["orders_by_currency"] == {"GBP": "4.00"}  # the unchanged ones' views included
