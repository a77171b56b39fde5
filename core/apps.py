from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Inti"

    def ready(self) -> None:
        # Registers the audit trail's hash chain (core/chains.py).
        from core import (
            audit,  # noqa: F401
            page_cache,
        )

        page_cache.connect_signals()
