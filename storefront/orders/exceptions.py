"""Refusals of the cart and checkout services, each with a message fit to show the shopper.

They are `ValidationError`s (as the loyalty app's coupon and points refusals are), so forms show them as
they are; views and the API answer with the message and the machine-readable `.code`.
"""

from django.core.exceptions import ValidationError


class CheckoutRefused(ValidationError):
    """The cart or checkout cannot do what was asked; `.code` names the rule (out_of_stock, empty_cart, ...)."""

    def __init__(self, message, *, code: str):
        super().__init__(message, code=code)


class PaymentFailed(CheckoutRefused):
    """The payment was declined or the card is invalid; everything the checkout held was released."""
