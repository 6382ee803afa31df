"""The tickets loader (FORMAT.md rule 7, rule 2 for erased customers, rule 9), each rule on a tiny bundle,
then the shared sample against EXPECTED.md and a generated bundle against its truth file."""

import hashlib
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales import services
from aftersales.models import Attachment, Case, Message
from aftersales.scope import agent_scope
from aftersales.selectors import QueueFilters, case_queue
from brands.legacy.generator import write_bundle as generate
from brands.legacy.models import ChunkCheckpoint, ConflictRecord, ImportRun, LegacyRecord
from storefront.accounts.models import User
from tests.factories import OrderFactory, UserFactory
from tests.legacy import conftest as legacy_fixtures
from tests.legacy.bundles import customer, product, product_images, write_bundle

from .factories import PDF, PNG, make_agent

pytestmark = pytest.mark.django_db

# The engine's fixtures: `run_import` runs the command like an operator, `sample` finds the shared sample.
run_import = legacy_fixtures.run_import
sample = legacy_fixtures.sample

OPENED = "2024-10-01T09:00:00Z"
ATTACHMENT_DIR = "private/aftersales"


def at(hours: float) -> str:
    moment = datetime(2024, 10, 1, 9, tzinfo=UTC) + timedelta(hours=hours)
    return moment.isoformat().replace("+00:00", "Z")


def message(legacy_id, author_type="customer", author_email="c1@example.com", *, hours=0, internal=False,
            attachments=()):
    return {"legacy_id": legacy_id, "author_type": author_type, "author_email": author_email,
            "body": f"Body of {legacy_id}", "created_at": at(hours), "internal": internal,
            "attachments": list(attachments)}


def attachment(path, content, *, filename="photo.png", content_type="image/png"):
    return {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "filename": filename,
            "content_type": content_type}


def ticket(legacy_id, customer_legacy_id="C1", **fields):
    """A valid `in_repair` ticket of a uk customer: two messages and an internal note, two status changes."""
    number = int("".join(ch for ch in legacy_id if ch.isdigit()) or 0)
    return {
        "legacy_id": legacy_id, "number": f"PS-2024-{number:06d}", "portal": "uk",
        "customer_legacy_id": customer_legacy_id, "order_legacy_id": None, "product_sku": None,
        "serial_number": "SN123", "kind": "repair", "status": "in_repair", "priority": "high",
        "subject": "Battery drains overnight", "opened_at": OPENED, "updated_at": at(30), "closed_at": None,
        "assigned_to": "agent.smith@po.co",
        "messages": [
            message(f"{legacy_id}-M0"),
            message(f"{legacy_id}-M1", "agent", "agent.smith@po.co", hours=5),
            message(f"{legacy_id}-M2", "agent", "agent.smith@po.co", hours=6, internal=True),
        ],
        "status_history": [
            {"at": OPENED, "from": None, "to": "open", "by": "system"},
            {"at": at(24), "from": "open", "to": "in_repair", "by": "agent.smith@po.co"},
        ],
        **fields,
    }


@pytest.fixture
def smith(reference_data):
    return UserFactory(email="agent.smith@po.co", is_staff=True)


@pytest.fixture
def bundle_of(tmp_path, reference_data):
    """A bundle of customers C1 (uk) and `customers`, the given tickets and products, and `files`."""

    def make(*tickets, customers=(), products=(), files=None, name="bundle"):
        lines = {"customers": [customer("C1"), *customers]}
        if products:
            lines["products"] = list(products)
        lines["tickets"] = list(tickets)
        return write_bundle(tmp_path / name, lines, attachments=files or {})

    return make


def counters(report, entity="tickets"):
    return {key: value for key, value in report["entities"][entity].items() if value and key != "read"}


def stored_attachments() -> set[str]:
    """Every file under the private attachments directory of the (in-memory) storage."""
    found, pending = set(), [ATTACHMENT_DIR]
    while pending:
        directory = pending.pop()
        if not default_storage.exists(directory):
            continue
        subdirs, files = default_storage.listdir(directory)
        pending += [f"{directory}/{name}" for name in subdirs]
        found |= {f"{directory}/{name}" for name in files}
    return found


# --- rule 7: what a ticket keeps ------------------------------------------------------------------------

def test_a_ticket_keeps_its_number_thread_internal_notes_history_and_timestamps(bundle_of, run_import, smith):
    status, report = run_import(bundle_of(ticket("T1", updated_at=at(30))))
    assert counters(report) == {"created": 1} and status == 0
    case = Case.objects.get()
    assert (case.number, case.source, case.legacy_id, case.status, case.kind, case.priority) == (
        "PS-2024-000001", "po.co", "T1", "in_repair", "repair", "high")
    assert (case.store.code, case.brand.slug, case.customer.email, case.serial_number) == (
        "uk", "poco", "c1@example.com", "SN123")
    assert case.opened_at == datetime(2024, 10, 1, 9, tzinfo=UTC)
    assert case.updated_at == case.opened_at + timedelta(hours=30)
    thread = list(case.messages.values_list("legacy_id", "author_type", "author_id", "is_internal", "created_at"))
    assert thread == [
        ("T1-M0", "customer", case.customer_id, False, case.opened_at),
        ("T1-M1", "agent", smith.pk, False, case.opened_at + timedelta(hours=5)),
        ("T1-M2", "agent", smith.pk, True, case.opened_at + timedelta(hours=6)),
    ]
    assert list(case.status_changes.values_list("from_status", "to_status", "changed_by_id", "changed_by_label")) == [
        ("", "open", None, "system"), ("open", "in_repair", smith.pk, "agent.smith@po.co")]
    # The service clock runs from the legacy opening: high priority answers within 8 h.
    assert case.first_response_at == case.opened_at + timedelta(hours=5)
    assert case.first_response_due_at == case.opened_at + timedelta(hours=8)
    assert case.due_at == case.resolution_due_at == case.opened_at + timedelta(hours=72)


def test_a_closed_ticket_keeps_its_closing_time_and_has_no_deadline(bundle_of, run_import):
    closed = ticket("T1", status="closed", closed_at=at(48), status_history=[
        {"at": OPENED, "from": None, "to": "open", "by": "system"},
        {"at": at(40), "from": "open", "to": "resolved", "by": "agent.smith@po.co"},
        {"at": at(48), "from": "resolved", "to": "closed", "by": "system"}])
    run_import(bundle_of(closed))
    case = Case.objects.get()
    assert (case.status, case.closed_at, case.resolved_at, case.due_at) == (
        "closed", case.opened_at + timedelta(hours=48), case.opened_at + timedelta(hours=40), None)


def test_agents_are_matched_by_e_mail_to_staff_accounts(bundle_of, run_import, smith):
    UserFactory(email="not.staff@po.co", is_staff=False)
    tickets = [
        ticket("T1", assigned_to="  Agent.Smith@PO.co "),
        ticket("T2", assigned_to="gone@po.co"),  # no account: unassigned
        ticket("T3", assigned_to="not.staff@po.co"),  # a customer account, not staff: unassigned
        ticket("T4", assigned_to=None),
    ]
    run_import(bundle_of(*tickets))
    assigned = dict(Case.objects.values_list("legacy_id", "assigned_to_id"))
    assert assigned == {"T1": smith.pk, "T2": None, "T3": None, "T4": None}


def test_an_agent_message_of_an_unknown_agent_keeps_the_legacy_e_mail_without_an_author(bundle_of, run_import):
    record = ticket("T1", assigned_to=None)
    record["messages"][1]["author_email"] = "left.the.company@po.co"
    run_import(bundle_of(record))
    reply = Message.objects.get(legacy_id="T1-M1")
    assert (reply.author_id, reply.author_email, reply.author_type) == (None, "left.the.company@po.co", "agent")


def test_attachments_are_copied_verified_and_missing_or_mismatching_ones_counted(bundle_of, run_import):
    record = ticket("T1")
    record["messages"][0]["attachments"] = [
        attachment("files/tickets/T1/0-photo.png", PNG),
        attachment("files/tickets/T1/1-receipt.pdf", PDF, filename="receipt.pdf", content_type="application/pdf"),
        attachment("files/tickets/T1/2-missing.png", PNG + b"gone"),
    ]
    record["messages"][2]["attachments"] = [attachment("files/tickets/T1/3-note.png", PNG)]
    files = {"files/tickets/T1/0-photo.png": PNG, "files/tickets/T1/1-receipt.pdf": PDF + b"altered",
             "files/tickets/T1/3-note.png": PNG}
    status, report = run_import(bundle_of(record, files=files))
    assert report["totals"]["files"] == {"copied": 2, "missing": 1, "mismatched": 1}
    assert counters(report) == {"created": 1} and status == 0
    stored = list(Attachment.objects.order_by("message__legacy_id").values_list(
        "message__legacy_id", "file", "sha256", "size", "content_type"))
    assert [(legacy_id, sha, size, kind) for legacy_id, _name, sha, size, kind in stored] == [
        ("T1-M0", hashlib.sha256(PNG).hexdigest(), len(PNG), "image/png"),
        ("T1-M2", hashlib.sha256(PNG).hexdigest(), len(PNG), "image/png")]
    assert stored[0][1] != stored[1][1]  # the same bytes on two messages: two files
    for _legacy_id, name, *_ in stored:
        assert name.startswith(f"{ATTACHMENT_DIR}/legacy/") and name.endswith(".png")
        assert default_storage.open(name).read() == PNG


def test_a_batch_imported_again_after_it_failed_leaves_one_file_per_attachment(bundle_of, run_import,
                                                                               monkeypatch):
    from brands.legacy.engine import _Run

    record = ticket("T7")  # names are fixed by the ticket, message, path and content: none of another test's
    record["messages"][0]["attachments"] = [attachment("files/tickets/T7/0-photo.png", PNG),
                                            attachment("files/tickets/T7/1-receipt.pdf", PDF, filename="r.pdf",
                                                       content_type="application/pdf")]
    bundle = bundle_of(record, files={"files/tickets/T7/0-photo.png": PNG, "files/tickets/T7/1-receipt.pdf": PDF})
    record_loaded = _Run._record_loaded

    def fails_after_the_files_are_stored(self, entity, *args):
        if entity == "tickets":
            raise RuntimeError("database went away")
        return record_loaded(self, entity, *args)

    before = stored_attachments()  # the storage outlives each test
    monkeypatch.setattr(_Run, "_record_loaded", fails_after_the_files_are_stored)
    with pytest.raises(RuntimeError, match="database went away"):
        run_import(bundle)
    left = stored_attachments() - before
    assert not Attachment.objects.exists() and len(left) == 2  # rolled back, its files left behind

    monkeypatch.setattr(_Run, "_record_loaded", record_loaded)
    status, report = run_import(bundle)

    assert report["totals"]["files"] == {"copied": 2, "missing": 0, "mismatched": 0}
    assert stored_attachments() - before == left == set(Attachment.objects.values_list("file", flat=True))
    assert {default_storage.open(name).read() for name in left} == {PNG, PDF}


# --- references -----------------------------------------------------------------------------------------

def test_tickets_of_erased_india_quarantined_or_unknown_customers_are_set_aside(bundle_of, run_import):
    customers = [customer("C2", status="erased"), customer("C3", portal="in"), customer("C4", language="de")]
    tickets = [ticket("T1"), ticket("T2", "C2"), ticket("T3", "C3"), ticket("T4", "C4"), ticket("T5", "C9"),
               ticket("T6", portal="in")]
    status, report = run_import(bundle_of(*tickets, customers=customers))
    assert counters(report) == {"created": 1, "excluded": 3, "quarantined": 2} and status == 1
    assert list(Case.objects.values_list("legacy_id", flat=True)) == ["T1"]
    reasons = {row["legacy_id"]: row["reason"] for row in report["quarantine"] if row["entity"] == "tickets"}
    assert reasons == {"T4": "customer_legacy_id C4: that customers record is quarantined",
                       "T5": "customer_legacy_id C9: no such customers record"}


def test_a_ticket_of_a_customer_linked_to_an_existing_account_lands_in_that_account(bundle_of, run_import):
    existing = UserFactory(email="c2@example.com")
    run_import(bundle_of(ticket("T2", "C2"), customers=[customer("C2")]))
    assert Case.objects.get().customer == existing


def test_the_order_link_is_soft_set_only_for_an_imported_order(bundle_of, run_import):
    """Orders are imported by their own loader; here the legacy map holds one as an earlier import left it."""
    owner = UserFactory(email="c1@example.com")
    order = OrderFactory(user=owner)
    gone = OrderFactory(user=owner)
    LegacyRecord.objects.create(entity="orders", legacy_id="O1", fingerprint="f" * 64, target_pk=order.pk)
    LegacyRecord.objects.create(entity="orders", legacy_id="O2", fingerprint="f" * 64, target_pk=gone.pk)
    gone.delete()
    tickets = [ticket("T1", order_legacy_id="O1"), ticket("T2", order_legacy_id="O2"),
               ticket("T3", order_legacy_id="O404"), ticket("T4")]
    status, report = run_import(bundle_of(*tickets))
    assert counters(report) == {"created": 4} and status == 0
    assert dict(Case.objects.values_list("legacy_id", "order_id")) == {"T1": order.pk, "T2": None, "T3": None,
                                                                       "T4": None}


def test_the_product_link_is_soft_the_variant_of_its_sku_when_the_store_has_it(bundle_of, run_import):
    tickets = [ticket("T1", product_sku="P1-BLK"), ticket("T2", product_sku="NOPE-1"), ticket("T3")]
    status, report = run_import(bundle_of(*tickets, products=[product("P1")], files=product_images("P1")))
    assert counters(report) == {"created": 3} and status == 0
    variants = dict(Case.objects.values_list("legacy_id", "variant__sku"))
    assert variants == {"T1": "P1-BLK", "T2": None, "T3": None}


# --- own fields ---------------------------------------------------------------------------------------

def test_bad_tickets_are_quarantined_with_a_reason_naming_the_problem(bundle_of, run_import):
    no_email = ticket("T1")
    del no_email["messages"][1]["author_email"]
    bad_history = ticket("T2")
    bad_history["status_history"][1]["to"] = "waiting_for_parts_from_the_supplier"
    repeated = ticket("T3")
    repeated["messages"][2]["legacy_id"] = "T3-M1"
    long_number = ticket("T4", number="PS-" + "9" * 40)
    status, report = run_import(bundle_of(no_email, bad_history, repeated, long_number, ticket("T5")))
    assert counters(report) == {"created": 1, "quarantined": 4} and status == 1
    reasons = {row["legacy_id"]: row["reason"] for row in report["quarantine"]}
    assert "author_email" in reasons["T1"] and "$.messages[1]" in reasons["T1"]
    assert "$.status_history[1].to" in reasons["T2"]
    assert reasons["T3"] == "message legacy_id T3-M1 repeated in its thread"
    assert "longer than 40 characters" in reasons["T4"]


def test_a_number_another_case_already_has_is_a_conflict_and_nothing_is_overwritten(bundle_of, run_import):
    twins = [ticket("T1"), ticket("T2", number="PS-2024-000001")]
    status, report = run_import(bundle_of(*twins))
    assert counters(report) == {"created": 1, "conflicts": 1} and status == 1
    assert report["conflicts"] == [{"entity": "tickets", "legacy_id": "T2",
                                    "reason": "number PS-2024-000001 already belongs to ticket T1; "
                                              "nothing overwritten"}]
    assert Case.objects.get().legacy_id == "T1"


def test_two_tickets_claiming_one_number_meet_in_one_chunk_so_the_first_in_the_file_gets_it(bundle_of, run_import):
    first, later = "T1", "T4"  # split by legacy id they would fall in chunks 1 and 0: the later one first
    assert [zlib.crc32(legacy_id.encode()) % 2 for legacy_id in (first, later)] == [1, 0]

    status, report = run_import(bundle_of(ticket(first), ticket(later, number="PS-2024-000001")), "--workers", "2")

    assert ChunkCheckpoint.objects.filter(entity="tickets").count() == 2
    assert [row["legacy_id"] for row in report["conflicts"]] == [later] and status == 1
    assert Case.objects.get(number="PS-2024-000001").legacy_id == first


# --- the agents' queue ----------------------------------------------------------------------------------

def test_open_tickets_join_the_agents_queue(bundle_of, run_import, stores, brands, smith):
    agent = make_agent(brands=[brands["poco"]], stores=[stores["uk"]], email="poco.uk@mi.com")
    closed = ticket("T2", status="closed", closed_at=at(48))
    run_import(bundle_of(ticket("T1"), ticket("T3", status="open", assigned_to=None), closed))
    queue = case_queue(scope=agent_scope(agent), filters=QueueFilters(active_only=True), now=timezone.now())
    assert sorted(queue.values_list("legacy_id", flat=True)) == ["T1", "T3"]
    unassigned = QueueFilters(active_only=True, assigned="unassigned")
    assert list(case_queue(scope=agent_scope(agent), filters=unassigned, now=timezone.now()).values_list(
        "legacy_id", flat=True)) == ["T3"]


# --- rule 9: again and again ----------------------------------------------------------------------------

def test_importing_again_changes_nothing_and_copies_no_file(bundle_of, run_import):
    record = ticket("T1")
    record["messages"][0]["attachments"] = [attachment("files/tickets/T1/0-photo.png", PNG)]
    bundle = bundle_of(record, files={"files/tickets/T1/0-photo.png": PNG})
    _, first = run_import(bundle)
    files_before = stored_attachments()
    _, again = run_import(bundle)
    assert first["totals"]["files"]["copied"] == 1
    assert counters(again) == {"unchanged": 1}
    assert again["totals"]["files"] == {"copied": 0, "missing": 0, "mismatched": 0}
    assert stored_attachments() == files_before and Attachment.objects.count() == 1


def test_a_changed_ticket_untouched_in_the_store_is_updated_keeping_its_stored_files(bundle_of, run_import):
    record = ticket("T1")
    record["messages"][0]["attachments"] = [attachment("files/tickets/T1/0-photo.png", PNG)]
    files = {"files/tickets/T1/0-photo.png": PNG}
    run_import(bundle_of(record, files=files, name="first"))
    stored = Attachment.objects.get().file.name
    later = {**record, "status": "resolved", "updated_at": at(50), "messages": [
        *record["messages"], message("T1-M3", "agent", "agent.smith@po.co", hours=50)]}
    status, report = run_import(bundle_of(later, files=files, name="later"))
    assert counters(report) == {"updated": 1} and status == 0
    assert report["totals"]["files"] == {"copied": 0, "missing": 0, "mismatched": 0}
    case = Case.objects.get()
    assert (case.status, case.messages.count(), Attachment.objects.get().file.name) == ("resolved", 4, stored)


def test_a_case_an_agent_answered_since_the_import_conflicts_and_stays_as_the_store_has_it(
        bundle_of, run_import, stores, brands):
    agent = make_agent(brands=[brands["poco"]], stores=[stores["uk"]], email="poco.uk@mi.com")
    run_import(bundle_of(ticket("T1"), name="first"))
    case = Case.objects.get()
    services.case_reply_by_agent(case=case, agent=agent, body="We are on it.")
    changed = ticket("T1", status="resolved", subject="Changed on po.co")
    status, report = run_import(bundle_of(changed, name="later"))
    assert counters(report) == {"conflicts": 1} and status == 1
    assert report["conflicts"] == [{"entity": "tickets", "legacy_id": "T1", "reason": (
        "changed in the bundle and, since its last import, in the store: kept as the store has it")}]
    case.refresh_from_db()
    assert (case.status, case.subject, case.messages.count()) == ("in_repair", "Battery drains overnight", 4)
    _, again = run_import(bundle_of(changed, name="later-again"))
    assert counters(again) == {"conflicts": 1}  # until someone resolves it
    assert ConflictRecord.objects.filter(legacy_id="T1").count() == 2


def test_an_unchanged_bundle_leaves_a_worked_on_case_alone_without_conflict(bundle_of, run_import, stores,
                                                                             brands):
    agent = make_agent(brands=[brands["poco"]], stores=[stores["uk"]], email="poco.uk@mi.com")
    bundle = bundle_of(ticket("T1"))
    run_import(bundle)
    services.case_reply_by_agent(case=Case.objects.get(), agent=agent, body="We are on it.")
    _, again = run_import(bundle)
    assert counters(again) == {"unchanged": 1} and Case.objects.get().messages.count() == 4


# --- dry run ----------------------------------------------------------------------------------------

def test_a_dry_run_counts_like_a_real_run_but_writes_no_case_and_stores_no_file(bundle_of, run_import):
    record = ticket("T1")
    record["messages"][0]["attachments"] = [attachment("files/tickets/T1/0-photo.png", PNG),
                                            attachment("files/tickets/T1/1-gone.png", PDF)]
    bundle = bundle_of(record, ticket("T2"), files={"files/tickets/T1/0-photo.png": PNG})
    files_before = stored_attachments()
    status, report = run_import(bundle, "--dry-run")
    assert report["dry_run"] is True and status == 0
    assert counters(report) == {"created": 2}
    assert report["totals"]["files"] == {"copied": 1, "missing": 1, "mismatched": 0}
    assert not Case.objects.exists() and not Message.objects.exists()
    assert not LegacyRecord.objects.filter(entity="tickets").exists()
    assert stored_attachments() == files_before
    assert ImportRun.objects.get().dry_run


# --- queries ----------------------------------------------------------------------------------------

def test_the_number_of_queries_does_not_grow_with_the_number_of_tickets(bundle_of, run_import, smith):
    def queries(name, count):
        tickets = []
        for n in range(count):
            record = ticket(f"{name}{n}", number=f"PS-2024-{name}{n}", product_sku="P1-BLK")
            record["messages"][0]["attachments"] = [attachment(f"files/tickets/{name}{n}/0.png", PNG)]
            tickets.append(record)
        files = {f"files/tickets/{name}{n}/0.png": PNG for n in range(count)}
        bundle = bundle_of(*tickets, products=[product("P1")], files={**files, **product_images("P1")}, name=name)
        with CaptureQueriesContext(connection) as captured:
            status, _ = run_import(bundle)
        assert status == 0
        return len(captured)

    queries("W", 1)  # warm-up: the customer and the product are there, as in the measured runs
    assert queries("A", 3) == queries("B", 9)


# --- the shared sample and a generated bundle ---------------------------------------------------------

@pytest.fixture
def store_before(reference_data):
    """What EXPECTED.md (and a truth file's `store_before`) assume: a Xiaomi customer and two staff accounts."""
    User.objects.create_user("oliver.fournier.50@example.com", "mi-existing-0")
    for n in (0, 1):
        User.objects.create_user(f"agent.{n}@po.co", "agent-password", is_staff=True)


def test_the_sample_imports_its_tickets_as_expected_md_says(sample, store_before, run_import):
    _, report = run_import(sample)
    assert counters(report) == {"created": 12, "excluded": 2, "quarantined": 1}
    assert report["entities"]["tickets"]["read"] == 15
    assert report["totals"]["files"] == {"copied": 25, "missing": 2, "mismatched": 1}  # products + tickets
    agents = set(Case.objects.exclude(assigned_to=None).values_list("assigned_to__email", flat=True))
    assert agents == {"agent.0@po.co", "agent.1@po.co"}  # agent.2 and agent.3 have no staff account here
    _, again = run_import(sample)
    assert counters(again) == {"unchanged": 12, "excluded": 2, "quarantined": 1}
    assert again["totals"]["files"] == {"copied": 0, "missing": 0, "mismatched": 0}


def test_a_generated_bundle_imports_its_tickets_as_its_truth_file_says(tmp_path, reference_data, run_import):
    summary = generate(tmp_path / "bundle", customers=300, seed=7, bad_lines=True)
    truth = summary.truth
    before = truth["assumes"]["store_before"]
    for account in before["customers"]:
        User.objects.create_user(account["email"], account["password"])
    for email in before["staff"]:
        User.objects.create_user(email, "staff-password", is_staff=True)
    _, report = run_import(summary.path)
    assert report["entities"]["tickets"] == truth["entities"]["tickets"]
    assert report["totals"]["files"] == truth["totals"]["files"]  # product images and ticket attachments
    assert {row["line"] for row in report["quarantine"] if row["entity"] == "tickets"} == {
        row["line"] for row in truth["quarantine"] if row["entity"] == "tickets"}
    assert Case.objects.count() == truth["entities"]["tickets"]["created"]
