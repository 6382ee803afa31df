"""The import benchmark's inputs: a generated bundle (reused when already written) and a fresh store.

A fresh store is what the generator's truth file assumes for a first import: an empty, migrated
database with the reference data (stores, brands) and the `assumes.store_before` accounts.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .paths import BENCH_DIR

# The store_before accounts' passwords: hashing ~100 of them at Django's full cost would dominate setup.
SETUP_PASSWORD_ITERATIONS = 1000


@dataclass(frozen=True)
class GeneratedBundle:
    path: Path
    truth: dict

    @property
    def lines(self) -> dict[str, int]:
        """Lines per entity file, from the truth file's counters (every line is counted as read)."""
        return {entity: counters["read"] for entity, counters in self.truth["entities"].items()}


def bundle_ensure(*, customers: int, seed: int) -> GeneratedBundle:
    """The bundle of `customers` customers and `seed` under var/bench/, generated on first use."""
    from django.core.management import call_command

    path = BENCH_DIR / f"legacy-{customers}-s{seed}"
    truth_path = path.with_name(path.name + ".truth.json")
    if not (path / "manifest.json").is_file() or not truth_path.is_file():
        print(f"generating the bundle {path} ({customers} customers, seed {seed})...", file=sys.stderr)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        call_command("make_legacy_bundle", str(path), customers=customers, seed=seed, clean=True,
                     truth=str(truth_path), stdout=sys.stderr)
    return GeneratedBundle(path=path, truth=json.loads(truth_path.read_text()))


def store_reset(truth: dict) -> None:
    """Empties every table and sets up the store the truth file assumes before a first import."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.core.management import call_command

    from brands.services import reference_data_ensure
    from storefront.accounts.models import User, normalize_email

    call_command("flush", verbosity=0, interactive=False)
    reference_data_ensure()
    before = truth["assumes"]["store_before"]
    hasher = PBKDF2PasswordHasher()

    def password(raw: str) -> str:  # a cheap but valid hash (upgraded at login): the import never reads it
        return hasher.encode(raw, hasher.salt(), iterations=SETUP_PASSWORD_ITERATIONS)

    User.objects.bulk_create(
        [User(email=normalize_email(account["email"]), password=password(account["password"]))
         for account in before["customers"]]
        + [User(email=normalize_email(email), password=password("staff-password"), is_staff=True)
           for email in before["staff"]]
    )
