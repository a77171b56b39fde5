"""What payments announces. Subscribers (marketplace) connect in their AppConfig.ready."""

from django.dispatch import Signal

# sender=Disbursement class; kwargs: disbursement
disbursement_paid = Signal()
# kwargs: actor, action, object_type, object_id, before, after
audit = Signal()
# sender=ReconciliationRun class; kwargs: run. Sent after the run is committed.
reconciliation_finished = Signal()
# sender=Disbursement class; kwargs: disbursement, reversed (True when money that had left came
# back, e.g. a reversed transfer). Sent inside the transaction that recorded the failure.
disbursement_failed = Signal()
# sender=Disbursement class; kwargs: disbursement. Sent inside the transaction that cancelled it.
disbursement_cancelled = Signal()
