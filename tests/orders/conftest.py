from decimal import Decimal

import pytest

from tests.factories import PriceFactory, StockFactory, UserFactory, VariantFactory

APPROVED_CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "08/29", "card_cvc": "123"}
DECLINED_CARD = {**APPROVED_CARD, "card_number": "4000 0000 0000 0002"}
NEW_ADDRESS = {"address": "new", "name": "Alex Shopper", "line1": "1 High Street", "city": "Leeds",
               "postcode": "LS1 1AA", "country": "GB"}


def make_variant(store, *, amount="100.00", stock=10, brand=None, **variant):
    """A variant sold in `store` at `amount` with `stock` units on hand."""
    if brand is not None:
        variant.setdefault("product__brand", brand)
    item = VariantFactory(**variant)
    PriceFactory(variant=item, store=store, amount=Decimal(amount))
    StockFactory(variant=item, store=store, quantity=stock)
    return item


@pytest.fixture
def shopper(db):
    return UserFactory(email="alex@example.com")


@pytest.fixture
def uk_variant(stores, brands):
    return make_variant(stores["uk"], amount="120.00", stock=5, brand=brands["poco"])
