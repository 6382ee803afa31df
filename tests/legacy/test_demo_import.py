"""`manage.py import_legacy_demo` (make run): a generated bundle imported once, and logins that work."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from brands.legacy.models import ImportRun
from storefront.orders.models import Order

pytestmark = pytest.mark.django_db


def demo(out) -> str:
    stdout = io.StringIO()
    call_command("import_legacy_demo", "--out", str(out), "--customers", "60", stdout=stdout)
    return stdout.getvalue()


def test_the_demo_imports_once_and_prints_legacy_logins_that_work(tmp_path, reference_data):
    first = demo(tmp_path / "demo-bundle")
    assert ImportRun.objects.filter(state="finished").count() == 1 and Order.objects.exists()
    logins = re.findall(r"^  (\S+@\S+) / (.+)$", first, re.M)
    assert len(logins) == 5
    for email, password in logins:
        assert authenticate(username=email, password=password) is not None, email

    again = demo(tmp_path / "demo-bundle")
    assert "not imported again" in again and ImportRun.objects.count() == 1
    assert re.findall(r"^  (\S+@\S+) / ", again, re.M) == [email for email, _ in logins]
