from django.urls import reverse

from brands.models import Brand, BrandAvailability, RegionalStore
from tests.accounts.admin_support import assert_changelist_queries_constant, search_results


def add_brands(stores):
    def add(count):
        for _ in range(count):
            position = Brand.objects.count()
            brand = Brand.objects.create(slug=f"brand-{position}", name=f"Brand {position}", position=position)
            for store in stores.values():
                BrandAvailability.objects.create(brand=brand, store=store)
    return add


def add_stores(count):
    for _ in range(count):
        n = RegionalStore.objects.count()
        RegionalStore.objects.create(code=f"s{n}", name=f"Store {n}", currency="EUR", language="en", locale="en_IE")


def test_brand_changelists_run_constant_queries(admin_client, stores):
    assert_changelist_queries_constant(admin_client, reverse("admin:brands_brand_changelist"), add_brands(stores))
    assert_changelist_queries_constant(
        admin_client, reverse("admin:brands_brandavailability_changelist"), add_brands(stores)
    )
    assert_changelist_queries_constant(admin_client, reverse("admin:brands_regionalstore_changelist"), add_stores)


def test_brand_page_shows_its_availability_inline(admin_client, brands):
    page = admin_client.get(reverse("admin:brands_brand_change", args=[brands["poco"].pk])).content.decode()

    assert "https://www.poco.in/" in page


def test_brand_availability_search_and_filter(admin_client, brands):
    url = reverse("admin:brands_brandavailability_changelist")

    external = admin_client.get(url, {"mode__exact": "external"}).context["cl"].result_list
    assert [(a.brand.slug, a.store.code) for a in external] == [("poco", "in")]
    assert {a.store.code for a in search_results(admin_client, url, "India")} == {"in"}
