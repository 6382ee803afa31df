import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .bundles import SAMPLE_CANDIDATES


@pytest.fixture
def run_import(tmp_path):
    """Runs `import_legacy` like an operator; returns (exit status, JSON report or None)."""

    def run(bundle, *args):
        report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
        try:
            call_command("import_legacy", str(bundle), "--report", str(report), *args, stdout=io.StringIO())
            status = 0
        except CommandError as exc:
            status = exc.returncode
        return status, json.loads(report.read_text()) if report.exists() else None

    return run


@pytest.fixture
def sample():
    for candidate in SAMPLE_CANDIDATES:
        if (candidate / "manifest.json").is_file():
            return candidate
    pytest.skip(f"the shared sample bundle is absent ({', '.join(str(c) for c in SAMPLE_CANDIDATES)})")
