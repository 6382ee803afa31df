"""Refusals of the loyalty services, each with a message fit to show the customer or the agent.

They are `ValidationError`s, so a form's `clean()` shows them as they are; views and the API catch them
and answer with the message (`.message`) and the machine-readable reason (`.code`).
"""

from django.core.exceptions import ValidationError


class LoyaltyError(ValidationError):
    def __init__(self, message, *, code: str):
        super().__init__(message, code=code)


class PointsRefused(LoyaltyError):
    """Points cannot be spent or adjusted as asked (not enough points, a zero amount, no reason, ...)."""


class CouponRefused(LoyaltyError):
    """A coupon cannot be used for this customer, store or basket; `.code` says which rule refused it."""


class RedemptionStateError(LoyaltyError):
    """A redemption is not in a state that allows the step asked (confirming a released one, ...)."""


class PointsHoldStateError(LoyaltyError):
    """A points hold is not in a state that allows the step asked (confirming a released one, ...)."""
