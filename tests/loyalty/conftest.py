from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import loyalty
from tests.legacy.conftest import run_import, sample  # noqa: F401 - the import engine's fixtures, for the loaders

CATALOGUE = Path(loyalty.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="session", autouse=True)
def french_catalogue_compiled():
    """The French tests need the compiled catalogue (`make messages`); compile it when it is stale."""
    compiled = CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < CATALOGUE.stat().st_mtime:
        with CATALOGUE.open("rb") as po, compiled.open("wb") as mo:
            write_mo(mo, read_po(po, locale="fr"))
        from django.utils.translation import trans_real

        trans_real._translations = {}  # drop catalogues cached before the compile


@pytest.fixture
def cutover():
    return datetime(2024, 12, 12, tzinfo=UTC)
