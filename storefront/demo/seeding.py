"""Fills a store with the demo data: the shared category tree, Xiaomi and Redmi products with variants,
prices in each store's currency, stock and a picture each, a few existing customers, agents and an admin.

Everything is written set-wise (`bulk_create` in batches, a handful of queries in all) inside one
transaction; pictures go through the default file storage and are deleted again if the transaction fails,
so a failed seed leaves nothing behind.
"""

import hashlib
import html
import random
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from brands.models import Brand, RegionalStore
from brands.services import reference_data_ensure
from storefront.accounts.models import Address
from storefront.accounts.services import user_make_admin, user_make_support_agent
from storefront.catalog.cache import catalog_version_bump
from storefront.catalog.models import Category, Price, Product, ProductImage, Stock, Variant

from .images import product_image_png
from .lineup import CATEGORY_TREE, RATES_PER_USD, ProductSpec, lineup, store_price, variants_for
from .people import ADMIN, PEOPLE, SUPPORT_AGENT, PersonSpec

DEFAULT_SEED = 2024
BATCH_SIZE = 500
# Launch dates count back from this fixed day, so a seed gives the same store whenever it runs.
LINEUP_DAY = datetime(2025, 6, 1, tzinfo=UTC)
# A generation this many behind its family's newest is no longer sold (its page stays).
DISCONTINUED_AFTER_GENERATIONS = 4

PITCH = {
    "phone": "Flagship-grade camera, all-day battery and fast HyperCharge.",
    "tablet": "A large, smooth display for work, study and films.",
    "laptop": "Thin, light and quick, with a sharp screen.",
    "device": "Light, comfortable, and made to go with your phone.",
    "appliance": "Smart and simple, controlled from the Xiaomi Home app.",
}


@dataclass(frozen=True)
class StoreContents:
    """What a store already holds, as far as seeding is concerned."""

    products: int
    customers: int
    staff: int

    @property
    def is_empty(self) -> bool:
        return not (self.products or self.customers or self.staff)

    def __str__(self):
        return f"{self.products} products, {self.customers} customers, {self.staff} staff accounts"


@dataclass
class SeedReport:
    """How many rows a seed wrote, per kind."""

    categories: int = 0
    products: int = 0
    variants: int = 0
    prices: int = 0
    stock: int = 0
    images: int = 0
    customers: int = 0
    addresses: int = 0
    staff: int = 0
    # Left as they were, being in the store already (with `add`): products by brand and slug, SKUs, e-mails.
    kept_products: int = 0
    kept_skus: int = 0
    kept_accounts: int = 0


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str


class StoreNotEmpty(Exception):
    """Seeding was asked of a store that already holds products or accounts."""

    def __init__(self, contents: StoreContents):
        self.contents = contents
        super().__init__(f"The store is not empty: it holds {contents}.")


def product_slug(name: str) -> str:
    """`Redmi Note 13 Pro+ 5G` -> `redmi-note-13-pro-plus-5g` (a bare slugify would drop the `+`)."""
    return slugify(name.replace("+", " plus "))


def store_contents() -> StoreContents:
    users = get_user_model().objects
    return StoreContents(
        products=Product.objects.count(),
        customers=users.filter(is_staff=False).count(),
        staff=users.filter(is_staff=True).count(),
    )


def demo_logins() -> list[DemoLogin]:
    """The demo people's logins, for those whose account exists."""
    existing = set(get_user_model().objects.filter(email__in=[p.email for p in PEOPLE]).values_list("email", flat=True))
    return [DemoLogin(p.email, p.password, p.role) for p in PEOPLE if p.email in existing]


def store_seed(*, seed: int = DEFAULT_SEED, product_count: int | None = None, add: bool = False) -> SeedReport:
    """Seeds the demo store; the same seed gives the same store.

    Refuses (StoreNotEmpty) a store holding products or accounts unless `add`; with `add`, products
    (by brand and slug), SKUs and accounts (by e-mail) that exist already are left as they are.
    `product_count` picks that many products of the line-up (all of it by default).
    """
    contents = store_contents()
    if not add and not contents.is_empty:
        raise StoreNotEmpty(contents)
    specs = lineup()
    rng = random.Random(seed)
    if product_count is not None:
        if not 0 <= product_count <= len(specs):
            raise ValueError(f"product_count must be between 0 and {len(specs)}, not {product_count}.")
        specs = sorted(rng.sample(specs, product_count), key=lambda spec: spec.number)

    report = SeedReport()
    saved_files: list[str] = []
    try:
        # Password hashes are slow by design (a good fraction of a second each) and hashlib releases the
        # GIL: threads compute them while the catalog is being written.
        with ThreadPoolExecutor(max_workers=2) as pool, transaction.atomic():
            hashing = {person.email: pool.submit(make_password, person.password) for person in PEOPLE}
            reference_data_ensure()
            categories = _categories_ensure(report)
            _products_create(specs, categories, rng, report, saved_files)
            _people_create(report, {email: future.result() for email, future in hashing.items()})
            catalog_version_bump()  # bulk inserts send no signal: cached pages show the seed once it commits
    except BaseException:
        for name in saved_files:
            default_storage.delete(name)
        raise
    return report


def _categories_ensure(report: SeedReport) -> dict[tuple[str, ...], Category]:
    """The shared tree, level by level: one query for what exists, one insert per level."""
    existing = {category.path: category for category in Category.objects.all()}
    by_names: dict[tuple[str, ...], Category] = {}
    levels = [[((root,), None) for root, _ in CATEGORY_TREE],
              [((root, child), (root,)) for root, children in CATEGORY_TREE for child in children]]
    for depth, level in enumerate(levels):
        new = []
        for position, (names, parent_names) in enumerate(level):
            parent = by_names[parent_names] if parent_names else None
            path = "/".join(slugify(name) for name in names)
            if path in existing:
                by_names[names] = existing[path]
                continue
            category = Category(parent=parent, name=names[-1], slug=slugify(names[-1]), path=path,
                                depth=depth, position=position)
            by_names[names] = category
            new.append(category)
        Category.objects.bulk_create(new, batch_size=BATCH_SIZE)
        report.categories += len(new)
    return by_names


def _launch_dates(specs: list[ProductSpec], rng: random.Random) -> tuple[list[datetime], list[bool]]:
    """Launch date and discontinued flag per product: newer generations launched later."""
    newest: dict[tuple[str, tuple[str, ...]], int] = {}
    for spec in lineup():
        key = (spec.brand, spec.category)
        newest[key] = max(newest.get(key, 0), spec.generation)
    dates, discontinued = [], []
    for spec in specs:
        behind = newest[(spec.brand, spec.category)] - spec.generation if spec.generation else 0
        dates.append(LINEUP_DAY - timedelta(days=behind * 300 + rng.randint(0, 250), minutes=rng.randint(0, 1439)))
        discontinued.append(behind >= DISCONTINUED_AFTER_GENERATIONS)
    return dates, discontinued


def _products_create(specs: list[ProductSpec], categories, rng: random.Random, report: SeedReport,
                     saved_files: list[str]) -> None:
    brands = {brand.slug: brand for brand in Brand.objects.filter(slug__in={spec.brand for spec in specs})}
    taken = set(Product.objects.filter(brand__slug__in=brands).values_list("brand__slug", "slug"))
    new_specs = [spec for spec in specs if (spec.brand, product_slug(spec.name)) not in taken]
    report.kept_products = len(specs) - len(new_specs)
    specs = new_specs
    dates, discontinued = _launch_dates(specs, rng)
    products = Product.objects.bulk_create(
        [
            Product(
                brand=brands[spec.brand], category=categories[spec.category], slug=product_slug(spec.name),
                name=spec.name, created_at=created_at,
                description_html=f"<p>{html.escape(spec.name)}. {PITCH[spec.kind]}</p>",
                status=Product.Status.DISCONTINUED if is_discontinued else Product.Status.ACTIVE,
            )
            for spec, created_at, is_discontinued in zip(specs, dates, discontinued, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    report.products = len(products)

    variant_specs = [(product, variants_for(spec, rng)) for spec, product in zip(specs, products, strict=True)]
    all_skus = [v.sku for _, variants in variant_specs for v in variants]
    taken_skus = set(Variant.objects.filter(sku__in=all_skus).values_list("sku", flat=True))
    report.kept_skus = len(taken_skus)
    rows, list_prices = [], []
    for product, variants in variant_specs:
        for position, spec in enumerate(v for v in variants if v.sku not in taken_skus):
            rows.append(Variant(product=product, sku=spec.sku, attributes=spec.attributes, position=position))
            list_prices.append(spec.usd)
    variants = Variant.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    report.variants = len(variants)

    stores = list(RegionalStore.objects.filter(currency__in=RATES_PER_USD))
    prices = [
        Price(variant=variant, store=store, amount=store_price(usd, store.currency), currency=store.currency)
        for variant, usd in zip(variants, list_prices, strict=True)
        for store in stores
    ]
    stock = [
        Stock(variant=variant, store=store, quantity=0 if rng.random() < 0.1 else rng.randint(1, 80))
        for variant in variants
        for store in stores
    ]
    report.prices = len(Price.objects.bulk_create(prices, batch_size=BATCH_SIZE))
    report.stock = len(Stock.objects.bulk_create(stock, batch_size=BATCH_SIZE))
    report.images = len(ProductImage.objects.bulk_create(
        _product_images(specs, products, brands, saved_files), batch_size=BATCH_SIZE
    ))


def _product_images(specs: Iterable[ProductSpec], products: Iterable[Product], brands: dict[str, Brand],
                    saved_files: list[str]) -> list[ProductImage]:
    images = []
    for spec, product in zip(specs, products, strict=True):
        brand = brands[spec.brand]
        png = product_image_png(name=spec.name, kind=spec.kind, background=brand.primary_colour,
                                foreground=brand.accent_colour)
        name = default_storage.save(f"products/{spec.brand}/{product.slug}.png", ContentFile(png))
        saved_files.append(name)
        images.append(ProductImage(product=product, image=name, alt=spec.name,
                                   sha256=hashlib.sha256(png).hexdigest()))
    return images


def _people_create(report: SeedReport, password_hashes: dict[str, str]) -> None:
    """Accounts for the demo people not yet in the store, with their addresses and roles.

    Roles come from the accounts services (staff in the "Support agents" or "Admins" group); the people
    are few, so a few queries each is fine.
    """
    User = get_user_model()
    existing = set(User.objects.filter(email__in=[p.email for p in PEOPLE]).values_list("email", flat=True))
    report.kept_accounts = len(existing)
    people = [person for person in PEOPLE if person.email not in existing]
    stores = dict(RegionalStore.objects.values_list("code", "pk"))
    users = User.objects.bulk_create([_user(person, password_hashes[person.email], stores) for person in people])
    addresses = [
        Address(user=user, is_default=position == 0, name=a.name, line1=a.line1, city=a.city, postcode=a.postcode,
                country=a.country, phone=a.phone)
        for user, person in zip(users, people, strict=True)
        for position, a in enumerate(person.addresses)
    ]
    report.addresses = len(Address.objects.bulk_create(addresses, batch_size=BATCH_SIZE))
    for user, person in zip(users, people, strict=True):
        if person.role == SUPPORT_AGENT:
            user_make_support_agent(user=user)
        elif person.role == ADMIN:
            user_make_admin(user=user)
    report.customers = sum(not user.is_staff for user in users)
    report.staff = sum(user.is_staff for user in users)


def _user(person: PersonSpec, password_hash: str, stores: dict[str, int]):
    return get_user_model()(
        email=person.email, password=password_hash, first_name=person.first_name, last_name=person.last_name,
        preferred_store_id=stores.get(person.store), preferred_language=person.language,
    )
