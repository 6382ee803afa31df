import pytest
from django.urls import reverse
from django.utils import timezone

from storefront.orders.models import Order, Shipment, TrackingEvent
from tests.accounts.admin_support import assert_changelist_queries_constant, search_results
from tests.factories import OrderFactory, OrderLineFactory


def add_orders(count):
    for order in OrderFactory.create_batch(count):
        OrderLineFactory(order=order)
        shipment = Shipment.objects.create(order=order, carrier="DHL", tracking_number=f"JD{order.pk:08d}",
                                           status="in_transit", shipped_at=timezone.now())
        TrackingEvent.objects.create(shipment=shipment, at=timezone.now(), status="picked_up", location="Leeds")


def test_order_changelists_run_constant_queries(admin_client, stores):
    assert_changelist_queries_constant(admin_client, reverse("admin:orders_order_changelist"), add_orders)
    assert_changelist_queries_constant(admin_client, reverse("admin:orders_shipment_changelist"), add_orders)
    assert_changelist_queries_constant(
        admin_client, reverse("admin:orders_order_changelist") + "?status__exact=pending&currency=USD", add_orders
    )


def test_order_search_by_number_and_email(admin_client, stores):
    order = OrderFactory(number="PO-FR-000123", email="lea@example.com", user=None)
    OrderFactory()
    url = reverse("admin:orders_order_changelist")

    assert search_results(admin_client, url, "PO-FR-000123") == [order]
    assert search_results(admin_client, url, "LEA@example") == [order]


def test_order_filters_by_store_and_source(admin_client, stores):
    fr_order = OrderFactory(store=stores["fr"], source=Order.Source.POCO)
    OrderFactory()
    url = reverse("admin:orders_order_changelist")

    cl = admin_client.get(url, {"store__id__exact": stores["fr"].pk, "source__exact": "po.co"}).context["cl"]

    assert list(cl.result_list) == [fr_order]


def test_order_page_shows_lines_and_shipments_read_only(admin_client, stores):
    add_orders(1)
    order = Order.objects.get()

    response = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    page = response.content.decode()
    assert order.lines.get().sku in page and f"JD{order.pk:08d}" in page
    assert 'name="_save"' not in page  # nothing to save: orders are history
    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403


def test_shipment_page_shows_its_tracking_events(admin_client, stores):
    add_orders(1)
    shipment = Shipment.objects.get()

    page = admin_client.get(reverse("admin:orders_shipment_change", args=[shipment.pk])).content.decode()

    assert "picked_up" in page and "Leeds" in page
    assert reverse("admin:orders_order_change", args=[shipment.order_id]) in page


@pytest.mark.django_db
def test_a_shopper_cannot_reach_the_orders_admin(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    assert client.get(reverse("admin:orders_order_changelist")).status_code == 302
