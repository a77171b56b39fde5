"""Officials and finance officers declaring a conflict of interest on a proposal (reviewers
declare theirs on their assignment, in ``review.services.assignments``). The rule that follows
from a declaration is ``proposals.conflicts``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from core.request_context import current_ip
from marketplace.proposals import permissions
from marketplace.proposals.models import DeclaredConflict, Proposal


def proposal_conflict_declare(*, proposal: Proposal, by: Person, note: str) -> DeclaredConflict:
    """``by`` (an official of the owning agency or a finance officer) declares a conflict of
    interest on a submitted proposal, with why. From then on they may not screen, decide, award,
    approve its milestones or handle its payments; they still read it. Declared once, never
    withdrawn; audited with the IP address; the agency's other officials are told, so one of them
    acts instead. DomainError when refused (nothing is recorded)."""
    require(permissions.can_declare_conflict_on_proposal(by, proposal))
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Explain the conflict of interest: it is kept in the record."),
            field="note",
        )
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "%(name)s declared a conflict of interest on “%(title)s” and may no longer act on it: "
            "screening, decisions, the award, milestones and payments are for someone else."
        ) % {"name": by.get_full_name() or by.get_username(), "title": proposal.title}
    try:
        with transaction.atomic():
            declared = DeclaredConflict.objects.create(
                proposal=proposal, user=by, note=note[:1000], ip_address=current_ip()
            )
            audit.record_object(
                actor=by,
                action="proposal.conflict_declared",
                obj=proposal,
                after={"declared_conflict": declared.pk, "user": by.pk, "note": declared.note},
            )
            messaging.notify(
                kind=messaging.Kind.REVIEWS,
                users=get_user_model()
                .objects.filter(agencies=proposal.challenge.agency_id)
                .exclude(pk=by.pk),
                message=message,
                url=reverse("marketplace:proposal_detail", kwargs={"pk": proposal.pk}),
            )
    except IntegrityError as exc:  # a second declaration at the same moment
        raise DomainError(_("You have already declared a conflict of interest on this proposal.")) from exc
    return declared
