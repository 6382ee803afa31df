"""The legacy loader of po.co customers: one account per person, aliases, address book, wrapped passwords.

Contract rule 2. Customers are grouped by e-mail (trimmed, case-folded). The survey pass picks each
group's *primary*: the record with the latest `last_login_at`, then `created_at` (then the later line).
- No account has the e-mail: the group's first record in the file makes the account; the primary's
  profile, password and addresses fill it (when a member comes before its primary, it makes a bare
  account the primary fills later in the run). The primary counts `created`, the others `linked`.
- An account already has the e-mail (an existing Xiaomi customer, or an account an earlier import made):
  every record is `linked` and only adds its alias; that account keeps its profile and password.
The primary owns the account (its state hash is kept: a later bundle change conflicts with a customer's
own edits); the other records only own their alias. Erased customers are excluded (no account, rule 2);
disabled ones get an inactive account. The address book is the primary's addresses, exactly one default.

Nothing per customer is kept in memory across batches: the survey's candidates are in a scratch database
(`_Primaries`), and each batch looks up its e-mails' accounts, and which of them this run made, in the store.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models.functions import Lower

from brands.legacy.bulk import bulk_insert
from brands.legacy.loaders import (
    CONFLICT,
    CREATED,
    EXCLUDED,
    LINKED,
    UPDATED,
    BatchResult,
    Item,
    Loaded,
    Loader,
    SetAside,
    register,
    state_digest,
)
from brands.legacy.models import LegacyRecord
from brands.legacy.parallel import CpuPool
from brands.legacy.schemas import Customer
from brands.legacy.scratch import ScratchDatabase
from brands.models import RegionalStore

from .hashers import PBKDF2WrappedPocoSHA256PasswordHasher, wrap_legacy_hash
from .models import Address, LegacyAlias, User, normalize_email

SOURCE = "po.co"
PROFILE_FIELDS = ["first_name", "last_name", "phone", "preferred_language", "preferred_store_id",
                  "marketing_opt_in", "is_active", "date_joined", "last_login"]
EPOCH = datetime.min.replace(tzinfo=UTC)
# What a customer can edit of an account, in the state hash's order (not the password, not last_login).
ACCOUNT_STATE_FIELDS = ("email", "first_name", "last_name", "phone", "preferred_language", "preferred_store_id",
                        "marketing_opt_in", "is_active")
ADDRESS_STATE_FIELDS = ("name", "line1", "line2", "city", "postcode", "country", "phone", "is_default")


def _account_state(profile: tuple, addresses: list[tuple]) -> str:
    """The state hash of an account, from its values (`ACCOUNT_STATE_FIELDS`, then each address's
    `ADDRESS_STATE_FIELDS`) as written or as read back."""
    return state_digest(*profile, addresses)


def unusable_password() -> str:
    """What Django's make_password(None) stores (a random unusable value), at a fraction of its cost."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


@register
class CustomersLoader(Loader):
    entity = "customers"
    needs_survey = True

    def prepare(self) -> None:
        self.stores = dict(RegionalStore.objects.values_list("code", "pk"))
        self.primaries = _Primaries()
        self.pool = CpuPool(self.context.workers, lambda seconds: self.context.add_timing("password_wrap", seconds))

    def check(self, record: Customer) -> SetAside | None:
        if record.status == "erased":
            return SetAside(EXCLUDED, "erased customer (data-erasure request): no account", erased=True)
        return None

    def survey(self, records: list[Customer]) -> None:
        self.primaries.add(records)

    def finish(self) -> None:
        self.pool.close()
        self.primaries.close()

    # --- loading -------------------------------------------------------------------------------------

    def load(self, items: list[Item]) -> BatchResult:
        outcomes: dict[str, Loaded] = {}
        new_accounts: dict[str, User] = {}  # e-mail -> account made in this batch
        fills: dict[str, Customer] = {}  # e-mail -> primary record whose profile fills its account
        aliases: list[tuple[str, Customer]] = []
        updates = [item for item in items if item.previous is not None]
        emails = {normalize_email(item.record.email) for item in items if item.previous is None}
        accounts = self._accounts_of(emails)
        made_here = self._made_by_this_run(set(accounts.values()))
        primary = self.primaries.of(emails)
        for item in items:
            if item.previous is not None:
                continue
            record = item.record
            email = normalize_email(record.email)
            is_primary = primary[email] == record.legacy_id
            pk = accounts.get(email)
            if pk is None and email not in new_accounts:
                new_accounts[email] = User(email=email, password=unusable_password())
                made_by_record = True
            else:
                made_by_record = False
            ours = email in new_accounts or pk in made_here
            if ours and is_primary:
                fills[email] = record
            outcomes[record.legacy_id] = Loaded(
                CREATED if ours and is_primary else LINKED, owns_target=ours and is_primary,
                target_created=made_by_record,
            )
            aliases.append((email, record))

        passwords = self._wrap_passwords(list(fills.values()) + [item.record for item in updates])
        for email, record in fills.items():
            if email in new_accounts:
                self._apply_profile(new_accounts[email], record, passwords)
        bulk_insert(new_accounts.values())
        for email, account in new_accounts.items():
            accounts[email] = account.pk
        existing_fills = {accounts[email]: record for email, record in fills.items() if email not in new_accounts}
        if existing_fills:
            filled = User.objects.in_bulk(existing_fills)
            for pk, record in existing_fills.items():
                self._apply_profile(filled[pk], record, passwords)
            User.objects.bulk_update(filled.values(), PROFILE_FIELDS + ["password"], batch_size=1000)
        for email, record in aliases:
            outcomes[record.legacy_id].target_pk = accounts[email]
        bulk_insert(
            [LegacyAlias(user_id=accounts[email], source=SOURCE, legacy_id=record.legacy_id,
                         portal=record.portal) for email, record in aliases],
        )
        made = {account.pk for account in new_accounts.values()}
        books = self._replace_addresses({accounts[email]: record for email, record in fills.items()}, made=made)
        for email, record in fills.items():  # the state of the accounts made here, as written: not read back
            if email in new_accounts:
                account = new_accounts[email]
                outcomes[record.legacy_id].state_hash = _account_state(
                    tuple(getattr(account, name) for name in ACCOUNT_STATE_FIELDS), books.get(account.pk, []))
        outcomes.update(self._update(updates, passwords))
        return BatchResult(outcomes)

    @staticmethod
    def _accounts_of(emails: set[str]) -> dict[str, int]:
        """normalized e-mail -> the store's account of it (an earlier batch's included), in one query
        (Lower(email) index)."""
        if not emails:
            return {}
        found = User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in={email.lower() for email in emails}).values_list("email", "pk")
        return {normalize_email(email): pk for email, pk in found}

    def _made_by_this_run(self, pks: set[int]) -> set[int]:
        """Which of these accounts this run made (a resumed run's first part included): the legacy map says."""
        if not pks:
            return set()
        return set(LegacyRecord.objects.filter(
            entity=self.entity, first_run=self.context.run, target_created=True, target_pk__in=pks
        ).values_list("target_pk", flat=True))

    def _update(self, items: list[Item], passwords: dict[str, str]) -> dict[str, Loaded]:
        """Records imported before whose content changed (and whose account the customer did not edit)."""
        if not items:
            return {}
        outcomes: dict[str, Loaded] = {}
        owned = {item.previous.target_pk: item for item in items if item.previous.state_hash}
        accounts = User.objects.in_bulk(owned) if owned else {}
        profiles: dict[int, Customer] = {}
        for pk, item in owned.items():
            account, record = accounts.get(pk), item.record
            if account is None:
                outcomes[item.legacy_id] = Loaded(CONFLICT, pk, reason="its account was deleted from the store")
            elif account.email != normalize_email(record.email):
                outcomes[item.legacy_id] = Loaded(
                    CONFLICT, pk, reason=f"e-mail changed in the bundle ({account.email} -> "
                                         f"{normalize_email(record.email)}): kept as the store has it")
            else:
                still_legacy = account.password.startswith(PBKDF2WrappedPocoSHA256PasswordHasher.algorithm + "$") \
                    or not account.has_usable_password()
                self._apply_profile(account, record, passwords if still_legacy else None)
                profiles[pk] = record
                outcomes[item.legacy_id] = Loaded(UPDATED, pk)
        User.objects.bulk_update([accounts[pk] for pk in profiles], PROFILE_FIELDS + ["password"], batch_size=1000)
        self._replace_addresses(profiles)
        others = [item for item in items if not item.previous.state_hash]
        portals = dict(LegacyAlias.objects.filter(
            source=SOURCE, legacy_id__in=[item.legacy_id for item in others]).values_list("legacy_id", "pk"))
        LegacyAlias.objects.bulk_update(
            [LegacyAlias(pk=portals[item.legacy_id], portal=item.record.portal) for item in others
             if item.legacy_id in portals], ["portal"])
        for item in others:
            outcomes[item.legacy_id] = Loaded(UPDATED, item.previous.target_pk, owns_target=False)
        return outcomes

    def _apply_profile(self, account: User, record: Customer, passwords: dict[str, str] | None) -> None:
        account.first_name = record.first_name
        account.last_name = record.last_name
        account.phone = record.phone or ""
        account.preferred_language = record.language
        account.preferred_store_id = self.stores.get(record.portal)
        account.marketing_opt_in = record.marketing_opt_in
        account.is_active = record.status == "active"
        account.date_joined = record.created_at
        account.last_login = record.last_login_at
        if passwords is not None:
            account.password = passwords.get(record.legacy_id) or unusable_password()

    def _wrap_passwords(self, records: list[Customer]) -> dict[str, str]:
        """legacy id -> stored password, wrapped on every core (a dry run leaves them unusable: no cost)."""
        with_hash = [record for record in records if record.password_hash]
        if self.context.dry_run or not with_hash:
            return {}
        cost = settings.LEGACY_PASSWORD_WRAP_COST
        wrapped = self.pool.map(wrap_legacy_hash, [(record.password_hash, cost) for record in with_hash])
        return {record.legacy_id: value for record, value in zip(with_hash, wrapped, strict=True)}

    def _replace_addresses(self, records_by_account: dict[int, Customer], *,
                           made: set[int] = frozenset()) -> dict[int, list[tuple]]:
        """Each account's address book from its record, the old one deleted first (none to delete for the
        accounts `made` in this batch); returns each account's addresses as `state_hashes` reads them."""
        if not records_by_account:
            return {}
        existing = records_by_account.keys() - made
        if existing:
            Address.objects.filter(user_id__in=existing).delete()
        rows, books = [], {}
        for pk, record in records_by_account.items():
            default = next((i for i, a in enumerate(record.addresses) if a.is_default), 0)
            for i, a in enumerate(record.addresses):
                address = Address(user_id=pk, name=a.name, line1=a.line1, line2=a.line2 or "", city=a.city,
                                  postcode=a.postcode, country=a.country, phone=a.phone or "", is_default=i == default,
                                  created_at=record.created_at)
                rows.append(address)
                books.setdefault(pk, []).append(tuple(getattr(address, name) for name in ADDRESS_STATE_FIELDS))
        bulk_insert(rows)
        return books

    # --- state ---------------------------------------------------------------------------------------

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """Profile and address book as the customer can edit them (not the password, not last_login)."""
        pks = list(pks)
        addresses: dict[int, list] = {}
        for row in Address.objects.filter(user_id__in=pks).order_by("user_id", "pk").values_list(
            "user_id", *ADDRESS_STATE_FIELDS
        ):
            addresses.setdefault(row[0], []).append(row[1:])
        return {
            pk: _account_state(profile, addresses.get(pk, []))
            for pk, *profile in User.objects.filter(pk__in=pks).values_list("pk", *ACCOUNT_STATE_FIELDS)
        }


class _Primaries:
    """Each e-mail's primary record, decided over the whole file: the latest `last_login_at`, then
    `created_at`, then the later line; the candidates are kept in a scratch database, not on the heap."""

    def __init__(self):
        self._scratch = ScratchDatabase(
            "CREATE TABLE candidate (line INTEGER PRIMARY KEY, email TEXT NOT NULL, last_login INTEGER NOT NULL,"
            " created INTEGER NOT NULL, legacy_id TEXT NOT NULL);"
        )
        self._ranked = False

    def add(self, records: list[Customer]) -> None:
        self._scratch.db.executemany(
            "INSERT INTO candidate (email, last_login, created, legacy_id) VALUES (?, ?, ?, ?)",
            [(normalize_email(r.email), _microseconds(r.last_login_at or EPOCH), _microseconds(r.created_at),
              r.legacy_id) for r in records],
        )

    def of(self, emails: set[str]) -> dict[str, str]:
        """normalized e-mail -> legacy id of its primary, for e-mails of surveyed records."""
        if not self._ranked:
            self._scratch.db.executescript(
                "CREATE TABLE primary_of (email TEXT PRIMARY KEY, legacy_id TEXT NOT NULL) WITHOUT ROWID;"
                "INSERT INTO primary_of SELECT email, legacy_id FROM (SELECT email, legacy_id, row_number() OVER"
                " (PARTITION BY email ORDER BY last_login DESC, created DESC, line DESC) AS rank FROM candidate)"
                " WHERE rank = 1;"
                "DROP TABLE candidate;"
            )
            self._ranked = True
        wanted = sorted(emails)
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(self._scratch.db.execute(
                f"SELECT email, legacy_id FROM primary_of WHERE email IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def close(self) -> None:
        self._scratch.close()


def _microseconds(moment: datetime) -> int:
    """An aware time as an exact integer, ordered as the times are (whatever their offsets)."""
    return (moment - EPOCH) // timedelta(microseconds=1)
