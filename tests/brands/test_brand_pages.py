"""The store frame and the brand pages: store home, brand landing, external brands, 404s, looks, French."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brands.models import Brand, RegionalStore
from tests.factories import CategoryFactory, PriceFactory, ProductFactory, ReviewFactory, StockFactory, VariantFactory

pytestmark = pytest.mark.django_db

POCO_INDIA = "https://www.poco.in/"


def make_product(stores, *, brand, name, store="uk", category=None, amount="199.00"):
    product = ProductFactory(brand=brand, name=name, **({"category": category} if category else {}))
    variant = VariantFactory(product=product)
    PriceFactory(variant=variant, store=stores[store], amount=Decimal(amount))
    StockFactory(variant=variant, store=stores[store])
    return product


# --- Store home -----------------------------------------------------------------------------------


def test_store_home_shows_its_brands_served_ones_linking_in_and_external_ones_linking_out(client, stores):
    html = client.get(reverse("catalog:store_home", args=["in"])).content.decode()

    assert 'href="/in/xiaomi/"' in html and 'href="/in/redmi/"' in html
    assert 'href="/in/poco/"' not in html
    assert f'href="{POCO_INDIA}" rel="external noopener"' in html
    assert "Shop on www.poco.in ↗" in html


def test_store_home_shows_new_arrivals_of_the_store(client, stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO F6", store="uk")
    make_product(stores, brand=brands["poco"], name="POCO Only In France", store="fr")

    html = client.get("/uk/").content.decode()

    assert "POCO F6" in html and "POCO Only In France" not in html
    assert "From £199.00" in html


def test_unknown_store_is_a_styled_404_page(client, stores):
    response = client.get("/atlantis/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can’t find that page" in html and "/static/css/store.css" in html


def test_inactive_store_is_a_404(client, stores):
    RegionalStore.objects.filter(code="uk").update(is_active=False)
    assert client.get("/uk/").status_code == 404


# --- Brand landing ---------------------------------------------------------------------------------


def test_brand_landing_shows_name_tagline_categories_with_listed_products_and_newest(client, stores, brands):
    phones = CategoryFactory(name="Phones")
    poco_f = CategoryFactory(name="POCO F", parent=phones)
    empty = CategoryFactory(name="Televisions")
    make_product(stores, brand=brands["poco"], name="POCO F6", category=poco_f)
    make_product(stores, brand=brands["redmi"], name="Redmi TV", category=empty)

    response = client.get(reverse("catalog:brand", args=["uk", "poco"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "POCO" in html and "Everything you need, nothing you don&#x27;t" in html
    assert [c.path for c in response.context["brand_categories"]] == ["phones", "phones/poco-f"]
    assert 'href="/uk/poco/phones/poco-f/"' in html and "Televisions" not in html
    assert "POCO F6" in html and "Redmi TV" not in html


def test_brand_pages_take_their_colours_from_the_brand_data(client, stores, brands):
    poco = client.get("/uk/poco/").content.decode()
    assert "--brand-primary: #000000; --brand-accent: #ffd100; --brand-on-primary: #ffffff;" in poco

    Brand.objects.filter(slug="redmi").update(primary_colour="#123456")
    assert "--brand-primary: #123456;" in client.get("/uk/redmi/").content.decode()


def test_a_brand_override_folder_replaces_the_shared_landing_template(client, stores, brands):
    poco = client.get("/uk/poco/")
    redmi = client.get("/uk/redmi/")

    assert [t.name for t in poco.templates][:2] == ["brands/poco/landing.html", "brands/landing.html"]
    assert "Made for those who push further" in poco.content.decode()
    assert redmi.templates[0].name == "brands/landing.html"
    assert "Made for those who push further" not in redmi.content.decode()


def test_no_template_or_view_tests_a_brand_slug():
    """A brand's look is its data and its override folder, never `if brand.slug == ...`."""
    from pathlib import Path

    from django.conf import settings

    sources = [*Path(settings.BASE_DIR, "templates").rglob("*.html"),
               *Path(settings.BASE_DIR, "storefront", "catalog").glob("*.py"),
               Path(settings.BASE_DIR, "brands", "views.py")]
    pattern = re.compile(r"slug\s*==|==\s*['\"](poco|xiaomi|redmi)['\"]")
    assert [str(path) for path in sources if pattern.search(path.read_text())] == []


# --- External brand: POCO in India ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/in/poco/", "/in/poco/phones/", "/in/poco/p/poco-x6/"])
def test_poco_pages_in_the_india_store_send_the_shopper_to_poco_in(client, stores, brands, path):
    phones = CategoryFactory(name="Phones")
    make_product(stores, brand=brands["poco"], name="POCO X6", store="in", category=phones)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == POCO_INDIA


def test_poco_products_are_never_listed_in_the_india_store(client, stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO X6", store="in")
    make_product(stores, brand=brands["redmi"], name="Redmi 13C", store="in")

    home = client.get("/in/").content.decode()
    search = client.get("/in/search/", {"q": "POCO"}).content.decode()

    assert "Redmi 13C" in home and "POCO X6" not in home
    assert "POCO X6" not in search and "0 products" in search


def test_brand_nav_links_an_external_brand_out_of_the_store(client, stores):
    html = client.get("/in/redmi/").content.decode()
    assert f'<a href="{POCO_INDIA}" rel="external noopener">POCO' in html


def test_unknown_brand_is_a_404(client, stores):
    assert client.get("/uk/nokia/").status_code == 404
    assert client.get("/uk/nokia/p/3310/").status_code == 404


# --- Store frame ------------------------------------------------------------------------------------


def test_store_switcher_links_to_the_same_page_in_every_store(client, stores):
    html = client.get("/uk/redmi/").content.decode()
    for code in ("global", "uk", "fr", "in"):
        assert f'href="/{code}/redmi/"' in html


def test_header_has_search_box_brand_nav_and_account_area(client, stores):
    html = client.get("/uk/").content.decode()
    assert 'action="/uk/search/"' in html and 'name="q"' in html
    assert 'aria-label="Brands"' in html and 'aria-label="Your account"' in html


def test_header_links_the_cart_of_the_current_store_and_only_inside_a_store(client, stores):
    uk = client.get("/uk/").content.decode()
    assert f'<a class="cart-link" href="{reverse("cart:detail", args=["uk"])}">Cart</a>' in uk
    cart = client.get(reverse("cart:detail", args=["uk"])).content.decode()
    assert f'href="{reverse("cart:detail", args=["uk"])}" aria-current="page">Cart</a>' in cart
    french = client.get("/fr/").content.decode()
    assert f'<a class="cart-link" href="{reverse("cart:detail", args=["fr"])}">Panier</a>' in french
    outside_a_store = client.get(reverse("accounts:login")).content.decode()
    assert 'class="cart-link"' not in outside_a_store


def test_header_links_my_support_cases_for_signed_in_shoppers_only(client, stores):
    from tests.factories import UserFactory

    cases = f'href="{reverse("aftersales_portal:list")}"'
    assert cases not in client.get("/uk/").content.decode()
    client.force_login(UserFactory())
    assert f"<a {cases}>My support cases</a>" in client.get("/uk/").content.decode()
    assert f"<a {cases}>Mes dossiers SAV</a>" in client.get("/fr/").content.decode()


def test_search_url_is_not_taken_for_a_brand_nor_p_for_a_category(client, stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO F6")
    assert client.get("/uk/search/").resolver_match.url_name == "search"
    assert client.get(f"/uk/poco/p/{product.slug}/").resolver_match.url_name == "product"


# --- French and store formatting ---------------------------------------------------------------------


def test_french_store_pages_are_in_french(client, stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO F6", store="fr", amount="474.05")
    ReviewFactory(product=product, verified_purchase=True, created_at="2024-03-12T10:00:00Z")

    home = client.get("/fr/").content.decode()
    landing = client.get("/fr/poco/").content.decode()
    page = client.get(f"/fr/poco/p/{product.slug}/").content.decode()
    search = client.get("/fr/search/", {"q": "F6", "page": "abc"}).content.decode()
    missing = client.get("/fr/poco/p/nothing/")

    assert '<html lang="fr">' in home
    assert "Bienvenue sur le Xiaomi Store France" in home and "Nos marques" in home
    assert "Conçu pour ceux qui vont plus loin" in landing and "Nouveautés" in landing
    assert "À partir de 474,05\xa0€" in page and "En stock" in page and "Achat vérifié" in page
    assert "12 mars 2024" in page and "Noté 5,0 sur 5 (1 avis)" in page
    assert "Résultats pour « F6 »" in search and "Certains filtres ont été ignorés" in search
    assert "Rechercher" in search and "Trier par" in search
    assert "Nous ne trouvons pas cette page" in missing.content.decode()


def test_english_stores_stay_in_english_with_their_own_formats(client, stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO F6", store="uk", amount="424.15")
    ReviewFactory(product=product, created_at="2024-03-12T10:00:00Z")

    page = client.get(f"/uk/poco/p/{product.slug}/").content.decode()

    assert '<html lang="en">' in page
    assert "From £424.15" in page and "12 March 2024" in page and "Rated 5.0 out of 5 (1 review)" in page


def test_every_string_of_the_shopper_pages_has_a_french_translation():
    """Extracts the messages of the templates and modules of these pages as makemessages does and looks
    each up in the French catalogues of `catalog` and `brands`."""
    import io
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract
    from babel.messages.pofile import read_po
    from django.conf import settings
    from django.utils.translation.template import templatize

    base = Path(settings.BASE_DIR)
    templates = [base / "templates" / name for name in ("base.html", "404.html", "500.html", "_account_links.html")]
    templates += [*(base / "templates" / "catalog").rglob("*.html"), *(base / "templates" / "brands").rglob("*.html")]
    modules = [base / "storefront/catalog/forms.py", base / "storefront/catalog/views.py", base / "brands/views.py"]
    keywords = {**DEFAULT_KEYWORDS, "gettext_lazy": None, "pgettext_lazy": ((1, "c"), 2)}

    def messages(code: str):
        return [m for _line, m, _comments, _ctx in extract("python", io.BytesIO(code.encode()), keywords=keywords)]

    wanted = [m for path in templates for m in messages(templatize(path.read_text(), origin=str(path)))]
    wanted += [m for path in modules for m in messages(path.read_text())]

    translated = {}
    for po in (base / "storefront/catalog/locale", base / "brands/locale"):
        with open(po / "fr/LC_MESSAGES/django.po", "rb") as f:
            translated.update({m.id: m.string for m in read_po(f) if m.id and not m.fuzzy})
    assert len(wanted) > 80
    untranslated = [m for m in wanted if not translated.get(m) or not all(translated[m])]
    assert untranslated == []


def test_store_home_and_brand_landing_run_a_constant_number_of_queries(client, stores, brands):
    phones = CategoryFactory(name="Phones")
    make_product(stores, brand=brands["poco"], name="POCO 0", category=phones)
    counts = {}
    for label, extra in (("small", 0), ("large", 20)):
        for i in range(extra):
            sub = CategoryFactory(name=f"Series {i}", parent=phones)
            make_product(stores, brand=brands["poco"], name=f"POCO {label} {i}", category=sub)
        client.get("/uk/poco/")
        with CaptureQueriesContext(connection) as home:
            client.get("/uk/")
        with CaptureQueriesContext(connection) as landing:
            client.get("/uk/poco/")
        counts[label] = (len(home), len(landing))
    assert counts["small"] == counts["large"]


def test_account_links_offer_sign_in_to_visitors_and_a_sign_out_form_to_shoppers(client, stores):
    from tests.factories import UserFactory

    visitor = client.get("/uk/").content.decode()
    assert f'href="{reverse("accounts:login")}"' in visitor and f'href="{reverse("accounts:signup")}"' in visitor

    client.force_login(UserFactory())
    shopper = client.get("/uk/").content.decode()
    assert f'href="{reverse("accounts:account")}"' in shopper
    assert f'<form method="post" action="{reverse("accounts:logout")}">' in shopper


def test_server_error_page_renders_without_a_request_context_in_the_store_language(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("fr"):
        response = server_error(rf.get("/fr/"))
    assert response.status_code == 500
    assert "Une erreur s’est produite" in response.content.decode()
