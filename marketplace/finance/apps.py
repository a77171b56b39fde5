from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "marketplace.finance"
    verbose_name = "Keuangan tantangan"

    def ready(self) -> None:
        from core import audit
        from marketplace.finance import receivers
        from payments import signals as payment_signals

        # payments writes its audit entries into the one trail through this signal.
        payment_signals.audit.connect(audit.record_from_payments, dispatch_uid="core-audit")
        payment_signals.reconciliation_finished.connect(
            receivers.on_reconciliation_finished, dispatch_uid="finance-reconciliation"
        )
