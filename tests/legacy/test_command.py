"""The `import_legacy` command as an operator sees it: summary table, progress lines, report file."""

import io
import json
import logging

import pytest
from django.core.management import call_command

from brands.legacy.entities import ENTITIES
from brands.legacy.loaders import registered_loaders

from .bundles import customer, write_bundle

pytestmark = pytest.mark.django_db


def test_without_a_terminal_progress_goes_to_periodic_log_lines_and_a_summary_table_ends(
        tmp_path, reference_data, settings, caplog):
    settings.LEGACY_IMPORT_BATCH_SIZE = 2
    settings.LEGACY_IMPORT_LOG_EVERY = 0
    bundle = write_bundle(tmp_path / "b", {"customers": [customer(f"C{n}") for n in range(5)]})
    out = io.StringIO()
    with caplog.at_level(logging.INFO, logger="brands.legacy.engine"):
        call_command("import_legacy", str(bundle), "--report", str(tmp_path / "r.json"), stdout=out)
    assert [r.getMessage().split(",")[0] for r in caplog.records if "/5 lines" in r.getMessage()] == [
        "customers: 2/5 lines", "customers: 4/5 lines", "customers: 5/5 lines"]
    table = out.getvalue().splitlines()
    assert table[0].split() == ["entity", "read", "created", "updated", "unchanged", "linked", "excluded",
                                "quarantined", "superseded", "conflicts"]
    assert table[2].split() == ["customers", "5", "5", "0", "0", "0", "0", "0", "0", "0"]
    assert [line.split()[0] for line in table if "(not loaded)" in line] == [
        entity for entity in ENTITIES if entity not in registered_loaders()]
    assert json.loads((tmp_path / "r.json").read_text())["entities"]["customers"]["created"] == 5


@pytest.mark.parametrize("debug", [True, False])
def test_the_operator_is_warned_when_debug_would_keep_every_query_in_memory(tmp_path, reference_data, settings, debug):
    settings.DEBUG = debug
    bundle = write_bundle(tmp_path / "b", {"customers": [customer("C1")]})
    err = io.StringIO()
    call_command("import_legacy", str(bundle), stdout=io.StringIO(), stderr=err)
    assert ("DEBUG is on" in err.getvalue()) is debug
