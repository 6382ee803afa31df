"""Write a realistic legacy POCO export bundle (FORMAT.md) for tests, demos and benchmarks."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from brands.legacy.generator import DEFAULT_EXPORTED_AT, GeneratorError, write_bundle


class Command(BaseCommand):
    help = (
        "Write a legacy po.co export bundle of about N customers (deterministic for a seed), with bad lines "
        "mixed in unless --no-bad-lines, and OUT.truth.json: the exact expected outcome of importing it."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="bundle directory to create (with --tar: OUT.tar.gz)")
        parser.add_argument("--customers", type=int, required=True, help="number of customer records")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--gzip", action="store_true", help="write .jsonl.gz files")
        parser.add_argument(
            "--tar",
            action="store_true",
            help="write OUT.tar.gz (one top-level directory named like OUT) instead of OUT/",
        )
        parser.add_argument("--clean", action="store_true", help="replace OUT if it exists")
        parser.add_argument(
            "--no-bad-lines",
            dest="bad_lines",
            action="store_false",
            help="no bad line, repeated id or missing file (India records stay)",
        )
        parser.add_argument("--exported-at", default=DEFAULT_EXPORTED_AT, help="the manifest's exported_at")
        parser.add_argument("--truth", help="where to write the expected outcome (default OUT.truth.json)")

    def handle(self, *args, out, customers, seed, gzip, tar, clean, bad_lines, exported_at, truth, **options):
        out = Path(out)
        if out.name.endswith(".tar.gz"):
            out = out.with_name(out.name[: -len(".tar.gz")])
        truth_path = Path(truth) if truth else out.with_name(out.name + ".truth.json")
        try:
            summary = write_bundle(
                out,
                customers=customers,
                seed=seed,
                gzip=gzip,
                tar=tar,
                bad_lines=bad_lines,
                exported_at=exported_at,
                clean=clean,
                truth_path=truth_path,
            )
        except GeneratorError as error:
            raise CommandError(str(error)) from error
        width = max(len(name) for name in summary.files)
        for name, entry in summary.files.items():
            self.stdout.write(f"{name:<{width}}  {entry['records']:>10,} lines")
        total = sum(entry["records"] for entry in summary.files.values())
        self.stdout.write(f"{'total':<{width}}  {total:>10,} lines")
        quarantined = sum(counts["quarantined"] for counts in summary.truth["entities"].values())
        self.stdout.write(f"expected: {quarantined:,} lines quarantined; see {truth_path}")
        for login in summary.truth["logins"]:
            if login["logs_in"]:
                self.stdout.write(f"login: {login['email']} / {login['password']}  ({login['why']})")
                break
        self.stdout.write(self.style.SUCCESS(f"wrote {summary.path} in {summary.seconds:.1f}s"))
