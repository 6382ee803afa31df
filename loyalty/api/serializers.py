"""The customer's own points and coupons, as the API shows them (read-only)."""

from rest_framework import serializers

from ..formatting import coupon_benefit
from ..models import Coupon, LegacyPointsHistory, PointsEntry, PointsLot


class PointsLotSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsLot
        fields = ["id", "points", "remaining", "earned_at", "expires_at"]


class PointsSummarySerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    lots = PointsLotSerializer(many=True, help_text="Live lots, first to expire first")


class PointsEntrySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    order_number = serializers.CharField(source="order.number", default=None)
    is_migrated = serializers.SerializerMethodField(help_text="Carried over from POCO Points")

    class Meta:
        model = PointsEntry
        fields = ["id", "kind", "kind_display", "delta", "at", "reason", "order_number", "is_migrated",
                  "legacy_account_id"]

    def get_is_migrated(self, entry) -> bool:
        return entry.kind == PointsEntry.Kind.MIGRATE


class LegacyPointsHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = LegacyPointsHistory
        fields = ["id", "at", "delta", "reason", "order_legacy_id"]


class CouponSerializer(serializers.ModelSerializer):
    benefit = serializers.SerializerMethodField()
    uses = serializers.IntegerField(read_only=True, help_text="Uses confirmed or held by an open checkout")
    uses_left = serializers.IntegerField(read_only=True, allow_null=True, help_text="null: unlimited")
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    brands = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    categories = serializers.SlugRelatedField(many=True, read_only=True, slug_field="path")
    stores = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    reissued_from = serializers.SerializerMethodField(help_text="The POCO code this coupon replaces, if any")

    class Meta:
        model = Coupon
        fields = ["id", "code", "kind", "value", "currency", "benefit", "min_order_amount", "valid_from",
                  "valid_until", "usage_limit", "per_customer_limit", "uses", "uses_left", "is_active", "brands",
                  "categories", "stores", "aliases", "reissued_from"]

    def get_benefit(self, coupon) -> str:
        return coupon_benefit(coupon)

    def get_reissued_from(self, coupon) -> str | None:
        origin = getattr(coupon, "legacy_origin", None)
        return origin.code if origin else None
