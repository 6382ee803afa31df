"""Orders and shipments (contract rules 1, 2, 4 and 9), each on a tiny bundle."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront.accounts.models import User
from storefront.catalog.models import Variant
from storefront.orders.models import Order, OrderLine, Shipment, TrackingEvent

from .activity import order, order_address, order_line, shipment
from .bundles import customer, product, product_images, write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle_of(tmp_path, reference_data):
    """A bundle with customer C1 and product P1 (SKU P1-BLK) and the given orders and shipments."""

    def make(*orders, shipments=(), customers=None, name="bundle"):
        files = {"customers": customers or [customer("C1")], "products": [product("P1")], "orders": list(orders)}
        if shipments:
            files["shipments"] = list(shipments)
        return write_bundle(tmp_path / name, files, attachments=product_images("P1"))

    return make


def counters(report, entity="orders"):
    return {key: value for key, value in report["entities"][entity].items() if value and key != "read"}


def reasons(report, entity="orders"):
    return {row["legacy_id"]: row["reason"] for row in report["quarantine"] if row["entity"] == entity}


def test_an_order_keeps_its_number_timestamps_currency_exact_amounts_lines_addresses_and_status(
        bundle_of, run_import, stores):
    record = order("O1", lines=[order_line(quantity=2, discount="25.99"), order_line("GIFTBOX", None,
                                                                                     unit_price="19.99")],
                   shipping="0.00", tax="0.00", total="513.80", status="delivered", payment_method="klarna",
                   coupon_code="SPRING10", points_redeemed=300, billing_address=order_address(line1="2 Low Road"))
    status, report = run_import(bundle_of(record))

    assert counters(report) == {"created": 1} and status == 0
    placed = Order.objects.get()
    account = User.objects.get(email="c1@example.com")
    assert (placed.number, placed.source, placed.store, placed.user, placed.email) == (
        "PO-UK-2024-O1", "po.co", stores["uk"], account, "c1@example.com")
    assert (placed.currency, placed.status, placed.placed_at) == ("GBP", "delivered",
                                                                  datetime(2024, 3, 1, 10, 15, tzinfo=UTC))
    assert (placed.subtotal, placed.shipping, placed.tax, placed.total) == (
        Decimal("513.80"), Decimal("0.00"), Decimal("0.00"), Decimal("513.80"))
    assert (placed.coupon_code, placed.points_redeemed, placed.payment_method) == ("SPRING10", 300, "klarna")
    assert placed.shipping_address == order_address() and placed.billing_address["line1"] == "2 Low Road"
    assert report["totals"]["orders_by_currency"] == {"GBP": "513.80"}


def test_lines_are_snapshots_linked_to_the_variant_and_product_only_where_the_store_knows_them(bundle_of,
                                                                                             run_import):
    record = order("O1", lines=[order_line(), order_line("F2PRO-CASE-BLK", "P99001", unit_price="9.99"),
                                order_line("POCO-STICKERS", None, unit_price="2.99")], total="276.87")
    run_import(bundle_of(record))

    variant = Variant.objects.get(sku="P1-BLK")
    assert list(OrderLine.objects.order_by("position").values_list("sku", "variant", "product", "unit_price")) == [
        ("P1-BLK", variant.pk, variant.product_id, Decimal("259.90")),
        ("F2PRO-CASE-BLK", None, None, Decimal("9.99")),
        ("POCO-STICKERS", None, None, Decimal("2.99")),
    ]


def test_a_guest_order_keeps_its_normalized_e_mail_and_joins_the_account_that_has_it(bundle_of, run_import):
    known = User.objects.create_user("known@example.com", "pw")
    run_import(bundle_of(order("O1", None, guest_email="  Known@Example.COM "),
                         order("O2", None, guest_email="Stranger@example.com")))

    assert sorted(Order.objects.values_list("number", "email", "user")) == [
        ("PO-UK-2024-O1", "known@example.com", known.pk), ("PO-UK-2024-O2", "stranger@example.com", None)]


def test_an_erased_customers_orders_and_parcels_are_kept_without_anything_personal(bundle_of, run_import):
    customers = [customer("C1"), customer("C9", status="erased", email="gone@example.com")]
    bundle = bundle_of(order("O1", "C9", billing_address=order_address()), shipments=[shipment("S1", "O1")],
                       customers=customers)
    _, report = run_import(bundle)

    assert counters(report) == {"created": 1} and counters(report, "shipments") == {"created": 1}
    placed = Order.objects.get()
    assert (placed.user, placed.email, placed.shipping_address, placed.billing_address) == (None, "", None, None)
    assert placed.personal_data_erased and not Order.objects.exclude(pk=placed.pk).filter(personal_data_erased=True)
    assert placed.lines.count() == 1 and placed.total == Decimal("263.89")
    assert list(TrackingEvent.objects.values_list("status", "location", "description")) == [
        ("picked_up", "", ""), ("delivered", "", "")]


def test_orders_of_india_quarantined_or_unknown_customers_are_set_aside_and_so_are_their_parcels(bundle_of,
                                                                                              run_import):
    customers = [customer("C1"), customer("C2", portal="in"), customer("C3", email="not an e-mail")]
    bundle = bundle_of(order("O1", "C2"), order("O2", "C3"), order("O3", "C404"),
                       order("O4", "C2", portal="in", currency="INR"),
                       shipments=[shipment("S1", "O1"), shipment("S2", "O2"), shipment("S3", "O3")],
                       customers=customers)
    _, report = run_import(bundle)

    assert counters(report) == {"excluded": 2, "quarantined": 2}
    assert counters(report, "shipments") == {"excluded": 1, "quarantined": 2}
    assert reasons(report) == {"O2": "customer_legacy_id C3: that customers record is quarantined",
                               "O3": "customer_legacy_id C404: no such customers record"}
    assert not Order.objects.exists() and not Shipment.objects.exists()


@pytest.mark.parametrize("fields, reason", [
    ({"total": "263.90"}, "total 263.90 does not add up: lines 259.90 + shipping 3.99 + tax 0.00 = 263.89"),
    ({"shipping": "-3.99", "total": "255.91"}, "shipping -3.99 is negative"),
    ({"lines": [order_line(discount="300.00")], "total": "-36.11"},
     "lines[0].discount 300.00 is more than the line's 1 x 259.90 = 259.90"),
    ({"lines": [order_line(unit_price="259.899")], "total": "263.889"},
     "lines[0].unit_price 259.899 has more than 2 decimal places (the store keeps cents)"),
    ({"currency": "EUR"}, "currency EUR is not that of portal uk (GBP)"),
    ({"lines": [order_line(quantity=0)]}, "Expected `int` >= 1 - at `$.lines[0].quantity`"),
    ({"shipping": 3.99}, "Expected `str`, got `float` - at `$.shipping`"),
    ({"placed_at": "01/03/2024 10:15"}, "Invalid RFC3339 encoded datetime - at `$.placed_at`"),
    ({"number": "PO-" + "9" * 40}, "number is 43 characters long, more than the 40 the store keeps"),
    ({"lines": [order_line(), order_line(name="N" * 201)], "total": "523.79"},
     "lines[1].name is 201 characters long, more than the 200 the store keeps"),
    ({"customer_legacy_id": None, "guest_email": "nobody"}, "guest_email 'nobody' is not an e-mail address"),
])
def test_an_order_the_store_could_not_keep_exactly_is_quarantined_with_the_reason(bundle_of, run_import, fields,
                                                                                    reason):
    status, report = run_import(bundle_of(order("O1", **fields)))
    assert reasons(report) == {"O1": reason} and status == 1
    assert not Order.objects.exists()


def test_an_order_number_the_store_already_has_is_a_conflict_and_nothing_is_overwritten(bundle_of, run_import,
                                                                                     stores):
    Order.objects.create(number="PO-UK-2024-O1", store=stores["uk"], currency="GBP", total=Decimal("1.00"))
    _, report = run_import(bundle_of(order("O1"), order("O2", number="PO-UK-2024-O3"), order("O3")))
    assert counters(report) == {"created": 1, "conflicts": 2}
    assert {row["legacy_id"] for row in report["conflicts"]} == {"O1", "O3"}
    assert Order.objects.get(number="PO-UK-2024-O1").total == Decimal("1.00")


def test_a_changed_order_is_updated_unless_the_store_changed_it_too(bundle_of, run_import):
    run_import(bundle_of(order("O1"), order("O2"), shipments=[shipment("S1", "O1")]))
    Order.objects.filter(number="PO-UK-2024-O2").update(status="refunded")  # an agent refunded it
    later = bundle_of(order("O1", status="delivered", lines=[order_line(quantity=2)], total="523.79"),
                      order("O2", status="delivered"), shipments=[shipment("S1", "O1", status="returned")],
                      name="later")
    _, report = run_import(later)

    assert counters(report) == {"updated": 1, "conflicts": 1} and counters(report, "shipments") == {"updated": 1}
    first = Order.objects.get(number="PO-UK-2024-O1")
    assert (first.status, first.total, list(first.lines.values_list("quantity", flat=True))) == (
        "delivered", Decimal("523.79"), [2])
    assert Order.objects.get(number="PO-UK-2024-O2").status == "refunded"
    assert Shipment.objects.get().status == "returned" and TrackingEvent.objects.count() == 2
    assert report["totals"]["orders_by_currency"] == {"GBP": "523.79"}


def test_importing_the_same_orders_again_changes_nothing(bundle_of, run_import):
    bundle = bundle_of(order("O1"), shipments=[shipment("S1")])
    run_import(bundle)
    before = list(Order.objects.values_list("pk", "updated_at"))
    _, again = run_import(bundle)
    assert counters(again) == {"unchanged": 1} and counters(again, "shipments") == {"unchanged": 1}
    assert list(Order.objects.values_list("pk", "updated_at")) == before
    assert again["totals"]["orders_by_currency"] == {"GBP": "263.89"}


def test_orders_and_shipments_take_the_same_number_of_queries_whatever_their_number(bundle_of, run_import):
    def queries(count, prefix):
        orders = [order(f"{prefix}{n}", None if n % 3 else "C1", guest_email=f"g{n}@example.com",
                        lines=[order_line(), order_line("X", None, unit_price="1.00")], total="264.89")
                  for n in range(count)]
        shipments = [shipment(f"S{prefix}{n}", f"{prefix}{n}") for n in range(count)]
        bundle = bundle_of(*orders, shipments=shipments, name=prefix)
        with CaptureQueriesContext(connection) as captured:
            assert run_import(bundle)[0] == 0
        return len(captured)

    queries(1, "W")  # warm-up: customer, product and category exist from now on
    assert queries(4, "A") == queries(12, "B")


def test_imported_orders_show_in_my_orders_guest_ones_too_even_for_an_account_made_later(bundle_of, run_import,
                                                                                         client):
    run_import(bundle_of(order("O1"), order("O2", None, guest_email="Later@Example.com")))
    later = User.objects.create_user("later@example.com", "pw")
    client.force_login(later)

    listed = client.get(reverse("orders:list"))
    assert [placed.number for placed in listed.context["orders"]] == ["PO-UK-2024-O2"]
    detail = client.get(reverse("orders:detail", args=["PO-UK-2024-O2"])).content.decode()
    assert "P1-BLK" in detail and "£263.89" in detail and "1 High Street" in detail


def test_the_state_hash_kept_at_import_is_what_the_rows_give_when_read_back(bundle_of, run_import):
    """Orders and shipments hash what they have just written instead of reading it back: the two must agree,
    or every later import would take the import's own rows for store edits (conflicts). Awkward values:
    amounts of fewer than 2 decimals, times with offsets, events at one instant, an anonymous parcel."""
    from brands.legacy.models import LegacyRecord
    from storefront.orders.importers import OrdersLoader, ShipmentsLoader

    customers = [customer("C1"), customer("C9", status="erased", email="gone@example.com")]
    two_lines = [order_line(unit_price="259.9", discount="0"), order_line("P1-BLK", None, name="Ünïcode\tline",
                                                                         unit_price="10", discount="0.5")]
    events = [{"at": "2024-03-02T10:00:00+02:00", "status": "picked_up", "location": "Tilburg", "description": "a"},
              {"at": "2024-03-02T08:00:00Z", "status": "scanned", "location": "Tilburg", "description": "b"},
              {"at": "2024-03-01T23:00:00-01:00", "status": "in_transit", "location": "Calais", "description": "c"}]
    bundle = bundle_of(
        order("O1", lines=two_lines, shipping="3", total="272.4", placed_at="2024-03-01T10:15:00.250000+01:00"),
        order("O2", None, guest_email="Guest@Example.com", shipping_address=order_address(line2="Flat 2")),
        order("O9", "C9", billing_address=order_address()),
        shipments=[shipment("S1", "O1", events=events, delivered_at=None, shipped_at="2024-03-02T09:00:00+01:00"),
                   shipment("S9", "O9")],
        customers=customers)
    assert run_import(bundle)[0] == 0

    for entity, loader in (("orders", OrdersLoader), ("shipments", ShipmentsLoader)):
        kept = dict(LegacyRecord.objects.filter(entity=entity).values_list("target_pk", "state_hash"))
        assert len(kept) == (3 if entity == "orders" else 2) and all(kept.values())
        assert loader(None).state_hashes(kept) == kept, entity


@pytest.mark.parametrize("ids_per_query", [2000, 1])
def test_a_customer_imported_before_but_set_aside_by_this_run_sets_its_orders_aside_as_this_run_says(
        bundle_of, run_import, monkeypatch, ids_per_query):
    """What this run did with a customer overlays the legacy map (imported by an earlier run), however many
    queries the batch's ids take."""
    monkeypatch.setattr("brands.legacy.resolution.IDS_PER_QUERY", ids_per_query)
    first = [customer("C1"), customer("C2", email="c2@example.com"), customer("C3", email="c3@example.com")]
    run_import(bundle_of(customers=first, name="first"))
    now = [customer("C1", email="not an e-mail"), customer("C2", email="c2@example.com", portal="in"),
           customer("C3", email="c3@example.com", status="erased")]
    _, report = run_import(bundle_of(order("O1", "C1"), order("O2", "C2"), order("O3", "C3"), customers=now,
                                     name="second"))

    assert counters(report) == {"quarantined": 1, "excluded": 1, "created": 1}
    assert reasons(report)["O1"] == "customer_legacy_id C1: that customers record is quarantined"
    kept = Order.objects.get()  # the erased customer's order, kept without anything personal
    assert (kept.number, kept.user, kept.email) == ("PO-UK-2024-O3", None, "")


def test_a_parcel_with_a_tracking_text_too_long_for_the_store_is_quarantined_naming_the_event(bundle_of, run_import):
    events = shipment("S1")["events"]
    events[1] = {**events[1], "location": "L" * 121}
    _, report = run_import(bundle_of(order("O1"), shipments=[shipment("S1", events=events)]))
    assert reasons(report, "shipments") == {
        "S1": "events[1].location is 121 characters long, more than the 120 the store keeps"}
