"""The admin of brands, regional stores and which brand each store serves or sends elsewhere."""

from django.contrib import admin

from .models import Brand, BrandAvailability, RegionalStore


class BrandAvailabilityInline(admin.TabularInline):
    model = BrandAvailability
    extra = 0
    fields = ["store", "mode", "external_url", "position"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tagline", "primary_colour", "accent_colour", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BrandAvailabilityInline]


@admin.register(RegionalStore)
class RegionalStoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "currency", "language", "locale", "country", "is_active", "position"]
    list_filter = ["is_active", "currency", "language"]
    search_fields = ["code", "name"]


@admin.register(BrandAvailability)
class BrandAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["brand", "store", "mode", "external_url", "position"]
    list_select_related = ["brand", "store"]
    list_filter = ["mode", "store", "brand"]
    search_fields = ["brand__name", "store__code", "store__name"]
