"""The signed-in customer's points and coupons. Querysets are their own rows only, so another's id is a 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

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


class PointsEntryList(generics.ListAPIView):
    """The ledger, newest first; entries carried over from POCO Points have `is_migrated`."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PointsEntrySerializer

    def get_queryset(self):
        return points_entries(user=self.request.user)


class PointsEntryDetail(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PointsEntrySerializer

    def get_queryset(self):
        return points_entries(user=self.request.user)


class LegacyPointsHistoryList(generics.ListAPIView):
    """The POCO Points history as po.co recorded it (display only; not part of the balance)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = LegacyPointsHistorySerializer

    def get_queryset(self):
        return legacy_points_history(user=self.request.user)


class CouponList(generics.ListAPIView):
    """The customer's personal coupons, re-issued POCO coupons with `reissued_from`."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CouponSerializer

    def get_queryset(self):
        return coupons_of(user=self.request.user)


class CouponDetail(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CouponSerializer

    def get_queryset(self):
        return coupons_of(user=self.request.user)
