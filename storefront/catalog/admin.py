"""The admin of the catalog: the category tree, products and their variants, prices, stock and reviews.

Django's admin has no nested inlines, so a product lists its variants (each linking to its own page) and
a variant page holds that variant's per-store prices and stock.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Category, Price, Product, ProductImage, Review, ReviewReply, Stock, Variant


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["parent", "name", "slug", "position"]

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        services.category_parent_check(category=self.instance, parent=parent)
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ["indented_name", "path", "depth", "parent", "position"]
    list_select_related = ["parent"]
    list_filter = ["depth"]
    search_fields = ["name", "slug", "path"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, category):
        return format_html("{}{}", "\u2003" * category.depth, category.name)

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["sku", "attributes", "position", "prices_and_stock"]
    readonly_fields = ["prices_and_stock"]
    show_change_link = True

    @admin.display(description=_("prices and stock"))
    def prices_and_stock(self, variant):
        if variant.pk is None:
            return _("Save first, then set prices and stock on the variant's page.")
        return format_html('<a href="{}">{}</a>', reverse("admin:catalog_variant_change", args=[variant.pk]),
                           _("Edit prices and stock"))


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "alt", "position"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "category", "status", "variant_count", "created_at"]
    list_select_related = ["brand", "category"]
    list_filter = ["status", "brand", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "variants__sku"]
    autocomplete_fields = ["category"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    inlines = [VariantInline, ProductImageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(variant_total=Count("variants", distinct=True))

    @admin.display(description=_("variants"), ordering="variant_total")
    def variant_count(self, product):
        return product.variant_total


class PriceForm(forms.ModelForm):
    """A price is in its store's currency: left blank, the currency is the store's; another one is refused."""

    class Meta:
        model = Price
        fields = ["store", "amount", "currency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].required = False

    def clean(self):
        cleaned = super().clean()
        store, currency = cleaned.get("store"), (cleaned.get("currency") or "").strip().upper()
        if store is not None:
            if currency and currency != store.currency:
                self.add_error("currency", _("Prices in %(store)s are in %(currency)s.")
                               % {"store": store.name, "currency": store.currency})
            else:
                cleaned["currency"] = store.currency
                self.instance.currency = store.currency
        return cleaned


class PriceInline(admin.TabularInline):
    model = Price
    form = PriceForm
    extra = 0


class StockInline(admin.TabularInline):
    model = Stock
    extra = 0
    fields = ["store", "quantity"]


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "brand", "position"]
    list_select_related = ["product__brand"]
    list_filter = ["product__brand"]
    search_fields = ["sku", "product__name"]
    autocomplete_fields = ["product"]
    readonly_fields = ["product_link"]
    fields = ["product", "product_link", "sku", "attributes", "position"]
    inlines = [PriceInline, StockInline]

    @admin.display(description=_("brand"), ordering="product__brand__name")
    def brand(self, variant):
        return variant.product.brand

    @admin.display(description=_("product page"))
    def product_link(self, variant):
        if variant.product_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:catalog_product_change", args=[variant.product_id]),
                           variant.product)


class ReviewReplyInline(admin.StackedInline):
    model = ReviewReply
    extra = 0
    fields = ["author_name", "body", "created_at"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "product", "status", "rating", "verified_purchase", "language", "created_at"]
    list_select_related = ["product"]
    list_filter = ["status", "rating", "verified_purchase", "language"]
    search_fields = ["product__name", "author_name", "title", "body"]
    autocomplete_fields = ["product", "user"]
    date_hierarchy = "created_at"
    inlines = [ReviewReplyInline]
    actions = ["publish", "reject"]

    @admin.action(description=_("Publish the selected reviews"), permissions=["change"])
    def publish(self, request, queryset):
        changed = services.reviews_publish(reviews=queryset)
        self.message_user(request, ngettext("%d review published.", "%d reviews published.", changed) % changed)

    @admin.action(description=_("Reject the selected reviews"), permissions=["change"])
    def reject(self, request, queryset):
        changed = services.reviews_reject(reviews=queryset)
        self.message_user(request, ngettext("%d review rejected.", "%d reviews rejected.", changed) % changed)
