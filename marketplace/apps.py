from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Pasar tantangan"

    def ready(self) -> None:
        from marketplace import audit, proposal_attachments, receivers_payments, services
        from payments import api as payments_api
        from payments import signals as payment_signals

        payments_api.configure(
            scan_file=proposal_attachments.scan, receipt_url=receivers_payments.contribution_receipt_url
        )

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
