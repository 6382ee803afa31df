"""Reads of carts and orders shared by the pages and the API, each at a fixed number of queries."""

from django.db.models import IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from brands.models import BrandAvailability
from storefront.accounts.models import normalize_email
from storefront.catalog.models import Price, Product, Stock

from .models import Cart, CartLine, Order, OrderLine, Shipment, TrackingEvent
from .pricing import PricedLine


def cart_lines(cart: Cart) -> QuerySet[CartLine]:
    """The cart's lines with product, brand and category, and per line the store's `unit_price` (None where
    the variant has no price there), `in_stock` (units on hand) and `sellable` (listed and served), in one query.
    """
    store = cart.store_id
    prices = Price.objects.filter(variant=OuterRef("variant"), store=store)
    stock = Stock.objects.filter(variant=OuterRef("variant"), store=store)
    served = BrandAvailability.objects.filter(
        store=store, brand=OuterRef("variant__product__brand"), mode=BrandAvailability.Mode.SERVED
    )
    return (
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product__brand", "variant__product__category")
        .annotate(
            unit_price=Subquery(prices.values("amount")[:1]),
            in_stock=Coalesce(Subquery(stock.values("quantity")[:1], output_field=IntegerField()), 0),
            brand_served=Subquery(served.values("pk")[:1]),
        )
        .order_by("added_at", "id")
    )


def line_is_sellable(line: CartLine) -> bool:
    """Whether a line from `cart_lines` can be bought: an active product of a served brand, priced here."""
    return (
        line.unit_price is not None
        and line.brand_served is not None
        and line.variant.product.status == Product.Status.ACTIVE
    )


def priced_line(line: CartLine) -> PricedLine:
    product = line.variant.product
    return PricedLine(
        variant_id=line.variant_id, product_id=product.pk, brand_id=product.brand_id,
        category_path=product.category.path, sku=line.variant.sku, name=variant_name(line.variant),
        unit_price=line.unit_price, quantity=line.quantity,
    )


def variant_name(variant) -> str:
    """"POCO F6 (Black, 8GB+256GB)": the product name with the variant's attribute values."""
    values = ", ".join(str(value) for value in variant.attributes.values() if value not in (None, ""))
    return f"{variant.product.name} ({values})" if values else variant.product.name


def cart_item_count(cart: Cart | None) -> int:
    if cart is None:
        return 0
    return CartLine.objects.filter(cart=cart).aggregate(n=Coalesce(Sum("quantity"), 0))["n"]


def customer_orders_filter(user) -> Q:
    """The orders an account shows: its own, and guest orders placed with its e-mail (FORMAT.md rule 4),
    migrated from po.co or new."""
    return Q(user=user) | Q(user__isnull=True, email=normalize_email(user.email))


def customer_orders(*, user) -> QuerySet[Order]:
    """The account's orders, newest first, with their store and item count (one query)."""
    items = (
        OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
        .annotate(n=Sum("quantity")).values("n")[:1]
    )
    return (
        Order.objects.filter(customer_orders_filter(user))
        .select_related("store")
        .annotate(item_count=Coalesce(Subquery(items, output_field=IntegerField()), 0))
        .order_by("-placed_at", "-id")
    )


def _order_pages() -> QuerySet[Order]:
    shipments = Shipment.objects.order_by("shipped_at", "id").prefetch_related(
        Prefetch("events", queryset=TrackingEvent.objects.order_by("at", "id"))
    )
    return Order.objects.select_related("store").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product__brand").order_by("position", "id")),
        Prefetch("shipments", queryset=shipments),
    )


def customer_order(*, user, number: str) -> Order | None:
    """One of the account's orders by number, with lines, shipments and their tracking events; None for an
    order of anybody else, so nobody reads another customer's order."""
    return _order_pages().filter(customer_orders_filter(user), number=number).first()


def order_page(*, number: str) -> Order | None:
    """An order by number as its page shows it. The caller has checked that the visitor may see it."""
    return _order_pages().filter(number=number).first()


def order_with_lines(*, pk: int) -> Order:
    """An order as its confirmation e-mail shows it."""
    return (
        Order.objects.select_related("store")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id")))
        .get(pk=pk)
    )
