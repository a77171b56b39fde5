"""What a draft still lacks before it can be submitted, and whether the applicant is eligible:
reads only, shown on the draft page and checked again on submission."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.localized import localized_text
from core.money import format_money
from marketplace.organisations.models import Organisation
from marketplace.proposals.models import (
    Proposal,
    ProposalPartner,
)

# The checklist (reads only) ----------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    COMPLETE = "complete"
    ELIGIBLE = "eligible"

    key: str
    label: str
    done: bool
    anchor: str
    kind: str = COMPLETE


def proposal_checklist(proposal: Proposal) -> list[ChecklistItem]:
    """What must be true before submission, each item named and pointing at its field (the
    anchor is an element id on the proposal page). Eligibility items come last."""
    items: list[ChecklistItem] = []
    add = items.append
    for field in ("title", "summary", "problem", "solution", "inclusion", "plan"):
        label = str(Proposal._meta.get_field(field).verbose_name)
        add(
            ChecklistItem(
                field, label[:1].upper() + label[1:], bool(getattr(proposal, field).strip()), f"id_{field}"
            )
        )
    requested = proposal.requested_amount or 0
    add(ChecklistItem("requested_amount", _("Requested amount"), requested > 0, "id_requested_amount"))

    # Planned milestones and budget lines: at least one of each, adding up to the amount asked.
    for key, total_key, rows, present, adds_up in (
        (
            "milestones",
            "milestone_total",
            proposal.planned_milestones.all(),
            _("At least one planned milestone"),
            _("Milestone amounts add up to the requested amount (%(total)s of %(requested)s)"),
        ),
        (
            "budget",
            "budget_total",
            proposal.budget_lines.all(),
            _("At least one budget line"),
            _("Budget lines add up to the requested amount (%(total)s of %(requested)s)"),
        ),
    ):
        amounts = [row.amount for row in rows]
        total = sum(amounts)
        add(ChecklistItem(key, present, bool(amounts), key))
        add(
            ChecklistItem(
                total_key,
                adds_up % {"total": format_money(total), "requested": format_money(requested)},
                bool(amounts) and total == requested,
                key,
            )
        )
    add(ChecklistItem("team", _("At least one team member"), proposal.team_members.exists(), "team"))

    answered = {a.question_id for a in proposal.answers.all() if a.text.strip()}
    for question in proposal.challenge.application_questions.filter(required=True).order_by(
        "sort_order", "pk"
    ):
        add(
            ChecklistItem(
                f"answer-{question.pk}",
                _("Answer: %(question)s") % {"question": localized_text(question, "text")},
                question.pk in answered,
                f"id_answer-{question.pk}",
            )
        )

    partners = list(proposal.partners.all())
    if partners:
        waiting = [p for p in partners if p.status == ProposalPartner.Status.INVITED]
        declined = [p for p in partners if p.status == ProposalPartner.Status.DECLINED]
        add(
            ChecklistItem(
                "partners",
                _("Every partner has accepted (%(waiting)d waiting, %(declined)d declined: remove them)")
                % {"waiting": len(waiting), "declined": len(declined)},
                not waiting and not declined,
                "partners",
            )
        )
        shares = sum(p.budget_share for p in partners if p.status != ProposalPartner.Status.DECLINED)
        add(
            ChecklistItem(
                "partner_shares",
                _("Partner shares do not exceed the requested amount (%(shares)s of %(requested)s)")
                % {"shares": format_money(shares), "requested": format_money(requested)},
                shares <= requested,
                "partners",
            )
        )
    items.extend(proposal_eligibility(proposal))
    return items


def proposal_eligibility(proposal: Proposal) -> list[ChecklistItem]:
    """The challenge's eligibility rules that apply, each checked against the proposal."""
    challenge, organisation = proposal.challenge, proposal.organisation
    items = []
    if challenge.eligible_kinds:
        kinds = dict(Organisation.Kind.choices)
        items.append(
            ChecklistItem(
                "eligible_kind",
                _("The organisation's kind may apply (this challenge accepts: %(kinds)s)")
                % {"kinds": ", ".join(str(kinds.get(k, k)) for k in challenge.eligible_kinds)},
                organisation.kind in challenge.eligible_kinds,
                "eligibility",
                ChecklistItem.ELIGIBLE,
            )
        )
    if challenge.must_be_registered_in_region:
        items.append(
            ChecklistItem(
                "eligible_region",
                _("The organisation is registered in %(region)s") % {"region": challenge.region.title},
                organisation.region_id == challenge.agency.region_id,
                "eligibility",
                ChecklistItem.ELIGIBLE,
            )
        )
    if challenge.max_requested_amount:
        items.append(
            ChecklistItem(
                "eligible_amount",
                _("The requested amount is at most %(max)s")
                % {"max": format_money(challenge.max_requested_amount)},
                (proposal.requested_amount or 0) <= challenge.max_requested_amount,
                "id_requested_amount",
                ChecklistItem.ELIGIBLE,
            )
        )
    return items
