"""The state machines of proposals and milestones, as data, with one entry point each.
Nothing else writes the ``status`` fields.

A proposal transition names the states it leaves from, the state it leads to, and who may
perform it: a member of the applying (lead) organisation, or an official of the agency that
owns the challenge. ``proposal_perform`` is the one way to move a proposal: it checks the
actor and the current state, changes the status, and writes an audit entry with who, when,
from which IP address and an optional note. A refused transition raises DomainError and
changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.errors import DomainError


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    actors: tuple[str, ...] = ()
    label: str | Promise = ""
    note_required: bool = False


def apply_transition(obj, transitions: dict[str, Transition], name: str) -> tuple[str, str]:
    transition = transitions[name]
    if obj.status not in transition.source:
        raise DomainError(
            _("This cannot be done while the status is “%(status)s”.") % {"status": obj.get_status_display()}
        )
    before = obj.status
    obj.status = transition.target
    return before, transition.target
