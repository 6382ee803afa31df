"""Contract rules 1-3 and 9 for customers, each on a tiny bundle."""

import pytest
from django.contrib.auth import authenticate

from brands.legacy.loaders import registered_loaders
from brands.legacy.models import ConflictRecord, ExcludedRecord, ImportRun, QuarantinedRecord
from storefront.accounts.models import Address, LegacyAlias, User

from .bundles import address, customer, legacy_hash, write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle_of(tmp_path, reference_data):
    def make(*lines, name="bundle"):
        return write_bundle(tmp_path / name, {"customers": list(lines)})

    return make


def counters(report, entity="customers"):
    entry = report["entities"][entity]
    return {key: value for key, value in entry.items() if value and key != "read"}


def test_read_is_the_sum_of_the_outcomes_and_every_entity_is_reported(bundle_of, run_import):
    status, report = run_import(bundle_of(customer("C1"), b"{not json", customer("C1", first_name="Later")))
    entry = report["entities"]["customers"]
    assert entry["read"] == 3 == sum(v for k, v in entry.items() if k != "read")
    assert list(report["entities"]) == ["customers", "products", "orders", "shipments", "reviews", "points",
                                        "coupons", "tickets"]
    for entity in list(report["entities"])[1:]:  # absent from the bundle: zeros, marked when no loader exists
        unloaded = {"not_loaded": True} if entity not in registered_loaders() else {}
        assert report["entities"][entity] == {**dict.fromkeys(entry, 0), **unloaded}
    assert set(report) == {"bundle", "cutover", "dry_run", "entities", "totals", "quarantine", "conflicts"}
    assert status == 1


def test_the_last_line_of_a_legacy_id_wins_and_earlier_ones_are_superseded(bundle_of, run_import):
    status, report = run_import(bundle_of(customer("C1", first_name="Old"), customer("C1", first_name="New")))
    assert counters(report) == {"created": 1, "superseded": 1}
    assert User.objects.get().first_name == "New"
    assert status == 0


def test_unreadable_lines_are_quarantined_with_line_raw_text_and_reason(bundle_of, run_import):
    status, report = run_import(bundle_of(
        b'{"legacy_id": "C1", "email": "bro', b'{"legacy_id": "C2", "first_name": "\xff\xfe"}',
        b"[1, 2]", b'{"legacy_id": 7}', customer("C5"),
    ))
    assert counters(report) == {"quarantined": 4, "created": 1}
    assert [(row["line"], row["legacy_id"]) for row in report["quarantine"]] == [
        (1, None), (2, None), (3, None), (4, None)]
    assert "not valid JSON" in report["quarantine"][0]["reason"]
    assert "not valid UTF-8" in report["quarantine"][1]["reason"]
    stored = QuarantinedRecord.objects.get(line=2)
    assert stored.raw == '{"legacy_id": "C2", "first_name": "\\xff\\xfe"}'
    assert status == 1


@pytest.mark.parametrize("field, value, reason", [
    ("created_at", "31/12/2023 10:00", "Invalid RFC3339 encoded datetime - at `$.created_at`"),
    ("created_at", "2023-12-31T10:00:00", "Expected `datetime` with a timezone component - at `$.created_at`"),
    ("marketing_opt_in", "yes please", "Expected `bool`, got `str` - at `$.marketing_opt_in`"),
    ("email", None, "Expected `str`, got `null` - at `$.email`"),
    ("password_hash", "md5$x$y", "password_hash"),
    ("status", "banned", "Invalid enum value 'banned' - at `$.status`"),
])
def test_a_record_with_an_invalid_field_is_quarantined_with_the_reason(bundle_of, run_import, field, value, reason):
    status, report = run_import(bundle_of(customer("C1", **{field: value}), customer("C2")))
    assert counters(report) == {"quarantined": 1, "created": 1}
    assert reason in report["quarantine"][0]["reason"]
    assert report["quarantine"][0]["legacy_id"] == "C1"
    assert status == 1


def test_a_missing_required_field_is_quarantined(bundle_of, run_import):
    record = customer("C1")
    del record["last_name"]
    _, report = run_import(bundle_of(record))
    assert report["quarantine"][0]["reason"] == "Object missing required field `last_name`"


def test_india_portal_records_are_excluded_before_their_fields_are_checked(bundle_of, run_import):
    status, report = run_import(bundle_of(customer("C1", portal="in"), customer("C2", portal="in", email=None)))
    assert counters(report) == {"excluded": 2}
    assert not User.objects.exists()
    assert status == 0


def test_an_erased_customer_gets_no_account_and_is_remembered_as_erased(bundle_of, run_import):
    _, report = run_import(bundle_of(customer("C1", status="erased")))
    assert counters(report) == {"excluded": 1}
    assert not User.objects.exists()
    assert ExcludedRecord.objects.get(legacy_id="C1").erased


def test_a_disabled_customer_gets_an_inactive_account(bundle_of, run_import):
    run_import(bundle_of(customer("C1", status="disabled", password_hash=legacy_hash("secret-1"))))
    account = User.objects.get()
    assert not account.is_active
    assert authenticate(username=account.email, password="secret-1") is None


def test_one_person_on_two_portals_becomes_one_account_with_the_latest_login_profile(bundle_of, run_import):
    status, report = run_import(bundle_of(
        customer("C1", email="Sam@Example.com", portal="fr", first_name="Old", language="fr",
                 last_login_at="2021-01-01T00:00:00Z", password_hash=legacy_hash("old-pw")),
        customer("C2", email="  SAM@example.COM ", portal="uk", first_name="Recent",
                 last_login_at="2024-06-01T00:00:00+02:00", password_hash=legacy_hash("new-pw"),
                 addresses=[address("C2-A1", is_default=False, city="York"), address("C2-A2", is_default=True)]),
    ))
    assert counters(report) == {"created": 1, "linked": 1}
    account = User.objects.get()
    assert (account.email, account.first_name, account.preferred_language) == ("sam@example.com", "Recent", "en")
    assert account.preferred_store.code == "uk"
    assert set(LegacyAlias.objects.values_list("legacy_id", "portal")) == {("C1", "fr"), ("C2", "uk")}
    assert authenticate(username="sam@example.com", password="new-pw") == account
    assert authenticate(username="sam@example.com", password="old-pw") is None
    assert [(a.city, a.is_default) for a in Address.objects.order_by("pk")] == [("York", False), ("Leeds", True)]
    assert status == 0


def test_the_primary_of_a_merged_person_may_come_later_in_another_batch(bundle_of, run_import, settings):
    settings.LEGACY_IMPORT_BATCH_SIZE = 1
    run_import(bundle_of(
        customer("C1", email="sam@example.com", first_name="Old", last_login_at="2021-01-01T00:00:00Z"),
        customer("C2", email="sam@example.com", first_name="Recent", last_login_at=None,
                 created_at="2020-01-01T00:00:00Z"),
        customer("C3", email="sam@example.com", first_name="Latest", last_login_at="2024-01-01T00:00:00Z",
                 password_hash=legacy_hash("latest")),
    ))
    account = User.objects.get()
    assert account.first_name == "Latest"
    assert authenticate(username="sam@example.com", password="latest") == account
    assert ImportRun.objects.get().counters["customers"]["created"] == 1


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_the_primary_is_the_latest_login_as_an_instant_then_created_then_the_later_line(
        bundle_of, run_import, settings, batch_size):
    settings.LEGACY_IMPORT_BATCH_SIZE = batch_size
    run_import(bundle_of(
        # 10:30 at +02:00 is 08:30 UTC: earlier than A's 09:00 although it reads later
        customer("A1", email="a@example.com", first_name="Winner", last_login_at="2024-01-01T09:00:00Z"),
        customer("A2", email="a@example.com", first_name="Offset", last_login_at="2024-01-01T10:30:00+02:00"),
        # equal logins: the later created_at
        customer("B1", email="b@example.com", first_name="Winner", last_login_at="2024-01-01T09:00:00Z",
                 created_at="2020-02-01T00:00:00Z"),
        customer("B2", email="b@example.com", first_name="Older", last_login_at="2024-01-01T09:00:00Z",
                 created_at="2020-01-01T00:00:00Z"),
        # equal logins and created_at: the later line; and any login beats none
        customer("C1", email="c@example.com", first_name="Never", last_login_at=None),
        customer("C2", email="c@example.com", first_name="Earlier line", last_login_at="2024-01-01T09:00:00Z"),
        customer("C3", email="c@example.com", first_name="Winner", last_login_at="2024-01-01T09:00:00Z"),
    ))
    assert dict(User.objects.values_list("email", "first_name")) == {
        "a@example.com": "Winner", "b@example.com": "Winner", "c@example.com": "Winner"}


def test_an_existing_store_account_is_linked_and_keeps_its_profile_and_password(bundle_of, run_import):
    existing = User.objects.create_user("kim@example.com", "store-password", first_name="Kim")
    _, report = run_import(bundle_of(customer("C1", email="KIM@example.com", first_name="Kimberly",
                                              password_hash=legacy_hash("legacy-password"))))
    assert counters(report) == {"linked": 1}
    existing.refresh_from_db()
    assert existing.first_name == "Kim"
    assert authenticate(username="kim@example.com", password="store-password") == existing
    assert authenticate(username="kim@example.com", password="legacy-password") is None
    assert LegacyAlias.objects.get().user == existing


def test_addresses_become_an_address_book_with_exactly_one_default(bundle_of, run_import):
    run_import(bundle_of(customer("C1", addresses=[address("A1", is_default=False), address("A2", is_default=False,
                                                                                       line2="Flat 2")])))
    assert [(a.line2, a.is_default) for a in Address.objects.order_by("pk")] == [("", True), ("Flat 2", False)]


def test_no_password_hash_gives_an_unusable_password(bundle_of, run_import):
    run_import(bundle_of(customer("C1", password_hash=None)))
    assert not User.objects.get().has_usable_password()


def test_a_legacy_password_logs_in_and_is_upgraded_to_the_default_hasher(bundle_of, run_import):
    run_import(bundle_of(customer("C1", email="lee@example.com", password_hash=legacy_hash("Fénix-42!", "s9b0"))))
    account = User.objects.get()
    assert account.password.startswith("pbkdf2_wrapped_poco_sha256$1000$s9b0$")
    assert "sha256$s9b0$" not in account.password  # the weak hash itself is never stored
    assert authenticate(username="lee@example.com", password="wrong") is None
    assert authenticate(username="lee@example.com", password="Fénix-42!") == account
    account.refresh_from_db()
    assert account.password.startswith("md5$")  # the test settings' default hasher
    assert authenticate(username="lee@example.com", password="Fénix-42!") == account


def test_the_state_hash_kept_at_import_is_what_the_account_gives_when_read_back(bundle_of, run_import, settings):
    """Accounts made by the import hash what was just written instead of reading it back: the two must agree,
    or every later import would take the import's own accounts for customers' edits (conflicts). Awkward
    values: no address, a default that is not the first, empty and absent optional fields, tabs and accents,
    a disabled account on another portal and language merged with a global one, and an account made in one
    batch and filled by its primary record in a later one (the read-back path)."""
    from brands.legacy.models import LegacyRecord
    from storefront.accounts.importers import CustomersLoader

    settings.LEGACY_IMPORT_BATCH_SIZE = 2
    bundle = bundle_of(
        customer("C1", addresses=[], phone="+44 7700 900000", marketing_opt_in=True),
        customer("C2", first_name="Zoë\tAnn", last_name="", addresses=[
            address("C2-A1", is_default=False, line2="Flat 2"), address("C2-A2", phone="+44 1", is_default=True)]),
        customer("C3", status="disabled", language="fr", portal="fr"),
        customer("C4", portal="global", email="c3@example.com", last_login_at="2020-01-01T00:00:00Z"),
        customer("C5", email="C1@Example.com ", last_login_at="2025-01-01T00:00:00Z"),  # C1's primary, later
    )
    assert run_import(bundle)[0] == 0

    kept = dict(LegacyRecord.objects.filter(entity="customers").exclude(state_hash="")
                .values_list("target_pk", "state_hash"))
    assert len(kept) == 3 and all(kept.values())
    assert CustomersLoader(None).state_hashes(kept) == kept


def test_importing_the_same_bundle_again_changes_nothing(bundle_of, run_import):
    bundle = bundle_of(customer("C1"), customer("C2", portal="in"), b"oops", customer("C3", email="c1@example.com"))
    first = run_import(bundle)[1]
    before = list(User.objects.values())
    status, again = run_import(bundle)
    assert counters(again) == {"unchanged": 2, "excluded": 1, "quarantined": 1}
    assert counters(first) == {"created": 1, "linked": 1, "excluded": 1, "quarantined": 1}
    assert list(User.objects.values()) == before
    assert status == 1


def test_a_changed_record_is_updated_by_a_later_bundle(bundle_of, run_import):
    run_import(bundle_of(customer("C1", first_name="Alex")))
    _, report = run_import(bundle_of(customer("C1", first_name="Alexandra", password_hash=legacy_hash("new")),
                                     customer("C2"), name="later"))
    assert counters(report) == {"updated": 1, "created": 1}
    account = User.objects.get(email="c1@example.com")
    assert account.first_name == "Alexandra"
    assert authenticate(username="c1@example.com", password="new") == account


def test_a_record_changed_in_the_bundle_and_in_the_store_is_a_conflict_left_as_the_store_has_it(bundle_of,
                                                                                                 run_import):
    run_import(bundle_of(customer("C1", first_name="Alex")))
    Address.objects.update(line1="2 New Road")  # the customer edited their address
    status, report = run_import(bundle_of(customer("C1", first_name="Alexandra"), name="later"))
    assert counters(report) == {"conflicts": 1}
    assert report["conflicts"] == [{"entity": "customers", "legacy_id": "C1", "reason": ConflictRecord.objects.get(
        ).reason}]
    account = User.objects.get()
    assert (account.first_name, account.addresses.get().line1) == ("Alex", "2 New Road")
    assert status == 1


def test_a_store_edit_alone_is_kept_and_the_unchanged_record_is_not_a_conflict(bundle_of, run_import):
    bundle = bundle_of(customer("C1", first_name="Alex"))
    run_import(bundle)
    User.objects.update(first_name="Al")
    _, report = run_import(bundle)
    assert counters(report) == {"unchanged": 1}
    assert User.objects.get().first_name == "Al"


def test_a_dry_run_reports_what_a_real_run_would_and_writes_nothing(bundle_of, run_import):
    bundle = bundle_of(customer("C1"), customer("C2", status="erased"), b"bad")
    status, dry = run_import(bundle, "--dry-run")
    assert not User.objects.exists() and not LegacyAlias.objects.exists()
    run = ImportRun.objects.get()
    assert run.dry_run and run.quarantine.count() == 1 and not run.excluded.exists()
    status_real, real = run_import(bundle)
    assert dry["dry_run"] is True and real["dry_run"] is False
    assert {**dry, "dry_run": None} == {**real, "dry_run": None}
    assert status == status_real == 1


def test_a_failed_run_is_resumed_by_the_next_import_of_the_same_bundle(bundle_of, run_import, monkeypatch):
    from storefront.accounts.importers import CustomersLoader

    bundle = bundle_of(customer("C1"), customer("C2"))

    def broken(self, items):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patched:
        patched.setattr(CustomersLoader, "load", broken)
        with pytest.raises(RuntimeError):
            run_import(bundle)
    failed = ImportRun.objects.get()
    assert (failed.state, failed.message) == ("failed", "RuntimeError: database went away")
    status, report = run_import(bundle)
    assert ImportRun.objects.get().state == "finished"
    assert counters(report) == {"created": 2} and status == 0
