"""Every message of the orders templates and modules has a French translation in the orders catalogue."""

import io
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

from tests.factories import OrderFactory


def test_every_string_of_the_orders_app_has_a_french_translation():
    base = Path(settings.BASE_DIR)
    templates = [*(base / "templates/orders").rglob("*.html"), *(base / "templates/orders").rglob("*.txt")]
    modules = [p for p in (base / "storefront/orders").rglob("*.py") if "migrations" not in p.parts]
    keywords = {**DEFAULT_KEYWORDS, "gettext_lazy": None, "pgettext_lazy": ((1, "c"), 2)}

    def messages(code: str):
        return [m for _line, m, _comments, _ctx in extract("python", io.BytesIO(code.encode()), keywords=keywords)]

    wanted = [m for path in templates for m in messages(templatize(path.read_text(), origin=str(path)))]
    wanted += [m for path in modules for m in messages(path.read_text())]
    with open(base / "storefront/orders/locale/fr/LC_MESSAGES/django.po", "rb") as f:
        translated = {m.id: m.string for m in read_po(f) if m.id and not m.fuzzy}
    assert len(wanted) > 100
    untranslated = [m for m in wanted if not translated.get(m) or not all(translated[m])]
    assert untranslated == []


def test_my_orders_speaks_french_to_a_french_speaking_shopper(client, stores, shopper):
    OrderFactory(user=shopper, store=stores["fr"], status="shipped")
    client.force_login(shopper)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("orders:list")).content.decode()
    assert "Mes commandes" in page and "Expédiée" in page
