"""`manage.py import_legacy BUNDLE`: imports a po.co export bundle (brands/legacy/engine.py does the work).

Exit status: 0 everything in, 1 something quarantined or conflicted, 2 refused (nothing written).
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from brands.legacy.engine import ImportRefused, Options, import_bundle, parse_cutover
from brands.legacy.report import summary_table


class Command(BaseCommand):
    help = "Imports a legacy po.co export bundle (a directory or a .tar.gz); see docs/legacy-import.md."
    # Django's system checks (0.3 s, a fifteenth of a re-import at 10,000 customers) are the deploy's
    # business: `manage.py check --deploy` runs in CI and before a release, not before every import.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="bundle directory or .tar.gz")
        parser.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
        parser.add_argument("--report", metavar="PATH", help="write the JSON report there")
        parser.add_argument("--cutover", metavar="ISO-8601", help="default: the manifest's exported_at")
        parser.add_argument("--only", metavar="ENTITY,...", help="import only these entities")
        parser.add_argument("--workers", type=int, metavar="N",
                            help="above 1: split the files into N chunks imported in parallel by Celery workers "
                                 "(PostgreSQL; see docs/legacy-import.md); 1: serial, one process; default: "
                                 "serial, passwords wrapped on every core")

    def handle(self, *args, **options):
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be at least 1", returncode=2)
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: Django keeps the SQL of the last 9,000 queries in memory, hundreds of "
                              "MB on a large bundle (docs/benchmarks.md); import with DEBUG=False.")
        try:
            result = import_bundle(Options(
                bundle=options["bundle"],
                dry_run=options["dry_run"],
                cutover=parse_cutover(options["cutover"], origin="--cutover") if options["cutover"] else None,
                only=[name.strip() for name in options["only"].split(",") if name.strip()]
                if options["only"] else None,
                workers=options["workers"],
            ))
        except ImportRefused as exc:
            raise CommandError(f"import refused, nothing written: {exc}", returncode=2) from exc
        if options["report"]:
            Path(options["report"]).write_text(json.dumps(result.report, indent=1, ensure_ascii=False) + "\n")
        run = result.run
        self.stdout.write(summary_table(result.report))
        timings = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in run.timings.items())
        self.stdout.write(f"run #{run.pk}{' (resumed)' if result.resumed else ''}: {timings}")
        if result.exit_code:
            raise CommandError("some records were quarantined or conflicted (see the report)",
                               returncode=result.exit_code)
