"""The admin of orders: read-mostly. Orders are history; checkout and the import write them, not the admin.

An order shows its lines and shipments; a shipment shows its tracking events. Checkouts (what a payment in
progress holds, and how each attempt ended) are shown for support; only the services change them.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Checkout, CheckoutLine, Order, OrderLine, Shipment, TrackingEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["position", "sku", "name", "quantity", "unit_price", "discount", "line_total"]


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["carrier", "tracking_number", "status", "shipped_at", "delivered_at"]
    show_change_link = True


class ReadOnlyAdmin(admin.ModelAdmin):
    """Everyone with access gets the view-only pages, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "placed_at", "email", "store", "source", "status", "total_with_currency"]
    list_select_related = ["store"]
    list_filter = ["status", "store", "source", "currency"]
    search_fields = ["number", "email"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, ShipmentInline]

    @admin.display(description=_("total"), ordering="total")
    def total_with_currency(self, order):
        return f"{order.total} {order.currency}"


class TrackingEventInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ["at", "status", "location", "description"]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["tracking_number", "carrier", "order", "status", "shipped_at", "delivered_at"]
    list_select_related = ["order"]
    list_filter = ["carrier", "status"]
    search_fields = ["tracking_number", "order__number", "order__email"]
    readonly_fields = ["order_link"]
    inlines = [TrackingEventInline]

    @admin.display(description=_("order page"))
    def order_link(self, shipment):
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[shipment.order_id]),
                           shipment.order)


class CheckoutLineInline(ReadOnlyInline):
    model = CheckoutLine
    fields = ["position", "sku", "name", "quantity", "unit_price"]


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = ["reference", "created_at", "email", "store", "status", "total", "currency", "expires_at", "order"]
    list_select_related = ["store", "order"]
    list_filter = ["status", "store"]
    search_fields = ["reference", "email", "order__number"]
    date_hierarchy = "created_at"
    inlines = [CheckoutLineInline]
