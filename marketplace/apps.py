from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Pasar tantangan"

    def ready(self) -> None:
        from marketplace import audit, services
        from payments import signals as payment_signals

        payment_signals.audit.connect(audit.record_from_payments, dispatch_uid="marketplace-audit")
        payment_signals.disbursement_paid.connect(
            services.on_disbursement_paid, dispatch_uid="milestone-paid"
        )
