"""Writes of the orders app: the cart (`cart`) and checkout with payment (`checkout`)."""

from .cart import (
    cart_get,
    cart_get_or_create,
    cart_line_add,
    cart_line_remove,
    cart_line_set_quantity,
    carts_join_account,
)
from .checkout import (
    CheckoutDetails,
    address_snapshot,
    checkout_complete,
    checkout_pay,
    checkout_place,
    checkout_preview,
    checkout_release,
    checkout_reserve,
    checkouts_release_expired,
    order_number_next,
)

__all__ = [
    "CheckoutDetails",
    "address_snapshot",
    "cart_get",
    "cart_get_or_create",
    "cart_line_add",
    "cart_line_remove",
    "cart_line_set_quantity",
    "carts_join_account",
    "checkout_complete",
    "checkout_pay",
    "checkout_place",
    "checkout_preview",
    "checkout_release",
    "checkout_reserve",
    "checkouts_release_expired",
    "order_number_next",
]
