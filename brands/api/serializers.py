"""Brands, regional stores and which brand each store serves, as the API shows them (read-only: every field
is read-only, so the schema marks each as always present)."""

from rest_framework import serializers

from brands.models import Brand, BrandAvailability, RegionalStore


class ColoursSerializer(serializers.Serializer):
    primary = serializers.CharField(source="primary_colour", help_text="#rrggbb")
    accent = serializers.CharField(source="accent_colour", help_text="#rrggbb")
    text = serializers.CharField(source="text_colour", help_text="#rrggbb")


class BrandSerializer(serializers.ModelSerializer):
    logo = serializers.FileField(use_url=True, allow_null=True, read_only=True, help_text="Absolute URL, or null.")
    colours = ColoursSerializer(source="*", read_only=True)

    class Meta:
        model = Brand
        fields = ["slug", "name", "tagline", "logo", "colours"]
        read_only_fields = fields


class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegionalStore
        fields = ["code", "name", "currency", "language", "locale", "country"]
        read_only_fields = fields


class BrandOfferSerializer(serializers.ModelSerializer):
    """How one store offers one brand: sold there (`served`), or on an external site (`external`)."""

    is_external = serializers.BooleanField(read_only=True)
    external_url = serializers.SerializerMethodField(help_text="Where the brand is sold; null when served here.")

    class Meta:
        model = BrandAvailability
        fields = ["mode", "is_external", "external_url"]
        read_only_fields = fields

    def get_external_url(self, availability) -> str | None:
        return availability.external_url if availability.is_external else None


class StoreBrandSerializer(BrandOfferSerializer):
    """A brand as one store presents it."""

    brand = BrandSerializer(read_only=True)

    class Meta(BrandOfferSerializer.Meta):
        fields = ["brand", *BrandOfferSerializer.Meta.fields]
        read_only_fields = fields


class BrandStoreSerializer(BrandOfferSerializer):
    """One store in which a brand is offered, and how."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The store's code.")

    class Meta(BrandOfferSerializer.Meta):
        fields = ["store", *BrandOfferSerializer.Meta.fields]
        read_only_fields = fields


class BrandDetailSerializer(BrandSerializer):
    stores = BrandStoreSerializer(source="active_availabilities", many=True, read_only=True)

    class Meta(BrandSerializer.Meta):
        fields = [*BrandSerializer.Meta.fields, "stores"]
        read_only_fields = fields
