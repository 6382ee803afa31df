"""Products, categories and reviews as the API shows them. Money is `{"amount": "<decimal>", "currency"}`.

They only ever answer (every field read-only, so the schema marks each as always present). They read what
the selectors annotated and prefetched (`price_from`, `in_stock`, `rating_average`, `review_count`,
`image_list`, variants' `store_prices` / `store_stock`) and never query per row.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from storefront.catalog.models import Category, Product, ProductImage, Review, ReviewReply, Variant


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Decimal as a string, e.g. 299.00")
    currency = serializers.CharField(help_text="ISO 4217 code, the store's currency")


def money(amount, currency: str) -> dict | None:
    return None if amount is None else MoneySerializer({"amount": amount, "currency": currency}).data


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField(help_text="The parent's path; null for a top-level category.")

    class Meta:
        model = Category
        fields = ["name", "slug", "path", "depth", "parent", "position"]
        read_only_fields = fields

    def get_parent(self, category) -> str | None:
        parent_path, _, _ = category.path.rpartition("/")
        return parent_path or None


class CategoryDetailSerializer(CategorySerializer):
    children = CategorySerializer(many=True, read_only=True, source="child_list")

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "children"]
        read_only_fields = fields


class ProductBrandSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class ProductCategorySerializer(serializers.Serializer):
    path = serializers.CharField()
    name = serializers.CharField()


class RatingSerializer(serializers.Serializer):
    average = serializers.DecimalField(
        source="rating_average", max_digits=3, decimal_places=2, min_value=1, max_value=5, coerce_to_string=False,
        allow_null=True,
        help_text="Mean of the published reviews' ratings (1 to 5); null without reviews.",
    )
    count = serializers.IntegerField(source="review_count", help_text="Number of published reviews.")


class ProductSerializer(serializers.ModelSerializer):
    """A product as a store lists it: figures are for the store named in the URL."""

    brand = ProductBrandSerializer(read_only=True)
    category = ProductCategorySerializer(read_only=True)
    price_from = serializers.SerializerMethodField(help_text="The lowest variant price here; null if unpriced.")
    in_stock = serializers.BooleanField(read_only=True, help_text="Whether any variant has stock in this store.")
    rating = RatingSerializer(source="*", read_only=True)
    image = serializers.SerializerMethodField(help_text="Absolute URL of the first image, or null.")

    class Meta:
        model = Product
        fields = ["brand", "slug", "name", "category", "status", "price_from", "in_stock", "rating", "image"]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_price_from(self, product):
        return money(product.price_from, self.context["store"].currency)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_image(self, product):
        images = product.image_list
        return self.context["request"].build_absolute_uri(images[0].image.url) if images else None


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["url", "alt"]
        read_only_fields = fields

    def get_url(self, image) -> OpenApiTypes.URI:
        return self.context["request"].build_absolute_uri(image.image.url)


class VariantSerializer(serializers.ModelSerializer):
    """A variant with its price and stock in the store named in the URL."""

    attributes = serializers.DictField(
        child=serializers.JSONField(), read_only=True, help_text="e.g. {color, storage}"
    )
    price = serializers.SerializerMethodField(help_text="Null where the variant has no price in this store.")
    stock = serializers.SerializerMethodField(help_text="Units on hand in this store.")
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Variant
        fields = ["sku", "attributes", "price", "stock", "in_stock"]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_price(self, variant):
        [price] = variant.store_prices or [None]
        return None if price is None else money(price.amount, price.currency)

    def get_stock(self, variant) -> int:
        return sum(row.quantity for row in variant.store_stock)

    def get_in_stock(self, variant) -> bool:
        return self.get_stock(variant) > 0


class ProductDetailSerializer(ProductSerializer):
    variants = VariantSerializer(many=True, read_only=True)
    images = ImageSerializer(many=True, read_only=True, source="image_list")
    is_listed = serializers.BooleanField(
        read_only=True, help_text="False for discontinued products: reachable, not listed."
    )

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "is_listed", "description_html", "variants", "images"]
        read_only_fields = fields


class ReviewReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewReply
        fields = ["author_name", "body", "created_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    replies = ReviewReplySerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "author_name", "rating", "title", "body", "language", "verified_purchase", "created_at",
                  "replies"]
        read_only_fields = fields
