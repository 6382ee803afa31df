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
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

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
from brands.models import RegionalStore

from .hashers import PBKDF2WrappedPocoSHA256PasswordHasher, wrap_legacy_hash
from .models import Address, LegacyAlias, User, normalize_email

SOURCE = "po.co"
PROFILE_FIELDS = ["first_name", "last_name", "phone", "preferred_language", "preferred_store_id",
                  "marketing_opt_in", "is_active", "date_joined", "last_login"]
EPOCH = datetime.min.replace(tzinfo=UTC)


def unusable_password() -> str:
    """What Django's make_password(None) stores (a random unusable value), at a fraction of its cost."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


@register
class CustomersLoader(Loader):
    entity = "customers"
    needs_survey = True

    def prepare(self) -> None:
        self.stores = dict(RegionalStore.objects.values_list("code", "pk"))
        # normalized e-mail -> account pk, for the e-mails of the bundle met so far (looked up per batch: the
        # store may hold far more accounts than the bundle has customers)
        self.accounts: dict[str, int] = {}
        # Accounts this run made (a resumed run finds those of its first part in the legacy map).
        self.made_here = set(LegacyRecord.objects.filter(
            entity=self.entity, first_run=self.context.run, target_created=True
        ).values_list("target_pk", flat=True))
        self.primary: dict[str, tuple] = {}  # normalized e-mail -> (sort key, legacy id)
        self.pool = CpuPool(self.context.workers, lambda seconds: self.context.add_timing("password_wrap", seconds))

    def check(self, record: Customer) -> SetAside | None:
        if record.status == "erased":
            return SetAside(EXCLUDED, "erased customer (data-erasure request): no account", erased=True)
        return None

    def survey(self, record: Customer) -> None:
        key = (record.last_login_at or EPOCH, record.created_at)
        email = normalize_email(record.email)
        best = self.primary.get(email)
        if best is None or key >= best[0]:
            self.primary[email] = (key, record.legacy_id)

    def finish(self) -> None:
        self.pool.close()

    # --- loading -------------------------------------------------------------------------------------

    def load(self, items: list[Item]) -> BatchResult:
        outcomes: dict[str, Loaded] = {}
        new_accounts: dict[str, User] = {}  # e-mail -> account made in this batch
        fills: dict[str, Customer] = {}  # e-mail -> primary record whose profile fills its account
        aliases: list[tuple[str, Customer]] = []
        updates = [item for item in items if item.previous is not None]
        self._look_up_accounts({normalize_email(item.record.email) for item in items if item.previous is None})
        for item in items:
            if item.previous is not None:
                continue
            record = item.record
            email = normalize_email(record.email)
            is_primary = self.primary[email][1] == record.legacy_id
            pk = self.accounts.get(email)
            if pk is None and email not in new_accounts:
                new_accounts[email] = User(email=email, password=unusable_password())
                made_by_record = True
            else:
                made_by_record = False
            ours = email in new_accounts or pk in self.made_here
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
            self.accounts[email] = account.pk
            self.made_here.add(account.pk)
        existing_fills = {self.accounts[email]: record for email, record in fills.items() if email not in new_accounts}
        if existing_fills:
            accounts = User.objects.in_bulk(existing_fills)
            for pk, record in existing_fills.items():
                self._apply_profile(accounts[pk], record, passwords)
            User.objects.bulk_update(accounts.values(), PROFILE_FIELDS + ["password"], batch_size=1000)
        for email, record in aliases:
            outcomes[record.legacy_id].target_pk = self.accounts[email]
        bulk_insert(
            [LegacyAlias(user_id=self.accounts[email], source=SOURCE, legacy_id=record.legacy_id,
                         portal=record.portal) for email, record in aliases],
        )
        self._replace_addresses({self.accounts[email]: record for email, record in fills.items()})
        outcomes.update(self._update(updates, passwords))
        return BatchResult(outcomes)

    def _look_up_accounts(self, emails: set[str]) -> None:
        """Adds the store's accounts of these e-mails to `self.accounts`, in one query (Lower(email) index)."""
        wanted = {email for email in emails if email not in self.accounts}
        if wanted:
            found = User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in={email.lower() for email in wanted}).values_list("email", "pk")
            self.accounts.update((normalize_email(email), pk) for email, pk in found)

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

    def _replace_addresses(self, records_by_account: dict[int, Customer]) -> None:
        if not records_by_account:
            return
        Address.objects.filter(user_id__in=records_by_account).delete()
        rows = []
        for pk, record in records_by_account.items():
            default = next((i for i, a in enumerate(record.addresses) if a.is_default), 0)
            rows += [
                Address(user_id=pk, name=a.name, line1=a.line1, line2=a.line2 or "", city=a.city,
                        postcode=a.postcode, country=a.country, phone=a.phone or "", is_default=i == default,
                        created_at=record.created_at)
                for i, a in enumerate(record.addresses)
            ]
        bulk_insert(rows)

    # --- state ---------------------------------------------------------------------------------------

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """Profile and address book as the customer can edit them (not the password, not last_login)."""
        pks = list(pks)
        addresses: dict[int, list] = {}
        for row in Address.objects.filter(user_id__in=pks).order_by("user_id", "pk").values_list(
            "user_id", "name", "line1", "line2", "city", "postcode", "country", "phone", "is_default"
        ):
            addresses.setdefault(row[0], []).append(row[1:])
        return {
            pk: state_digest(email, first, last, phone, language, store, opt_in, active, addresses.get(pk, []))
            for pk, email, first, last, phone, language, store, opt_in, active in User.objects.filter(
                pk__in=pks
            ).values_list("pk", "email", "first_name", "last_name", "phone", "preferred_language",
                          "preferred_store_id", "marketing_opt_in", "is_active")
        }
