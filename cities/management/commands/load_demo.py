from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cities.demo_accounts import DemoAccountsRefused, ensure_demo_accounts
from cities.loader import DataFileError, load_file

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "sern.yaml"


class Command(BaseCommand):
    help = (
        "Load a consortium from a YAML data file (default: the SERN demo data). "
        "Safe to run again: only what differs is written. In debug mode it also "
        "creates the demo accounts."
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

    def handle(self, *args, paths, accounts, no_accounts, **options):
        if accounts and not settings.DEBUG:
            raise CommandError("Refusing to create demo accounts: DEBUG is off.")
        for path in paths or [DEFAULT_FILE]:
            try:
                report = load_file(path)
            except DataFileError as error:
                raise CommandError(f"{error} — nothing was written.") from error
            self.stdout.write(f"{path}: {report.summary()}")
        if no_accounts:
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
