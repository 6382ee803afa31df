"""Writes for brands and stores."""

from django.db import transaction

from .models import Brand, BrandAvailability, RegionalStore

POCO_INDIA_URL = "https://www.poco.in/"

REGIONAL_STORES = [
    # code, name, currency, language, locale, country
    ("global", "Global", "USD", "en", "en_US", "US"),
    ("uk", "United Kingdom", "GBP", "en", "en_GB", "GB"),
    ("fr", "France", "EUR", "fr", "fr_FR", "FR"),
    ("in", "India", "INR", "en", "en_IN", "IN"),
]

BRANDS = [
    # slug, name, tagline, primary, accent, text
    ("xiaomi", "Xiaomi", "Innovation for everyone", "#ff6900", "#ffffff", "#191919"),
    ("redmi", "Redmi", "Beyond expectations", "#e4002b", "#ffffff", "#191919"),
    ("poco", "POCO", "Everything you need, nothing you don't", "#000000", "#ffd100", "#ffffff"),
]


@transaction.atomic
def reference_data_ensure() -> None:
    """Creates the regional stores, the brands and who serves what, leaving existing rows as edited.

    POCO in `in` is external: POCO India keeps https://www.poco.in, so the store sends shoppers there.
    """
    stores = {}
    for position, (code, name, currency, language, locale, country) in enumerate(REGIONAL_STORES):
        stores[code], _ = RegionalStore.objects.get_or_create(
            code=code,
            defaults=dict(name=name, currency=currency, language=language, locale=locale, country=country,
                          position=position),
        )
    for position, (slug, name, tagline, primary, accent, text) in enumerate(BRANDS):
        brand, _ = Brand.objects.get_or_create(
            slug=slug,
            defaults=dict(name=name, tagline=tagline, primary_colour=primary, accent_colour=accent,
                          text_colour=text, position=position),
        )
        for store in stores.values():
            external = slug == "poco" and store.code == "in"
            BrandAvailability.objects.get_or_create(
                brand=brand, store=store,
                defaults=dict(
                    mode=BrandAvailability.Mode.EXTERNAL if external else BrandAvailability.Mode.SERVED,
                    external_url=POCO_INDIA_URL if external else "",
                    position=position,
                ),
            )
