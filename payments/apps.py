from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Keuangan"

    def ready(self) -> None:
        # Each area registers its webhook handlers on import; the ledger registers its hash
        # chain (core/chains.py).
        from payments import (  # noqa: F401
            contribution_services,
            disbursement_sending,
            gateway_balance,
            ledger,
            refunds,
        )
