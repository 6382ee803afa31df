"""Factories for the models every app's tests build on. App-specific ones live beside their tests."""

from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify

from brands.models import Brand, RegionalStore
from storefront.accounts.models import Address, User
from storefront.catalog.models import Category, Price, Product, Review, Stock, Variant
from storefront.orders.models import Order, OrderLine


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Shopper{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    name = "Alex Shopper"
    line1 = "1 High Street"
    city = "Leeds"
    postcode = "LS1 1AA"
    country = "GB"


def get_store(code="global") -> RegionalStore:
    return RegionalStore.objects.get(code=code)


def get_brand(slug="poco") -> Brand:
    return Brand.objects.get(slug=slug)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    path = factory.LazyAttribute(lambda o: f"{o.parent.path}/{o.slug}" if o.parent else o.slug)
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)
    parent = None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    brand = factory.LazyFunction(get_brand)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"POCO Phone {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description_html = "<p>A phone.</p>"
    created_at = factory.LazyFunction(timezone.now)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    attributes = factory.LazyFunction(lambda: {"color": "Black", "storage": "8GB+256GB"})


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price

    variant = factory.SubFactory(VariantFactory)
    store = factory.LazyFunction(get_store)
    amount = Decimal("299.00")
    currency = factory.LazyAttribute(lambda o: o.store.currency)


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock

    variant = factory.SubFactory(VariantFactory)
    store = factory.LazyFunction(get_store)
    quantity = 10


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    author_name = "Sam"
    rating = 5
    title = "Great"
    body = "Works well."
    status = Review.Status.PUBLISHED


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"MI-GLOBAL-{n:08d}")
    store = factory.LazyFunction(get_store)
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "guest@example.com")
    currency = factory.LazyAttribute(lambda o: o.store.currency)
    total = Decimal("0.00")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = "A product"
    quantity = 1
    unit_price = Decimal("10.00")
