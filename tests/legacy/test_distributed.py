"""`--workers N` splits the entities into chunks that Celery tasks import; the result is a serial run's.

A generated bundle (a few hundred customers with their points, coupons, tickets; bad lines, people on
several portals, accounts the store already has) is imported serially and chunked; the two reports and
the two database states (modulo primary keys, see snapshot.py) must be equal. Eagerly (no broker: the
chunks run one after the other in this process) on any database; with a real Celery worker running the
chunks in parallel on PostgreSQL when a broker is configured.
"""

import hashlib
import os
import uuid
import zlib
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone

from benchmarks.celery_worker import celery_worker
from brands.legacy.distributed import (
    PARTITION_KEYS,
    PLAN_PIECE,
    ChunkFailed,
    KeyFields,
    chunk_plan_assignment,
    chunk_plan_superseded,
    chunk_plan_write,
    run_chunk,
)
from brands.legacy.generator import write_bundle as generate
from brands.legacy.loaders import registered_loaders
from brands.legacy.models import ChunkCheckpoint, ChunkPlan, ImportRun, LegacyRecord
from brands.legacy.reader import BundleFile
from brands.legacy.resolution import Resolution
from brands.legacy.superseded import SupersededIndex, legacy_ids
from brands.services import reference_data_ensure
from storefront.accounts.models import User
from storefront.celery import app as celery_app
from storefront.orders.models import Order

from .activity import order
from .bundles import customer, product, product_images, write_bundle
from .snapshot import snapshot

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
BATCH = 40  # several batches per chunk


def store_before(truth: dict) -> None:
    """The accounts the generated bundle assumes the store already has."""
    before = truth["assumes"]["store_before"]
    for account in before["customers"]:
        User.objects.create_user(account["email"], account["password"])
    for email in before["staff"]:
        User.objects.create_user(email, "staff-password", is_staff=True)


def expected_chunks(workers: int) -> dict[str, int]:
    """Chunks per entity with a loader: `workers` for the partitioned ones, one for the others."""
    return {entity: workers if entity in PARTITION_KEYS else 1 for entity in registered_loaders()}


@pytest.fixture
def generated(tmp_path):
    return generate(tmp_path / "bundle", customers=300, seed=11, gzip=True, tar=True, bad_lines=True)


def import_and_look(run_import, bundle, workers: int, since=None) -> tuple[int, dict, dict, dict]:
    """(exit status, report, database state, chunk counts per entity) of one import of the bundle.

    Times from `since` on (default: now) are the import's own clock (see snapshot.py).
    """
    since = since or timezone.now()
    status, report = run_import(bundle, "--workers", str(workers))
    run = ImportRun.objects.get()
    chunks = dict(ChunkCheckpoint.objects.filter(run=run, chunk=0).values_list("entity", "chunks"))
    return status, report, snapshot(since), chunks


def generated_and_its_serial_import(tmp_path, run_import, settings):
    """A generated bundle (bad lines included) in a store with its assumed accounts, and what a serial import of
    it gives (`import_and_look`), undone: the clean run a stopped and resumed one must end as."""
    generated = generate(tmp_path / "bundle", customers=120, seed=5, gzip=False, tar=False, bad_lines=True)
    settings.LEGACY_IMPORT_BATCH_SIZE = BATCH
    store_before(generated.truth)
    with transaction.atomic():
        clean = import_and_look(run_import, generated.path, 1)
        transaction.set_rollback(True)
    return generated, clean


@pytest.mark.django_db
def test_a_chunked_import_run_eagerly_equals_a_serial_one(generated, reference_data, run_import, settings):
    settings.LEGACY_IMPORT_BATCH_SIZE = BATCH
    store_before(generated.truth)
    with transaction.atomic():  # the serial import, looked at, then undone
        serial = import_and_look(run_import, generated.path, 1)
        transaction.set_rollback(True)
    chunked = import_and_look(run_import, generated.path, 3)

    assert serial[3] == {}, "--workers 1 must stay serial"
    assert chunked[3] == expected_chunks(3)
    assert set(ChunkPlan.objects.values_list("entity", flat=True)) == {
        entity for entity, chunks in expected_chunks(3).items() if chunks > 1}
    assert chunked[0] == serial[0] == 1  # the bundle has bad lines
    assert chunked[1] == serial[1]
    assert serial[1]["entities"]["customers"]["linked"] > 0  # merged people and existing accounts were met
    assert chunked[2] == serial[2]


@pytest.mark.django_db
def test_a_customer_s_records_share_a_chunk_whatever_the_case_of_the_email():
    email = PARTITION_KEYS["customers"]
    assert email(KeyFields(email=" Jo@Example.COM"), None) == email(KeyFields(email="jo@example.com "), None)


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "then"), [(2, 2), (1, 2), (2, 1)])
def test_a_failed_run_resumes_to_a_clean_run_s_end_whatever_the_workers_of_each_part(
        tmp_path, reference_data, run_import, settings, monkeypatch, first, then):
    """A chunked run goes on chunked (same chunks), a serial run stopped in an entity goes on serially there."""
    from storefront.accounts.importers import CustomersLoader

    generated, clean = generated_and_its_serial_import(tmp_path, run_import, settings)

    load, calls = CustomersLoader.load, []

    def fails_on_the_second_batch(self, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return load(self, items)

    monkeypatch.setattr(CustomersLoader, "load", fails_on_the_second_batch)
    started = timezone.now()
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(generated.path, "--workers", str(first))
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.FAILED and "disk full" in run.message
    if first > 1:
        failed = ChunkCheckpoint.objects.get(run=run, entity="customers", chunk=0)
        assert failed.error == "RuntimeError: disk full" and failed.lines_done > 0 and not failed.done

    monkeypatch.setattr(CustomersLoader, "load", load)
    resumed = import_and_look(run_import, generated.path, then, since=started)
    expected = {**expected_chunks(then), "customers": first}
    if first == 1:
        del expected["customers"]  # it went on serially
    assert resumed[3] == expected
    assert ImportRun.objects.get().state == ImportRun.State.FINISHED
    assert resumed[1] == clean[1]
    assert resumed[2] == clean[2]


@pytest.mark.django_db
def test_a_plan_made_ahead_for_other_workers_is_made_again_when_the_run_resumes_with_its_own(
        tmp_path, reference_data, run_import, settings, monkeypatch):
    """A run stopped after the next entity's plan was made ahead (with 3 workers, say) and resumed with 2 must
    split that entity in 2, by a plan of 2 chunks."""
    from storefront.accounts.importers import CustomersLoader

    generated, clean = generated_and_its_serial_import(tmp_path, run_import, settings)

    load = CustomersLoader.load
    monkeypatch.setattr(CustomersLoader, "load", lambda self, items: (_ for _ in ()).throw(RuntimeError("disk full")))
    started = timezone.now()
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(generated.path, "--workers", "2")
    run = ImportRun.objects.get()
    ChunkPlan.objects.create(run=run, entity="orders", chunks=3, assignment=zlib.compress(b"", 1),
                             superseded=zlib.compress(b"", 1))  # as a run with --workers 3 makes it ahead

    monkeypatch.setattr(CustomersLoader, "load", load)
    resumed = import_and_look(run_import, generated.path, 2, since=started)

    assert resumed[3] == expected_chunks(2)
    assert ChunkPlan.objects.get(run=run, entity="orders").chunks == 2
    assert resumed[1] == clean[1]
    assert resumed[2] == clean[2]


@pytest.mark.django_db
def test_two_orders_claiming_one_number_meet_in_one_chunk_so_the_first_in_the_file_gets_it(
        tmp_path, reference_data, run_import):
    first, later = "O1", "O4"  # split by legacy id they would fall in chunks 1 and 0: the later one first
    assert [zlib.crc32(legacy_id.encode()) % 2 for legacy_id in (first, later)] == [1, 0]
    bundle = write_bundle(tmp_path / "bundle", {
        "customers": [customer("C1")], "products": [product("P1")],
        "orders": [order(first, number="PO-UK-2024-1"), order(later, number="PO-UK-2024-1")],
    }, attachments=product_images("P1"))

    status, report = run_import(bundle, "--workers", "2")

    assert ChunkCheckpoint.objects.filter(entity="orders").count() == 2
    assert [row["legacy_id"] for row in report["conflicts"]] == [later]
    numbered = Order.objects.get(number="PO-UK-2024-1")
    assert LegacyRecord.objects.get(entity="orders", target_pk=numbered.pk).legacy_id == first


@pytest.mark.django_db
def test_points_chunks_ask_only_for_their_own_lines_customers_the_plan_placed_the_rest(
        tmp_path, reference_data, run_import, monkeypatch):
    customers = [f"C{number}" for number in range(1, 9)]
    lots = [{"points": 10, "earned_at": "2024-01-01T00:00:00Z", "expires_at": "2030-01-01T00:00:00Z"}]
    bundle = write_bundle(tmp_path / "bundle", {
        "customers": [customer(legacy_id) for legacy_id in customers],
        "points": [{"legacy_id": f"S{legacy_id}", "customer_legacy_id": legacy_id, "balance": 10, "lots": lots,
                    "history": []} for legacy_id in customers],
    })
    asked = Counter()
    read = Resolution._read

    def counted(self, entity, wanted):
        asked.update(wanted if entity == "customers" else ())
        return read(self, entity, wanted)

    monkeypatch.setattr(Resolution, "_read", counted)
    status, report = run_import(bundle, "--workers", "3")

    assert status == 0 and report["entities"]["points"]["created"] == len(customers)
    assert ChunkCheckpoint.objects.filter(entity="points").count() == 3
    # The coordinator resolves every line's customer once to split the file by account, and each chunk the
    # customers of its own lines (when every chunk split the file itself, each asked for all of them).
    assert asked == {legacy_id: 2 for legacy_id in customers}


@pytest.mark.django_db
def test_a_record_whose_lines_fall_in_two_chunks_is_imported_from_its_last_line(tmp_path, reference_data, run_import):
    """Superseded is decided over the whole file: a customer whose e-mail changed between two lines has them in
    two chunks (split by e-mail), and the chunk of the earlier line must still set it aside."""
    emails = ["old.address@example.com", "new.address@example.com"]
    assert {zlib.crc32(email.encode()) % 2 for email in emails} == {0, 1}
    bundle = write_bundle(tmp_path / "bundle", {
        "customers": [customer("C1", email=emails[0]), customer("C2"), customer("C1", email=emails[1])],
    })

    status, report = run_import(bundle, "--workers", "2")

    assert status == 0
    assert report["entities"]["customers"]["superseded"] == 1
    assert report["entities"]["customers"]["created"] == 2
    assert set(User.objects.values_list("email", flat=True)) == {emails[1], "c2@example.com"}


@pytest.mark.django_db
def test_a_plan_s_superseded_lines_are_those_of_the_whole_file_lines_the_key_cannot_read_included(tmp_path,
                                                                                                  monkeypatch):
    """The plan reads each line once for its chunk and its legacy id; a line whose key field is not UTF-8
    (quarantined when imported) still supersedes the earlier lines of its legacy id."""
    path = tmp_path / "customers.jsonl"
    path.write_bytes(b"\n".join([
        b'{"legacy_id": "C1", "email": "a@example.com"}', b'{"legacy_id": "C2", "email": "b@example.com"}',
        b'{"legacy_id": "C1", "email": "\xff@example.com"}', b"not json", b'{"legacy_id": 2, "email": "c@x.com"}',
        b'{"legacy_id": "C2", "email": "b@example.com"}', b'{"legacy_id": "C3", "email": "\xfe"}',
        b'{"legacy_id": "C3"}',
    ]))
    file = BundleFile(entity="customers", name=path.name, path=path, records=8,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    run = ImportRun.objects.create(bundle=str(tmp_path), bundle_digest="0" * 64)

    plan = chunk_plan_write(run=run, file=file, chunks=2, resolution=Resolution(run, {"customers"}), block=3)

    with SupersededIndex(legacy_ids(file)) as index:
        assert list(index.superseded()) == [(1, 3), (2, 6), (7, 8)]
    assert chunk_plan_superseded(plan).tolist() == [1, 3, 2, 6, 7, 8]
    assert len(bytes(chunk_plan_assignment(plan))) == 8

    # The same bytes met again (another run): the plan takes the superseded lines the first one stored.
    monkeypatch.setattr("brands.legacy.distributed.SupersededIndex", None)  # would fail if called
    again = ImportRun.objects.create(bundle=str(tmp_path), bundle_digest="1" * 64)
    replan = chunk_plan_write(run=again, file=file, chunks=2, resolution=Resolution(again, {"customers"}), block=3)
    assert chunk_plan_superseded(replan).tolist() == [1, 3, 2, 6, 7, 8]
    assert bytes(chunk_plan_assignment(replan)) == bytes(chunk_plan_assignment(plan))


@pytest.mark.parametrize("assignment", [
    bytes(3 * PLAN_PIECE + 5),  # all in chunk 0: far more lines than one piece decompresses at a time
    bytes(n * 7 % 3 for n in range(10_000)),
])
def test_a_plan_gives_back_each_line_s_chunk_in_line_order(assignment):
    compressor = zlib.compressobj(1)
    plan = ChunkPlan(entity="orders", chunks=3, assignment=compressor.compress(assignment) + compressor.flush())
    assert bytes(chunk_plan_assignment(plan)) == assignment


def test_a_plan_cut_short_fails_its_chunk_rather_than_skip_its_last_lines():
    whole = zlib.compress(bytes(100_000), 1)
    plan = ChunkPlan(entity="orders", chunks=2, assignment=whole[:len(whole) // 2])
    with pytest.raises(ChunkFailed, match="orders: the run's plan of its chunks is cut short"):
        bytes(chunk_plan_assignment(plan))


@pytest.mark.django_db
def test_a_chunk_without_its_run_s_plan_fails_saying_so(tmp_path, reference_data):
    bundle = write_bundle(tmp_path / "bundle", {"customers": [customer("C1")]})
    manifest = (bundle / "manifest.json").read_bytes()
    run = ImportRun.objects.create(bundle=str(bundle), bundle_digest=hashlib.sha256(manifest).hexdigest())
    checkpoint = ChunkCheckpoint.objects.create(run=run, entity="customers", chunk=1, chunks=2)

    with pytest.raises(ChunkFailed, match="customers chunk 1: the run has no plan of its 2 chunks"):
        run_chunk(run_id=run.pk, entity="customers", chunk=1, chunks=2, root=str(bundle), cpu_workers=1)
    checkpoint.refresh_from_db()
    assert "no plan" in checkpoint.error and not checkpoint.done


@pytest.mark.django_db
def test_with_a_real_broker_on_sqlite_the_chunked_import_is_refused(generated, reference_data, run_import):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL takes the chunks in parallel")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        status, report = run_import(generated.path, "--workers", "2")
    finally:
        celery_app.conf.task_always_eager = eager
    assert (status, report) == (2, None)
    assert not ImportRun.objects.exists()


# --- a real worker, in parallel, on PostgreSQL -------------------------------------------------------

@pytest.fixture
def worker(tmp_path):
    """`celery -A storefront worker` (prefork, 2 processes) on a queue of its own, on the test database."""
    queue = f"test-legacy-{uuid.uuid4().hex}"
    db = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "storefront.settings.base",
        "CELERY_BROKER_URL": BROKER_URL,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LEGACY_IMPORT_BATCH_SIZE": str(BATCH),
        "LEGACY_PASSWORD_WRAP_COST": "1000",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    log_path = tmp_path / "worker.log"
    with celery_worker(queues=[queue], env=env, log_path=log_path, pool="prefork", concurrency=2):
        yield queue, log_path


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.skipif(not BROKER_URL, reason="no broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run "
                                           "the chunks on a real Celery worker")
@pytest.mark.django_db(transaction=True)  # the worker must see what the test commits, and the test what it does
def test_chunks_imported_in_parallel_by_a_real_worker_equal_a_serial_import(generated, worker, run_import, settings):
    queue, log_path = worker
    settings.LEGACY_IMPORT_BATCH_SIZE = BATCH
    settings.LEGACY_IMPORT_QUEUE = queue
    settings.LEGACY_IMPORT_CHUNK_STALL = 120
    reference_data_ensure()
    store_before(generated.truth)
    with transaction.atomic():  # the serial import, in this process, looked at, then undone
        serial = import_and_look(run_import, generated.path, 1)
        transaction.set_rollback(True)

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        parallel = import_and_look(run_import, generated.path, 2)
    finally:
        celery_app.conf.task_always_eager = eager

    log = log_path.read_text()
    assert "legacy.import_chunk" in log and "succeeded" in log, log
    assert parallel[3] == expected_chunks(2)
    assert parallel[0] == serial[0]
    assert parallel[1] == serial[1]
    assert parallel[2] == serial[2]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_chunk_another_task_is_importing_is_left_to_it(tmp_path):
    """A coordinator run again re-sends the chunks not done, which the first tasks may still be importing."""
    import psycopg2

    from brands.legacy.distributed import ADVISORY_LOCK_CLASS

    run = ImportRun.objects.create(bundle=str(tmp_path), bundle_digest="0" * 64)
    checkpoint = ChunkCheckpoint.objects.create(run=run, entity="customers", chunk=0, chunks=2)
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
                             port=db["PORT"] or 5432)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, checkpoint.pk])
        run_chunk(run_id=run.pk, entity="customers", chunk=0, chunks=2, root=str(tmp_path), cpu_workers=1)
    finally:
        other.close()
    checkpoint.refresh_from_db()
    assert (checkpoint.lines_done, checkpoint.done, checkpoint.error) == (0, False, "")
    with pytest.raises(ChunkFailed, match="manifest.json: cannot be read"):  # unlocked, it goes on (and fails here)
        run_chunk(run_id=run.pk, entity="customers", chunk=0, chunks=2, root=str(tmp_path), cpu_workers=1)
