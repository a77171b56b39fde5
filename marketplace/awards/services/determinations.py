"""What follows a determination: the agreement the grantee accepts or declines, publishing the
challenge's results, and delivering milestones (reports with evidence, revisions, re-plans).
Each write checks who may do it, raises DomainError with a message for the user, and leaves
an audit entry."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from core.references import award_reference
from marketplace.awards import permissions
from marketplace.awards import signals as awards_signals
from marketplace.awards import workflows as awards_workflows
from marketplace.awards.models import Agreement, Award, Milestone, MilestoneEvidence, MilestoneReplan
from marketplace.challenges import signals as challenges_signals
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.organisations.models.organisations import Membership
from marketplace.proposals import attachments
from marketplace.proposals import workflows as proposals_workflows
from marketplace.proposals.models.proposals import Proposal
from payments import api as payments_api
from payments.api import PaymentError
from payments.models import Commitment

MAX_EVIDENCE_FILES = 5
MAX_EVIDENCE_LINKS = 10


def _owners(organisation_id: int) -> QuerySet[Person]:
    return get_user_model().objects.filter(
        memberships__organisation_id=organisation_id, memberships__role=Membership.Role.OWNER
    )


def _officials(challenge: ChallengePage) -> QuerySet[Person]:
    return challenge.agency.officials.all()


# The agreement ---------------------------------------------------------------------------------


def agreement_terms(award: Award) -> str:
    """The award terms in the site's language: parties, amount, conditions, milestones and the
    obligations every grantee accepts. Their SHA-256 is stored with the acceptance."""
    proposal = award.proposal
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "awards/determinations/agreement_terms.txt",
            {
                "award": award,
                "proposal": proposal,
                "challenge": proposal.challenge,
                "organisation": proposal.organisation,
                "milestones": list(award.milestones.order_by("position", "due_date")),
            },
        ).strip()


def agreement_create(award: Award) -> Agreement:
    """Called inside the award's transaction: the grantee's owners are asked to accept."""
    terms = agreement_terms(award)
    agreement = Agreement.objects.create(
        award=award, terms=terms, terms_sha256=hashlib.sha256(terms.encode()).hexdigest()
    )
    proposal = award.proposal
    with translation.override(settings.LANGUAGE_CODE):
        message = _("“%(title)s” is awarded. Read and accept the agreement so the project can start.") % {
            "title": proposal.title
        }
    messaging.notify(
        kind=messaging.Kind.AWARDS,
        users=_owners(proposal.organisation_id),
        message=message,
        url=agreement_url(agreement),
        email_subject=message[:120],
    )
    return agreement


def agreement_url(agreement: Agreement) -> str:
    return f"/workspace/agreements/{agreement.pk}/"


def agreement_accept(
    *, agreement: Agreement, by: Person, signer_name: str, ip_address: str | None, user_agent: str = ""
) -> Agreement:
    """An owner of the grantee accepts the terms shown to them: their name, the time, their IP
    address and the hash of the exact terms text are kept. Only then can the project start."""
    require(permissions.can_sign_agreement(by, agreement))
    signer_name = " ".join(signer_name.split())
    if len(signer_name) < 3:
        raise DomainError(_("Type your full name to accept."), field="signer_name")
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        _must_be_pending(locked)
        if hashlib.sha256(locked.terms.encode()).hexdigest() != locked.terms_sha256:
            raise DomainError(_("The terms have changed; reload the page and read them again."))
        locked.status = Agreement.Status.ACCEPTED
        locked.signer, locked.signer_name = by, signer_name[:200]
        locked.decided_at, locked.ip_address, locked.user_agent = timezone.now(), ip_address, user_agent[:300]
        locked.save(
            update_fields=["status", "signer", "signer_name", "decided_at", "ip_address", "user_agent"]
        )
        audit.record_transition(
            actor=by,
            obj=locked,
            action="agreement.accepted",
            before=Agreement.Status.PENDING,
            after=locked.status,
            extra={"terms_sha256": locked.terms_sha256, "signer_name": locked.signer_name},
        )
        proposal = locked.award.proposal
        with translation.override(settings.LANGUAGE_CODE):
            message = _("%(organisation)s accepted the agreement for “%(title)s”; the project starts.") % {
                "organisation": proposal.organisation.name,
                "title": proposal.title,
            }
        messaging.notify(
            kind=messaging.Kind.AWARDS,
            users=_officials(proposal.challenge),
            message=message,
            url=proposal.get_absolute_url(),
        )
    return locked


def agreement_decline(*, agreement: Agreement, by: Person, reason: str) -> Agreement:
    """An owner of the grantee declines the award: the money committed for it goes back to the
    fund, the in-kind support is returned, and the proposal is marked as declined."""
    require(permissions.can_sign_agreement(by, agreement))
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Say why you decline, so the agency can offer the award to someone else."), field="reason"
        )
    with transaction.atomic():
        # The challenge first, as results_publish takes it: the award's ``public`` is decided
        # under that lock, so a decline and a publication at the same moment cannot cross.
        challenge_id = Proposal.objects.filter(award__agreement=agreement).values("challenge_id")
        list(ChallengePage.objects.select_for_update().filter(pk__in=challenge_id).values_list("pk"))
        locked = Agreement.objects.select_for_update().select_related("award__proposal").get(pk=agreement.pk)
        _must_be_pending(locked)
        award = locked.award
        proposal = Proposal.objects.select_for_update().get(pk=award.proposal_id)
        proposals_workflows.proposal_perform(proposal=proposal, name="decline_award", by=by, note=reason)
        locked.status, locked.signer, locked.decided_at = Agreement.Status.DECLINED, by, timezone.now()
        locked.save(update_fields=["status", "signer", "decided_at"])
        # Off /projects/ and the API with the agreement (PUBLIC_PROJECT).
        Award.objects.filter(pk=award.pk).update(public=False)
        award.public = False
        assert award.commitment_id is not None  # award_create records it
        try:
            payments_api.commitment_release(
                commitment=Commitment.objects.get(pk=award.commitment_id),
                by=by,
                reason=f"{award_reference(award.pk)} declined",
            )
        except PaymentError as exc:
            raise DomainError(str(exc)) from exc
        award.in_kind_drawdowns.all().delete()  # the capacity returns to the offer
        audit.record_transition(
            actor=by,
            obj=locked,
            action="agreement.declined",
            before=Agreement.Status.PENDING,
            after=locked.status,
            note=reason,
        )
        with translation.override(settings.LANGUAGE_CODE):
            message = _("%(organisation)s declined the award for “%(title)s”: %(reason)s") % {
                "organisation": proposal.organisation.name,
                "title": proposal.title,
                "reason": reason,
            }
        messaging.notify(
            kind=messaging.Kind.AWARDS,
            users=_officials(proposal.challenge),
            message=message,
            url=proposal.get_absolute_url(),
        )
        award_id = award.pk
        transaction.on_commit(lambda: awards_signals.project_changed.send(sender=Award, award_id=award_id))
    return locked


def _must_be_pending(agreement: Agreement) -> None:
    if agreement.status != Agreement.Status.PENDING:
        raise DomainError(
            _("This agreement was already answered (%(status)s).")
            % {"status": agreement.get_status_display()}
        )


# Results ------------------------------------------------------------------------------------------


def challenge_closes_label(challenge: ChallengePage) -> str:
    """The closing moment as the region reads it (its own timezone)."""
    region = challenge.agency.region
    moment = date_format(timezone.localtime(challenge.closes_at, region.zoneinfo), "DATETIME_FORMAT")
    return f"{moment} {region.zone_label}"


def require_challenge_closed(challenge: ChallengePage, message: str) -> None:
    """Determinations wait until no more proposals can arrive: ``message`` names the moment."""
    if timezone.now() < challenge.closes_at:
        raise DomainError(message % {"date": challenge_closes_label(challenge)})


def results_publish(*, challenge: ChallengePage, by: Person) -> ChallengePage:
    """Make the winners public on the challenge page, /projects/ and the API. Refused while no
    proposal is awarded; publishing again changes nothing."""
    require(permissions.can_award(by, challenge))
    with transaction.atomic():
        locked = ChallengePage.objects.select_for_update().get(pk=challenge.pk)
        if locked.results_published_at is not None:
            return locked
        require_challenge_closed(
            locked, _("Results can be published once the challenge has closed (%(date)s), not before.")
        )
        if (
            not Award.objects.filter(proposal__challenge=locked)
            .exclude(agreement__status="declined")
            .exists()
        ):
            raise DomainError(_("Award at least one proposal before publishing the results."))
        locked.results_published_at = timezone.now()
        # The page row only: not editor content, so no new revision (ChallengePage keeps it
        # when a later revision is published). The status reads "awarded" from now on.
        ChallengePage.objects.filter(pk=locked.pk).update(results_published_at=locked.results_published_at)
        audit.record_object(
            actor=by,
            action="challenge.results_published",
            obj=locked,
            after={"results_published_at": locked.results_published_at.isoformat()},
        )
        award_ids = list(Award.objects.filter(proposal__challenge=locked).values_list("pk", flat=True))
        # On /projects/ and the API from now on (PUBLIC_PROJECT), all but the declined ones.
        Award.objects.filter(pk__in=award_ids).exclude(agreement__status=Agreement.Status.DECLINED).update(
            public=True
        )
        payments_api.commitments_disclose(references=[award_reference(pk) for pk in award_ids])
        challenge_id = locked.pk

        def announce() -> None:
            challenges_signals.challenge_changed.send(sender=ChallengePage, challenge_id=challenge_id)
            for pk in award_ids:
                awards_signals.project_changed.send(sender=Award, award_id=pk)

        transaction.on_commit(announce)
    challenge.results_published_at = locked.results_published_at
    return challenge


# Milestones ---------------------------------------------------------------------------------------


def project_started(award: Award) -> bool:
    """The grantee accepted the agreement (read from the database, not a cached relation)."""
    return Agreement.objects.filter(award_id=award.pk, status=Agreement.Status.ACCEPTED).exists()


def milestone_report(*, milestone: Milestone, by: Person, report: str, links=(), files=()) -> Milestone:
    """The grantee reports a milestone done, with evidence (files and links). Only once the
    agreement is accepted; a milestone sent back for revision is reported again the same way."""
    require(permissions.can_report_milestone(by, milestone))
    if not project_started(milestone.award):
        raise DomainError(_("Accept the agreement first: the project starts when it is accepted."))
    if not report.strip():
        raise DomainError(_("Describe what was delivered."), field="report")
    links = [link.strip() for link in links if link.strip()]
    if len(links) > MAX_EVIDENCE_LINKS:
        raise DomainError(_("At most %(n)d links.") % {"n": MAX_EVIDENCE_LINKS}, field="links")
    if len(files) > MAX_EVIDENCE_FILES:
        raise DomainError(_("At most %(n)d files.") % {"n": MAX_EVIDENCE_FILES}, field="files")
    kinds = [attachments.check_upload(upload, field="files") for upload in files]
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before, after = awards_workflows.milestone_transition(locked, "report")
        locked.report, locked.reported_by, locked.reported_at = report.strip(), by, timezone.now()
        locked.save(update_fields=["status", "report", "reported_by", "reported_at"])
        for upload, kind in zip(files, kinds, strict=True):
            evidence = MilestoneEvidence(
                milestone=locked,
                original_name=attachments.display_name(upload.name or "", kind),
                content_type=kind.content_type,
                size=upload.size,
                added_by=by,
            )
            evidence.file.save(attachments.random_name(kind.extension), upload, save=False)
            evidence.save()
        MilestoneEvidence.objects.bulk_create(
            MilestoneEvidence(milestone=locked, link=link, added_by=by) for link in links
        )
        audit.record_transition(
            actor=by,
            obj=locked,
            action="milestone.reported",
            before=before,
            after=after,
            extra={"files": len(files), "links": len(links)},
        )
        award = locked.award
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "Milestone “%(milestone)s” of “%(title)s” is reported done; check and approve it."
            ) % {
                "milestone": locked.title,
                "title": award.proposal.title,
            }
        messaging.notify(
            kind=messaging.Kind.AWARDS,
            users=_officials(award.proposal.challenge),
            message=message,
            url=f"/projects/{award.pk}/",
        )
    return locked


def milestone_request_revision(*, milestone: Milestone, by: Person, reason: str) -> Milestone:
    """The official sends a reported milestone back with the reason the grantee reads."""
    require(permissions.can_approve_milestone(by, milestone))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say what must be revised."), field="reason")
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().select_related("award__proposal").get(pk=milestone.pk)
        before, after = awards_workflows.milestone_transition(locked, "send_back")
        locked.revision_note = reason
        locked.save(update_fields=["status", "revision_note"])
        audit.record_transition(
            actor=by,
            obj=locked,
            action="milestone.revision_requested",
            before=before,
            after=after,
            note=reason,
        )
        proposal = locked.award.proposal
        with translation.override(settings.LANGUAGE_CODE):
            message = _("Milestone “%(milestone)s” needs revision: %(reason)s") % {
                "milestone": locked.title,
                "reason": reason,
            }
        messaging.notify(
            kind=messaging.Kind.AWARDS,
            users=_owners(proposal.organisation_id),
            message=message,
            url=f"/workspace/milestones/{locked.pk}/report/",
            email_subject=message[:120],
        )
    return locked


@dataclass(frozen=True)
class MilestoneChange:
    milestone_id: int
    due_date: datetime.date
    amount: int


def milestones_replan(
    *, award: Award, by: Person, changes: list[MilestoneChange], reason: str
) -> list[MilestoneReplan]:
    """The official moves milestone dates and shifts amounts between milestones that are not yet
    approved, with a recorded reason. The amounts still add up to the award: the total never
    changes here."""
    require(permissions.can_award_proposal(by, award.proposal))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for the new plan; it is kept in the record."), field="reason")
    with transaction.atomic():
        milestones = {m.pk: m for m in Milestone.objects.select_for_update().filter(award=award)}
        wanted = {c.milestone_id: c for c in changes}
        if set(wanted) - set(milestones):
            raise DomainError(_("A milestone of another award was given."))
        replans = []
        for pk, change in wanted.items():
            milestone = milestones[pk]
            if (milestone.due_date, milestone.amount) == (change.due_date, change.amount):
                continue
            if change.amount != milestone.amount and milestone.status != Milestone.Status.PLANNED:
                raise DomainError(
                    _("“%(milestone)s” is already reported or paid; its amount can no longer change.")
                    % {"milestone": milestone.title}
                )
            if change.amount < 1:
                raise DomainError(_("Every milestone needs an amount greater than zero."))
            replans.append(
                MilestoneReplan(
                    milestone=milestone,
                    old_due_date=milestone.due_date,
                    new_due_date=change.due_date,
                    old_amount=milestone.amount,
                    new_amount=change.amount,
                    reason=reason,
                    by=by,
                )
            )
            milestone.due_date, milestone.amount = change.due_date, change.amount
        if sum(m.amount for m in milestones.values()) != award.amount:
            raise DomainError(_("The milestone amounts must add up to the amount awarded."))
        if not replans:
            raise DomainError(_("Nothing was changed."))
        Milestone.objects.bulk_update(milestones.values(), ["due_date", "amount"])
        MilestoneReplan.objects.bulk_create(replans)
        audit.record_object(
            actor=by,
            action="award.replanned",
            obj=award,
            before={str(r.milestone_id): [r.old_due_date.isoformat(), r.old_amount] for r in replans},
            after={
                "reason": reason,
                **{str(r.milestone_id): [r.new_due_date.isoformat(), r.new_amount] for r in replans},
            },
        )
        award_id = award.pk
        transaction.on_commit(lambda: awards_signals.project_changed.send(sender=Award, award_id=award_id))
    return replans
