from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "marketplace.awards"
    verbose_name = "Penetapan pemenang"

    def ready(self) -> None:
        # A milestone follows its payment: payments announces, awards updates the milestone.
        from marketplace.awards.services import awards
        from payments import signals as payment_signals

        payment_signals.disbursement_paid.connect(awards.on_disbursement_paid, dispatch_uid="milestone-paid")
        payment_signals.disbursement_failed.connect(
            awards.on_disbursement_failed, dispatch_uid="milestone-payment-failed"
        )
        payment_signals.disbursement_cancelled.connect(
            awards.on_disbursement_cancelled, dispatch_uid="milestone-payment-cancelled"
        )
