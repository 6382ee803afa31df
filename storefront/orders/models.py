"""Orders with their lines, and shipments with their tracking events; carts and checkouts.

Amounts are exact decimals in the order's own currency. Addresses on an order are snapshots (JSON of
the contract's address shape), not links to the address book, so later edits never rewrite history.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        RETURNED = "returned", _("Returned")

    class Source(models.TextChoices):
        STORE = "store", _("Unified store")
        POCO = "po.co", _("po.co")

    number = models.CharField(max_length=40, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STORE)
    store = models.ForeignKey("brands.RegionalStore", on_delete=models.PROTECT, related_name="orders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(blank=True, help_text=_("Normalized; a guest order shows in the account of this e-mail"))
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    placed_at = models.DateTimeField(default=timezone.now)
    subtotal = models.DecimalField(**MONEY, default=Decimal("0.00"))
    discount = models.DecimalField(**MONEY, default=Decimal("0.00"), help_text=_("Taken off by the coupon"))
    shipping = models.DecimalField(**MONEY, default=Decimal("0.00"))
    points_amount = models.DecimalField(
        **MONEY, default=Decimal("0.00"), help_text=_("Paid with Mi Points (points_redeemed converted)")
    )
    tax = models.DecimalField(**MONEY, default=Decimal("0.00"))
    tax_included = models.BooleanField(
        default=False, help_text=_("The tax is VAT included in the prices, not added to the total")
    )
    total = models.DecimalField(**MONEY)
    coupon_code = models.CharField(max_length=64, blank=True)
    points_redeemed = models.PositiveIntegerField(default=0)
    payment_method = models.CharField(max_length=40, blank=True)
    payment_reference = models.CharField(max_length=80, blank=True, help_text=_("The payment provider's reference"))
    language = models.CharField(max_length=8, blank=True, help_text=_("The customer's language at checkout"))
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    personal_data_erased = models.BooleanField(
        default=False, help_text=_("A po.co order of a customer who had their data erased: no account, e-mail or "
                                   "addresses, and no places in its parcels' tracking"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=Decimal("0")), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="order_currency_iso"),
        ]
        indexes = [
            models.Index(fields=["user", "-placed_at"]),
            models.Index(fields=["email", "-placed_at"]),
        ]

    def __str__(self):
        return self.number

    @property
    def is_from_poco(self) -> bool:
        return self.source == self.Source.POCO


class OrderLine(models.Model):
    """A line is a snapshot: it keeps SKU, name and price even where the product is unknown or gone."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY, default=Decimal("0.00"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=Decimal("0")), name="order_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(discount__gte=Decimal("0")) & Q(discount__lte=F("unit_price") * F("quantity")),
                name="order_line_discount_within_line",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price - self.discount


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=80)
    tracking_number = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=40)
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    lines = models.JSONField(default=list, blank=True, help_text=_("[{sku, quantity}] in this parcel"))

    class Meta:
        ordering = ["order", "shipped_at", "id"]
        indexes = [models.Index(fields=["tracking_number"])]

    def __str__(self):
        return f"{self.carrier} {self.tracking_number}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    status = models.CharField(max_length=40)
    location = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["shipment", "at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.status}"


class OrderNumberSeries(models.Model):
    """The last number given in a store's yearly series ("MI-UK-2026-000001"); its row is the lock."""

    store = models.ForeignKey("brands.RegionalStore", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "order number series"
        constraints = [models.UniqueConstraint(fields=["store", "year"], name="one_order_series_per_store_and_year")]

    def __str__(self):
        return f"{self.store_id}/{self.year}: {self.last}"


class Cart(models.Model):
    """A shopper's cart in one regional store (prices in its currency).

    A signed-in shopper's cart belongs to the account; a guest's is found by `token`, a random value kept in
    the session (it survives the session-key change at sign-in, when the guest cart joins the account's).
    """

    store = models.ForeignKey("brands.RegionalStore", on_delete=models.CASCADE, related_name="carts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "store"], condition=Q(user__isnull=False),
                                    name="one_cart_per_account_and_store"),
            models.UniqueConstraint(fields=["token", "store"], condition=Q(token__isnull=False),
                                    name="one_cart_per_guest_and_store"),
            models.CheckConstraint(condition=Q(user__isnull=False) ^ Q(token__isnull=False),
                                   name="cart_owned_by_account_or_guest"),
        ]

    def __str__(self):
        return f"Cart {self.pk} ({self.store_id})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cart", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_cart_line_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.variant_id}"


class Checkout(models.Model):
    """One attempt to pay for a cart: what it holds (stock, a coupon use, points) until it ends.

    Created `reserved` with the stock already taken off and the coupon use and points held; it becomes
    `completed` (with its order) when the payment succeeds, or `released` (everything given back) when the
    payment fails, the process crashes, or `expires_at` passes (`checkouts_release_expired`).
    """

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        COMPLETED = "completed", _("Completed")
        RELEASED = "released", _("Released")

    reference = models.UUIDField(unique=True)
    store = models.ForeignKey("brands.RegionalStore", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cart = models.ForeignKey(Cart, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkouts")
    email = models.EmailField()
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    expires_at = models.DateTimeField()
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY, default=Decimal("0.00"))
    shipping = models.DecimalField(**MONEY, default=Decimal("0.00"))
    points = models.PositiveIntegerField(default=0)
    points_amount = models.DecimalField(**MONEY, default=Decimal("0.00"))
    tax = models.DecimalField(**MONEY, default=Decimal("0.00"))
    tax_included = models.BooleanField(default=False)
    total = models.DecimalField(**MONEY)
    coupon_code = models.CharField(max_length=64, blank=True)
    coupon_hold = models.CharField(
        max_length=64, blank=True, help_text=_("The loyalty programme's id of the coupon use held")
    )
    points_hold = models.CharField(
        max_length=64, blank=True, help_text=_("The loyalty programme's id of the points held")
    )
    shipping_address = models.JSONField()
    billing_address = models.JSONField(null=True, blank=True)
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="checkout")
    release_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=Decimal("0")), name="checkout_total_not_negative"),
            models.CheckConstraint(condition=~Q(status="completed") | Q(order__isnull=False),
                                   name="completed_checkout_has_order"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return str(self.reference)


class CheckoutLine(models.Model):
    """A line of a checkout, priced by the server; its quantity is taken off the store's stock while held."""

    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["checkout", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checkout", "variant"], name="one_checkout_line_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="checkout_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"
