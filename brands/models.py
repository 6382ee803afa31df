"""Brands, regional stores, and which brand each store serves or sends elsewhere."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"


class Brand(models.Model):
    """A brand with its own pages. Its look (logo, colours) is data; templates never test its slug."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    tagline = models.CharField(max_length=200, blank=True)
    logo = models.FileField(upload_to="brands/", blank=True)
    primary_colour = models.CharField(max_length=7, default="#ff6900", help_text="#rrggbb")
    accent_colour = models.CharField(max_length=7, default="#ffffff", help_text="#rrggbb")
    text_colour = models.CharField(max_length=7, default="#191919", help_text="#rrggbb")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(primary_colour__regex=HEX_COLOUR)
                & Q(accent_colour__regex=HEX_COLOUR)
                & Q(text_colour__regex=HEX_COLOUR),
                name="brand_colours_are_hex",
            )
        ]

    def __str__(self):
        return self.name


class RegionalStore(models.Model):
    """A regional store (`global`, `uk`, `fr`, `in`): its currency, language and formatting locale."""

    code = models.SlugField(max_length=12, unique=True)
    name = models.CharField(max_length=80)
    currency = models.CharField(max_length=3, help_text=_("ISO 4217 code"))
    language = models.CharField(max_length=8, help_text=_("Language of the store's pages, e.g. en, fr"))
    locale = models.CharField(max_length=16, help_text=_("Locale for numbers and money, e.g. en_GB"))
    country = models.CharField(max_length=2, blank=True, help_text=_("Default ISO 3166 country"))
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    brands = models.ManyToManyField(Brand, through="BrandAvailability", related_name="stores")

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="store_currency_iso"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class BrandAvailability(models.Model):
    """Whether a brand is sold in a store, or has its pages there send the shopper to another site."""

    class Mode(models.TextChoices):
        SERVED = "served", _("Served by this store")
        EXTERNAL = "external", _("Sold on an external site")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="availabilities")
    store = models.ForeignKey(RegionalStore, on_delete=models.CASCADE, related_name="availabilities")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SERVED)
    external_url = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "brand availabilities"
        ordering = ["store", "position", "brand"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "store"], name="one_availability_per_brand_and_store"),
            models.CheckConstraint(
                condition=Q(mode="served") | (Q(mode="external") & ~Q(external_url="")),
                name="external_availability_has_url",
            ),
        ]

    def __str__(self):
        return f"{self.brand} in {self.store.code}: {self.mode}"

    @property
    def is_external(self):
        return self.mode == self.Mode.EXTERNAL
