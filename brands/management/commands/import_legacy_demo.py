"""`manage.py import_legacy_demo`: `make run`'s demo of the po.co import, done once per database.

Generates a bundle (`make_legacy_bundle var/demo-bundle --customers 300 --seed 1 --clean`), imports it,
and prints a few legacy logins that work (each customer's POCO password is `legacy_password_for(id)`).
When that bundle was already imported into this database, it only prints the logins. The demo bundle has
bad lines on purpose (FORMAT.md's kinds), so its quarantine is expected and not an error here.
"""

from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from brands.legacy.engine import ImportRefused, Options, import_bundle
from brands.legacy.generator import legacy_password_for
from brands.legacy.models import ImportRun
from brands.legacy.report import summary_table
from storefront.accounts.models import LegacyAlias

LOGINS_SHOWN = 5
CANDIDATES = 60  # aliases tried to find LOGINS_SHOWN that work (each check costs one slow hash)


class Command(BaseCommand):
    help = "make run's demo: generates and imports a po.co bundle once, then prints legacy logins that work."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(settings.VAR_DIR / "demo-bundle"), help="bundle directory")
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, out, customers, seed, **options):
        out = Path(out)
        earlier = ImportRun.objects.filter(bundle=str(out), dry_run=False, state=ImportRun.State.FINISHED).first()
        if earlier is not None:
            self.stdout.write(f"po.co demo: {out} was imported by run #{earlier.pk}; not imported again.")
        else:
            self._generate_and_import(out, customers, seed)
        self._print_logins()

    def _generate_and_import(self, out: Path, customers: int, seed: int) -> None:
        self.stdout.write(f"po.co demo: generating {out} ({customers} customers, seed {seed}) and importing it...")
        out.parent.mkdir(parents=True, exist_ok=True)
        call_command("make_legacy_bundle", str(out), "--customers", str(customers), "--seed", str(seed), "--clean",
                     stdout=self.stdout)
        try:
            result = import_bundle(Options(bundle=str(out), progress=False))
        except ImportRefused as exc:
            raise CommandError(f"po.co demo import refused, nothing written: {exc}") from exc
        self.stdout.write(summary_table(result.report))
        if result.report["quarantine"]:
            self.stdout.write("(the demo bundle has bad lines on purpose: its quarantine is expected)")

    def _print_logins(self) -> None:
        aliases = (
            LegacyAlias.objects.filter(source="po.co", user__is_active=True)
            .select_related("user").order_by("legacy_id")[:CANDIDATES]
        )
        working = list(islice((
            (alias.user.email, password) for alias in aliases
            if check_password(password := legacy_password_for(alias.legacy_id), alias.user.password)
        ), LOGINS_SHOWN))
        if not working:
            self.stdout.write("po.co demo: no migrated customer logs in with a legacy password.")
            return
        self.stdout.write("po.co customers sign in at /account/login/ with their POCO password, e.g.:")
        for email, password in working:
            self.stdout.write(f"  {email} / {password}")
