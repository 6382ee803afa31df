"""The cart, checkout and orders as the API shows and takes them. Money is `{"amount", "currency"}`.

Input serializers take choices only (a variant, a quantity, an address, a coupon code, points, a card):
no amount is ever read from the client.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from storefront.catalog.api.serializers import MoneySerializer, money
from storefront.catalog.selectors import stock_state

from ..models import Order, OrderLine, Shipment, TrackingEvent
from ..selectors import line_is_sellable, variant_name


class CartLineSerializer(serializers.Serializer):
    variant = serializers.IntegerField(source="variant_id")
    sku = serializers.CharField(source="variant.sku")
    name = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()
    unit_price = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    in_stock = serializers.IntegerField(help_text="Units on hand in the store")
    stock_state = serializers.SerializerMethodField()
    sellable = serializers.SerializerMethodField(help_text="False when the store no longer sells it")

    def get_name(self, line) -> str:
        return variant_name(line.variant)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_unit_price(self, line):
        return money(line.unit_price, self.context["store"].currency)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_total(self, line):
        return None if line.unit_price is None else money(line.unit_price * line.quantity,
                                                          self.context["store"].currency)

    def get_stock_state(self, line) -> str:
        return stock_state(line.in_stock)

    def get_sellable(self, line) -> bool:
        return line_is_sellable(line)


class AmountsSerializer(serializers.Serializer):
    """`pricing.OrderAmounts`: what the server computed."""

    subtotal = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField()
    shipping = serializers.SerializerMethodField()
    points = serializers.IntegerField()
    points_amount = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField()
    tax_included = serializers.BooleanField(help_text="True: the tax is VAT included in the total, not added")
    total = serializers.SerializerMethodField()

    def _money(self, amounts, name):
        return money(getattr(amounts, name), amounts.currency)

    @extend_schema_field(MoneySerializer)
    def get_subtotal(self, amounts):
        return self._money(amounts, "subtotal")

    @extend_schema_field(MoneySerializer)
    def get_discount(self, amounts):
        return self._money(amounts, "discount")

    @extend_schema_field(MoneySerializer)
    def get_shipping(self, amounts):
        return self._money(amounts, "shipping")

    @extend_schema_field(MoneySerializer)
    def get_points_amount(self, amounts):
        return self._money(amounts, "points_amount")

    @extend_schema_field(MoneySerializer)
    def get_tax(self, amounts):
        return self._money(amounts, "tax")

    @extend_schema_field(MoneySerializer)
    def get_total(self, amounts):
        return self._money(amounts, "total")


class CartSerializer(serializers.Serializer):
    store = serializers.CharField(source="store.code")
    currency = serializers.CharField(source="store.currency")
    lines = CartLineSerializer(many=True)
    amounts = AmountsSerializer(allow_null=True, help_text="Null while a line is no longer sold in the store")


class CartLineAddSerializer(serializers.Serializer):
    variant = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, default=1)


class CartLineQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, help_text="0 removes the line")


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(max_length=100)
    postcode = serializers.CharField(max_length=20)
    country = serializers.RegexField(r"^[A-Z]{2}$", help_text="ISO 3166 alpha-2, e.g. GB",
                                     error_messages={"invalid": "Give the country as its two-letter code, e.g. GB."})
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)


class CardSerializer(serializers.Serializer):
    number = serializers.RegexField(r"^[\d -]{12,23}$", help_text="Test gateway: 4242 4242 4242 4242 approves, "
                                    "4000 0000 0000 0002 declines, any other number is invalid")
    expiry = serializers.RegexField(r"^(0[1-9]|1[0-2])/\d{2}$", help_text="MM/YY",
                                    error_messages={"invalid": "Give the expiry date as MM/YY, e.g. 08/29."})
    cvc = serializers.RegexField(r"^\d{3,4}$")


class CheckoutSerializer(serializers.Serializer):
    """Ship to an address-book entry (`address_id`) or a new `shipping_address`; pay by `card`."""

    address_id = serializers.IntegerField(required=False, help_text="An entry of the customer's address book")
    shipping_address = AddressSerializer(required=False)
    coupon_code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    points = serializers.IntegerField(required=False, min_value=0, default=0)
    card = CardSerializer()

    def validate(self, data):
        if ("address_id" in data) == ("shipping_address" in data):
            raise serializers.ValidationError(
                {"shipping_address": ["Give either address_id (from your address book) or shipping_address."]}
            )
        return data


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["at", "status", "location", "description"]
        read_only_fields = fields


class ShipmentSerializer(serializers.ModelSerializer):
    events = TrackingEventSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = ["carrier", "tracking_number", "status", "shipped_at", "delivered_at", "lines", "events"]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    unit_price = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = ["sku", "name", "quantity", "unit_price", "discount", "total"]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_unit_price(self, line):
        return money(line.unit_price, line.order.currency)

    @extend_schema_field(MoneySerializer)
    def get_discount(self, line):
        return money(line.discount, line.order.currency)

    @extend_schema_field(MoneySerializer)
    def get_total(self, line):
        return money(line.line_total, line.order.currency)


class OrderSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    from_poco = serializers.BooleanField(source="is_from_poco", help_text="Migrated from www.po.co")
    total = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["number", "store", "source", "from_poco", "status", "placed_at", "currency", "total"]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_total(self, order):
        return money(order.total, order.currency)


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)
    subtotal = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField()
    shipping = serializers.SerializerMethodField()
    points_amount = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "subtotal", "discount", "shipping", "points_redeemed",
                  "points_amount", "tax", "tax_included", "coupon_code", "payment_method", "shipping_address",
                  "billing_address", "lines", "shipments"]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_subtotal(self, order):
        return money(order.subtotal, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_discount(self, order):
        return money(order.discount, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_shipping(self, order):
        return money(order.shipping, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_points_amount(self, order):
        return money(order.points_amount, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_tax(self, order):
        return money(order.tax, order.currency)
