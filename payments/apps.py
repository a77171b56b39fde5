from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Keuangan"

    def ready(self) -> None:
        # Each area registers its webhook handlers on import.
        from payments import contribution_services, disbursement_sending, refunds  # noqa: F401
