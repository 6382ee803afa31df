"""The query parameters of a store's product listing, validated by django-filter into a `ProductQuery`.

The filtering itself is `listed_products`' (the shopper pages share it), so this FilterSet does not filter a
queryset: it checks every parameter (a bad one is a 400 naming it), documents them for the OpenAPI schema
(drf-spectacular reads it as any FilterSet) and builds the `ProductQuery` the selector takes.
"""

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema_field

from brands.models import Brand
from storefront.catalog.selectors import FACET_ATTRIBUTES, SORTS, ProductQuery, category_by_path

SLUG = r"[-a-zA-Z0-9_]+"
CATEGORY_PATH = rf"{SLUG}(/{SLUG})*"
CENT = Decimal("0.01")
MAX_PRICE = Decimal("9999999999.99")  # what Price.amount (12 digits, 2 decimals) can hold


class BrandSlugField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        slug = super().clean(value)
        if not slug:
            return None
        brand = Brand.objects.filter(slug=slug).first() if re.fullmatch(SLUG, slug) else None
        if brand is None:
            raise ValidationError(f"No brand with slug '{slug}'.")
        return brand


class CategoryPathField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        path = super().clean(value)
        if not path:
            return None
        path = path.strip("/")
        category = category_by_path(path) if re.fullmatch(CATEGORY_PATH, path) else None
        if category is None:
            raise ValidationError(f"No category with path '{path}'.")
        return category


@extend_schema_field({"type": "string", "pattern": rf"^{SLUG}$", "description": "A brand's slug, e.g. `poco`."})
class BrandFilter(django_filters.Filter):
    field_class = BrandSlugField


@extend_schema_field(
    {
        "type": "string",
        "pattern": rf"^/?{CATEGORY_PATH}/?$",
        "description": "A category's path, e.g. `phones/poco-f`; its subcategories are included.",
    }
)
class CategoryFilter(django_filters.Filter):
    field_class = CategoryPathField


@extend_schema_field(
    {"type": "number", "minimum": 0, "maximum": float(MAX_PRICE), "description": "In the store's currency."}
)
class PriceFilter(django_filters.NumberFilter):
    def __init__(self, **kwargs):
        super().__init__(min_value=Decimal(0), max_value=MAX_PRICE, **kwargs)


class ProductFilterForm(forms.Form):
    """Rejects a parameter given empty where the schema promises a value (a slug, a path, a number, a choice):
    `?brand=` is a client's mistake to report, not a way of saying "no filter" (leave the parameter out)."""

    NOT_EMPTY = ("brand", "category", "price_min", "price_max", "ordering")

    def clean(self):
        for name in self.NOT_EMPTY:
            if name in self.data and not self.data[name].strip():
                self.add_error(name, f"Expected a value; leave '{name}' out for no filter.")
        return super().clean()


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(max_length=100, help_text="Words to find in the name, brand or category, or a SKU.")
    brand = BrandFilter()
    category = CategoryFilter()
    price_min = PriceFilter()  # lowest `price_from`
    price_max = PriceFilter()  # highest `price_from`
    color = django_filters.CharFilter(max_length=64, help_text="Only products with a variant of this colour.")
    storage = django_filters.CharFilter(max_length=64, help_text="Only products with a variant of this storage.")
    ordering = django_filters.ChoiceFilter(
        choices=[(sort, sort) for sort in SORTS],
        help_text="`relevance` (the default: name matches of `q` first, else by name), `price`, `-price`, "
        "`newest` or `name`.",
    )

    class Meta:
        form = ProductFilterForm

    def product_query(self) -> ProductQuery:
        """The validated parameters (call after `is_valid()`). Prices are rounded to whole cents inwards,
        which keeps the same products since prices are in cents."""
        data = self.form.cleaned_data
        price_min, price_max = data.get("price_min"), data.get("price_max")
        return ProductQuery(
            q=data.get("q") or "",
            brand=data["brand"].slug if data.get("brand") else None,
            category=data.get("category"),
            price_min=None if price_min is None else price_min.quantize(CENT, rounding=ROUND_CEILING),
            price_max=None if price_max is None else price_max.quantize(CENT, rounding=ROUND_FLOOR),
            attributes={name: data[name] for name in FACET_ATTRIBUTES if data.get(name)},
            sort=data.get("ordering") or "relevance",
        )


class ProductQueryBackend(DjangoFilterBackend):
    """Hands the view's selector the `ProductQuery` its FilterSet validated, in place of filtering the
    view's queryset (which only names the model, for the FilterSet and the schema)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return view.listing(filterset.product_query())
