"""Catalog reads shared by the shopper pages and the API.

Every list here runs a fixed number of queries whatever its length: per-row figures (lowest price in the
store, stock state, rating) are correlated subqueries in the one SQL statement, and related rows come by
`select_related`/`prefetch_related`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from brands.models import Brand, BrandAvailability, RegionalStore

from .models import Category, Price, Product, ProductImage, Review, Stock, Variant

SORTS = ("relevance", "price", "-price", "newest", "name")


@dataclass
class ProductQuery:
    """What a shopper asked a listing for; every field is optional. Built by forms and API filters."""

    q: str = ""
    brand: str | None = None  # brand slug
    category: Category | None = None  # includes its descendants
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    attributes: dict[str, str] = field(default_factory=dict)  # e.g. {"color": "Black"}
    sort: str = "relevance"


def _published_reviews():
    return Review.objects.filter(product=OuterRef("pk"), status=Review.Status.PUBLISHED)


def with_store_figures(products: QuerySet, *, store: RegionalStore) -> QuerySet:
    """Annotates `price_from`, `in_stock`, `rating_average` and `review_count` for one store."""
    prices = Price.objects.filter(variant__product=OuterRef("pk"), store=store).order_by("amount")
    reviews = _published_reviews().order_by().values("product")
    return products.annotate(
        price_from=Subquery(prices.values("amount")[:1]),
        in_stock=Exists(Stock.objects.filter(variant__product=OuterRef("pk"), store=store, quantity__gt=0)),
        rating_average=Subquery(reviews.annotate(avg=Avg("rating")).values("avg")[:1]),
        review_count=Coalesce(
            Subquery(reviews.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0)
        ),
    )


def category_with_descendants(category: Category) -> Q:
    return Q(category=category) | Q(category__path__startswith=f"{category.path}/")


def listed_products(*, store: RegionalStore, query: ProductQuery | None = None) -> QuerySet[Product]:
    """Products a store lists: active, of a brand it serves itself, with a price there; filtered and sorted.

    Brands a store sends elsewhere (POCO in `in`) are never listed; discontinued products keep their
    page but are not listed.
    """
    query = query or ProductQuery()
    served_brands = BrandAvailability.objects.filter(store=store, mode=BrandAvailability.Mode.SERVED)
    products = Product.objects.filter(
        status=Product.Status.ACTIVE,
        brand__in=served_brands.values("brand"),
    ).filter(Exists(Price.objects.filter(variant__product=OuterRef("pk"), store=store)))
    if query.brand:
        products = products.filter(brand__slug=query.brand)
    if query.category is not None:
        products = products.filter(category_with_descendants(query.category))
    for name, value in query.attributes.items():
        products = products.filter(
            Exists(Variant.objects.filter(product=OuterRef("pk"), **{f"attributes__{name}": value}))
        )
    for word in query.q.split():
        # Each word must be in the name, the brand's or the category's name, or be a variant's SKU. The brand,
        # category and SKU matches are uncorrelated subqueries the database runs once, not once per product.
        products = products.filter(
            Q(name__icontains=word)
            | Q(brand__in=Brand.objects.filter(name__icontains=word).values("pk"))
            | Q(category__in=Category.objects.filter(name__icontains=word).values("pk"))
            | Q(pk__in=Variant.objects.filter(sku__iexact=word).values("product"))
        )
    products = with_store_figures(products, store=store)
    if query.price_min is not None:
        products = products.filter(price_from__gte=query.price_min)
    if query.price_max is not None:
        products = products.filter(price_from__lte=query.price_max)
    return _sorted(products, query).select_related("brand", "category").prefetch_related(_first_images())


def _sorted(products: QuerySet, query: ProductQuery) -> QuerySet:
    sort = query.sort if query.sort in SORTS else "relevance"
    if sort == "price":
        return products.order_by("price_from", "pk")
    if sort == "-price":
        return products.order_by("-price_from", "pk")
    if sort == "newest":
        return products.order_by("-created_at", "-pk")
    if sort == "relevance" and query.q:
        # A product whose name holds the whole query ranks first, then the rest by name.
        return products.alias(
            name_hit=Case(When(name__icontains=query.q, then=Value(True)), default=Value(False),
                          output_field=BooleanField())
        ).order_by("-name_hit", "name", "pk")
    return products.order_by("name", "pk")


class PageFiguresPaginator(Paginator):
    """Counts and slices the listing on product ids alone; only the rows of the page get their figures.

    A database computes a row's select-list subqueries (price, stock, rating) before it sorts, so slicing
    the annotated listing would compute them for every matching product. Here the page is the listing
    filtered to the ids of the sliced, unannotated listing: same rows, same order, same single query.
    """

    def _get_page(self, object_list, number, paginator):
        page_rows = self.object_list.filter(pk__in=object_list.values("pk"))
        return super()._get_page(page_rows, number, paginator)


def listed_products_page(*, store: RegionalStore, query: ProductQuery, number, per_page: int) -> Page:
    """One page of `listed_products` (two queries: the count, then the page; plus the images' prefetch).

    A number past the end gives the last page, a number that is not one the first (Paginator.get_page).
    """
    return PageFiguresPaginator(listed_products(store=store, query=query), per_page).get_page(number)


def _first_images() -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"), to_attr="image_list")


def product_detail(*, store: RegionalStore, brand_slug: str, slug: str) -> Product | None:
    """A product's page data in a store, discontinued ones included (old orders and reviews link to them).

    Variants come with this store's price and stock; published reviews with their replies.
    """
    variants = Variant.objects.order_by("position", "id").prefetch_related(
        Prefetch("prices", queryset=Price.objects.filter(store=store), to_attr="store_prices"),
        Prefetch("stock", queryset=Stock.objects.filter(store=store), to_attr="store_stock"),
    )
    reviews = (
        Review.objects.filter(status=Review.Status.PUBLISHED)
        .order_by("-created_at", "-id")
        .prefetch_related("replies")
    )
    products = (
        with_store_figures(Product.objects.filter(brand__slug=brand_slug, slug=slug), store=store)
        .select_related("brand", "category")
        .prefetch_related(
            Prefetch("variants", queryset=variants),
            Prefetch("reviews", queryset=reviews, to_attr="published_reviews"),
            _first_images(),
        )
    )
    return products.first()


def category_by_path(path: str) -> Category | None:
    return Category.objects.filter(path=path.strip("/")).first()


def category_tree() -> list[Category]:
    """The whole tree in path order (one query); templates indent by `depth`."""
    return list(Category.objects.order_by("path"))


# --- Shopper-page reads ---------------------------------------------------------------------------

FACET_ATTRIBUTES = ("color", "storage")


def attribute_values(products: QuerySet[Product], names=FACET_ATTRIBUTES) -> dict[str, list[str]]:
    """The distinct values each variant attribute takes among `products` (one query per name).

    Filters offer these, so the database does the `DISTINCT`; the count of queries depends on the number
    of attribute names, never on the size of the catalog.
    """
    product_ids = products.order_by().values("pk")
    values = {}
    for name in names:
        rows = (
            Variant.objects.filter(product__in=product_ids, attributes__has_key=name)
            .order_by(f"attributes__{name}")
            .values_list(f"attributes__{name}", flat=True)
            .distinct()
        )
        values[name] = [str(value) for value in rows if value not in (None, "")]
    return values


def _ancestor_paths(paths) -> set[str]:
    """Every path and each of its ancestors' paths: `a/b/c` gives `a`, `a/b`, `a/b/c`."""
    found = set()
    for path in paths:
        parts = path.split("/")
        found.update("/".join(parts[: depth + 1]) for depth in range(len(parts)))
    return found


def category_ancestors(category: Category) -> list[Category]:
    """The category's ancestors from the root down, the category last (one query, through `path`)."""
    return list(Category.objects.filter(path__in=_ancestor_paths([category.path])).order_by("depth"))


def categories_with_listed_products(*, store: RegionalStore, brand_slug: str) -> list[Category]:
    """The categories holding products of a brand that `store` lists, with their ancestors, in tree order.

    Two queries: the paths of the categories that hold listed products, then those and their ancestors.
    The first asks each category whether it holds one (EXISTS stops at the first product found) rather
    than reading every listed product of the brand.
    """
    listed = listed_products(store=store, query=ProductQuery(brand=brand_slug))
    holding = Category.objects.filter(Exists(listed.filter(category=OuterRef("pk"))))
    paths = holding.values_list("path", flat=True)
    return list(Category.objects.filter(path__in=_ancestor_paths(paths)).order_by("path"))


class StockState:
    """What a shopper is told about a variant's stock in a store."""

    IN_STOCK = "in_stock"
    LOW = "low"
    OUT_OF_STOCK = "out_of_stock"


def stock_state(quantity: int | None) -> str:
    """`low` from 1 up to settings.CATALOG_LOW_STOCK units; a variant with no stock row has none."""
    if not quantity or quantity <= 0:
        return StockState.OUT_OF_STOCK
    if quantity <= settings.CATALOG_LOW_STOCK:
        return StockState.LOW
    return StockState.IN_STOCK


# --- Reads for the API (/api/v1/) -----------------------------------------------------------------------
# Added apart from the functions above, whose signatures and results the shopper pages rely on.


def variants_in_store(store: RegionalStore) -> QuerySet[Variant]:
    """Variants in display order, each with `store_prices` and `store_stock`: its row for `store`, if any."""
    return Variant.objects.order_by("position", "id").prefetch_related(
        Prefetch("prices", queryset=Price.objects.filter(store=store), to_attr="store_prices"),
        Prefetch("stock", queryset=Stock.objects.filter(store=store), to_attr="store_stock"),
    )


def product_in_store(*, store: RegionalStore, brand_slug: str, slug: str) -> Product | None:
    """A product with its figures, variants and images in `store`, discontinued ones included; unlike
    `product_detail` without its reviews, which the API pages apart (`published_reviews`)."""
    products = (
        with_store_figures(Product.objects.filter(brand__slug=brand_slug, slug=slug), store=store)
        .select_related("brand", "category")
        .prefetch_related(Prefetch("variants", queryset=variants_in_store(store)), _first_images())
    )
    return products.first()


def published_reviews(*, product: Product) -> QuerySet[Review]:
    """A product's published reviews, newest first, with the shop's replies."""
    return (
        Review.objects.filter(product=product, status=Review.Status.PUBLISHED)
        .order_by("-created_at", "-id")
        .prefetch_related("replies")
    )


def child_categories(*, category: Category) -> QuerySet[Category]:
    return Category.objects.filter(parent=category).order_by("position", "name")


def find_product(*, brand_slug: str, slug: str) -> Product | None:
    """The bare product (no figures or related rows), discontinued ones included."""
    return Product.objects.filter(brand__slug=brand_slug, slug=slug).first()
