"""What payments announces. Subscribers (marketplace) connect in their AppConfig.ready."""

from django.dispatch import Signal

# sender=Disbursement class; kwargs: disbursement
disbursement_paid = Signal()
# kwargs: actor, action, object_type, object_id, before, after
audit = Signal()
