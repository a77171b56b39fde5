from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Pasar tantangan"

    def ready(self) -> None:
        from marketplace import audit, receivers_payments, search_documents, services
        from payments import signals as payment_signals

        # What marketplace puts in the search index, and the receivers that keep it current.
        search_documents.register()
        search_documents.connect()

        payment_signals.audit.connect(audit.record_from_payments, dispatch_uid="marketplace-audit")
        payment_signals.disbursement_paid.connect(
            services.on_disbursement_paid, dispatch_uid="milestone-paid"
        )
        payment_signals.disbursement_failed.connect(
            services.on_disbursement_failed, dispatch_uid="milestone-payment-failed"
        )
        payment_signals.disbursement_cancelled.connect(
            services.on_disbursement_cancelled, dispatch_uid="milestone-payment-cancelled"
        )
        payment_signals.reconciliation_finished.connect(
            receivers_payments.on_reconciliation_finished, dispatch_uid="finance-reconciliation"
        )
