"""The signed-in customer's points and coupons. Querysets are their own rows only, so another's id is a 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from storefront.api.views import OwnObjectsMixin

from ..selectors import coupons_of, legacy_points_history, live_lots, points_entries
from .serializers import (
    CouponSerializer,
    LegacyPointsHistorySerializer,
    PointsEntrySerializer,
    PointsSummarySerializer,
)


class PointsSummaryView(APIView):
    """Balance and live lots (with their expiry) of the signed-in customer."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=PointsSummarySerializer)
    def get(self, request):
        lots = list(live_lots(user=request.user))
        data = {"balance": sum(lot.remaining for lot in lots), "lots": lots}
        return Response(PointsSummarySerializer(data).data)


class PointsEntryList(OwnObjectsMixin, generics.ListAPIView):
    """The ledger, newest first; entries carried over from POCO Points have `is_migrated`."""

    serializer_class = PointsEntrySerializer

    def own_queryset(self, user):
        return points_entries(user=user)


class PointsEntryDetail(OwnObjectsMixin, generics.RetrieveAPIView):
    serializer_class = PointsEntrySerializer

    def own_queryset(self, user):
        return points_entries(user=user)


class LegacyPointsHistoryList(OwnObjectsMixin, generics.ListAPIView):
    """The POCO Points history as po.co recorded it (display only; not part of the balance)."""

    serializer_class = LegacyPointsHistorySerializer

    def own_queryset(self, user):
        return legacy_points_history(user=user)


class CouponList(OwnObjectsMixin, generics.ListAPIView):
    """The customer's personal coupons, re-issued POCO coupons with `reissued_from`."""

    serializer_class = CouponSerializer

    def own_queryset(self, user):
        return coupons_of(user=user)


class CouponDetail(OwnObjectsMixin, generics.RetrieveAPIView):
    serializer_class = CouponSerializer

    def own_queryset(self, user):
        return coupons_of(user=user)
