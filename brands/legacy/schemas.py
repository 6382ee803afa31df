"""One declarative schema per entity of the bundle (contract "Records"), validated by msgspec.

`msgspec.convert(obj, Schema)` turns a decoded line into a typed record or raises a ValidationError
whose message names the field (`Expected `str`, got `float` - at `$.variants[0].prices.uk``): that
message is the quarantine reason. Unknown fields are ignored (msgspec's default). Rules that span
several fields (an order's total, a points balance) belong to the entity's loader (`check`).
"""

import functools
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct, structs

# Timestamps: ISO 8601 with an offset or `Z` (a naive one is refused).
Timestamp = Annotated[datetime, Meta(tz=True)]
# Money: a decimal string, never a float.
Money = Annotated[str, Meta(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
LegacyId = Annotated[str, Meta(min_length=1, max_length=64)]
Portal = Literal["global", "uk", "fr", "in"]
Language = Literal["en", "fr"]
Country = Annotated[str, Meta(pattern=r"^[A-Z]{2}$")]
NonEmpty = Annotated[str, Meta(min_length=1)]
# po.co's scheme: sha256$<salt>$<hex of SHA-256(salt + password)>
LegacyPasswordHash = Annotated[str, Meta(pattern=r"^sha256\$[^$]+\$[0-9a-fA-F]{64}$")]


class Record(Struct, kw_only=True):
    legacy_id: LegacyId


def Text(limit: int):  # noqa: N802 - a type alias factory
    return Annotated[str, Meta(max_length=limit)]


class Address(Struct, kw_only=True):
    name: Text(200)
    line1: Text(200)
    line2: Text(200) | None = None
    city: Text(100)
    postcode: Text(20)
    country: Country
    phone: Text(40) | None = None


class CustomerAddress(Address, kw_only=True):
    legacy_id: LegacyId
    is_default: bool


class Customer(Record, kw_only=True):
    portal: Portal
    email: Annotated[str, Meta(pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$", max_length=254)]
    first_name: Text(150)
    last_name: Text(150)
    phone: Text(40) | None = None
    language: Language
    created_at: Timestamp
    last_login_at: Timestamp | None = None
    marketing_opt_in: bool
    status: Literal["active", "disabled", "erased"]
    password_hash: LegacyPasswordHash | None = None
    addresses: list[CustomerAddress]


class ProductImage(Struct, kw_only=True):
    path: NonEmpty
    sha256: Annotated[str, Meta(pattern=r"^[0-9a-fA-F]{64}$")]
    alt: str


class ProductVariant(Struct, kw_only=True):
    sku: Annotated[str, Meta(min_length=1, max_length=64)]
    attributes: dict[str, str]
    prices: dict[Portal, Money]
    stock: dict[Portal, Annotated[int, Meta(ge=0)]]


class Product(Record, kw_only=True):
    slug: Annotated[str, Meta(pattern=r"^[-a-zA-Z0-9_]+$", max_length=150)]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    category: Annotated[str, Meta(pattern=r"[^/\s]", max_length=500)]  # a path with at least one name
    description_html: str
    status: Literal["active", "discontinued"]
    images: list[ProductImage]
    variants: list[ProductVariant]
    legacy_urls: list[Annotated[str, Meta(pattern=r"^https?://\S+$", max_length=500)]]


class OrderLine(Struct, kw_only=True):
    sku: str
    product_legacy_id: str | None = None
    name: str
    quantity: Annotated[int, Meta(ge=1)]
    unit_price: Money
    discount: Money


class Order(Record, kw_only=True):
    number: NonEmpty
    portal: Portal
    customer_legacy_id: str | None = None
    guest_email: str | None = None
    currency: Literal["USD", "GBP", "EUR", "INR"]
    status: Literal["pending", "paid", "shipped", "delivered", "cancelled", "refunded", "returned"]
    placed_at: Timestamp
    lines: list[OrderLine]
    shipping: Money
    tax: Money
    total: Money
    coupon_code: str | None = None
    points_redeemed: int
    shipping_address: Address
    billing_address: Address | None = None
    payment_method: str


class TrackingEvent(Struct, kw_only=True):
    at: Timestamp
    status: str
    location: str
    description: str


class ShipmentLine(Struct, kw_only=True):
    sku: str
    quantity: Annotated[int, Meta(ge=1)]


class Shipment(Record, kw_only=True):
    order_legacy_id: LegacyId
    carrier: str
    tracking_number: str
    status: str
    shipped_at: Timestamp
    delivered_at: Timestamp | None = None
    lines: list[ShipmentLine]
    events: list[TrackingEvent]


class ReviewReply(Struct, kw_only=True):
    author_name: str
    body: str
    created_at: Timestamp


class Review(Record, kw_only=True):
    product_legacy_id: LegacyId
    customer_legacy_id: str | None = None
    author_name: str
    rating: Annotated[int, Meta(ge=1, le=5)]
    title: str
    body: str
    language: Language
    created_at: Timestamp
    status: Literal["published", "pending", "rejected"]
    verified_purchase: bool
    replies: list[ReviewReply]


class PointsLot(Struct, kw_only=True):
    points: int
    earned_at: Timestamp
    expires_at: Timestamp


class PointsHistory(Struct, kw_only=True):
    at: Timestamp
    delta: int
    reason: str
    order_legacy_id: str | None = None


class Points(Record, kw_only=True):
    customer_legacy_id: LegacyId
    balance: int
    lots: list[PointsLot]
    history: list[PointsHistory]


class Coupon(Record, kw_only=True):
    code: NonEmpty
    customer_legacy_id: str | None = None
    kind: Literal["percent", "fixed", "free_shipping"]
    value: Money
    currency: Literal["USD", "GBP", "EUR", "INR"] | None = None
    min_order_amount: Money
    valid_from: Timestamp
    valid_until: Timestamp
    usage_limit: int
    times_used: int
    status: Literal["active", "used", "expired", "revoked"]
    portal: Portal


class Attachment(Struct, kw_only=True):
    path: NonEmpty
    sha256: Annotated[str, Meta(pattern=r"^[0-9a-fA-F]{64}$")]
    filename: str
    content_type: str


class TicketMessage(Struct, kw_only=True):
    legacy_id: LegacyId
    author_type: Literal["customer", "agent", "system"]
    author_email: str
    body: str
    created_at: Timestamp
    internal: bool
    attachments: list[Attachment]


TicketStatus = Literal["open", "awaiting_customer", "in_repair", "resolved", "closed"]


class StatusChange(Struct, kw_only=True, rename={"from_": "from"}):
    at: Timestamp
    from_: TicketStatus | None = None
    to: TicketStatus
    by: str


class Ticket(Record, kw_only=True):
    number: NonEmpty
    portal: Portal
    customer_legacy_id: LegacyId
    order_legacy_id: str | None = None
    product_sku: str | None = None
    serial_number: str | None = None
    kind: Literal["repair", "return", "refund", "warranty", "inquiry"]
    status: TicketStatus
    priority: Literal["low", "normal", "high", "urgent"]
    subject: str
    opened_at: Timestamp
    updated_at: Timestamp
    closed_at: Timestamp | None = None
    assigned_to: str | None = None
    messages: list[TicketMessage]
    status_history: list[StatusChange]


SCHEMAS: dict[str, type[Record]] = {
    "customers": Customer,
    "products": Product,
    "orders": Order,
    "shipments": Shipment,
    "reviews": Review,
    "points": Points,
    "coupons": Coupon,
    "tickets": Ticket,
}


def validate(entity: str, obj: dict) -> Record:
    """The typed record, or msgspec.ValidationError naming the first bad field."""
    return msgspec.convert(obj, SCHEMAS[entity])


@functools.cache
def record_view(schema: type[Record], fields: tuple[str, ...]) -> type[Record]:
    """A struct of only these fields of a record schema, each with the schema's type, constraints and default.

    Decoding a line into it checks those fields as the schema would and skips the others unchecked: for a
    line already imported from the same bytes under the same schema, whose other fields passed then (the
    engine's unchanged lines, which need only their references and what the report totals)."""
    declared = {field.name: field for field in structs.fields(schema)}
    return msgspec.defstruct(f"{schema.__name__}View", [
        (name, field.type) if field.required else
        (name, field.type, msgspec.field(default=field.default, default_factory=field.default_factory))
        for name in fields if name != "legacy_id" for field in (declared[name],)
    ], bases=(Record,), kw_only=True)
