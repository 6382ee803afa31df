"""Orders with lines whose amounts add up exactly, and the parcels (shipments) that carried them.

Amounts are integer cents all the way (the legacy shop stored cents), formatted as decimal strings only
when written, so `total == sum(quantity * unit_price - discount) + shipping + tax` holds exactly.
"""

from .common import CURRENCY, DAY, HOUR, fill, iso, money, pick, year_of
from .people import Person, address

# Free shipping from this subtotal (cents), else the flat rate.
_SHIPPING = {"global": (5000, 499), "uk": (4000, 399), "fr": (4500, 490), "in": (49900, 9900)}
# US prices exclude sales tax (basis points by city); elsewhere prices include VAT/GST, so `tax` is 0.
_US_SALES_TAX = {
    "New York": 888,
    "Los Angeles": 950,
    "Chicago": 1025,
    "Houston": 825,
    "Seattle": 1035,
    "Austin": 825,
    "Boston": 625,
    "Miami": 700,
}
_PAYMENT = {
    "global": ("card", "card", "paypal", "apple_pay", "google_pay"),
    "uk": ("card", "card", "paypal", "klarna", "apple_pay"),
    "fr": ("card", "cartes_bancaires", "paypal", "oney"),
    "in": ("upi", "upi", "card", "cod", "netbanking"),
}
# Items the legacy shop sold without a catalogue product (gift boxes, old promotions): lines keep them.
_OFF_CATALOGUE = (
    ("POCO-GIFTBOX-2021", None, "POCO Fan Gift Box 2021", 1999),
    ("POCO-STICKERS", None, "POCO sticker pack", 299),
    ("F2PRO-CASE-BLK", "P99001", "POCO F2 Pro case (Black)", 999),
)

_CARRIERS = {
    "US": (("UPS", "1Z??##??##########"), ("FedEx", "############"), ("USPS", "9400############")),
    "GB": (("Royal Mail", "??#########GB"), ("DPD", "15##########"), ("Evri", "H00??A##########")),
    "FR": (("Colissimo", "6A###########"), ("Chronopost", "XY#########FR"), ("DPD France", "250##########")),
    "IN": (("Blue Dart", "#########"), ("Delhivery", "##############"), ("Ecom Express", "#########")),
    "*": (("DHL", "##########"), ("DPD", "01##############"), ("GLS", "###########")),
}
_WAREHOUSE = {"in": "POCO India Warehouse, Bhiwandi", "*": "POCO EU Warehouse, Tilburg"}


def _order_status(rng, age: int) -> str:
    roll = rng.random()
    if age < 2 * DAY:
        return "pending" if roll < 0.4 else ("paid" if roll < 0.9 else "cancelled")
    if age < 8 * DAY:
        return "paid" if roll < 0.2 else ("shipped" if roll < 0.85 else ("delivered" if roll < 0.95 else "cancelled"))
    if roll < 0.80:
        return "delivered"
    return "cancelled" if roll < 0.86 else ("refunded" if roll < 0.92 else "returned")


class OrderMaker:
    """Builds order records (and their shipments) for one bundle; ids run in the order records are made."""

    def __init__(self, rng, draw: list, exported_at: int):
        self.rng = rng
        self.draw = draw  # weighted (product, variant) list, see catalog.popular_variants
        self.exported_at = exported_at
        self.orders = 0
        self.shipments = 0

    def order(
        self,
        *,
        portal: str,
        person: Person,
        customer_id: str | None,
        guest_email: str | None,
        placed_at: int,
        ship_to: dict,
        coupon: tuple[str, str] | None,
    ) -> tuple[dict, int, list[dict]]:
        """An order record, its total in cents and its shipment records. `coupon` is (code, kind)."""
        rng = self.rng
        self.orders += 1
        legacy_id = f"O{self.orders:07d}"
        status = _order_status(rng, self.exported_at - placed_at)
        coupon_code, coupon_kind = coupon or (None, None)
        lines, subtotal = self._lines(portal, coupon_kind in ("percent", "fixed"))
        points = 0
        if customer_id and rng.random() < 0.05:
            points = 100 * (1 + int(rng.random() * 10))
            first = lines[0]
            room = first["_gross"] - first["_discount"]
            first["_discount"] += min(room, points)  # 100 points = 1.00
        discounts = sum(line["_discount"] for line in lines)
        threshold, rate = _SHIPPING[portal]
        shipping = 0 if subtotal >= threshold or coupon_kind == "free_shipping" else rate
        tax_rate = _US_SALES_TAX.get(ship_to["city"], 0) if ship_to["country"] == "US" else 0
        tax = ((subtotal - discounts) * tax_rate + 5000) // 10000
        total = subtotal - discounts + shipping + tax
        record = {
            "legacy_id": legacy_id,
            "number": f"PO-{portal.upper()}-{year_of(placed_at)}-{self.orders:06d}",
            "portal": portal,
            "customer_legacy_id": customer_id,
            "guest_email": guest_email,
            "currency": CURRENCY[portal],
            "status": status,
            "placed_at": iso(placed_at),
            "lines": [
                {
                    "sku": ln["sku"],
                    "product_legacy_id": ln["product_legacy_id"],
                    "name": ln["name"],
                    "quantity": ln["quantity"],
                    "unit_price": money(ln["_unit"]),
                    "discount": money(ln["_discount"]),
                }
                for ln in lines
            ],
            "shipping": money(shipping),
            "tax": money(tax),
            "total": money(total),
            "coupon_code": coupon_code,
            "points_redeemed": points,
            "shipping_address": ship_to,
            "billing_address": None
            if rng.random() < 0.6
            else (ship_to if rng.random() < 0.7 else address(rng, person, False)),
            "payment_method": pick(rng, _PAYMENT[portal]),
        }
        shipments = self._shipments(record, placed_at, person)
        return record, total, shipments

    def _lines(self, portal: str, discounted: bool) -> tuple[list[dict], int]:
        rng = self.rng
        roll = rng.random()
        count = 1 if roll < 0.7 else (2 if roll < 0.9 else (3 if roll < 0.97 else 4))
        lines, seen, subtotal = [], set(), 0
        for _ in range(count):
            if rng.random() < 0.01:
                sku, product_id, name, unit = pick(rng, _OFF_CATALOGUE)
            else:
                product, variant = pick(rng, self.draw)
                sku, product_id, name, unit = variant.sku, product.legacy_id, variant.label, variant.prices[portal]
                if rng.random() < 0.15:  # bought during a sale
                    unit = unit * 9 // 10
            if sku in seen:
                continue
            seen.add(sku)
            roll = rng.random()
            quantity = 1 if roll < 0.88 else (2 if roll < 0.98 else 3)
            gross = quantity * unit
            lines.append(
                {
                    "sku": sku,
                    "product_legacy_id": product_id,
                    "name": name,
                    "quantity": quantity,
                    "_unit": unit,
                    "_gross": gross,
                    "_discount": 0,
                }
            )
            subtotal += gross
        if discounted:  # the coupon's saving, as the legacy shop booked it: on the first line
            lines[0]["_discount"] = lines[0]["_gross"] // 10
        return lines, subtotal

    def _shipments(self, order: dict, placed_at: int, person: Person) -> list[dict]:
        rng = self.rng
        status = order["status"]
        if status in ("pending", "paid", "cancelled") or (status == "refunded" and rng.random() < 0.5):
            return []
        parcels = [[{"sku": ln["sku"], "quantity": ln["quantity"]} for ln in order["lines"]]]
        if len(parcels[0]) > 1 and rng.random() < 0.15:
            parcels = [parcels[0][:1], parcels[0][1:]]
        country = order["shipping_address"]["country"]
        carrier, template = pick(rng, _CARRIERS.get(country, _CARRIERS["*"]))
        out = []
        for parcel in parcels:
            self.shipments += 1
            events, shipped_at, delivered_at = self._events(order, placed_at, carrier, person)
            out.append(
                {
                    "legacy_id": f"S{self.shipments:07d}",
                    "order_legacy_id": order["legacy_id"],
                    "carrier": carrier,
                    "tracking_number": fill(rng, template),
                    "status": events[-1]["status"],
                    "shipped_at": iso(shipped_at),
                    "delivered_at": iso(delivered_at) if delivered_at else None,
                    "lines": parcel,
                    "events": events,
                }
            )
        return out

    def _events(self, order: dict, placed_at: int, carrier: str, person: Person):
        """Tracking events from label to doorstep, cut at the export time (a parcel may still travel)."""
        rng = self.rng
        city = order["shipping_address"]["city"]
        warehouse = _WAREHOUSE.get(order["portal"], _WAREHOUSE["*"])
        at = placed_at + 2 * HOUR + int(rng.random() * 2 * DAY)
        steps = [(at, "label_created", warehouse, "Shipping label created")]
        at += 2 * HOUR + int(rng.random() * 10 * HOUR)
        shipped_at = at
        steps.append((at, "picked_up", warehouse, f"Parcel picked up by {carrier}"))
        for hub in (f"{carrier} hub, {pick(rng, person.country.cities)[0]}", f"{carrier} depot, {city}")[
            : 1 + int(rng.random() * 2)
        ]:
            at += 6 * HOUR + int(rng.random() * 24 * HOUR)
            steps.append((at, "in_transit", hub, f"Arrived at {hub}"))
        at += 8 * HOUR + int(rng.random() * 20 * HOUR)
        steps.append((at, "out_for_delivery", city, "Out for delivery"))
        at += 2 * HOUR + int(rng.random() * 8 * HOUR)
        signed = f"Delivered, signed for by {person.first_name}" if rng.random() < 0.5 else "Delivered to a safe place"
        steps.append((at, "delivered", city, signed))
        events = [
            {"at": iso(t), "status": s, "location": loc, "description": text}
            for t, s, loc, text in steps
            if t <= self.exported_at
        ]
        if not events:  # labelled after the export: the parcel is known but has not moved
            events = [
                {
                    "at": iso(min(steps[0][0], self.exported_at)),
                    "status": "label_created",
                    "location": warehouse,
                    "description": "Shipping label created",
                }
            ]
        delivered_at = at if at <= self.exported_at else None
        return events, min(shipped_at, self.exported_at), delivered_at


def off_catalogue_skus() -> set[str]:
    """SKUs that order lines may carry without any product in the bundle (their product link stays empty)."""
    return {sku for sku, *_ in _OFF_CATALOGUE}
