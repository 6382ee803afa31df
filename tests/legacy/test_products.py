"""Products: POCO brand, shared category tree, variants, prices and stock per store, images, legacy URLs."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from brands.legacy.models import LegacyRedirect
from storefront.catalog.models import Category, Price, Product, ProductImage, Stock, Variant
from tests.factories import CategoryFactory, ProductFactory

from .bundles import PNG, product, product_images, write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle_of(tmp_path, reference_data):
    def make(*lines, images=None, name="bundle"):
        return write_bundle(tmp_path / name, {"products": list(lines)}, attachments=images or {})

    return make


def test_a_product_becomes_a_poco_product_with_prices_and_stock_per_store_but_not_india(bundle_of, run_import):
    status, report = run_import(bundle_of(product("P1"), images=product_images("P1")))
    assert report["entities"]["products"]["created"] == 1 and status == 0
    item = Product.objects.get()
    assert (item.brand.slug, item.slug, item.name, item.status) == ("poco", "poco-p1", "POCO P1", "active")
    assert sorted(Price.objects.values_list("store__code", "amount", "currency")) == [
        ("fr", Decimal("289.00"), "EUR"), ("global", Decimal("299.00"), "USD"), ("uk", Decimal("259.90"), "GBP")]
    assert sorted(Stock.objects.values_list("store__code", "quantity")) == [("fr", 0), ("global", 5), ("uk", 3)]
    assert Variant.objects.get().attributes == {"color": "Black"}


def test_category_paths_are_matched_by_name_in_the_shared_tree_or_created(bundle_of, run_import):
    phones = CategoryFactory(name="Smartphones")
    run_import(bundle_of(product("P1"), product("P2", category="smartphones / Tablets")))
    assert Category.objects.get(pk=phones.pk).children.count() == 2
    assert sorted(Category.objects.values_list("path", "depth")) == [
        ("smartphones", 0), ("smartphones/poco-f-series", 1), ("smartphones/tablets", 1)]
    assert Product.objects.get(slug="poco-p2").category.path == "smartphones/tablets"


def test_images_are_copied_verified_and_missing_or_mismatching_ones_are_counted(bundle_of, run_import):
    bad = product("P3")
    bad["images"].append({"path": "files/products/P3/1.png", "sha256": "0" * 64, "alt": "side"})
    images = {**product_images("P1", "P3"), "files/products/P3/1.png": PNG + b"altered"}
    status, report = run_import(bundle_of(product("P1"), product("P2"), bad, images=images))
    assert report["totals"]["files"] == {"copied": 2, "missing": 1, "mismatched": 1}
    assert report["entities"]["products"]["created"] == 3 and status == 0
    image = ProductImage.objects.filter(product__slug="poco-p1").get()
    assert default_storage.open(image.image.name).read() == PNG
    assert not ProductImage.objects.filter(product__slug="poco-p2").exists()


def test_a_no_op_re_run_copies_no_file(bundle_of, run_import):
    bundle = bundle_of(product("P1"), images=product_images("P1"))
    run_import(bundle)
    _, again = run_import(bundle)
    assert again["totals"]["files"] == {"copied": 0, "missing": 0, "mismatched": 0}
    assert again["entities"]["products"]["unchanged"] == 1


def test_legacy_urls_are_kept_for_the_redirect_table(bundle_of, run_import):
    run_import(bundle_of(product("P1", legacy_urls=["https://www.po.co/uk/product/p1/", "https://www.po.co/fr/p/p1"])))
    target = Product.objects.get().pk
    assert sorted(LegacyRedirect.objects.filter(entity="products").values_list(
        "source_url", "store_code", "target_pk")) == [
        ("https://www.po.co/fr/p/p1", "fr", target), ("https://www.po.co/uk/product/p1/", "uk", target)]


def test_an_amount_given_as_a_float_is_quarantined(bundle_of, run_import):
    record = product("P1")
    record["variants"][0]["prices"]["uk"] = 199.9
    status, report = run_import(bundle_of(record))
    assert report["entities"]["products"]["quarantined"] == 1
    assert "Expected `str`, got `float`" in report["quarantine"][0]["reason"]
    assert status == 1 and not Product.objects.exists()


@pytest.mark.parametrize("amount, reason", [
    ("199.999", "variants[0].prices.uk 199.999 has more than 2 decimal places (the store keeps cents)"),
    ("10000000000.00", "variants[0].prices.uk 10000000000.00 is too large for the store"),
])
def test_a_price_the_store_cannot_keep_exactly_is_quarantined_not_rounded(bundle_of, run_import, amount, reason):
    record = product("P1")
    record["variants"][0]["prices"]["uk"] = amount
    status, report = run_import(bundle_of(record))
    assert [row["reason"] for row in report["quarantine"]] == [reason]
    assert status == 1 and not Product.objects.exists()


def test_an_india_price_is_not_imported_so_not_checked(bundle_of, run_import):
    record = product("P1")
    record["variants"][0]["prices"]["in"] = "16999.999"
    assert run_import(bundle_of(record))[0] == 0


def test_a_slug_already_used_by_a_store_product_is_a_conflict_and_nothing_is_overwritten(bundle_of, run_import):
    ProductFactory(slug="poco-p1", name="Store's own")
    status, report = run_import(bundle_of(product("P1")))
    assert report["entities"]["products"]["conflicts"] == 1 and status == 1
    assert Product.objects.get().name == "Store's own"


def test_a_changed_product_is_updated_unless_the_catalog_team_edited_it(bundle_of, run_import):
    run_import(bundle_of(product("P1"), product("P2")))
    Product.objects.filter(slug="poco-p2").update(name="Edited by the catalog team")
    Stock.objects.update(quantity=1)  # sales move stock: not an edit
    changed = [product(p, description_html="<p>New</p>") for p in ("P1", "P2")]
    _, report = run_import(bundle_of(*changed, name="later"))
    assert report["entities"]["products"]["updated"] == 1
    assert report["conflicts"] == [{"entity": "products", "legacy_id": "P2", "reason": report["conflicts"][0][
        "reason"]}]
    assert Product.objects.get(slug="poco-p1").description_html == "<p>New</p>"
    assert Product.objects.get(slug="poco-p2").description_html == "<p>Fast.</p>"


def test_a_product_repeating_a_sku_among_its_variants_is_quarantined(bundle_of, run_import):
    record = product("P1")
    record["variants"].append(record["variants"][0])
    status, report = run_import(bundle_of(record))
    assert report["quarantine"][0]["reason"] == "SKU P1-BLK repeated among its variants"
    assert status == 1 and not Product.objects.exists()
