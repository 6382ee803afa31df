"""The legacy loaders of po.co orders and shipments (contract rules 1, 2 and 4).

Orders keep their legacy number, timestamps, currency and exact amounts; `source` is `po.co` and the
store is the portal's (global, uk, fr). Lines are snapshots (SKU, name, quantity, prices): a line whose
product is unknown still imports, and it is linked to the variant of its SKU and to the product of its
`product_legacy_id` where the store has them. Addresses are JSON snapshots of the contract's shape.

Whose order it is:
- a customer's order belongs to the customer's account (the one their legacy id resolved to, linked
  accounts included) and carries its e-mail;
- a guest order keeps `guest_email` normalized in `Order.email` and belongs to the account of that e-mail
  when one exists at import (rule 4; the "My orders" selector also shows a guest order to an account
  made later with that e-mail);
- an erased customer's order (rule 2; the engine lets it through, see `entities.Reference.on_erased`)
  becomes a guest order with no account, e-mail, phone or address; the shipments of such an order keep
  no tracking location or description either (they name the recipient and the street's city). Such an
  order is the only po.co order without a shipping address, which is how the shipments loader knows it.
An order of an excluded (India) or quarantined customer is set aside by the engine (hard reference).

Validation before the database (`check`): the orders tables have check constraints (amounts not
negative, a line's discount within the line, quantity >= 1) and column limits. A record that would break
one is quarantined with a reason naming the field, rather than letting the database refuse the whole
batch: the currency must be the portal's, amounts have at most two decimals and fit the columns, no
amount is negative, a discount is at most its line's `quantity * unit_price`, and the total equals the
lines plus shipping and tax. An order number that another order of the store already has is a `conflict`
(nothing overwritten).

On update (content changed in the bundle, order untouched in the store) the order's fields are rewritten
and its lines replaced; likewise a shipment and its events. State hashes cover what the store edits
(status, e-mail, addresses, amounts, lines; a shipment's status, dates and events), not the account link,
which the store changes when an account is deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from brands.legacy.bulk import bulk_insert_rows
from brands.legacy.entities import PORTAL_CURRENCY
from brands.legacy.limits import too_long, too_long_in, unfit_amount
from brands.legacy.loaders import (
    CONFLICT,
    QUARANTINED,
    BatchResult,
    Item,
    Loaded,
    Loader,
    SetAside,
    register,
    rows_write,
    state_digest,
)
from brands.legacy.lookups import select_any
from brands.legacy.resolution import EXCLUDED as RESOLVED_EXCLUDED
from brands.legacy.resolution import IMPORTED as RESOLVED_IMPORTED
from brands.legacy.schemas import Address as AddressRecord
from brands.legacy.schemas import Order as OrderRecord
from brands.legacy.schemas import Shipment as ShipmentRecord
from brands.models import RegionalStore
from storefront.accounts.models import User, normalize_email
from storefront.catalog.models import Variant

from .models import Order, OrderLine, Shipment, TrackingEvent

PORTAL_STORES = ("global", "uk", "fr")
CENT = Decimal("0.01")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ORDER_FIELDS = ["number", "source", "store", "user", "email", "currency", "status", "placed_at", "subtotal",
                "shipping", "tax", "total", "coupon_code", "points_redeemed", "payment_method", "shipping_address",
                "billing_address", "personal_data_erased"]
SHIPMENT_FIELDS = ["order", "carrier", "tracking_number", "status", "shipped_at", "delivered_at", "lines"]


def money(model, value: str, name: str, problems: list[str]) -> Decimal:
    """The amount of a decimal string (the schema checked its form); a problem is appended when the store
    cannot keep it exactly as it is in its column of `model`."""
    amount = Decimal(value)
    if amount < 0:
        problems.append(f"{name} {value} is negative")
    elif problem := unfit_amount(model, name, amount):
        problems.append(problem)
    return amount


def address_snapshot(address: AddressRecord | None) -> dict | None:
    """The contract's address shape as JSON (what the order pages show)."""
    if address is None:
        return None
    return {"name": address.name, "line1": address.line1, "line2": address.line2, "city": address.city,
            "postcode": address.postcode, "country": address.country, "phone": address.phone}


def order_state(number: str, status: str, email: str, shipping_address: dict | None, billing_address: dict | None,
                payment_method: str, amounts: Iterable[Decimal], lines: list[tuple]) -> str:
    """The state hash of an order, from its values as written or as read back: the amounts (subtotal,
    shipping, tax, total) and each line's (sku, name, quantity, unit price, discount), in position order,
    with amounts in the store's cents."""
    return state_digest(number, status, email, shipping_address, billing_address, payment_method,
                        [_cents(amount) for amount in amounts],
                        [[sku, name, str(quantity), _cents(price), _cents(discount)]
                         for sku, name, quantity, price, discount in lines])


def _cents(amount: Decimal) -> str:
    """An amount as the database gives it back (2 decimal places; `+ 0` turns a -0.00 into 0.00)."""
    return str(amount.quantize(CENT) + 0)


def shipment_state(carrier: str, tracking_number: str, status: str, shipped_at: datetime,
                   delivered_at: datetime | None, lines: list, events: list[tuple]) -> str:
    """The state hash of a parcel, from its values as written or as read back: times as UTC instants,
    events (at as `_utc` text, status, location, description) by time, then in the order they were written
    (the UTC texts sort as their instants do)."""
    return state_digest(carrier, tracking_number, status, _utc(shipped_at), _utc(delivered_at), lines,
                        sorted(events, key=lambda event: event[0]))


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _store_preflight() -> str | None:
    present = set(RegionalStore.objects.filter(code__in=PORTAL_STORES).values_list("code", flat=True))
    missing = sorted(set(PORTAL_STORES) - present)
    if missing:
        return (f"the regional stores {', '.join(missing)} are missing: run brands.services.reference_data_ensure()"
                " (e.g. `manage.py seed_store`) before importing orders")
    return None


@register
class OrdersLoader(Loader):
    entity = "orders"
    totals_fields = ("currency", "total")

    def preflight(self) -> str | None:
        return _store_preflight()

    def prepare(self) -> None:
        self.stores = dict(RegionalStore.objects.filter(code__in=PORTAL_STORES).values_list("code", "pk"))

    def check(self, record: OrderRecord) -> SetAside | None:
        problem = self._problem(record)
        return SetAside(QUARANTINED, problem) if problem else None

    @staticmethod
    def _problem(record: OrderRecord) -> str:
        expected_currency = PORTAL_CURRENCY[record.portal]
        if record.currency != expected_currency:
            return f"currency {record.currency} is not that of portal {record.portal} ({expected_currency})"
        problems: list[str] = []
        goods = Decimal(0)
        for n, line in enumerate(record.lines):
            unit = money(OrderLine, line.unit_price, f"lines[{n}].unit_price", problems)
            discount = money(OrderLine, line.discount, f"lines[{n}].discount", problems)
            gross = line.quantity * unit
            if not problems and discount > gross:
                problems.append(f"lines[{n}].discount {line.discount} is more than the line's "
                                f"{line.quantity} x {line.unit_price} = {gross}")
            goods += gross - discount
        shipping = money(Order, record.shipping, "shipping", problems)
        tax = money(Order, record.tax, "tax", problems)
        total = money(Order, record.total, "total", problems)
        if problems:
            return problems[0]
        if goods + shipping + tax != total:
            return (f"total {record.total} does not add up: lines {goods} + shipping {record.shipping} + "
                    f"tax {record.tax} = {goods + shipping + tax}")
        if record.points_redeemed < 0:
            return f"points_redeemed {record.points_redeemed} is negative"
        if record.guest_email is not None and record.customer_legacy_id is None and \
                not EMAIL.match(normalize_email(record.guest_email)):
            return f"guest_email {record.guest_email!r} is not an e-mail address"
        texts = {"number": record.number, "coupon_code": record.coupon_code, "payment_method": record.payment_method,
                 "email": record.guest_email}
        return too_long(Order, texts) or too_long_in(OrderLine, record.lines, "lines", ("sku", "name"))

    def totals(self, record: OrderRecord) -> dict:
        return {"orders_by_currency": {record.currency: record.total}}

    # --- loading -------------------------------------------------------------------------------------

    def load(self, items: list[Item]) -> BatchResult:
        outcomes: dict[str, Loaded] = {}
        owners = self._owners(items)
        taken = dict(select_any(Order, ["number", "id"], "number", {item.record.number for item in items}))
        fields_of = []
        for item in items:
            record = item.record
            own_pk = item.previous.target_pk if item.previous else None
            if taken.get(record.number, own_pk) != own_pk:
                outcomes[item.legacy_id] = Loaded(
                    CONFLICT, own_pk, reason=f"number {record.number}: another order of the store has it; "
                                             "nothing overwritten")
                continue
            taken[record.number] = own_pk or -1  # a second record of the batch with this number conflicts
            user_id, email, erased = owners[item.legacy_id]
            fields_of.append((item, self._fields(record, user_id, email, erased)))
        written = rows_write(Order, fields_of, update_fields=ORDER_FIELDS, children=[(OrderLine, "order")])
        orders = written.rows
        lines = self._write_lines({item.legacy_id: item.record for item, _ in fields_of}, orders)
        written_outcomes = written.outcomes()
        for legacy_id, row in orders.items():  # the state as written: not read back
            written_outcomes[legacy_id].state_hash = order_state(
                row.number, row.status, row.email, row.shipping_address, row.billing_address, row.payment_method,
                (row.subtotal, row.shipping, row.tax, row.total), lines[row.pk])
        outcomes.update(written_outcomes)
        return BatchResult(outcomes)

    def _owners(self, items: list[Item]) -> dict[str, tuple[int | None, str, bool]]:
        """legacy id -> (account pk, e-mail, erased) for each order of the batch, in two queries."""
        customers = self.context.resolution.of("customers", (item.record.customer_legacy_id for item in items))
        resolved = {item.legacy_id: customers.get(item.record.customer_legacy_id)
                    for item in items if item.record.customer_legacy_id is not None}
        account_pks = {r.target_pk for r in resolved.values() if r is not None and r.state == RESOLVED_IMPORTED}
        emails_of = dict(select_any(User, ["id", "email"], "id", account_pks))
        guest_emails = {normalize_email(item.record.guest_email) for item in items
                        if item.record.customer_legacy_id is None and item.record.guest_email}
        accounts_of = dict(select_any(User, ["email", "id"], "email", guest_emails))
        owners = {}
        for item in items:
            if item.legacy_id in resolved:
                customer = resolved[item.legacy_id]
                if customer is not None and customer.state == RESOLVED_IMPORTED:
                    owners[item.legacy_id] = (customer.target_pk, emails_of.get(customer.target_pk, ""), False)
                elif customer is not None and customer.state == RESOLVED_EXCLUDED and customer.erased:
                    owners[item.legacy_id] = (None, "", True)
                else:  # the engine sets every other case aside (hard reference)
                    raise RuntimeError(f"order {item.legacy_id}: customer {item.record.customer_legacy_id} "
                                       f"resolved to {customer}")
            else:
                email = normalize_email(item.record.guest_email)
                owners[item.legacy_id] = (accounts_of.get(email), email, False)
        return owners

    def _fields(self, record: OrderRecord, user_id: int | None, email: str, erased: bool) -> dict:
        lines = sum((line.quantity * Decimal(line.unit_price) - Decimal(line.discount) for line in record.lines),
                    Decimal(0))
        return dict(
            number=record.number, source=Order.Source.POCO, store_id=self.stores[record.portal], user_id=user_id,
            email=email, currency=record.currency, status=record.status, placed_at=record.placed_at,
            subtotal=lines, shipping=Decimal(record.shipping), tax=Decimal(record.tax), total=Decimal(record.total),
            coupon_code=record.coupon_code or "", points_redeemed=record.points_redeemed,
            payment_method=record.payment_method,
            shipping_address=None if erased else address_snapshot(record.shipping_address),
            billing_address=None if erased else address_snapshot(record.billing_address),
            personal_data_erased=erased,
        )

    def _write_lines(self, records: dict[str, OrderRecord], orders: dict[str, Order]) -> dict[int, list[tuple]]:
        """Writes the orders' lines; returns each order's (sku, name, quantity, unit price, discount) in order."""
        products = self.context.resolution.of(
            "products", (line.product_legacy_id for record in records.values() for line in record.lines))
        skus = {line.sku for record in records.values() for line in record.lines}
        variants = {sku: (pk, product_id) for sku, pk, product_id in Variant.objects.filter(sku__in=skus)
                    .values_list("sku", "pk", "product_id")} if skus else {}
        rows, lines_of = [], {}
        for legacy_id, record in records.items():
            order_id = orders[legacy_id].pk
            lines_of[order_id] = []
            for position, line in enumerate(record.lines):
                variant_id, variant_product = variants.get(line.sku, (None, None))
                product = products.get(line.product_legacy_id) if line.product_legacy_id else None
                product_id = product.target_pk if product is not None and product.state == RESOLVED_IMPORTED \
                    else variant_product
                values = (line.sku, line.name, line.quantity, Decimal(line.unit_price), Decimal(line.discount))
                rows.append((order_id, variant_id, product_id, *values, position))
                lines_of[order_id].append(values)
        bulk_insert_rows(OrderLine, ["order_id", "variant_id", "product_id", "sku", "name", "quantity", "unit_price",
                                     "discount", "position"], rows, keys=False)
        return lines_of

    # --- state ---------------------------------------------------------------------------------------

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """What the store edits on an order: status, e-mail, addresses, payment, amounts and lines."""
        pks = list(pks)
        lines: dict[int, list] = {}
        for order_id, *values in OrderLine.objects.filter(order__in=pks).order_by("order_id", "position", "pk") \
                .values_list("order_id", "sku", "name", "quantity", "unit_price", "discount"):
            lines.setdefault(order_id, []).append(values)
        return {
            pk: order_state(number, status, email, shipping_address, billing_address, payment_method, amounts,
                            lines.get(pk, []))
            for pk, number, status, email, shipping_address, billing_address, payment_method, *amounts
            in Order.objects.filter(pk__in=pks).values_list(
                "pk", "number", "status", "email", "shipping_address", "billing_address", "payment_method",
                "subtotal", "shipping", "tax", "total")
        }


@register
class ShipmentsLoader(Loader):
    """Parcels with their tracking events; the order is a hard reference (the engine checks it)."""

    entity = "shipments"

    def check(self, record: ShipmentRecord) -> SetAside | None:
        problem = too_long(Shipment, {"carrier": record.carrier, "tracking_number": record.tracking_number,
                                      "status": record.status}) \
            or too_long_in(TrackingEvent, record.events, "events", ("status", "location", "description"))
        return SetAside(QUARANTINED, problem) if problem else None

    def load(self, items: list[Item]) -> BatchResult:
        orders = self.context.resolution.of("orders", (item.record.order_legacy_id for item in items))
        order_of = {item.legacy_id: orders.get(item.record.order_legacy_id).target_pk for item in items}
        anonymous = {pk for (pk,) in select_any(Order, ["id"], "id", set(order_of.values()),
                                                also="personal_data_erased")}
        written = rows_write(Shipment, (
            (item, dict(order_id=order_of[item.legacy_id], carrier=item.record.carrier,
                        tracking_number=item.record.tracking_number, status=item.record.status,
                        shipped_at=item.record.shipped_at, delivered_at=item.record.delivered_at,
                        lines=[{"sku": line.sku, "quantity": line.quantity} for line in item.record.lines]))
            for item in items
        ), update_fields=SHIPMENT_FIELDS, children=[(TrackingEvent, "shipment")])
        shipments = written.rows
        # shipment pk -> its events' values, in file order; each time rendered once, as UTC text, for both
        # COPY and the state hash (rendering it twice was a tenth of importing the shipments)
        events: dict[int, list[tuple]] = {}
        for item in items:
            shipment = shipments[item.legacy_id]
            anonymous_order = shipment.order_id in anonymous
            events[shipment.pk] = [
                (_utc(event.at), event.status, "" if anonymous_order else event.location,
                 "" if anonymous_order else event.description) for event in item.record.events
            ]
        bulk_insert_rows(TrackingEvent, ["shipment_id", "at", "status", "location", "description"],
                         ((pk, *values) for pk, rows in events.items() for values in rows), keys=False)
        outcomes = written.outcomes()
        for legacy_id, shipment in written.rows.items():  # the state as written: not read back
            outcomes[legacy_id].state_hash = shipment_state(
                shipment.carrier, shipment.tracking_number, shipment.status, shipment.shipped_at,
                shipment.delivered_at, shipment.lines, events[shipment.pk])
        return BatchResult(outcomes)

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """A parcel's carrier, tracking number, status, dates, contents and events."""
        pks = list(pks)
        events: dict[int, list] = {}
        for shipment_id, at, *event in TrackingEvent.objects.filter(shipment__in=pks).order_by(
                "shipment_id", "at", "pk").values_list("shipment_id", "at", "status", "location", "description"):
            events.setdefault(shipment_id, []).append((_utc(at), *event))
        return {
            pk: shipment_state(carrier, tracking, status, shipped_at, delivered_at, lines, events.get(pk, []))
            for pk, carrier, tracking, status, shipped_at, delivered_at, lines in Shipment.objects.filter(
                pk__in=pks).values_list("pk", "carrier", "tracking_number", "status", "shipped_at", "delivered_at",
                                        "lines")
        }
