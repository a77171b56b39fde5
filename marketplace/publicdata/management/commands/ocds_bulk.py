"""Write the OCDS bulk files now (the daily task does the same)."""

from django.core.management.base import BaseCommand

from marketplace.publicdata.ocds import bulk


class Command(BaseCommand):
    help = "Write every public OCDS release and record to OCDS_BULK_ROOT (releases.json, records.json, .gz)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default=None, help="The site's public address (default WAGTAILADMIN_BASE_URL)."
        )

    def handle(self, *args, base_url=None, **options):
        counts = bulk.write_bulk(base_url)
        releases, processes = counts["releases"], counts["records"]
        self.stdout.write(
            f"{releases} releases of {processes} contracting processes written to {bulk.bulk_root()}"
        )
