from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search import services


class Command(BaseCommand):
    help = "Rebuild the challenge index from the database and swap the alias to it atomically."

    def handle(self, *args, **options):
        if not settings.ELASTICSEARCH_URL:
            raise CommandError(
                "ELASTICSEARCH_URL is not set: search answers from the database, nothing to index."
            )

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"\rChallenges… {done}/{total}", ending="")
            self.stdout.flush()

        count = services.reindex_challenges(progress=progress)
        self.stdout.write(f"\nIndexed {count} challenges into {services.alias_name('challenges')}.")
