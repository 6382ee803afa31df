"""The legacy loader of po.co products: POCO products in the shared category tree, with variants,
per-store prices and stock, images copied with checksum verification, and the legacy URLs kept.

- Brand: POCO (`brands.services.reference_data_ensure()` must have run: the run is refused otherwise).
- Category: the record's path (`Smartphones/POCO F Series`) is matched level by level by name (case-
  insensitive) or slug in the shared tree; missing levels are created (slug from the name).
- Prices and stock: portal global/uk/fr go to the store of that code, in its currency; `in` is not
  imported (POCO India keeps its own site). A price the store cannot keep exactly (more than two decimals,
  too many digits) quarantines the product rather than being rounded or failing the batch.
- Images: verified against their sha256 and stored once under their checksum (`legacy/products/<sha>.ext`),
  so a resumed or repeated import never stores a file twice; a missing or mismatching file is counted in
  the report's `files` totals and the product imports without it. A dry run verifies without copying.
- Legacy URLs: one `legacy.LegacyRedirect` row each, for the redirects middleware; plus rows for each
  portal's home page and the category pages of the products' categories (brands/legacy/redirects.py).
- A slug or SKU that an unrelated product of the store already uses is a `conflict` (nothing overwritten).

On update (content changed in the bundle, product untouched in the store) fields, variants, prices and
stock are upserted by SKU and the images replaced; variants gone from the bundle are kept (orders may
show them). The state hash leaves stock out: sales move it without anyone editing the product.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.utils.text import slugify

from brands.legacy.bulk import bulk_insert
from brands.legacy.entities import EXCLUDED_PORTAL
from brands.legacy.files import file_store_verified
from brands.legacy.limits import too_long, too_long_in, unfit_amount
from brands.legacy.loaders import (
    CONFLICT,
    CREATED,
    QUARANTINED,
    UPDATED,
    BatchResult,
    Item,
    Loaded,
    Loader,
    SetAside,
    register,
    rows_write,
    state_digest,
)
from brands.legacy.models import LegacyRedirect
from brands.legacy.redirects import catalog_page_redirects, legacy_slug_path
from brands.legacy.resolution import IMPORTED as RESOLVED_IMPORTED
from brands.legacy.schemas import Product as ProductRecord
from brands.legacy.schemas import Review as ReviewRecord
from brands.models import Brand, RegionalStore

from .cache import catalog_version_bump
from .models import Category, Price, Product, ProductImage, Review, ReviewReply, Stock, Variant

BRAND_SLUG = "poco"
PORTAL_STORES = ("global", "uk", "fr")
IMAGE_PREFIX = "legacy/products"


@register
class ProductsLoader(Loader):
    entity = "products"

    def preflight(self) -> str | None:
        missing = [code for code in PORTAL_STORES if not RegionalStore.objects.filter(code=code).exists()]
        if not Brand.objects.filter(slug=BRAND_SLUG).exists() or missing:
            return ("the POCO brand or the regional stores are missing: run brands.services.reference_data_ensure()"
                    " (e.g. `manage.py seed_store`) before importing products")
        return None

    def check(self, record: ProductRecord) -> SetAside | None:
        skus = [variant.sku for variant in record.variants]
        repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
        if repeated:
            return SetAside(QUARANTINED, f"SKU {', '.join(repeated)} repeated among its variants")
        for n, variant in enumerate(record.variants):
            for portal, amount in variant.prices.items():  # the `in` prices are not imported
                problem = portal != EXCLUDED_PORTAL and unfit_amount(
                    Price, f"variants[{n}].prices.{portal}", Decimal(amount), column="amount")
                if problem:
                    return SetAside(QUARANTINED, problem)
        return None

    def prepare(self) -> None:
        self.brand = Brand.objects.get(slug=BRAND_SLUG)
        self.stores = {store.code: store for store in RegionalStore.objects.filter(code__in=PORTAL_STORES)}
        self.categories = _CategoryTree()

    def load(self, items: list[Item]) -> BatchResult:
        files = {"copied": 0, "missing": 0, "mismatched": 0}
        outcomes: dict[str, Loaded] = {}
        new = [item for item in items if item.previous is None]
        changed = [item for item in items if item.previous is not None]
        taken_slugs = dict(Product.objects.filter(
            brand=self.brand, slug__in=[item.record.slug for item in items]).values_list("slug", "pk"))
        taken_skus = dict(Variant.objects.filter(
            sku__in=[v.sku for item in items for v in item.record.variants]).values_list("sku", "product_id"))

        products: dict[str, Product] = {}
        for item in new:
            record = item.record
            problem = self._collision(record, None, taken_slugs, taken_skus)
            if problem:
                outcomes[item.legacy_id] = Loaded(CONFLICT, reason=problem)
                continue
            products[item.legacy_id] = Product(brand=self.brand, **self._fields(record))
            taken_slugs[record.slug] = -1
            taken_skus.update((variant.sku, -1) for variant in record.variants)
        Product.objects.bulk_create(products.values(), batch_size=500)
        for legacy_id, product in products.items():
            outcomes[legacy_id] = Loaded(CREATED, product.pk, target_created=True)

        updated = Product.objects.in_bulk([item.previous.target_pk for item in changed])
        for item in changed:
            product = updated.get(item.previous.target_pk)
            problem = "its product was deleted from the store" if product is None else \
                self._collision(item.record, product.pk, taken_slugs, taken_skus)
            if problem:
                outcomes[item.legacy_id] = Loaded(CONFLICT, item.previous.target_pk, reason=problem)
                continue
            for name, value in self._fields(item.record).items():
                setattr(product, name, value)
            products[item.legacy_id] = product
        Product.objects.bulk_update(
            [products[item.legacy_id] for item in changed if item.legacy_id in products],
            ["slug", "name", "category", "description_html", "status"], batch_size=500,
        )
        for item in changed:
            if item.legacy_id in products:
                outcomes[item.legacy_id] = Loaded(UPDATED, item.previous.target_pk)

        records = {item.legacy_id: item.record for item in items if item.legacy_id in products}
        self._write_variants(records, products)
        self._write_images(records, products, files)
        self._write_redirects(records, products)
        catalog_version_bump()  # bulk writes send no signal: cached pages show the batch once it commits
        return BatchResult(outcomes, totals={"files": files})

    def _fields(self, record: ProductRecord) -> dict:
        return dict(slug=record.slug, name=record.name, category=self.categories.ensure(record.category),
                    description_html=record.description_html, status=record.status)

    @staticmethod
    def _collision(record, own_pk, taken_slugs, taken_skus) -> str:
        if taken_slugs.get(record.slug, own_pk) != own_pk:
            return f"slug {record.slug!r}: another POCO product of the store has it; nothing overwritten"
        skus = [variant.sku for variant in record.variants]
        clash = next((sku for sku in skus if taken_skus.get(sku, own_pk) != own_pk), None)
        if clash:
            return f"SKU {clash}: another product of the store has it; nothing overwritten"
        return ""

    def _write_variants(self, records: dict[str, ProductRecord], products: dict[str, Product]) -> None:
        existing = {v.sku: v for v in Variant.objects.filter(product__in=[p.pk for p in products.values()])}
        creates, updates = [], []
        for legacy_id, record in records.items():
            for position, spec in enumerate(record.variants):
                variant = existing.get(spec.sku)
                if variant is None:
                    creates.append(Variant(product=products[legacy_id], sku=spec.sku, attributes=spec.attributes,
                                           position=position))
                else:
                    variant.attributes, variant.position = spec.attributes, position
                    updates.append(variant)
        Variant.objects.bulk_create(creates, batch_size=1000)
        Variant.objects.bulk_update(updates, ["attributes", "position"], batch_size=1000)
        variants = {v.sku: v for v in creates + updates}
        prices, stock = [], []
        for record in records.values():
            for spec in record.variants:
                for portal, amount in spec.prices.items():
                    if portal != EXCLUDED_PORTAL:
                        store = self.stores[portal]
                        prices.append(Price(variant=variants[spec.sku], store=store, amount=Decimal(amount),
                                            currency=store.currency))
                for portal, quantity in spec.stock.items():
                    if portal != EXCLUDED_PORTAL:
                        stock.append(Stock(variant=variants[spec.sku], store=self.stores[portal], quantity=quantity))
        Price.objects.bulk_create(prices, batch_size=1000, update_conflicts=True,
                                  unique_fields=["variant", "store"], update_fields=["amount", "currency"])
        Stock.objects.bulk_create(stock, batch_size=1000, update_conflicts=True,
                                  unique_fields=["variant", "store"], update_fields=["quantity"])

    def _write_images(self, records: dict[str, ProductRecord], products: dict[str, Product], files: dict) -> None:
        ProductImage.objects.filter(product__in=[products[legacy_id].pk for legacy_id in records]).delete()
        rows = []
        for legacy_id, record in records.items():
            for position, image in enumerate(record.images):
                name = self._copy(image.path, image.sha256.lower(), files)
                if name:
                    rows.append(ProductImage(product=products[legacy_id], image=name, alt=image.alt[:200],
                                             sha256=image.sha256.lower(), position=position))
        ProductImage.objects.bulk_create(rows, batch_size=1000)

    def _copy(self, relative: str, sha256: str, files: dict) -> str | None:
        """The storage name of a verified image (stored unless it already is, or a dry run); None if bad."""
        path = self.context.bundle.attachment(relative)
        if path is None:
            files["missing"] += 1
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            files["mismatched"] += 1
            return None
        name = f"{IMAGE_PREFIX}/{sha256}{PurePosixPath(relative).suffix.lower()}"
        if not self.context.dry_run:
            file_store_verified(storage=default_storage, name=name, sha256=sha256,
                                open_source=lambda: open(path, "rb"))
        files["copied"] += 1
        return name

    def _write_redirects(self, records: dict[str, ProductRecord], products: dict[str, Product]) -> None:
        rows = {}
        for legacy_id, record in records.items():
            for url in record.legacy_urls:
                segment = url.split("://", 1)[-1].split("/")[1:2]
                rows[url] = LegacyRedirect(source_url=url, entity=self.entity, legacy_id=legacy_id,
                                           target_pk=products[legacy_id].pk,
                                           store_code=segment[0] if segment and segment[0] in self.stores else "")
        LegacyRedirect.objects.bulk_create(
            rows.values(), batch_size=1000, update_conflicts=True, unique_fields=["source_url"],
            update_fields=["entity", "legacy_id", "target_pk", "store_code"],
        )
        # The portals' home and category pages (rule 8); kept as edited in the admin once they exist.
        categories = {}
        for record in records.values():
            names = [name.strip() for name in record.category.split("/") if name.strip()]
            for depth in range(1, len(names) + 1):
                categories[legacy_slug_path(names[:depth])] = self.categories.ensure("/".join(names[:depth])).pk
        LegacyRedirect.objects.bulk_create(
            catalog_page_redirects(brand_pk=self.brand.pk, categories=categories), batch_size=1000,
            ignore_conflicts=True,
        )

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """What the catalog team edits: fields, category, variants with their prices, images (not stock)."""
        pks = list(pks)
        prices: dict[int, list] = {}
        for variant_id, store_id, amount in Price.objects.filter(variant__product__in=pks).order_by(
                "variant_id", "store_id").values_list("variant_id", "store_id", "amount"):
            prices.setdefault(variant_id, []).append((store_id, str(amount)))
        variants: dict[int, list] = {}
        for pk, product_id, sku, attributes in Variant.objects.filter(product__in=pks).order_by(
                "product_id", "sku").values_list("pk", "product_id", "sku", "attributes"):
            variants.setdefault(product_id, []).append((sku, attributes, prices.get(pk, [])))
        images: dict[int, list] = {}
        for product_id, sha, alt, position in ProductImage.objects.filter(product__in=pks).order_by(
                "product_id", "position", "pk").values_list("product_id", "sha256", "alt", "position"):
            images.setdefault(product_id, []).append((sha, alt, position))
        return {
            pk: state_digest(slug, name, description, status, category, variants.get(pk, []), images.get(pk, []))
            for pk, slug, name, description, status, category in Product.objects.filter(pk__in=pks).values_list(
                "pk", "slug", "name", "description_html", "status", "category_id")
        }


class _CategoryTree:
    """The shared category tree in memory (it is small); missing nodes are created as paths are asked for."""

    def __init__(self):
        self.by_name: dict[tuple[int | None, str], Category] = {}
        self.by_slug: dict[tuple[int | None, str], Category] = {}
        for category in Category.objects.all():
            self._remember(category)
        self.by_path: dict[str, Category] = {}

    def _remember(self, category: Category) -> None:
        self.by_name.setdefault((category.parent_id, category.name.casefold()), category)
        self.by_slug[(category.parent_id, category.slug)] = category

    def ensure(self, path: str) -> Category:
        if path in self.by_path:
            return self.by_path[path]
        parent = None
        for name in (part.strip() for part in path.split("/") if part.strip()):
            key_parent = parent.pk if parent else None
            slug = slugify(name) or "category"
            node = self.by_name.get((key_parent, name.casefold())) or self.by_slug.get((key_parent, slug))
            if node is None:
                node = Category.objects.create(
                    parent=parent, name=name, slug=slug, path=f"{parent.path}/{slug}" if parent else slug,
                    depth=parent.depth + 1 if parent else 0,
                )
                self._remember(node)
            parent = node
        if parent is None:
            raise ValueError(f"category path {path!r} names no category")
        self.by_path[path] = parent
        return parent


@register
class ReviewsLoader(Loader):
    """Reviews with their shop replies (contract rules 2 and 4).

    The product is a hard reference (the engine sets aside a review of a quarantined or excluded product);
    the customer a soft one: the review is linked to the account its customer became, and to no account
    when that customer is unknown, excluded (India), quarantined or erased, keeping only its `author_name`
    then. Rating, title, body (plain text, escaped on display), language, status, verified-purchase mark
    and timestamps are kept as they are. On update the fields are rewritten and the replies replaced; the
    state hash covers what moderators edit (status, texts, replies), not the account link.
    """

    entity = "reviews"

    def check(self, record: ReviewRecord) -> SetAside | None:
        problem = too_long(Review, {"author_name": record.author_name, "title": record.title}) \
            or too_long_in(ReviewReply, record.replies, "replies", ("author_name",))
        return SetAside(QUARANTINED, problem) if problem else None

    def load(self, items: list[Item]) -> BatchResult:
        products = self.context.resolution.of("products", (item.record.product_legacy_id for item in items))
        customers = self.context.resolution.of("customers", (item.record.customer_legacy_id for item in items))
        fields_of = []
        for item in items:
            record = item.record
            customer = customers.get(record.customer_legacy_id) if record.customer_legacy_id else None
            fields_of.append((item, dict(
                product_id=products.get(record.product_legacy_id).target_pk,
                user_id=customer.target_pk if customer is not None and customer.state == RESOLVED_IMPORTED else None,
                author_name=record.author_name, rating=record.rating, title=record.title, body=record.body,
                language=record.language, status=record.status, verified_purchase=record.verified_purchase,
                created_at=record.created_at,
            )))
        written = rows_write(Review, fields_of, update_fields=REVIEW_FIELDS, children=[(ReviewReply, "review")])
        reviews = written.rows
        bulk_insert([
            ReviewReply(review_id=reviews[item.legacy_id].pk, author_name=reply.author_name, body=reply.body,
                        created_at=reply.created_at)
            for item in items for reply in item.record.replies
        ])
        outcomes = written.outcomes()
        catalog_version_bump()  # bulk writes send no signal: cached pages show the batch once it commits
        return BatchResult(outcomes)

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """What moderators edit: status, rating, texts, and the replies."""
        pks = list(pks)
        replies: dict[int, list] = {}
        for review_id, author, body, created_at in ReviewReply.objects.filter(review__in=pks).order_by(
                "review_id", "created_at", "pk").values_list("review_id", "author_name", "body", "created_at"):
            replies.setdefault(review_id, []).append((author, body, created_at.isoformat()))
        return {
            pk: state_digest(status, rating, author, title, body, replies.get(pk, []))
            for pk, status, rating, author, title, body in Review.objects.filter(pk__in=pks).values_list(
                "pk", "status", "rating", "author_name", "title", "body")
        }


REVIEW_FIELDS = ["product", "user", "author_name", "rating", "title", "body", "language", "status",
                 "verified_purchase", "created_at"]
