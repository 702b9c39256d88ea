"""manage.py export_deliverable <consortium> --format docx|pdf [--output PATH] [--language it]
[--user NAME]: the consortium's deliverable, as the deliverable page's downloads make it."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from cities.access import NO_ROLES, Roles
from cities.models import Consortium
from kpis.exchange import docx, pdf
from kpis.exchange.deliverable import read_deliverable


class ApprovedFiguresReader(AnonymousUser):
    """Reads as a partner of one consortium: its approved figures only, published or not."""

    is_authenticated = True

    def __init__(self, consortium: Consortium) -> None:
        super().__init__()
        self._icc_roles = Roles(
            coordinated_city_ids=frozenset(),
            steering_consortium_ids=frozenset(),
            approving_consortium_ids=frozenset(),
            partner_consortium_ids=frozenset({consortium.pk}),
            coordinated_consortium_ids=frozenset(),
            is_admin=NO_ROLES.is_admin,
        )


class Command(BaseCommand):
    help = (
        "Write a consortium's deliverable (vision, charters, maturity tables, roadmap, "
        "lessons) as DOCX or PDF. Approved figures only, unless --user names someone who "
        "may see drafts (they are then marked as drafts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("consortium", help="consortium slug, e.g. sern")
        parser.add_argument("--format", choices=("docx", "pdf"), default="docx")
        parser.add_argument("--output", help="file to write (default: <slug>-deliverable.<format>)")
        parser.add_argument("--language", default="en", help="en, it or sv (default en)")
        parser.add_argument("--user", help="read the figures as this user (drafts they may see)")

    def handle(self, *args, **options):
        try:
            consortium = Consortium.objects.select_related("programme").get(
                slug=options["consortium"]
            )
        except Consortium.DoesNotExist:
            slugs = ", ".join(Consortium.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No consortium {options['consortium']!r}; there are: {slugs or 'none'}"
            ) from None
        reader = ApprovedFiguresReader(consortium)
        if options["user"]:
            try:
                reader = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {options['user']!r}.") from None
        fmt = options["format"]
        output = Path(options["output"] or f"{consortium.slug}-deliverable.{fmt}")
        with translation.override(options["language"]):
            deliverable = read_deliverable(reader, consortium)
            if fmt == "docx":
                content = docx.deliverable_docx(deliverable)
            else:
                try:
                    content = pdf.render_pdf(
                        "exchange/pdf/deliverable.html",
                        {"deliverable": deliverable, "language": options["language"]},
                    )
                except pdf.PdfUnavailable as error:
                    raise CommandError(
                        "PDF needs WeasyPrint's system libraries (Debian: apt-get install "
                        f"libpango-1.0-0 libpangoft2-1.0-0): {error}"
                    ) from error
        output.write_bytes(content)
        self.stdout.write(f"{output} ({len(content):,} bytes)")
