"""Read-only catalog endpoints: the category tree, a store's products, a product's variants and reviews."""

import re
from functools import partial

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import NotFound

from brands.api.lookups import active_store_or_404, served_brand_or_404
from brands.api.views import STORE_CODE
from storefront.api.errors import error_responses
from storefront.api.pagination import PageNumberPagination
from storefront.api.views import SLUG_TYPE, PublicReadOnlyMixin
from storefront.catalog.models import Category, Product, Review
from storefront.catalog.selectors import (
    PageFiguresPaginator,
    ProductQuery,
    category_by_path,
    category_tree,
    child_categories,
    find_product,
    listed_products,
    product_in_store,
    published_reviews,
)

from .filters import CATEGORY_PATH as CATEGORY_PATH_PATTERN
from .filters import ProductFilter, ProductQueryBackend
from .serializers import (
    CategoryDetailSerializer,
    CategorySerializer,
    ProductDetailSerializer,
    ProductSerializer,
    ReviewSerializer,
)

BRAND_SLUG = OpenApiParameter(
    "brand", SLUG_TYPE, OpenApiParameter.PATH, description="The product's brand slug.",
    examples=[OpenApiExample("poco", "poco")],
)
PRODUCT_SLUG = OpenApiParameter(
    "slug", SLUG_TYPE, OpenApiParameter.PATH, description="The product's slug, unique within its brand.",
    examples=[OpenApiExample("poco-f6", "poco-f6")],
)
CATEGORY_PATH = OpenApiParameter(
    "path", {"type": "string", "pattern": f"^{CATEGORY_PATH_PATTERN}/?$"}, OpenApiParameter.PATH,
    description="The category's path.", examples=[OpenApiExample("phones/poco-f", "phones/poco-f")],
)


@extend_schema_view(get=extend_schema(summary="The category tree, in path order (indent by `depth`)"))
class CategoryList(PublicReadOnlyMixin, generics.ListAPIView):
    """The whole category tree, shared by every brand: not paged (one query)."""

    queryset = Category.objects.none()  # names the model for the schema; see `get_queryset`
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return category_tree()


@extend_schema_view(
    get=extend_schema(summary="A category with its children", parameters=[CATEGORY_PATH],
                      responses={200: CategoryDetailSerializer, **error_responses(404)})
)
class CategoryDetail(PublicReadOnlyMixin, generics.RetrieveAPIView):
    """A category by its path, with its direct children."""

    serializer_class = CategoryDetailSerializer

    def get_object(self):
        path = self.kwargs["path"].strip("/")
        # Only a well-formed path reaches the database (PostgreSQL refuses a NUL byte in a string).
        category = category_by_path(path) if re.fullmatch(CATEGORY_PATH_PATTERN, path) else None
        if category is None:
            raise NotFound(f"No category with path '{path}'.")
        category.child_list = list(child_categories(category=category))
        return category


class StoreScopedMixin:
    """Views under `/stores/<code>/`: `self.store` is the active store the URL names (else a 404), and
    serializers get it in their context for prices, stock and currency."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.store = active_store_or_404(self.kwargs["code"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "store": getattr(self, "store", None)}


class ListingPagination(PageNumberPagination):
    """The API's paging, where only the rows of the page get their price, stock and rating subqueries (as on
    the shopper pages): the count and the page's ids are read from the bare listing."""

    django_paginator_class = PageFiguresPaginator


@extend_schema_view(
    get=extend_schema(
        summary="Products a store lists, filtered, sorted and paged",
        description="Active products of the brands the store serves itself (never POCO in `in`, which is sold "
        "on poco.in), with a price in the store. Figures (`price_from`, `in_stock`, `rating`) are the store's.",
        parameters=[STORE_CODE], responses={200: ProductSerializer(many=True), **error_responses(400, 404)},
    )
)
class StoreProductList(PublicReadOnlyMixin, StoreScopedMixin, generics.ListAPIView):
    queryset = Product.objects.none()  # names the model for the FilterSet and the schema; see `listing`
    serializer_class = ProductSerializer
    pagination_class = ListingPagination
    filter_backends = [ProductQueryBackend]
    filterset_class = ProductFilter

    def listing(self, query: ProductQuery):
        return listed_products(store=self.store, query=query)


class StoreProductMixin(StoreScopedMixin):
    """Views of one product in a store: a 404 where the store does not sell the brand itself."""

    def product(self, find=find_product) -> Product:
        """The product the URL names, read by `find` (a selector taking `brand_slug` and `slug`)."""
        brand_slug, slug = self.kwargs["brand"], self.kwargs["slug"]
        served_brand_or_404(self.store, brand_slug)
        product = find(brand_slug=brand_slug, slug=slug)
        if product is None:
            raise NotFound(f"No product '{brand_slug}/{slug}'.")
        return product


@extend_schema_view(
    get=extend_schema(
        summary="A product in a store, with each variant's price and stock there",
        description="Discontinued products are reachable here though no longer listed (`is_listed` false).",
        parameters=[STORE_CODE, BRAND_SLUG, PRODUCT_SLUG],
        responses={200: ProductDetailSerializer, **error_responses(404)},
    )
)
class StoreProductDetail(PublicReadOnlyMixin, StoreProductMixin, generics.RetrieveAPIView):
    serializer_class = ProductDetailSerializer

    def get_object(self):
        return self.product(find=partial(product_in_store, store=self.store))


@extend_schema_view(
    get=extend_schema(
        summary="A product's published reviews, newest first, with the shop's replies",
        parameters=[STORE_CODE, BRAND_SLUG, PRODUCT_SLUG],
        responses={200: ReviewSerializer(many=True), **error_responses(400, 404)},
    )
)
class StoreProductReviewList(PublicReadOnlyMixin, StoreProductMixin, generics.ListAPIView):
    """Published reviews only (pending and rejected ones never show), paged."""

    queryset = Review.objects.none()  # names the model for the schema; see `get_queryset`
    serializer_class = ReviewSerializer
    filter_backends = []

    def get_queryset(self):
        return published_reviews(product=self.product())
