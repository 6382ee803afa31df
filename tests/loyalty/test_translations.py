import io
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

KEYWORDS = {**DEFAULT_KEYWORDS, "gettext_lazy": None, "pgettext_lazy": ((1, "c"), 2)}


def _messages(code: str) -> list:
    return [m for _line, m, _comments, _ctx in extract("python", io.BytesIO(code.encode()), keywords=KEYWORDS)]


def test_every_string_of_the_loyalty_app_and_its_templates_has_a_french_translation():
    """Extracts the messages as makemessages does (templates/loyalty and the loyalty modules) and looks each
    up in loyalty's French catalogue."""
    base = Path(settings.BASE_DIR)
    templates = [p for p in (base / "templates" / "loyalty").rglob("*") if p.suffix in (".html", ".txt")]
    modules = [p for p in (base / "loyalty").rglob("*.py") if "migrations" not in p.parts]
    wanted = [m for path in templates for m in _messages(templatize(path.read_text(), origin=str(path)))]
    wanted += [m for path in modules for m in _messages(path.read_text())]

    with open(base / "loyalty/locale/fr/LC_MESSAGES/django.po", "rb") as po:
        translated = {m.id: m.string for m in read_po(po) if m.id and not m.fuzzy}
    assert len(wanted) > 100
    untranslated = [m for m in wanted if not translated.get(m) or not all(translated[m])]
    assert untranslated == []
