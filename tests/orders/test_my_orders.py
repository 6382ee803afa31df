from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront.orders.models import Order, Shipment, TrackingEvent
from tests.factories import OrderFactory, OrderLineFactory, UserFactory

PLACED = datetime(2023, 5, 2, 9, 30, tzinfo=UTC)


def poco_guest_order(store, email, number="PO-UK-2023-000123"):
    """An order migrated from po.co, placed as a guest with the e-mail the account now has."""
    order = OrderFactory(number=number, source=Order.Source.POCO, store=store, user=None, email=email,
                         placed_at=PLACED, status=Order.Status.DELIVERED, subtotal=Decimal("199.90"),
                         shipping=Decimal("4.99"), total=Decimal("204.89"), payment_method="paypal",
                         shipping_address={"name": "Alex", "line1": "1 High St", "line2": None, "city": "Leeds",
                                           "postcode": "LS1 1AA", "country": "GB", "phone": None})
    OrderLineFactory(order=order, sku="POCO-F5-BLK", name="POCO F5 Black", unit_price=Decimal("199.90"))
    shipment = Shipment.objects.create(order=order, carrier="Royal Mail", tracking_number="RM123456789GB",
                                       status="delivered", shipped_at=PLACED + timedelta(days=1),
                                       delivered_at=PLACED + timedelta(days=3))
    TrackingEvent.objects.bulk_create([
        TrackingEvent(shipment=shipment, at=PLACED + timedelta(days=3), status="delivered", location="Leeds",
                      description="Delivered to the front door"),
        TrackingEvent(shipment=shipment, at=PLACED + timedelta(days=1), status="picked_up", location="Swindon"),
    ])
    return order


def test_my_orders_shows_new_orders_beside_the_ones_migrated_from_poco(client, stores, shopper):
    new = OrderFactory(user=shopper, store=stores["uk"], total=Decimal("72.00"))
    migrated = poco_guest_order(stores["uk"], shopper.email)
    OrderFactory(user=UserFactory(), store=stores["uk"], number="MI-UK-2026-999999")  # somebody else's
    OrderFactory(user=None, email="stranger@example.com", number="PO-UK-2023-000999")
    client.force_login(shopper)

    response = client.get(reverse("orders:list"))

    assert list(response.context["orders"]) == [new, migrated]
    page = response.content.decode()
    assert "PO-UK-2023-000123" in page and "from po.co" in page and "£204.89" in page and "2 May 2023" in page
    assert "MI-UK-2026-999999" not in page and "PO-UK-2023-000999" not in page
    assert f'href="{reverse("orders:list")}" aria-current="page"' in page


def test_the_order_page_shows_lines_amounts_address_payment_and_the_tracking_timeline(client, stores, shopper):
    order = poco_guest_order(stores["uk"], shopper.email)
    client.force_login(shopper)

    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert "POCO F5 Black" in page and "POCO-F5-BLK" in page and "£199.90" in page and "£204.89" in page
    assert "po.co order number" in page and "from po.co" in page and "paypal" in page and "Delivered" in page
    assert "Royal Mail" in page and "RM123456789GB" in page and "1 High St" in page
    assert page.index("picked_up, Swindon") < page.index("delivered, Leeds")  # the timeline runs forward
    assert "Delivered to the front door" in page


def test_another_customers_order_is_not_found(client, stores, shopper):
    theirs = OrderFactory(user=UserFactory(), store=stores["uk"])
    guest = poco_guest_order(stores["uk"], "someone@example.com")
    client.force_login(shopper)
    assert client.get(reverse("orders:detail", args=[theirs.number])).status_code == 404
    assert client.get(reverse("orders:detail", args=[guest.number])).status_code == 404


def test_my_orders_needs_signing_in(client, db):
    response = client.get(reverse("orders:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_order_pages_run_a_constant_number_of_queries(client, stores, shopper):
    client.force_login(shopper)
    counts = {}
    for label, extra in (("small", 1), ("large", 8)):
        for i in range(extra):
            order = poco_guest_order(stores["uk"], shopper.email, number=f"PO-UK-2023-{label}-{i}")
            OrderLineFactory(order=order)
            OrderFactory(user=shopper, store=stores["fr"])
        for k in range(extra):  # the large order has more parcels, each with more events
            parcel = Shipment.objects.create(order=order, carrier="DPD", tracking_number=f"DPD{k}", status="moving",
                                             shipped_at=PLACED)
            events = [TrackingEvent(shipment=parcel, at=PLACED, status="scanned") for _ in range(3)]
            TrackingEvent.objects.bulk_create(events)
        with CaptureQueriesContext(connection) as listing:
            client.get(reverse("orders:list"))
        with CaptureQueriesContext(connection) as detail:
            client.get(reverse("orders:detail", args=[order.number]))
        counts[label] = (len(listing), len(detail))
    assert counts["small"] == counts["large"]
