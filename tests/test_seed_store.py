import io
import re
from contextlib import suppress
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from PIL import Image

from brands.management.commands.seed_store import Command
from brands.models import BrandAvailability, RegionalStore
from storefront.accounts.models import Address, User
from storefront.accounts.services import ADMINS_GROUP, SUPPORT_AGENTS_GROUP
from storefront.catalog.models import Category, Price, Product, ProductImage, Stock, Variant
from storefront.catalog.selectors import listed_products
from storefront.demo.lineup import lineup, store_price
from storefront.demo.seeding import store_seed
from tests.factories import UserFactory

LOGIN_LINE = re.compile(r"^\s+(customer|support agent|admin)\s+(\S+@\S+)\s+(\S+)$", re.MULTILINE)


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_store", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> list[tuple[str, str, str]]:
    return LOGIN_LINE.findall(output)


def test_seeding_an_empty_store_creates_the_whole_xiaomi_store(db):
    output = seed()

    assert {s.code: s.currency for s in RegionalStore.objects.all()} == {
        "global": "USD", "uk": "GBP", "fr": "EUR", "in": "INR"
    }
    assert BrandAvailability.objects.get(brand__slug="poco", store__code="in").is_external
    assert {"smartphones/xiaomi-series", "smartphones/redmi-note-series", "smartphones/poco-f-series",
            "tablets", "wearables/smart-bands", "audio", "smart-home/robot-vacuums"} <= set(
        Category.objects.values_list("path", flat=True))
    assert Product.objects.count() == len(lineup()) >= 200
    assert set(Product.objects.values_list("brand__slug", flat=True)) == {"xiaomi", "redmi"}
    assert {"Xiaomi 14T Pro", "Redmi Note 13 Pro+ 5G", "Xiaomi Smart Band 9"} <= set(
        Product.objects.values_list("name", flat=True))
    variants = Variant.objects.count()
    assert variants > Product.objects.count()
    assert Price.objects.count() == Stock.objects.count() == 4 * variants
    assert not Price.objects.exclude(currency=F("store__currency")).exists()
    assert ProductImage.objects.count() == Product.objects.count()
    assert User.objects.filter(is_staff=False).count() == 6
    assert f"{Product.objects.count()} products" in output


def test_seeded_variants_carry_colour_and_storage_and_prices_in_each_currency(db):
    seed("--products", "40")
    phone = Variant.objects.filter(product__category__path__startswith="smartphones/").first()
    assert set(phone.attributes) == {"color", "storage"}
    prices = dict(Price.objects.filter(variant=phone).values_list("store__code", "amount"))
    usd = prices["global"]
    assert prices["uk"] < usd < prices["in"]
    assert abs(prices["fr"] - usd * Decimal("0.95")) < Decimal("1")
    assert str(usd).endswith(".99")


def test_every_seeded_product_has_a_png_picture_in_the_file_storage(db):
    seed("--products", "10")
    for image in ProductImage.objects.all():
        with default_storage.open(image.image.name) as file:
            assert Image.open(file).format == "PNG"


def test_seeded_products_are_listed_in_every_store_that_serves_them(db):
    seed("--products", "30")
    for store in RegionalStore.objects.all():
        assert listed_products(store=store).count() == Product.objects.filter(status="active").count() > 0


class Rollback(Exception):
    pass


def test_the_same_seed_gives_the_same_store_and_another_seed_another(db):
    def snapshot(seed_value):
        with suppress(Rollback), transaction.atomic():
            store_seed(seed=seed_value, product_count=25)
            result = sorted(Price.objects.values_list("variant__sku", "store__code", "amount"))
            raise Rollback
        return result

    assert snapshot(7) == snapshot(7)
    assert snapshot(7) != snapshot(8)


def test_seeding_writes_in_bulk_whatever_the_number_of_products(db):
    def queries_to_seed(product_count):
        with suppress(Rollback), transaction.atomic(), CaptureQueriesContext(connection) as queries:
            store_seed(product_count=product_count)
            raise Rollback
        return len(queries)

    # 95 more products mean over a thousand more rows: a few more batches, never a query per row.
    assert queries_to_seed(100) - queries_to_seed(5) < 20


def test_the_printed_demo_logins_log_in_with_their_roles(db, client):
    logins = printed_logins(seed("--products", "5"))

    assert ("customer", "oliver.fournier.50@example.com", "mi-existing-0") in logins
    assert {email for role, email, _ in logins if role == "support agent"} >= {"agent.0@po.co", "agent.1@po.co"}
    for role, email, password in logins:
        user = authenticate(username=email, password=password)
        assert user is not None, f"{email} does not log in with {password}"
        assert user.is_staff == (role != "customer")
    for group, role in ((SUPPORT_AGENTS_GROUP, "support agent"), (ADMINS_GROUP, "admin")):
        members = Group.objects.get(name=group).user_set.values_list("email", flat=True)
        assert set(members) == {email for r, email, _ in logins if r == role}
    admin_email, admin_password = next((e, p) for role, e, p in logins if role == "admin")
    client.login(username=admin_email, password=admin_password)
    assert client.get("/admin/").status_code == 200


def test_seeded_customers_have_a_default_address_and_their_preferred_store(demo_store):
    oliver = User.objects.get(email="oliver.fournier.50@example.com")
    assert oliver.preferred_store.code == "fr"
    assert oliver.preferred_language == "fr"
    assert Address.objects.get(user=oliver, is_default=True).country == "FR"


def test_a_store_that_is_not_empty_is_refused_with_what_it_holds(db):
    UserFactory()
    with pytest.raises(CommandError, match=r"not empty: it holds 0 products, 1 customers, 0 staff accounts"):
        seed()
    assert Product.objects.count() == 0


def test_the_refusal_exits_non_zero_from_the_command_line(db, capsys):
    UserFactory()
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "seed_store"])
    assert exit_info.value.code != 0
    assert "--add" in capsys.readouterr().err


def test_add_seeds_next_to_what_is_there_and_keeps_existing_accounts(db):
    existing = UserFactory(email="oliver.fournier.50@example.com")
    output = seed("--add", "--products", "20")

    assert Product.objects.count() == 20
    existing.refresh_from_db()
    assert existing.check_password("correct horse battery")
    assert "1 accounts" in output
    seed("--add", "--products", "20")
    assert Product.objects.count() == 20


def test_if_empty_seeds_an_empty_store(db):
    seed("--if-empty", "--products", "5")
    assert Product.objects.count() == 5


def test_if_empty_leaves_a_filled_store_alone_and_prints_the_logins(db):
    seed("--products", "5")
    output = seed("--if-empty")
    assert Product.objects.count() == 5
    assert "not seeding it" in output
    assert ("customer", "oliver.fournier.50@example.com", "mi-existing-0") in printed_logins(output)


def test_add_and_if_empty_cannot_be_combined(db):
    with pytest.raises(CommandError, match="not allowed with"):
        seed("--add", "--if-empty")


def test_a_product_count_beyond_the_line_up_is_refused_with_the_limit(db):
    with pytest.raises(CommandError, match=f"between 0 and {len(lineup())}, not 9999"):
        seed("--products", "9999")
    assert Product.objects.count() == 0


@pytest.mark.parametrize("usd, currency, expected", [
    ("650", "USD", "649.99"), ("650", "GBP", "552.99"), ("650", "EUR", "617.99"), ("650", "INR", "51999"),
    ("10", "INR", "799"),
])
def test_store_prices_are_converted_and_end_in_nines(usd, currency, expected):
    assert store_price(Decimal(usd), currency) == Decimal(expected)
