"""One audit trail for the whole product. payments writes through its ``audit`` signal."""

from __future__ import annotations

from core import chains
from core.actors import Actor, Visitor
from core.models import AuditEntry
from core.request_context import current_ip

AUDIT_CHAIN = "audit"
chains.register(chains.Chain(name=AUDIT_CHAIN, model=AuditEntry, content=AuditEntry.chain_content))


def record(
    *, actor: Visitor, action: str, object_type: str, object_id, before=None, after=None
) -> AuditEntry:
    """Append one entry to the hash-chained trail (core/chains.py)."""
    ip_field = AuditEntry._meta.get_field("ip_address")
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        # Hashed as the database will give them back: JSON round-tripped, the address normalised.
        before=chains.json_roundtrip(before),
        after=chains.json_roundtrip(after),
        ip_address=ip_field.get_prep_value(current_ip()),
    )
    return chains.append(AUDIT_CHAIN, lambda prev_hash: (entry, entry.chain_content()))


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
