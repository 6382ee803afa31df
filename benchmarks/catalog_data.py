"""A synthetic catalog of any size, written with `bulk_create` in batches, for the benchmark and the
query-count tests at scale.

`catalog_ensure(products=N)` tops the generated catalog up to N products spread evenly over the three
brands and a small category tree, so a test can measure at 200 products, grow to 2,000 and measure again.
Each product gets two variants, a price and a stock row per store that serves its brand (POCO has none in
`in`, which sends POCO shoppers to poco.in), one image row, and every fifth product three reviews (two
published, one pending). Values come from a seeded `random.Random`, so two runs build the same catalog.
Image rows name files that are not written: the benchmark measures the HTML, never the images.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from brands.models import Brand, BrandAvailability, RegionalStore
from brands.services import reference_data_ensure
from storefront.catalog.cache import catalog_version_bump
from storefront.catalog.models import Category, Price, Product, ProductImage, Review, Stock, Variant

SKU_PREFIX = "GEN-"  # marks generated products, so the catalog can be topped up and counted
CATEGORY_TREE = {
    # root slug, root name: [(child slug, child name), ...]
    ("phones", "Phones"): [("flagship", "Flagship"), ("mid-range", "Mid-range"), ("entry", "Entry")],
    ("tablets", "Tablets"): [],
    ("wearables", "Wearables"): [("watches", "Watches"), ("bands", "Bands")],
    ("audio", "Audio"): [("earbuds", "Earbuds")],
    ("smart-home", "Smart home"): [("cameras", "Cameras"), ("vacuums", "Vacuums")],
}
COLOURS = ("Black", "Blue", "Green", "Silver", "Yellow", "White")
STORAGES = ("8GB+256GB", "12GB+256GB", "12GB+512GB", "16GB+1TB")
# Rough exchange rates from the USD price of the `global` store.
RATES = {"USD": Decimal("1"), "GBP": Decimal("0.79"), "EUR": Decimal("0.92"), "INR": Decimal("83")}
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
SEED = 20240601


@dataclass(frozen=True)
class CatalogSize:
    """What `catalog_ensure` left in the database."""

    products: int
    variants: int
    prices: int


def category_leaves() -> list[Category]:
    """Creates the generator's category tree if missing; returns the categories products are put in."""
    leaves = []
    for position, ((slug, name), children) in enumerate(CATEGORY_TREE.items()):
        root, _ = Category.objects.get_or_create(
            parent=None, slug=slug, defaults={"name": name, "path": slug, "depth": 0, "position": position}
        )
        if not children:
            leaves.append(root)
        for child_position, (child_slug, child_name) in enumerate(children):
            child, _ = Category.objects.get_or_create(
                parent=root, slug=child_slug,
                defaults={"name": child_name, "path": f"{slug}/{child_slug}", "depth": 1,
                          "position": child_position},
            )
            leaves.append(child)
    return leaves


def generated_product_count() -> int:
    return Product.objects.filter(variants__sku__startswith=SKU_PREFIX, variants__position=0).count()


def catalog_ensure(*, products: int, batch_size: int = 2000, progress=None) -> CatalogSize:
    """Tops the generated catalog up to `products` products (never removes any).

    `progress`, if given, is called with the number of products written so far after each batch.
    Raises ValueError for a negative size or batch size.
    """
    if products < 0:
        raise ValueError(f"products must be 0 or more, not {products}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    reference_data_ensure()
    leaves = category_leaves()
    brands = list(Brand.objects.order_by("position", "slug"))
    served = _served_stores(brands)
    start = generated_product_count()
    for first in range(start, products, batch_size):
        last = min(first + batch_size, products)
        _write_batch(range(first, last), brands=brands, leaves=leaves, served=served)
        if progress:
            progress(last)
    return CatalogSize(
        products=generated_product_count(),
        variants=Variant.objects.filter(sku__startswith=SKU_PREFIX).count(),
        prices=Price.objects.filter(variant__sku__startswith=SKU_PREFIX).count(),
    )


def _served_stores(brands) -> dict[int, list[RegionalStore]]:
    """brand id -> the stores that serve it (and so price and stock it)."""
    served = {brand.pk: [] for brand in brands}
    availabilities = BrandAvailability.objects.filter(mode=BrandAvailability.Mode.SERVED).select_related("store")
    for availability in availabilities:
        served[availability.brand_id].append(availability.store)
    return served


@transaction.atomic
def _write_batch(indexes: range, *, brands, leaves, served) -> None:
    """Products `indexes` with their variants, prices, stock, images and reviews: six bulk inserts, which send
    no signal, so the batch bumps the catalog version itself (cached pages show it once it commits)."""
    rng = random.Random(SEED + indexes.start)
    products = []
    for i in indexes:
        brand = brands[i % len(brands)]
        series = "FXM"[(i // len(brands)) % 3]
        name = f"{brand.name} {series}{i % 97} Model {i:05d}"
        products.append(Product(
            brand=brand, category=leaves[(i // len(brands)) % len(leaves)], name=name,
            slug=f"{brand.slug}-{series.lower()}{i % 97}-model-{i:05d}",
            description_html=f"<p>{name}: a generated product for benchmarks.</p>",
            created_at=EPOCH + timedelta(hours=i),
        ))
    Product.objects.bulk_create(products, batch_size=500)

    variants = [
        Variant(product_id=product.pk, sku=f"{SKU_PREFIX}{i:06d}-{position}", position=position,
                attributes={"color": rng.choice(COLOURS), "storage": rng.choice(STORAGES)})
        for i, product in zip(indexes, products, strict=True)
        for position in range(2)
    ]
    Variant.objects.bulk_create(variants, batch_size=500)

    brand_of = {product.pk: product.brand_id for product in products}
    prices, stock = [], []
    for variant in variants:
        usd = Decimal(rng.randrange(9900, 129900)) / 100
        for store in served[brand_of[variant.product_id]]:
            amount = (usd * RATES[store.currency]).quantize(Decimal("0.01"))
            prices.append(Price(variant_id=variant.pk, store_id=store.pk, amount=amount, currency=store.currency))
            stock.append(Stock(variant_id=variant.pk, store_id=store.pk, quantity=rng.choice((0, 3, 12, 40))))
    Price.objects.bulk_create(prices, batch_size=1000)
    Stock.objects.bulk_create(stock, batch_size=1000)

    ProductImage.objects.bulk_create(
        [ProductImage(product_id=product.pk, image=f"products/{product.slug}.jpg", alt=product.name)
         for product in products],
        batch_size=1000,
    )
    reviews = [
        Review(product_id=product.pk, author_name=f"Shopper {i}-{n}", rating=rng.randint(1, 5), title="Review",
               body="Generated review text.", status=status, created_at=product.created_at + timedelta(days=n + 1))
        for i, product in zip(indexes, products, strict=True) if i % 5 == 0
        for n, status in enumerate((Review.Status.PUBLISHED, Review.Status.PUBLISHED, Review.Status.PENDING))
    ]
    Review.objects.bulk_create(reviews, batch_size=1000)
    catalog_version_bump()
