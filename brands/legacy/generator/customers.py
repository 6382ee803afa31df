"""Customer accounts of the legacy shop, and what their records mean for the records that depend on them."""

from dataclasses import dataclass, field

from .common import DAY, iso
from .passwords import legacy_password_for, legacy_password_hash
from .people import Person, address, phone

# How dependents (orders, points, coupons, tickets) see their customer, by FORMAT.md's reference rules.
OK = "ok"  # imported (created, linked or disabled): dependents import
QUARANTINED = "quarantined"  # a bad line: hard dependents are quarantined
UNKNOWN = "unknown"  # not in the bundle at all: hard dependents are quarantined
EXCLUDED = "excluded"  # India portal: hard dependents are excluded
ERASED = "erased"  # excluded, but its orders (and their shipments) import as guest orders


@dataclass
class Account:
    """One customer record (a person may hold two, on two portals) and what the generator decided for it."""

    legacy_id: str
    portal: str
    person: Person
    email_as_typed: str
    status: str  # active / disabled / erased
    created_at: int
    last_login_at: int | None
    has_password: bool
    fate: str = OK
    addresses: list = field(default_factory=list)

    @property
    def language(self) -> str:
        return "fr" if self.person.country.names == "fr" else "en"

    @property
    def password(self) -> str:
        return legacy_password_for(self.legacy_id)


def new_account(
    rng, *, legacy_id: str, portal: str, person: Person, email_as_typed: str, status: str, exported_at: int, opened: int
) -> Account:
    created_at = opened + int(rng.random() * (exported_at - opened - DAY))
    last_login = None if rng.random() < 0.08 else created_at + int(rng.random() * (exported_at - created_at))
    account = Account(
        legacy_id, portal, person, email_as_typed, status, created_at, last_login, has_password=rng.random() >= 0.05
    )
    count = 0 if rng.random() < 0.1 else (1 if rng.random() < 0.75 else 2 + int(rng.random() * 2))
    account.addresses = [address(rng, person, rng.random() < 0.4) for _ in range(count)]
    return account


def customer_record(rng, account: Account) -> dict:
    person = account.person
    default = int(rng.random() * len(account.addresses)) if account.addresses else -1
    password_hash = None
    if account.has_password:
        password_hash = legacy_password_hash(account.password, f"s{rng.getrandbits(32):08x}")
    return {
        "legacy_id": account.legacy_id,
        "portal": account.portal,
        "email": account.email_as_typed,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": phone(rng, person.country) if rng.random() < 0.6 else None,
        "language": account.language,
        "created_at": iso(account.created_at),
        "last_login_at": iso(account.last_login_at) if account.last_login_at else None,
        "marketing_opt_in": rng.random() < 0.35,
        "status": account.status,
        "password_hash": password_hash,
        "addresses": [
            {"legacy_id": f"{account.legacy_id}-A{n + 1}", **addr, "is_default": n == default}
            for n, addr in enumerate(account.addresses)
        ],
    }
