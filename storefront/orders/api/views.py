"""The signed-in customer's cart and checkout in a store, and their orders.

Every view reads and writes the requesting customer's own rows only: another customer's order is a 404.
Refusals of the services (stock, coupon, points, payment) answer 400 with their message and their code
(`out_of_stock`, `not_enough_stock`, `expired`, `payment_declined`, ...).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.api.lookups import active_store_or_404
from storefront.accounts.selectors import user_address_or_none
from storefront.api.errors import error_responses
from storefront.api.views import OwnObjectsMixin

from .. import selectors, services
from ..models import Order
from ..payments import Card
from .serializers import (
    CartLineAddSerializer,
    CartLineQuantitySerializer,
    CartSerializer,
    CheckoutSerializer,
    OrderDetailSerializer,
    OrderSerializer,
)

STORE_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The regional store, e.g. `uk`.")
VARIANT_ID = OpenApiParameter("variant_id", int, OpenApiParameter.PATH, description="The variant's id.")
ORDER_NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH,
                                description="The order number, e.g. `MI-UK-2026-000001` or `PO-UK-2023-000123`.")


class Refused(APIException):
    """A service's refusal: 400 with its message and its code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


def refused(error: DjangoValidationError) -> APIException:
    """The refusal as an API error; a cart line the URL names but the cart does not hold is a 404."""
    message, code = " ".join(error.messages), getattr(error, "code", None) or "refused"
    if code == "not_in_cart":
        return NotFound(message)
    return Refused(message, code=code)


class StoreCartMixin:
    permission_classes = [permissions.IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.store = active_store_or_404(self.kwargs["code"])

    def cart(self, *, create=False):
        if create:
            return services.cart_get_or_create(store=self.store, user=self.request.user)
        return services.cart_get(store=self.store, user=self.request.user)

    def cart_response(self, status_code=status.HTTP_200_OK):
        """The cart as it stands (empty where the customer has none here yet; reading creates nothing)."""
        cart = self.cart()
        lines = list(selectors.cart_lines(cart)) if cart is not None else []
        amounts = None
        if lines and all(selectors.line_is_sellable(line) for line in lines):
            amounts = services.checkout_preview(cart=cart, user=self.request.user)
        data = CartSerializer({"store": self.store, "lines": lines, "amounts": amounts},
                              context={"store": self.store}).data
        return Response(data, status=status_code)


class CartView(StoreCartMixin, APIView):
    @extend_schema(summary="The customer's cart in the store, with stock and the amounts",
                   parameters=[STORE_CODE], responses={200: CartSerializer, **error_responses(404)})
    def get(self, request, code):
        return self.cart_response()


class CartLineList(StoreCartMixin, APIView):
    @extend_schema(summary="Add a variant to the cart (adds to the units already there)", parameters=[STORE_CODE],
                   request=CartLineAddSerializer, responses={201: CartSerializer, **error_responses(400, 404)})
    def post(self, request, code):
        data = CartLineAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.cart_line_add(cart=self.cart(create=True), variant_id=data.validated_data["variant"],
                                   quantity=data.validated_data["quantity"])
        except DjangoValidationError as error:
            raise refused(error) from None
        return self.cart_response(status.HTTP_201_CREATED)


class CartLineDetail(StoreCartMixin, APIView):
    def _cart_or_404(self):
        cart = self.cart()
        if cart is None:
            raise NotFound("Your cart in this store is empty.")
        return cart

    @extend_schema(summary="Change a line's quantity (0 removes it)", parameters=[STORE_CODE, VARIANT_ID],
                   request=CartLineQuantitySerializer, responses={200: CartSerializer, **error_responses(400, 404)})
    def patch(self, request, code, variant_id):
        data = CartLineQuantitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.cart_line_set_quantity(cart=self._cart_or_404(), variant_id=variant_id,
                                            quantity=data.validated_data["quantity"])
        except DjangoValidationError as error:
            raise refused(error) from None
        return self.cart_response()

    @extend_schema(summary="Remove a line", parameters=[STORE_CODE, VARIANT_ID],
                   responses={200: CartSerializer, **error_responses(400, 404)})
    def delete(self, request, code, variant_id):
        try:
            services.cart_line_remove(cart=self._cart_or_404(), variant_id=variant_id)
        except DjangoValidationError as error:
            raise refused(error) from None
        return self.cart_response()


class CheckoutView(StoreCartMixin, APIView):
    @extend_schema(
        summary="Place the order of the cart and pay for it",
        description="The server prices the cart, holds stock, coupon use and points, charges the card and "
                    "places the order; a declined card or any refusal places nothing and holds nothing.",
        parameters=[STORE_CODE], request=CheckoutSerializer,
        responses={201: OrderDetailSerializer, **error_responses(400, 404)},
    )
    def post(self, request, code):
        data = CheckoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = data.validated_data
        if "address_id" in chosen:
            address = user_address_or_none(user=request.user, pk=chosen["address_id"])
            if address is None:
                raise NotFound(f"No address {chosen['address_id']} in your address book.")
        else:
            address = chosen["shipping_address"]
        cart = self.cart()
        if cart is None:
            raise refused(DjangoValidationError("Your cart is empty.", code="empty_cart"))
        card = chosen["card"]
        details = services.CheckoutDetails(
            email=request.user.email, shipping_address=services.address_snapshot(address),
            coupon_code=chosen.get("coupon_code", ""), points=chosen["points"], language=request.LANGUAGE_CODE,
        )
        try:
            order = services.checkout_place(cart=cart, user=request.user, details=details,
                                            card=Card(number=card["number"], expiry=card["expiry"], cvc=card["cvc"]))
        except DjangoValidationError as error:
            raise refused(error) from None
        order = selectors.customer_order(user=request.user, number=order.number)
        return Response(OrderDetailSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderList(OwnObjectsMixin, generics.ListAPIView):
    """The customer's orders, newest first: placed here, and migrated from po.co (also guest orders placed
    with the account's e-mail)."""

    serializer_class = OrderSerializer

    def own_queryset(self, user):
        if user is None:  # the schema is being built: the mixin empties this
            return Order.objects.all()
        return selectors.customer_orders(user=user)


@extend_schema(parameters=[ORDER_NUMBER], responses={200: OrderDetailSerializer, **error_responses(404)})
class OrderDetail(generics.RetrieveAPIView):
    """One of the customer's orders with lines, amounts, addresses, shipments and tracking events."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OrderDetailSerializer

    def get_object(self):
        order = selectors.customer_order(user=self.request.user, number=self.kwargs["number"])
        if order is None:
            raise NotFound(f"You have no order {self.kwargs['number']}.")
        return order
