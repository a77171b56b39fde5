from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "marketplace.finance"
    verbose_name = "Keuangan tantangan"

    def ready(self) -> None:
        from core import audit
        from marketplace.finance import permissions, receivers, selectors
        from marketplace.proposals import attachments
        from payments import api as payments_api
        from payments import signals as payment_signals

        # What payments needs from the domain, registered rather than imported by payments: the
        # virus scan for transfer proofs, the address of a contribution's receipt page and the
        # conflict-of-interest rule its four-eyes checks apply to finance officers.
        payments_api.configure(
            scan_file=attachments.scan,
            receipt_url=receivers.contribution_receipt_url,
            payment_conflict=permissions.payment_conflict,
            reference_labels=selectors.reference_labels,
        )

        # payments writes its audit entries into the one trail through this signal.
        payment_signals.audit.connect(audit.record_from_payments, dispatch_uid="core-audit")
        payment_signals.reconciliation_finished.connect(
            receivers.on_reconciliation_finished, dispatch_uid="finance-reconciliation"
        )
