"""The admin's "Import a bundle": a form that queues the `legacy.import_bundle` task; the run shows progress."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from brands.legacy.models import ImportRun
from storefront.accounts.models import User

from .bundles import customer, write_bundle

pytestmark = pytest.mark.django_db

URL = "admin:legacy_importrun_import"


@pytest.fixture
def operator_client(client):
    """Staff allowed to see import runs and to queue imports, not a superuser."""
    operator = User.objects.create_user("ops@mi.com", "pw", is_staff=True)
    operator.user_permissions.add(*Permission.objects.filter(codename__in=["view_importrun", "import_bundle"]))
    client.force_login(operator)
    return client


@pytest.fixture
def bundle(tmp_path, reference_data):
    return write_bundle(tmp_path / "bundle", {"customers": [customer(f"C{n}") for n in range(5)] + [b"not json"]})


def test_the_runs_list_offers_the_import_to_whom_may_queue_it(operator_client):
    response = operator_client.get(reverse("admin:legacy_importrun_changelist"))
    assert reverse(URL).encode() in response.content


def test_queuing_a_bundle_runs_the_task_on_commit_and_the_run_shows_what_it_did(
        operator_client, bundle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = operator_client.post(reverse(URL), {"bundle": str(bundle), "workers": "2", "only": ["customers"]})
    assert response.status_code == 302
    assert len(queued) == 1  # the task goes on commit: never for a request that rolls back
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.FINISHED
    assert run.options["only"] == ["customers"] and run.options["workers"] == 2
    assert run.counters["customers"]["created"] == 5 and run.counters["customers"]["quarantined"] == 1
    page = operator_client.get(reverse("admin:legacy_importrun_change", args=[run.pk]))
    assert b"customers: done" in page.content


@pytest.mark.parametrize(("field", "value", "message"), [
    ("bundle", "relative/path", "Give an absolute path on the server."),
    ("bundle", "/nowhere/at/all", "is neither a bundle directory nor a .tar.gz file on the server."),
    ("cutover", "2024-12-01T00:00:00", "has no offset"),
    ("workers", "0", "greater than or equal to 1"),
])
def test_bad_input_is_named_and_nothing_is_queued(operator_client, bundle, django_capture_on_commit_callbacks,
                                                  field, value, message):
    data = {"bundle": str(bundle), field: value}
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = operator_client.post(reverse(URL), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert queued == [] and not ImportRun.objects.exists()


def test_staff_without_the_permission_cannot_queue_an_import(client, bundle):
    client.force_login(User.objects.create_user("viewer@mi.com", "pw", is_staff=True))
    response = client.post(reverse(URL), {"bundle": str(bundle)})
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
