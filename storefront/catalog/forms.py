"""Query-string parsing for the shopper listings (brand category pages and search).

The forms are lenient by design: a malformed parameter (`page=abc`, `price_min=-x`) fails its own field
only; the listing is built from the fields that did validate and the page shows which filters were
ignored and why. Nothing a shopper types into a URL can turn a listing into an error page.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import selectors
from .selectors import ProductQuery

SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("newest", _("Newest")),
]

ATTRIBUTE_LABELS = {"color": _("Colour"), "storage": _("Storage")}


class ListingForm(forms.Form):
    """Filters, sort and paging of a listing whose brand and category the URL already fixes."""

    price_min = forms.DecimalField(label=_("Minimum price"), required=False, min_value=0, max_digits=12,
                                   decimal_places=2)
    price_max = forms.DecimalField(label=_("Maximum price"), required=False, min_value=0, max_digits=12,
                                   decimal_places=2)
    color = forms.CharField(label=ATTRIBUTE_LABELS["color"], required=False, max_length=100)
    storage = forms.CharField(label=ATTRIBUTE_LABELS["storage"], required=False, max_length=100)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)
    page_size = forms.IntegerField(label=_("Products per page"), required=False, min_value=1)

    def clean_page_size(self):
        """A size above the cap is brought down to it rather than refused."""
        size = self.cleaned_data["page_size"]
        return min(size, settings.CATALOG_MAX_PAGE_SIZE) if size else None

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The maximum price is below the minimum price."))
        return cleaned

    # --- What the view needs, from the fields that validated -------------------------------------

    def _valid(self, name):
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name)

    def product_query(self, **fixed) -> ProductQuery:
        """The listing's query: the URL's fixed scope (`brand`, `category`) and every valid filter."""
        attributes = {name: self._valid(name) for name in selectors.FACET_ATTRIBUTES if self._valid(name)}
        return ProductQuery(
            price_min=self._valid("price_min"),
            price_max=self._valid("price_max"),
            attributes=attributes,
            sort=self._valid("sort") or "relevance",
            **fixed,
        )

    @property
    def page_number(self) -> int:
        return self._valid("page") or 1

    @property
    def per_page(self) -> int:
        return self._valid("page_size") or settings.CATALOG_PAGE_SIZE

    @property
    def ignored(self) -> list[tuple[str, str]]:
        """(label, reason) of each parameter that was ignored, for the page to say so."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return [
            (self.fields[name].label, " ".join(str(message) for message in messages))
            for name, messages in self.errors.items()
            if name in self.fields
        ]


class SearchForm(ListingForm):
    """Search across the store's brands: the words, the brand and the category come from the query string."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    brand = forms.ChoiceField(label=_("Brand"), required=False)
    category = forms.CharField(label=_("Category"), required=False, max_length=500)

    field_order = ["q", "brand", "category"]

    def __init__(self, *args, brands=(), **kwargs):
        """`brands`: the Brand objects the store serves, offered as the brand filter's choices."""
        super().__init__(*args, **kwargs)
        self.fields["brand"].choices = [("", _("All brands"))] + [(b.slug, b.name) for b in brands]

    def clean_category(self):
        path = self.cleaned_data["category"].strip("/")
        if not path:
            return None
        category = selectors.category_by_path(path)
        if category is None:
            raise forms.ValidationError(_("There is no category “%(path)s”."), params={"path": path})
        return category

    def product_query(self, **fixed) -> ProductQuery:
        return super().product_query(
            q=self._valid("q") or "", brand=self._valid("brand") or None, category=self._valid("category"),
            **fixed,
        )
