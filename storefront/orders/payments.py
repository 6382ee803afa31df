"""Payment providers: one small interface, and the test gateway that is the default.

A provider charges a card for an amount and answers approved, declined or invalid; it can refund a charge
it approved (used when an approved payment finds its checkout already released). The checkout service is
the only caller. Card numbers are never stored: an order keeps the method ("Card •••• 4242") and the
provider's reference.

The test gateway (`TestGateway`, ORDERS_PAYMENT_PROVIDER's default) needs nothing external:
4242 4242 4242 4242 is approved, 4000 0000 0000 0002 is declined, any other number is invalid.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Card:
    number: str
    expiry: str  # MM/YY
    cvc: str

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit())

    @property
    def label(self) -> str:
        return f"Card •••• {self.digits[-4:]}"


@dataclass(frozen=True)
class PaymentResult:
    class Outcome:
        APPROVED = "approved"
        DECLINED = "declined"
        INVALID = "invalid"

    outcome: str
    reference: str = ""
    message: str = ""  # for the shopper, when not approved
    method: str = ""

    @property
    def approved(self) -> bool:
        return self.outcome == self.Outcome.APPROVED


class PaymentProvider(Protocol):
    def charge(self, *, amount: Decimal, currency: str, card: Card, reference: str) -> PaymentResult:
        """Takes `amount` from the card; `reference` is the checkout's, for the provider's records."""

    def refund(self, *, payment_reference: str, amount: Decimal, currency: str) -> None:
        """Gives back an approved charge in full."""


class TestGateway:
    """Approves 4242 4242 4242 4242, declines 4000 0000 0000 0002, finds any other number invalid."""

    APPROVED_NUMBER = "4242424242424242"
    DECLINED_NUMBER = "4000000000000002"

    def charge(self, *, amount: Decimal, currency: str, card: Card, reference: str) -> PaymentResult:
        if card.digits == self.APPROVED_NUMBER:
            return PaymentResult(PaymentResult.Outcome.APPROVED, reference=f"test_{uuid.uuid4().hex}",
                                 method=card.label)
        if card.digits == self.DECLINED_NUMBER:
            return PaymentResult(PaymentResult.Outcome.DECLINED, method=card.label, message=_(
                "Your card was declined. Nothing was charged; try another card."))
        return PaymentResult(PaymentResult.Outcome.INVALID, method=card.label, message=_(
            "This card number is not valid. Check it and try again."))

    def refund(self, *, payment_reference: str, amount: Decimal, currency: str) -> None:
        """Test charges move no money, so there is nothing to give back."""


def payment_provider() -> PaymentProvider:
    return import_string(settings.ORDERS_PAYMENT_PROVIDER)()
