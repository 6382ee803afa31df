"""Read-only endpoints for brands, regional stores and the brands each store offers."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics

from brands.models import Brand, BrandAvailability, RegionalStore
from storefront.api.errors import error_responses
from storefront.api.lookups import first_or_404
from storefront.api.views import SLUG_TYPE, PublicReadOnlyMixin

from .lookups import active_store_or_404
from .serializers import BrandDetailSerializer, BrandSerializer, StoreBrandSerializer, StoreSerializer

STORE_CODE = OpenApiParameter(
    "code", SLUG_TYPE, OpenApiParameter.PATH, description="The store's code.", examples=[OpenApiExample("uk", "uk")]
)
BRAND_SLUG = OpenApiParameter(
    "slug", SLUG_TYPE, OpenApiParameter.PATH, description="The brand's slug.",
    examples=[OpenApiExample("poco", "poco")],
)


@extend_schema_view(get=extend_schema(summary="All brands"))
class BrandList(PublicReadOnlyMixin, generics.ListAPIView):
    """Every brand with its look (logo and colours), in display order."""

    queryset = Brand.objects.order_by("position", "name")
    serializer_class = BrandSerializer
    pagination_class = None


@extend_schema_view(
    get=extend_schema(
        summary="A brand, with the stores that offer it", parameters=[BRAND_SLUG],
        responses={200: BrandDetailSerializer, **error_responses(404)},
    )
)
class BrandDetail(PublicReadOnlyMixin, generics.RetrieveAPIView):
    """A brand, and in which active stores it is served or sent to an external site."""

    serializer_class = BrandDetailSerializer
    lookup_field = "slug"
    queryset = Brand.objects.prefetch_related(
        Prefetch(
            "availabilities",
            queryset=BrandAvailability.objects.filter(store__is_active=True)
            .select_related("store")
            .order_by("store__position", "store__code"),
            to_attr="active_availabilities",
        )
    )

    def get_object(self):
        return first_or_404(self.get_queryset(), f"No brand with slug '{self.kwargs['slug']}'.",
                                    slug=self.kwargs["slug"])


@extend_schema_view(get=extend_schema(summary="Active regional stores"))
class StoreList(PublicReadOnlyMixin, generics.ListAPIView):
    """The active regional stores with their currency, language and locale."""

    queryset = RegionalStore.objects.filter(is_active=True).order_by("position", "code")
    serializer_class = StoreSerializer
    pagination_class = None


@extend_schema_view(
    get=extend_schema(summary="A regional store", parameters=[STORE_CODE],
                      responses={200: StoreSerializer, **error_responses(404)})
)
class StoreDetail(PublicReadOnlyMixin, generics.RetrieveAPIView):
    """An active regional store by its code."""

    serializer_class = StoreSerializer

    def get_object(self):
        return active_store_or_404(self.kwargs["code"])


@extend_schema_view(
    get=extend_schema(
        summary="Brands a store offers: served there, or sold on an external site",
        parameters=[STORE_CODE], responses={200: StoreBrandSerializer(many=True), **error_responses(404)},
    )
)
class StoreBrandList(PublicReadOnlyMixin, generics.ListAPIView):
    """The brands a store offers: `served` ones it sells, `external` ones with the site that sells them."""

    queryset = BrandAvailability.objects.none()  # names the model for the schema; see `get_queryset`
    serializer_class = StoreBrandSerializer
    pagination_class = None

    def get_queryset(self):
        store = active_store_or_404(self.kwargs["code"])
        return store_offers(store)


@extend_schema_view(
    get=extend_schema(
        summary="A brand as a store offers it", parameters=[STORE_CODE, BRAND_SLUG],
        responses={200: StoreBrandSerializer, **error_responses(404)},
    )
)
class StoreBrandDetail(PublicReadOnlyMixin, generics.RetrieveAPIView):
    """One brand as a store offers it; a 404 where the store does not offer it at all."""

    serializer_class = StoreBrandSerializer

    def get_object(self):
        store = active_store_or_404(self.kwargs["code"])
        return first_or_404(
            store_offers(store),
            f"Store '{store.code}' does not offer a brand '{self.kwargs['slug']}'.",
            brand__slug=self.kwargs["slug"],
        )


def store_offers(store: RegionalStore):
    return (
        BrandAvailability.objects.filter(store=store)
        .select_related("brand")
        .order_by("position", "brand__position", "brand__name")
    )

