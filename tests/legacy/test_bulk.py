"""`bulk_insert` writes what `bulk_create` writes (COPY on PostgreSQL), and every instance gets its key."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from aftersales.models import Attachment
from brands.legacy.bulk import bulk_insert, bulk_insert_rows
from storefront.orders.models import Order, OrderLine, Shipment, TrackingEvent
from tests.factories import get_store

pytestmark = pytest.mark.django_db

AWKWARD = "tab\there, new\nline, return\r, back\\slash \\N, quote ' \" and ünïcødé ✓"
SHORT_AWKWARD = "t\tn\nr\rb\\ \\N ' \" ü✓"  # fits a 40-character column
PARIS = timezone(timedelta(hours=1))


def orders(prefix: str) -> list[Order]:
    store = get_store("uk")
    return [
        Order(number=f"{prefix}-1", store=store, currency="GBP", total=Decimal("263.89"), subtotal=Decimal("0.10"),
              email="c1@example.com", payment_method=SHORT_AWKWARD,
              placed_at=datetime(2024, 3, 1, 10, 15, tzinfo=PARIS),
              shipping_address={"name": AWKWARD, "lines": ["1 High St", None], "n": 1.5}, billing_address=None,
              tax_included=True),
        Order(number=f"{prefix}-2", store=store, currency="GBP", total=Decimal("0"), coupon_code="",
              shipping_address=[AWKWARD], points_redeemed=300, placed_at=datetime(2024, 3, 1, tzinfo=UTC)),
    ]


def stored(model, pks) -> list[dict]:
    """The rows as the database gives them back, without their keys and the times set at writing."""
    rows = []
    for row in model.objects.filter(pk__in=pks).order_by("pk"):
        values = model_to_dict(row, fields=[f.name for f in model._meta.concrete_fields])
        for name in ("id", "number", "created_at", "updated_at"):
            values.pop(name, None)
        rows.append(values)
    return rows


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_the_rows_written_equal_those_bulk_create_writes_and_each_instance_gets_its_key(vendor, reference_data):
    if connection.vendor != vendor:
        pytest.skip(f"the {vendor} path: this suite runs on {connection.vendor}")
    created = Order.objects.bulk_create(orders("A"))
    inserted = bulk_insert(orders("B"))

    assert all(order.pk and not order._state.adding for order in inserted)
    assert [order.pk for order in inserted] == sorted(order.pk for order in inserted)
    assert stored(Order, [o.pk for o in inserted]) == stored(Order, [o.pk for o in created])
    assert Order.objects.get(pk=inserted[0].pk).payment_method == SHORT_AWKWARD


@pytest.mark.postgres
def test_children_take_the_key_of_a_parent_inserted_after_they_were_built(reference_data):
    order = orders("A")[0]
    line = OrderLine(order=order, sku="P1-BLK", name="POCO F6", quantity=2, unit_price=Decimal("259.90"))
    bulk_insert([order])
    bulk_insert([line])
    assert OrderLine.objects.get().order_id == order.pk


@pytest.mark.postgres
def test_a_batch_costs_two_queries_whatever_its_size(reference_data):
    shipment = Shipment.objects.create(order=bulk_insert(orders("A"))[0], carrier="Royal Mail", tracking_number="RM1",
                                       status="delivered", shipped_at=datetime(2024, 3, 2, tzinfo=UTC), lines=[])
    for size in (1, 300):
        with CaptureQueriesContext(connection) as queries:
            bulk_insert([TrackingEvent(shipment=shipment, at=datetime(2024, 3, 2, tzinfo=UTC), status="in_transit",
                                       location=AWKWARD) for _ in range(size)])
        assert len(queries) == 2, [query["sql"][:80] for query in queries]
    assert TrackingEvent.objects.filter(location=AWKWARD).count() == 301


@pytest.mark.postgres
def test_a_value_too_long_for_its_column_is_refused_not_truncated(reference_data):
    too_long = orders("A")[:1]
    too_long[0].currency = "GBPX"
    with pytest.raises(DataError, match="too long"), transaction.atomic():
        bulk_insert(too_long)
    assert not Order.objects.exists()


def test_a_naive_datetime_is_refused_with_a_message_that_says_so(reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path only: bulk_create converts naive datetimes with a warning")
    naive = orders("A")[:1]
    naive[0].placed_at = datetime(2024, 3, 1, 10, 15)
    with pytest.raises(ValueError, match="naive datetime 2024-03-01T10:15:00"):
        bulk_insert(naive)


def test_a_model_with_a_field_type_it_does_not_render_goes_through_bulk_create(monkeypatch):
    calls = []
    monkeypatch.setattr(type(Attachment.objects), "bulk_create", lambda self, objs, **kw: calls.append(objs) or objs)
    attachment = Attachment(file="private/a.pdf", filename="a.pdf", content_type="application/pdf", size=1,
                            sha256="0" * 64)
    assert bulk_insert([attachment]) == [attachment] and calls == [[attachment]]


@pytest.mark.postgres
def test_a_json_field_with_an_encoder_of_its_own_goes_through_bulk_create(monkeypatch, reference_data):
    """The COPY path renders JSON with msgspec, which knows nothing of a field's encoder."""
    monkeypatch.setattr(Order._meta.get_field("shipping_address"), "encoder", DjangoJSONEncoder)
    calls = []
    monkeypatch.setattr(type(Order.objects), "bulk_create", lambda self, objs, **kw: calls.append(objs) or objs)
    rows = orders("E")
    assert bulk_insert(rows) == rows and calls == [rows]


def test_nothing_to_insert_is_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert bulk_insert([]) == []
    assert len(queries) == 0


# --- bulk_insert_rows: value tuples, no instances -------------------------------------------------------

ORDER_COLUMNS = ["number", "store_id", "currency", "total", "subtotal", "email", "payment_method", "placed_at",
                 "shipping_address", "billing_address"]


def order_rows(prefix: str) -> list[tuple]:
    """The first of `orders(prefix)` as a tuple of ORDER_COLUMNS; the other fields are left to their defaults."""
    store = get_store("uk")
    return [(f"{prefix}-1", store.pk, "GBP", Decimal("263.89"), Decimal("0.10"), "c1@example.com", SHORT_AWKWARD,
             datetime(2024, 3, 1, 10, 15, tzinfo=PARIS), {"name": AWKWARD, "lines": ["1 High St", None], "n": 1.5},
             None)]


def test_rows_from_tuples_equal_those_bulk_create_writes_from_instances_defaults_and_times_included(reference_data):
    created = Order.objects.bulk_create([Order(**dict(zip(ORDER_COLUMNS, row, strict=True)))
                                         for row in order_rows("A")])
    before = datetime.now(UTC)
    pks = bulk_insert_rows(Order, ORDER_COLUMNS, order_rows("B"))

    assert len(pks) == 1 and pks == sorted(pks)
    assert stored(Order, pks) == stored(Order, [o.pk for o in created])  # defaults: tax_included, coupon_code, ...
    row = Order.objects.get(pk=pks[0])
    assert row.number == "B-1" and row.created_at >= before  # auto_now_add stamped as save() would



def test_a_timezone_now_default_gives_the_rows_written_together_the_one_time_of_their_batch(reference_data):
    columns = [name for name in ORDER_COLUMNS if name != "placed_at"]
    rows = [tuple(value for name, value in zip(ORDER_COLUMNS, row, strict=True) if name != "placed_at")
            for row in order_rows("C") + order_rows("D")]
    before = datetime.now(UTC)
    pks = bulk_insert_rows(Order, columns, rows)
    after = datetime.now(UTC)

    times = set(Order.objects.filter(pk__in=pks).values_list("placed_at", "created_at"))
    assert len(times) == 1
    placed_at, created_at = times.pop()
    assert before <= placed_at == created_at <= after

EVENT_COLUMNS = ["shipment_id", "at", "status", "location", "description"]


def five_events() -> list[tuple]:
    """Five tracking events of a new parcel, as tuples of EVENT_COLUMNS, their statuses numbered in order."""
    order_pk = bulk_insert_rows(Order, ORDER_COLUMNS, order_rows("A"))[0]
    shipment = Shipment.objects.create(order_id=order_pk, carrier="Royal Mail", tracking_number="RM1",
                                       status="delivered", shipped_at=datetime(2024, 3, 2, tzinfo=UTC), lines=[])
    return [(shipment.pk, datetime(2024, 3, 2, n, tzinfo=UTC), f"status {n}", AWKWARD, "") for n in range(5)]


def test_rows_from_tuples_get_keys_in_row_order_and_cost_two_queries_on_postgresql(reference_data):
    events = five_events()
    with CaptureQueriesContext(connection) as queries:
        pks = bulk_insert_rows(TrackingEvent, EVENT_COLUMNS, events)
    assert len(queries) == (2 if connection.vendor == "postgresql" else 1)
    assert [TrackingEvent.objects.get(pk=pk).status for pk in pks] == [f"status {n}" for n in range(5)]
    assert TrackingEvent.objects.filter(location=AWKWARD).count() == 5


def test_a_column_the_model_does_not_have_is_refused_by_name():
    with pytest.raises(ValueError, match="TrackingEvent has no field shipment, when"):
        bulk_insert_rows(TrackingEvent, ["shipment", "when"], [(1, None)])


def test_a_primary_key_given_in_the_tuples_is_refused_since_keys_come_from_the_sequence():
    with pytest.raises(ValueError, match="TrackingEvent.id: the keys are the sequence's"):
        bulk_insert_rows(TrackingEvent, ["id", "status"], [(1, "x")])


def test_rows_nothing_refers_to_are_numbered_by_the_database_in_row_order_in_one_query(reference_data):
    events = five_events()
    with CaptureQueriesContext(connection) as queries:
        assert bulk_insert_rows(TrackingEvent, EVENT_COLUMNS, events, keys=False) is None
    assert len(queries) == 1
    assert list(TrackingEvent.objects.order_by("pk").values_list("status", flat=True)) == [
        f"status {n}" for n in range(5)]
    assert TrackingEvent.objects.filter(location=AWKWARD).count() == 5


def test_a_missing_time_is_null_whatever_time_was_rendered_before(monkeypatch):
    from brands.legacy import bulk

    monkeypatch.setattr(bulk, "_last_datetime", (None, ""))
    assert bulk._datetime(None) == "\\N"
    moment = datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert bulk._datetime(moment) == bulk._datetime(moment) == "2024-03-02T10:00:00+00:00"
    assert bulk._datetime(None) == "\\N"
