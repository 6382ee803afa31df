"""The catalog: one category tree for every brand, products with variants, per-store prices and stock,
images, and reviews."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A node of the shared category tree. `path` (slugs joined by `/`) is kept for one-query lookups."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    path = models.CharField(max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="category_slug_unique_in_parent"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="root_category_slug_unique"
            ),
        ]

    def __str__(self):
        return self.path


class Product(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISCONTINUED = "discontinued", _("Discontinued")

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    slug = models.SlugField(max_length=150)
    name = models.CharField(max_length=200)
    description_html = models.TextField(blank=True, help_text=_("Trusted HTML from the catalog team"))
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["brand", "slug"], name="product_slug_unique_per_brand")]
        indexes = [
            models.Index(fields=["brand", "status", "category"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self):
        return self.name

    @property
    def is_listed(self):
        """Discontinued products keep their page (old orders, reviews) but are not listed."""
        return self.status == self.Status.ACTIVE


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to="products/")
    alt = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]

    def __str__(self):
        return self.alt or self.image.name


class Variant(models.Model):
    """A buyable variant of a product; `attributes` holds colour, storage, ..."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    attributes = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]

    def __str__(self):
        return self.sku


class Price(models.Model):
    """The price of a variant in one regional store, in that store's currency."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="prices")
    store = models.ForeignKey("brands.RegionalStore", on_delete=models.CASCADE, related_name="prices")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "store"], name="one_price_per_variant_and_store"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal("0")), name="price_not_negative"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="price_currency_iso"),
        ]
        indexes = [models.Index(fields=["store", "amount"])]

    def __str__(self):
        return f"{self.variant} {self.amount} {self.currency}"


class Stock(models.Model):
    """Units of a variant on hand for one regional store."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="stock")
    store = models.ForeignKey("brands.RegionalStore", on_delete=models.CASCADE, related_name="stock")
    quantity = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "stock"
        constraints = [
            models.UniqueConstraint(fields=["variant", "store"], name="one_stock_per_variant_and_store"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_not_negative"),
        ]

    def __str__(self):
        return f"{self.variant} in {self.store_id}: {self.quantity}"


class Review(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Pending")
        REJECTED = "rejected", _("Rejected")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    author_name = models.CharField(max_length=150)
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text=_("Plain text as the shopper typed it; always escaped on display"))
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    verified_purchase = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5")
        ]
        indexes = [models.Index(fields=["product", "status", "-created_at"])]

    def __str__(self):
        return f"{self.rating}/5 by {self.author_name}"


class ReviewReply(models.Model):
    """The shop's answer to a review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="replies")
    author_name = models.CharField(max_length=150)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "review replies"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Reply by {self.author_name}"
