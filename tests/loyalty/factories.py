"""Factories for loyalty tests. Points are always credited through the services, never as raw rows."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from loyalty.models import Coupon, CouponAlias


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"SAVE{n:04d}")
    kind = Coupon.Kind.FIXED
    value = Decimal("5.00")
    currency = "USD"
    min_order_amount = Decimal("0.00")
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    @factory.post_generation
    def stores(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.stores.set(extracted)

    @factory.post_generation
    def brands(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.brands.set(extracted)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)


class CouponAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponAlias

    coupon = factory.SubFactory(CouponFactory)
    code = factory.Sequence(lambda n: f"OLD{n:04d}")
