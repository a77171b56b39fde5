"""Consortium partners: the lead invites partner organisations with a role and a budget share;
the partners' members accept or decline."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.actors import Person
from core.errors import DomainError, require
from core.money import format_money
from marketplace.organisations.models import Organisation
from marketplace.proposals import permissions as proposals_permissions
from marketplace.proposals.models import (
    Proposal,
    ProposalPartner,
)
from marketplace.proposals.services.common import _lock, _members, _must_be_editable, _notify

# Consortium partners ---------------------------------------------------------------------


def proposal_partner_invite(
    *, proposal: Proposal, by: Person, organisation: Organisation, role: str, budget_share: int = 0
) -> ProposalPartner:
    """The lead organisation invites a partner with a role and a budget share. Shares of the
    partners that have not declined never exceed the requested amount."""
    require(proposals_permissions.can_edit_proposal(by, proposal))
    if not proposal.challenge.consortium_allowed:
        raise DomainError(_("This challenge does not accept consortia; apply as one organisation."))
    _must_be_editable(proposal)
    if organisation.pk == proposal.organisation_id:
        raise DomainError(_("The lead organisation cannot be its own partner."), field="organisation")
    role = (role or "").strip()
    if not role:
        raise DomainError(_("Say what the partner will do."), field="role")
    if budget_share is None or budget_share < 0:
        raise DomainError(_("The budget share cannot be negative."), field="budget_share")
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        shares = sum(
            locked.partners.exclude(status=ProposalPartner.Status.DECLINED).values_list(
                "budget_share", flat=True
            )
        )
        if shares + budget_share > locked.requested_amount:
            raise DomainError(
                _("Partner shares would add up to %(total)s, more than the requested %(requested)s.")
                % {
                    "total": format_money(shares + budget_share),
                    "requested": format_money(locked.requested_amount),
                },
                field="budget_share",
            )
        try:
            with transaction.atomic():
                partner = ProposalPartner.objects.create(
                    proposal=locked,
                    organisation=organisation,
                    role=role,
                    budget_share=budget_share,
                    invited_by=by,
                )
        except IntegrityError:
            raise DomainError(
                _("%(name)s is already invited to this proposal.") % {"name": organisation.name},
                field="organisation",
            ) from None
        audit.record_object(
            actor=by,
            action="proposal.partner_invited",
            obj=locked,
            after={"organisation": organisation.pk, "role": role, "budget_share": budget_share},
        )
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "%(lead)s invites %(partner)s to join the consortium of the proposal “%(title)s”."
            ) % {
                "lead": locked.organisation.name,
                "partner": organisation.name,
                "title": locked.title,
            }
        _notify(
            users=_members(organisation.pk),
            message=message,
            url=locked.get_absolute_url(),
            email_subject=message,
        )
    return partner


def proposal_partner_respond(*, partner: ProposalPartner, by: Person, accept: bool) -> ProposalPartner:
    """A member of the invited organisation accepts or declines, once."""
    require(proposals_permissions.can_respond_to_partnership(by, partner))
    with transaction.atomic():
        locked = (
            ProposalPartner.objects.select_for_update()
            .select_related("proposal", "organisation")
            .get(pk=partner.pk)
        )
        if locked.status != ProposalPartner.Status.INVITED:
            raise DomainError(_("This invitation has already been answered."))
        if not locked.proposal.is_editable:
            raise DomainError(_("The proposal can no longer change, so the invitation cannot be answered."))
        locked.status = ProposalPartner.Status.ACCEPTED if accept else ProposalPartner.Status.DECLINED
        locked.responded_by, locked.responded_at = by, timezone.now()
        locked.save(update_fields=["status", "responded_by", "responded_at"])
        audit.record(
            actor=by,
            action=f"proposal.partner_{locked.status}",
            object_type="proposals.proposal",
            object_id=locked.proposal_id,
            after={"organisation": locked.organisation_id, "status": locked.status},
        )
        with translation.override(settings.LANGUAGE_CODE):
            template = (
                _("%(partner)s accepted to join the proposal “%(title)s”.")
                if accept
                else _("%(partner)s declined to join the proposal “%(title)s”.")
            )
            message = template % {"partner": locked.organisation.name, "title": locked.proposal.title}
        _notify(
            users=_members(locked.proposal.organisation_id),
            message=message,
            url=locked.proposal.get_absolute_url(),
        )
    partner.status, partner.responded_by, partner.responded_at = locked.status, by, locked.responded_at
    return partner


def proposal_partner_remove(*, partner: ProposalPartner, by: Person) -> None:
    """The lead takes an invitation back (or drops a partner) while the proposal is editable."""
    proposal = partner.proposal
    require(proposals_permissions.can_edit_proposal(by, proposal))
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        deleted, _rows = ProposalPartner.objects.filter(pk=partner.pk, proposal=locked).delete()
        if deleted:
            audit.record_object(
                actor=by,
                action="proposal.partner_removed",
                obj=locked,
                after={"organisation": partner.organisation_id},
            )
