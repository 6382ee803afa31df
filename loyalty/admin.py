"""The loyalty admin: points accounts (read with their lots and holds, and adjust with a reason), the
ledger (read-only), coupons with their aliases and redemptions, and what the POCO import carried over."""

from django.contrib import admin, messages
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .exceptions import PointsRefused
from .forms import CouponAdminForm, CouponAliasForm, PointsAdjustmentForm
from .models import (
    Coupon,
    CouponAlias,
    CouponNotification,
    LegacyCoupon,
    LegacyPointsMigration,
    PointsAccount,
    PointsEntry,
    PointsHold,
    PointsLot,
    Redemption,
)
from .selectors import coupons_for_admin
from .services.points import points_adjust


class ReadOnlyAdminMixin:
    """For records only services write (the ledger, imports, redemptions): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PointsLotInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PointsLot
    fields = ["points", "remaining", "earned_at", "expires_at"]
    ordering = ["expires_at", "id"]
    extra = 0


class PointsEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PointsEntry
    fk_name = "account"
    fields = ["at", "kind", "delta", "reason", "order", "legacy_account_id", "created_by"]
    ordering = ["-at", "-id"]
    extra = 0


class PointsHoldInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PointsHold
    fields = ["reference", "points", "status", "created_at", "expires_at", "closed_at"]
    ordering = ["-created_at", "-id"]
    extra = 0


@admin.register(PointsAccount)
class PointsAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "balance", "created_at"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "created_at", "balance", "adjust_link"]
    inlines = [PointsLotInline, PointsHoldInline, PointsEntryInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        live = Q(lots__remaining__gt=0, lots__expires_at__gt=timezone.now())
        return super().get_queryset(request).select_related("user").annotate(
            live_points=Coalesce(Sum("lots__remaining", filter=live), 0)
        )

    @admin.display(description=_("balance"), ordering="live_points")
    def balance(self, account):
        return account.live_points

    @admin.display(description=_("adjust"))
    def adjust_link(self, account):
        url = reverse("admin:loyalty_pointsaccount_adjust", args=[account.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Adjust points"))

    def get_urls(self):
        adjust = self.admin_site.admin_view(self.adjust_view)
        return [path("<int:pk>/adjust/", adjust, name="loyalty_pointsaccount_adjust"), *super().get_urls()]

    def adjust_view(self, request, pk):
        """Credits or takes away points with a reason, through `points_adjust` (recorded in the ledger)."""
        account = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, account):
            return redirect("admin:loyalty_pointsaccount_change", pk)
        form = PointsAdjustmentForm(request.POST or None)
        if form.is_valid():
            try:
                entry = points_adjust(user=account.user, delta=form.cleaned_data["delta"],
                                      reason=form.cleaned_data["reason"], by=request.user)
            except PointsRefused as refusal:
                form.add_error(None, refusal)
            else:
                self.message_user(request, _("Adjusted by %(delta)+d points.") % {"delta": entry.delta},
                                  messages.SUCCESS)
                return redirect("admin:loyalty_pointsaccount_change", pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "account": account,
                   "form": form, "title": _("Adjust the points of %(user)s") % {"user": account.user}}
        return TemplateResponse(request, "loyalty/admin/adjust_points.html", context)


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "account", "kind", "delta", "reason", "order", "legacy_account_id", "created_by"]
    list_filter = ["kind", "at"]
    search_fields = ["account__user__email", "reason", "legacy_account_id", "order__number"]
    list_select_related = ["account__user", "order", "created_by"]


@admin.register(LegacyPointsMigration)
class LegacyPointsMigrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["legacy_id", "account", "legacy_unexpired", "credited", "cutover", "migrated_at"]
    search_fields = ["legacy_id", "account__user__email"]
    list_select_related = ["account__user"]


class CouponAliasInline(admin.TabularInline):
    model = CouponAlias
    form = CouponAliasForm
    fields = ["code"]
    extra = 0


class RedemptionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Redemption
    fields = ["at", "status", "user", "order", "amount", "currency", "reserved_until", "confirmed_at"]
    ordering = ["-at", "-id"]
    extra = 0


class ReissuedFilter(admin.SimpleListFilter):
    title = _("origin")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("poco", _("Re-issued POCO coupon")), ("store", _("Created in the store"))]

    def queryset(self, request, queryset):
        if self.value() in ("poco", "store"):
            return queryset.filter(legacy_origin__isnull=self.value() == "store")
        return queryset


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponAdminForm
    list_display = ["code", "kind", "value", "currency", "owner", "valid_from", "valid_until", "usage_limit",
                    "uses", "is_active"]
    list_filter = ["kind", "is_active", ReissuedFilter, "stores", "brands", "valid_until"]
    search_fields = ["code", "aliases__code", "owner__email"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["brands", "categories", "stores"]
    readonly_fields = ["created_at", "reissued_from"]
    inlines = [CouponAliasInline, RedemptionInline]

    def get_queryset(self, request):
        return coupons_for_admin().select_related("legacy_origin")

    @admin.display(description=_("uses"), ordering="uses")
    def uses(self, coupon):
        return coupon.uses

    @admin.display(description=_("re-issued from"))
    def reissued_from(self, coupon):
        origin = getattr(coupon, "legacy_origin", None)
        return f"{origin.code} ({origin.legacy_id})" if origin else "-"


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "coupon", "user", "order", "status", "amount", "currency"]
    list_filter = ["status", "at"]
    search_fields = ["coupon__code", "coupon__aliases__code", "user__email", "order__number"]
    list_select_related = ["coupon", "user", "order"]


@admin.register(LegacyCoupon)
class LegacyCouponAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "legacy_id", "portal", "owner", "legacy_status", "outcome", "reissued_as", "valid_until"]
    list_filter = ["outcome", "portal", "legacy_status"]
    search_fields = ["code", "legacy_id", "owner__email", "reissued_as__code"]
    list_select_related = ["owner", "reissued_as"]


@admin.register(CouponNotification)
class CouponNotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["queued_at", "coupon", "email", "language", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "coupon__code", "legacy_code"]
    list_select_related = ["coupon"]
