"""Order, shipment and review records for tiny test bundles (FORMAT.md "Records"), beside bundles.py."""

from __future__ import annotations


def order_address(**fields) -> dict:
    return {"name": "Alex Martin", "line1": "1 High Street", "line2": None, "city": "Leeds", "postcode": "LS1 1AA",
            "country": "GB", "phone": "+44 113 496 0000", **fields}


def order_line(sku: str = "P1-BLK", product: str | None = "P1", *, quantity: int = 1, unit_price: str = "259.90",
               discount: str = "0.00", name: str | None = None) -> dict:
    return {"sku": sku, "product_legacy_id": product, "name": name or f"POCO item {sku}", "quantity": quantity,
            "unit_price": unit_price, "discount": discount}


def order(legacy_id: str, customer_id: str | None = "C1", **fields) -> dict:
    """A paid uk order of one line whose total adds up (259.90 + 3.99 shipping)."""
    return {
        "legacy_id": legacy_id, "number": f"PO-UK-2024-{legacy_id}", "portal": "uk",
        "customer_legacy_id": customer_id, "guest_email": None, "currency": "GBP", "status": "paid",
        "placed_at": "2024-03-01T10:15:00Z", "lines": [order_line()], "shipping": "3.99", "tax": "0.00",
        "total": "263.89", "coupon_code": None, "points_redeemed": 0, "shipping_address": order_address(),
        "billing_address": None, "payment_method": "card", **fields,
    }


def shipment(legacy_id: str, order_id: str = "O1", **fields) -> dict:
    return {
        "legacy_id": legacy_id, "order_legacy_id": order_id, "carrier": "Royal Mail", "tracking_number": "RM1GB",
        "status": "delivered", "shipped_at": "2024-03-02T08:00:00Z", "delivered_at": "2024-03-04T12:00:00Z",
        "lines": [{"sku": "P1-BLK", "quantity": 1}],
        "events": [
            {"at": "2024-03-02T08:00:00Z", "status": "picked_up", "location": "POCO EU Warehouse, Tilburg",
             "description": "Parcel picked up by Royal Mail"},
            {"at": "2024-03-04T12:00:00Z", "status": "delivered", "location": "Leeds",
             "description": "Delivered, signed for by Alex"},
        ],
        **fields,
    }


def review(legacy_id: str, product_id: str = "P1", customer_id: str | None = "C1", **fields) -> dict:
    return {
        "legacy_id": legacy_id, "product_legacy_id": product_id, "customer_legacy_id": customer_id,
        "author_name": "Alex M.", "rating": 4, "title": "Fast & cheap", "body": "Great <b>phone</b> & battery",
        "language": "en", "created_at": "2024-04-01T09:00:00Z", "status": "published", "verified_purchase": True,
        "replies": [{"author_name": "POCO Support", "body": "Thanks!", "created_at": "2024-04-02T09:00:00Z"}],
        **fields,
    }
