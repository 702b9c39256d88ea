from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cities.models import Consortium
from datafiles.demo_accounts import DemoAccountsRefused, ensure_demo_accounts
from datafiles.loader import DataFileError, load_file
from datafiles.preview import preview_text
from kpis.framework import FrameworkCopyError, copy_framework

DATA = Path(settings.BASE_DIR) / "data"
DEFAULT_FILE = DATA / "sern.yaml"
#: The demo data: loading these (and only these) offers the demo accounts.
DEMO_FILES = {DATA / "sern.yaml", DATA / "letsgov.yaml", DATA / "sern-2023.yaml"}


class Command(BaseCommand):
    help = (
        "Load a consortium from a YAML data file (default: the SERN demo data). "
        "Safe to run again: only what differs is written. In debug mode, loading the "
        "demo files also creates the demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="data files (default: SERN)")
        accounts = parser.add_mutually_exclusive_group()
        accounts.add_argument(
            "--accounts",
            action="store_true",
            help="create the demo accounts (refused unless DEBUG is on)",
        )
        accounts.add_argument(
            "--no-accounts", action="store_true", help="do not create the demo accounts"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print what loading would create, update, leave unchanged and find missing "
            "from the file, and write nothing",
        )
        parser.add_argument(
            "--remove-absent",
            action="store_true",
            help="remove the consortium's rows the file lacks (member cities, tracks, "
            "ambition statements, solutions, activities, KPIs, roadmap rows, roles; never "
            "those figures hang on)",
        )
        parser.add_argument(
            "--copy-framework-from",
            metavar="SLUG",
            help="after loading, copy this consortium's solutions, activities and KPIs "
            "(never its figures) into the consortium named by --into",
        )
        parser.add_argument(
            "--into", metavar="SLUG", help="the consortium (with no solutions yet) to copy into"
        )

    def handle(self, *args, paths, accounts, no_accounts, dry_run, remove_absent, **options):
        if accounts and not settings.DEBUG:
            raise CommandError("Refusing to create demo accounts: DEBUG is off.")
        source, target = options["copy_framework_from"], options["into"]
        if bool(source) != bool(target):
            raise CommandError("--copy-framework-from and --into go together.")
        paths = paths or ([] if source else [DEFAULT_FILE])
        if dry_run and (source or accounts):
            raise CommandError("--dry-run previews data files only.")
        for path in paths:
            try:
                report = load_file(path, dry_run=dry_run, remove_absent=remove_absent)
            except DataFileError as error:
                raise CommandError(f"{error} — nothing was written.") from error
            if dry_run:
                self.stdout.write(f"{path} (dry run, nothing written): {preview_text(report)}")
                continue
            self.stdout.write(f"{path}: {report.summary()}")
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
            lacking = [row for row in report.absent if row not in report.removed]
            if lacking and not remove_absent:
                self.stdout.write(
                    f"{len(lacking)} row(s) in the database are not in the file "
                    "(see --dry-run; --remove-absent removes them)."
                )
        if dry_run:
            return
        if source:
            self.copy_framework(source, target)
        demo_files = any(Path(path).resolve() in DEMO_FILES for path in paths)
        if no_accounts or not (accounts or demo_files):
            return
        try:
            created = ensure_demo_accounts()
        except DemoAccountsRefused as error:
            self.stdout.write(self.style.WARNING(f"Demo accounts not created: {error}"))
            return
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo accounts created: {', '.join(created)} — "
                    f"shared password: {settings.DEMO_PASSWORD}"
                )
            )
        else:
            self.stdout.write(f"Demo accounts: already there (password {settings.DEMO_PASSWORD}).")

    def copy_framework(self, source_slug: str, target_slug: str) -> None:
        consortia = {
            c.slug: c for c in Consortium.objects.filter(slug__in=[source_slug, target_slug])
        }
        for slug in (source_slug, target_slug):
            if slug not in consortia:
                known = ", ".join(Consortium.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No consortium {slug!r} (known: {known}).")
        try:
            copied = copy_framework(source=consortia[source_slug], target=consortia[target_slug])
        except FrameworkCopyError as error:
            raise CommandError(f"{error.message} — nothing was copied.") from error
        self.stdout.write(f"{source_slug} → {target_slug}: {copied.summary()}")
