from decimal import Decimal

import pytest

from storefront.orders import pricing
from storefront.orders.pricing import CouponAdjustment, PricedLine


def line(amount, quantity=1, variant_id=1):
    return PricedLine(variant_id=variant_id, product_id=1, brand_id=1, category_path="phones", sku="SKU",
                      name="Phone", unit_price=Decimal(amount), quantity=quantity)


def test_uk_prices_include_vat_which_is_shown_not_added(stores):
    amounts = pricing.order_amounts(store=stores["uk"], lines=[line("30.00", 2)])

    assert amounts.subtotal == Decimal("60.00")
    assert amounts.shipping == Decimal("0.00")  # free from 50.00 in uk
    assert amounts.tax_included and amounts.tax == Decimal("10.00")  # 60 contains 10 of VAT at 20 %
    assert amounts.total == Decimal("60.00")


def test_global_store_adds_its_tax_rate_on_top(stores, settings):
    settings.ORDERS_TAX_ADDED = {"global": "0.10"}
    amounts = pricing.order_amounts(store=stores["global"], lines=[line("40.00")])

    assert amounts.shipping == Decimal("9.99")  # below the 100.00 threshold
    assert not amounts.tax_included and amounts.tax == Decimal("5.00")  # 10 % of 49.99, rounded half up
    assert amounts.total == Decimal("54.99")


def test_no_tax_line_where_the_added_rate_is_zero(stores):
    amounts = pricing.order_amounts(store=stores["in"], lines=[line("6000.00")])

    assert amounts.tax == Decimal("0.00") and amounts.total == Decimal("6000.00")


def test_shipping_threshold_counts_the_goods_after_the_coupon(stores):
    coupon = lambda lines: CouponAdjustment(code="TEN", discount=Decimal("10.00"))  # noqa: E731
    amounts = pricing.order_amounts(store=stores["uk"], lines=[line("55.00")], coupon=coupon)

    assert amounts.discount == Decimal("10.00") and amounts.shipping == Decimal("4.99")
    assert amounts.total == Decimal("49.99")


def test_a_free_shipping_coupon_and_a_coupon_larger_than_the_goods(stores):
    coupon = lambda lines: CouponAdjustment(code="BIG", discount=Decimal("500.00"), free_shipping=True)  # noqa: E731
    amounts = pricing.order_amounts(store=stores["global"], lines=[line("20.00")], coupon=coupon)

    assert amounts.discount == Decimal("20.00") and amounts.shipping == Decimal("0.00")
    assert amounts.total == Decimal("0.00")


def test_points_never_pay_more_than_the_order(stores):
    store = stores["global"]
    amounts = pricing.order_amounts(
        store=store, lines=[line("20.00")],
        points=lambda most: pricing.points_to_use(store, requested=1_000_000, most=most),
    )

    assert amounts.points == 2999 and amounts.points_amount == Decimal("29.99")  # 20.00 + 9.99 shipping
    assert amounts.total == Decimal("0.00")


def test_points_convert_at_the_store_rate(stores):
    assert pricing.points_to_use(stores["uk"], requested=250, most=Decimal("100")).amount == Decimal("2.50")
    assert pricing.points_to_use(stores["in"], requested=250, most=Decimal("100")).points == 100
    assert pricing.points_earned(stores["uk"], Decimal("59.99")) == 59
    assert pricing.points_earned(stores["in"], Decimal("5999.00")) == 59


def test_a_points_port_that_pays_too_much_is_a_programming_error(stores):
    too_much = lambda most: pricing.PointsAdjustment(points=10_000, amount=most + 1)  # noqa: E731
    with pytest.raises(ValueError):
        pricing.order_amounts(store=stores["uk"], lines=[line("20.00")], points=too_much)


def test_a_store_missing_from_the_shipping_settings_is_named(stores, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.ORDERS_FREE_SHIPPING_FROM = {"uk": "50"}
    with pytest.raises(ImproperlyConfigured, match="ORDERS_FREE_SHIPPING_FROM.*'fr'"):
        pricing.order_amounts(store=stores["fr"], lines=[line("20.00")])
