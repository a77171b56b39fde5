"""One audit trail for the whole product. payments writes through its ``audit`` signal."""

from __future__ import annotations

from core.actors import Actor, Visitor
from core.models import AuditEntry
from core.request_context import current_ip


def record(
    *, actor: Visitor, action: str, object_type: str, object_id, before=None, after=None
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        ip_address=current_ip(),
    )


def record_object(*, actor: Visitor, obj, action: str, before=None, after=None) -> AuditEntry:
    """An entry about a model instance, named by its model label ("proposals.proposal") and pk."""
    return record(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        before=before,
        after=after,
    )


def record_transition(
    *, actor: Visitor, obj, action: str, before: str, after: str, note: str = "", extra: dict | None = None
) -> AuditEntry:
    """A state-machine step: the status before and after, with the actor's note if any."""
    after_data = {"status": after, **(extra or {})}
    if note:
        after_data["note"] = note
    return record_object(actor=actor, obj=obj, action=action, before={"status": before}, after=after_data)


def record_from_payments(
    sender, *, actor: Actor, action, object_type, object_id, before=None, after=None, **kwargs
) -> None:
    record(
        actor=actor, action=action, object_type=object_type, object_id=object_id, before=before, after=after
    )
