"""Rebuild the search indices: Elasticsearch (a new versioned index per type, filled with
streaming bulk while the alias keeps serving the old one, then an atomic alias swap) and the
database copy the fallback searches."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search import indexing, registry
from search.connection import ElasticsearchUnavailable, alias_name, es_client
from search.models import SearchEntry


class Command(BaseCommand):
    help = "Rebuild the search indices from the database (all types, or those given with --type)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--type", action="append", choices=registry.kinds(), dest="types", help="Repeat for several."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only build what is empty (used on start by `make run`).",
        )
        parser.add_argument("--database-only", action="store_true", help="Rebuild only the database copy.")

    def handle(self, *args, types=None, if_empty=False, database_only=False, **options):
        kinds = types or list(registry.kinds())
        for kind in kinds:
            if not (if_empty and SearchEntry.objects.filter(kind=kind).exists()):
                count = indexing.rebuild_database_copy(kind, progress=self._progress(f"{kind} (database)"))
                self.stdout.write(f"\nDatabase copy: {count} {kind} documents.")
        if database_only:
            return
        client = es_client()
        if client is None:
            if not if_empty:
                self.stdout.write("ELASTICSEARCH_URL is not set: search answers from the database copy.")
            return
        try:
            if if_empty and not indexing.index_is_empty(client):
                return
            for kind in kinds:
                count = indexing.reindex(kind, progress=self._progress(f"{kind} (Elasticsearch)"))
                self.stdout.write(f"\nIndexed {count} {kind} documents into {alias_name(kind)}.")
        except ElasticsearchUnavailable as exc:
            raise CommandError(
                f"Elasticsearch at {settings.ELASTICSEARCH_URL} did not answer: {exc}"
            ) from exc

    def _progress(self, label: str):
        def report(done: int, total: int) -> None:
            self.stdout.write(f"\r{label}: {done}/{total}", ending="")
            self.stdout.flush()

        return report
