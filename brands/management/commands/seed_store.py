"""`manage.py seed_store`: fills an empty store with the demo Xiaomi store and prints the demo logins."""

import time

from django.core.management.base import BaseCommand, CommandError

from storefront.demo.lineup import lineup
from storefront.demo.seeding import DEFAULT_SEED, StoreNotEmpty, demo_logins, store_contents, store_seed


class Command(BaseCommand):
    help = (
        "Fills an empty store with the demo Xiaomi store (categories, Xiaomi and Redmi products with prices "
        "and stock in every regional store, customers, support agents, an admin) and prints the demo logins."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--add", action="store_true",
                          help="Add the demo data to a store that is not empty, keeping what is there.")
        mode.add_argument("--if-empty", action="store_true",
                          help="Seed only an empty store; otherwise just print the demo logins (exit 0).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"Random seed; the same seed gives the same store (default {DEFAULT_SEED}).")
        parser.add_argument("--products", type=int, default=None, metavar="N",
                            help=f"Seed N products of the line-up of {len(lineup())} (default: all).")

    def handle(self, *args, add, if_empty, seed, products, **options):
        if if_empty:
            contents = store_contents()
            if not contents.is_empty:
                self.stdout.write(f"The store already holds {contents}: not seeding it "
                                  "(seed_store --add would add the demo data to it).")
                self._print_logins()
                return
        started = time.monotonic()
        try:
            report = store_seed(seed=seed, product_count=products, add=add)
        except StoreNotEmpty as refusal:
            raise CommandError(
                f"{refusal} seed_store fills an empty store; use --add to add the demo data to it, "
                "or --if-empty to leave it as it is."
            ) from refusal
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Seeded in {time.monotonic() - started:.1f}s: {report.categories} categories, "
            f"{report.products} products, {report.variants} variants, {report.prices} prices, "
            f"{report.stock} stock rows, {report.images} images, {report.customers} customers "
            f"({report.addresses} addresses), {report.staff} staff."
        ))
        if report.kept_products or report.kept_skus or report.kept_accounts:
            self.stdout.write(
                f"Already in the store, left as they were: {report.kept_products} products, "
                f"{report.kept_skus} SKUs, {report.kept_accounts} accounts."
            )
        self._print_logins()

    def _print_logins(self):
        logins = demo_logins()
        if not logins:
            self.stdout.write("None of the demo accounts exists in this store.")
            return
        self.stdout.write("Demo logins (e-mail / password):")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<14} {login.email:<{width}}  {login.password}")
