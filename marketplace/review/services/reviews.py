"""Writes for judging proposals, first part: eligibility screening, each challenge's reviewer
pool (staff reviewers and invited external experts), assigning reviewers to proposals (by hand
or by suggestion) and the reviewers' conflict-of-interest declarations.

Every write is keyword-only, checks who acts, raises DomainError with a message for the user
when refused (and then changes nothing: each runs in one transaction), writes an audit entry
(who, what, before/after; the request's IP is picked up by ``marketplace.audit``) and tells the
people concerned through ``marketplace.messaging``. Proposal status changes go through
``marketplace.workflows.proposal_perform`` ("screen", "review", "reject").

The reads at the end shape the screening checklist, the assignment table, the pool and the
workspace lists with a fixed number of queries however many proposals or reviewers there are.
The ranking of reviewers itself is the pure ``marketplace.reviewer_matching``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from core import audit, messaging
from core.errors import DomainError, require
from core.request_context import current_ip
from core.roles import OFFICIAL_GROUP, REVIEWER_GROUP, has_role, is_official
from marketplace.challenges.models import ChallengePage, Sector
from marketplace.organisations.models import (
    Membership,
    Organisation,
    PastMembership,
    TaggedCapability,
    TaggedExpertise,
    UserProfile,
)
from marketplace.proposals import workflows
from marketplace.proposals.models import Proposal, ProposalPartner
from marketplace.proposals.services import ChecklistItem, proposal_checklist
from marketplace.review import matching as reviewer_matching
from marketplace.review import permissions
from marketplace.review.models import ChallengeReviewer, ConflictDeclaration, ReviewAssignment, ScreeningCheck

S = Proposal.Status
A = ReviewAssignment.Status
# Assignments that count: the reviewer still has to declare, or is reviewing.
OPEN_ASSIGNMENT = (A.AWAITING_DECLARATION, A.ACTIVE)
NOTE_MAX = 1000
REASON_MAX = 2000
TAG_MAX = 100


def display_name(user) -> str:
    """What officials see for a reviewer: the profile's full name, else the account's names."""
    try:
        profile = user.profile
    except UserProfile.DoesNotExist:
        profile = None
    return (profile and profile.full_name) or user.get_full_name() or user.get_username()


def _site_url(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def _path(name: str, **kwargs) -> str:
    """An address in the site's language (notifications and emails are in it too)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs=kwargs or None)


def _in_site_language(template: str, **values) -> str:
    """Notifications are stored in the site's language, whatever page the actor is on."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(template) % values


def _consortium_members(proposal: Proposal):
    """Members of the lead organisation and of the partners that accepted (one row each)."""
    accepted = proposal.partners.filter(status=ProposalPartner.Status.ACCEPTED).values("organisation_id")
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__organisation_id=proposal.organisation_id)
            | Q(memberships__organisation_id__in=accepted)
        )
        .distinct()
    )


def _challenge_officials(challenge: ChallengePage):
    return challenge.agency.officials.filter(groups__name=OFFICIAL_GROUP).distinct()


def _lock_proposal(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge__agency__region", "organisation")
        .get(pk=proposal.pk)
    )


# Screening ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDecision:
    """An official's answer to one checklist item: met (True), not met (False) or not checked
    yet (None), with a note (needed when it differs from the automatic check)."""

    passed: bool | None
    note: str = ""


def screening_automatic_items(proposal: Proposal) -> list[dict]:
    """The checklist derived from the challenge's eligibility rules, each item with the result
    of its automatic check (None: an official has to judge it), labelled in the active
    language. Reuses the applicant's submission checklist where it already checks the rule."""
    challenge = proposal.challenge
    checklist = {item.key: item for item in proposal_checklist(proposal)}
    items: list[dict] = []

    def add(key: str, label: str, automatic: bool | None) -> None:
        items.append({"key": key, "label": str(label), "automatic": automatic})

    for key in ("eligible_kind", "eligible_region"):
        if key in checklist:
            add(key, checklist[key].label, checklist[key].done)
    partners = list(proposal.partners.all())
    taking_part = [p for p in partners if p.status != ProposalPartner.Status.DECLINED]
    if not challenge.consortium_allowed:
        add(
            "consortium",
            _("Applies as one organisation (this challenge does not accept consortia)"),
            not taking_part,
        )
    elif taking_part:
        add("consortium", _("A consortium may apply to this challenge"), True)
    if "eligible_amount" in checklist:
        add("eligible_amount", checklist["eligible_amount"].label, checklist["eligible_amount"].done)
    if partners:
        accepted = sum(1 for p in partners if p.status == ProposalPartner.Status.ACCEPTED)
        add(
            "partners",
            _("Every consortium partner has accepted (%(accepted)d of %(total)d)")
            % {"accepted": accepted, "total": len(partners)},
            accepted == len(partners),
        )
    for key, item in checklist.items():
        if key.startswith("answer-") and item.kind == ChecklistItem.COMPLETE:
            add(key, item.label, item.done)
    add("in_scope", _("The proposal addresses the problem this challenge describes"), None)
    return items


def screening_items(proposal: Proposal, check: ScreeningCheck | None = None) -> list[dict]:
    """The checklist to show: fresh automatic results in the active language, with what the
    official stored (met or not, note) or else the automatic result pre-filled."""
    stored = {item["key"]: item for item in (check.items if check else [])}
    items = []
    for item in screening_automatic_items(proposal):
        saved = stored.get(item["key"])
        passed = saved["passed"] if saved else item["automatic"]
        items.append({**item, "passed": passed, "note": saved.get("note", "") if saved else ""})
    return items


def _screening_check_for_update(proposal: Proposal, by) -> tuple[Proposal, ScreeningCheck]:
    """Lock the proposal, start screening if it is only submitted, and return its open check."""
    locked = _lock_proposal(proposal)
    if locked.status == S.SUBMITTED:
        workflows.proposal_perform(proposal=locked, name="screen", by=by)
        messaging.notify(
            users=_consortium_members(locked),
            message=_in_site_language(
                gettext_noop("The agency is screening your proposal “%(title)s”."), title=locked.title
            ),
            url=_path("marketplace:proposal_detail", pk=locked.pk),
        )
    if locked.status != S.SCREENING:
        raise DomainError(
            _("This proposal is not waiting for screening (its status is “%(status)s”).")
            % {"status": locked.get_status_display()}
        )
    check, _created = ScreeningCheck.objects.select_for_update().get_or_create(proposal=locked)
    if check.outcome != ScreeningCheck.Outcome.PENDING:
        raise DomainError(_("The screening of this proposal has already been decided."))
    return locked, check


def _apply_decisions(
    proposal: Proposal, check: ScreeningCheck, decisions: Mapping[str, ItemDecision]
) -> list[dict]:
    """The items to store: automatic results labelled in the site's language, each with the
    official's decision (or what was stored, or the automatic pre-fill). An override of an
    automatic result needs a note."""
    with translation.override(settings.LANGUAGE_CODE):
        fresh = screening_automatic_items(proposal)
    stored = {item["key"]: item for item in check.items}
    items = []
    for item in fresh:
        key, decision, saved = item["key"], decisions.get(item["key"]), stored.get(item["key"])
        if decision is not None:
            passed, note = decision.passed, (decision.note or "").strip()
        elif saved is not None:
            passed, note = saved["passed"], saved.get("note", "")
        else:
            passed, note = item["automatic"], ""
        if len(note) > NOTE_MAX:
            raise DomainError(
                _("Keep each note under %(max)d characters.") % {"max": NOTE_MAX}, field=f"item-{key}-note"
            )
        if item["automatic"] is not None and passed is not None and passed != item["automatic"] and not note:
            raise DomainError(
                _("Explain in a note why you do not follow the automatic check for “%(item)s”.")
                % {"item": _labels_now(proposal)[key]},
                field=f"item-{key}-note",
            )
        items.append({**item, "passed": passed, "note": note})
    return items


def _labels_now(proposal: Proposal) -> dict[str, str]:
    """The items' labels in the active language (for messages)."""
    return {item["key"]: item["label"] for item in screening_automatic_items(proposal)}


def screening_start(*, proposal: Proposal, by) -> ScreeningCheck:
    """An official of the owning agency starts screening a submitted proposal: it moves to
    "screening" and gets its checklist, pre-filled by the automatic checks. Idempotent while
    the screening is open."""
    require(permissions.can_screen_proposal(by, proposal))
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        if not check.items:
            check.items = _apply_decisions(locked, check, {})
            check.save(update_fields=["items", "updated_at"])
            audit.record(
                actor=by,
                action="screening.started",
                object_type="proposals.proposal",
                object_id=locked.pk,
                after={"items": check.items},
            )
    proposal.status = locked.status
    return check


def screening_save(
    *, proposal: Proposal, by, decisions: Mapping[str, ItemDecision] | None = None
) -> ScreeningCheck:
    """Store the official's confirmations and overrides (starting the screening if needed)."""
    require(permissions.can_screen_proposal(by, proposal))
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        before = check.items
        check.items = _apply_decisions(locked, check, decisions or {})
        check.save(update_fields=["items", "updated_at"])
        audit.record(
            actor=by,
            action="screening.saved",
            object_type="proposals.proposal",
            object_id=locked.pk,
            before={"items": before},
            after={"items": check.items},
        )
    proposal.status = locked.status
    return check


def screening_pass(
    *, proposal: Proposal, by, decisions: Mapping[str, ItemDecision] | None = None
) -> ScreeningCheck:
    """The proposal is eligible: every item must be met (as checked, or as overridden with a
    note). It moves on to review and the applicants are told. Refused otherwise; nothing
    changes then, not even the decisions given."""
    require(permissions.can_screen_proposal(by, proposal))
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        items = _apply_decisions(locked, check, decisions or {})
        unmet = [item["key"] for item in items if item["passed"] is not True]
        if unmet:
            raise DomainError(
                _(
                    "Every item must be met to pass the screening. Not met or not checked yet: "
                    "%(items)s. Override an item with a note, or reject the proposal with a reason."
                )
                % {"items": "; ".join(_labels_now(locked)[key] for key in unmet)}
            )
        check.items = items
        check.outcome = ScreeningCheck.Outcome.PASSED
        check.reason = ""
        check.decided_by, check.decided_at = by, timezone.now()
        check.save()
        workflows.proposal_perform(proposal=locked, name="review", by=by)
        audit.record(
            actor=by,
            action="screening.passed",
            object_type="proposals.proposal",
            object_id=locked.pk,
            before={"outcome": ScreeningCheck.Outcome.PENDING},
            after={"outcome": check.outcome, "items": items},
        )
        message = _in_site_language(
            gettext_noop("Your proposal “%(title)s” has passed screening and is being reviewed."),
            title=locked.title,
        )
        messaging.notify(
            users=_consortium_members(locked),
            message=message,
            url=_path("marketplace:proposal_detail", pk=locked.pk),
        )
    proposal.status = locked.status
    return check


def screening_reject(
    *, proposal: Proposal, by, reason: str, decisions: Mapping[str, ItemDecision] | None = None
) -> ScreeningCheck:
    """The proposal is not eligible. The reason is required: the applicants read it on their
    proposal page and in the notification (and email) they get."""
    require(permissions.can_screen_proposal(by, proposal))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason: the applicant will read it."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX}, field="reason"
        )
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        check.items = _apply_decisions(locked, check, decisions or {})
        check.outcome = ScreeningCheck.Outcome.FAILED
        check.reason = reason
        check.decided_by, check.decided_at = by, timezone.now()
        check.save()
        workflows.proposal_perform(proposal=locked, name="reject", by=by, note=reason)
        audit.record(
            actor=by,
            action="screening.failed",
            object_type="proposals.proposal",
            object_id=locked.pk,
            before={"outcome": ScreeningCheck.Outcome.PENDING},
            after={"outcome": check.outcome, "reason": reason, "items": check.items},
        )
        message = _in_site_language(
            gettext_noop("Your proposal “%(title)s” did not pass the eligibility screening: %(reason)s"),
            title=locked.title,
            reason=reason,
        )
        messaging.notify(
            users=_consortium_members(locked),
            message=message,
            url=_path("marketplace:proposal_detail", pk=locked.pk),
            email_subject=message[:120],
            email_body=f"{message}\n\n{_site_url(_path('marketplace:proposal_detail', pk=locked.pk))}",
        )
    proposal.status = locked.status
    return check


# The reviewer pool ----------------------------------------------------------------------------


def reviewer_pool_add(*, challenge: ChallengePage, user, by) -> ChallengeReviewer:
    """Add an existing account with the reviewer role to the challenge's reviewers."""
    require(permissions.can_manage_reviews(by, challenge))
    if not has_role(user, REVIEWER_GROUP):
        raise DomainError(
            _("%(name)s does not have the reviewer role.") % {"name": display_name(user)}, field="user"
        )
    try:
        with transaction.atomic():
            reviewer = ChallengeReviewer.objects.create(challenge=challenge, user=user, invited_by=by)
            audit.record(
                actor=by,
                action="challenge.reviewer_added",
                object_type="challenges.challengepage",
                object_id=challenge.pk,
                after={"user": user.pk, "external": False},
            )
            messaging.notify(
                users=[user],
                message=_in_site_language(
                    gettext_noop(
                        "You are a reviewer for “%(challenge)s”. You will be told when proposals are "
                        "assigned to you."
                    ),
                    challenge=challenge.title,
                ),
                url=_path("marketplace:workspace"),
            )
    except IntegrityError:
        raise DomainError(
            _("%(name)s is already a reviewer for this challenge.") % {"name": display_name(user)},
            field="user",
        ) from None
    return reviewer


def _clean_tags(tags: Iterable[str], field_name: str) -> list[str]:
    cleaned = []
    for tag in tags:
        tag = (tag or "").strip()
        if len(tag) > TAG_MAX:
            raise DomainError(
                _("Keep each field of expertise under %(max)d characters.") % {"max": TAG_MAX},
                field=field_name,
            )
        if tag and tag.casefold() not in {t.casefold() for t in cleaned}:
            cleaned.append(tag)
    return cleaned


def _unique_username(email: str) -> str:
    User = get_user_model()
    base = slugify(email.split("@")[0])[:30] or "penilai"
    username, n = base, 2
    while User.objects.filter(username__iexact=username).exists():
        username, n = f"{base}{n}", n + 1
    return username


def set_password_url(user) -> str:
    """The address where ``user`` chooses a password (allauth's password-reset link), valid for
    settings.PASSWORD_RESET_TIMEOUT."""
    key = default_token_generator.make_token(user)
    path = _path("account_reset_password_from_key", uidb36=user_pk_to_url_str(user), key=key)
    return _site_url(path)


def reviewer_invite_external(
    *,
    challenge: ChallengePage,
    by,
    full_name: str,
    email: str,
    expertise: Iterable[str] = (),
    sectors: Iterable[Sector] = (),
) -> ChallengeReviewer:
    """Invite an external expert: creates an account with the reviewer role (which sees only
    the proposals assigned to it), a confirmed email address and no password yet, adds it to
    the challenge's reviewers, and emails a link to choose a password."""
    require(permissions.can_manage_reviews(by, challenge))
    full_name = " ".join((full_name or "").split())
    email = (email or "").strip()
    if not full_name:
        raise DomainError(_("Give the expert's full name."), field="full_name")
    if len(full_name) > 150:
        raise DomainError(_("Keep the name under 150 characters."), field="full_name")
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid email address."), field="email") from None
    tags = _clean_tags(expertise, "expertise")
    User = get_user_model()
    existing = (
        User.objects.filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email)).distinct().first()
    )
    if existing is not None:
        if has_role(existing, REVIEWER_GROUP):
            raise DomainError(
                _("This person already has a reviewer account: add them from the list of reviewers."),
                field="email",
            )
        raise DomainError(
            _(
                "An account with this email address exists but is not a reviewer; an administrator "
                "can give it the reviewer role."
            ),
            field="email",
        )
    with transaction.atomic():
        first_name, _space, last_name = full_name.partition(" ")
        user = User(
            username=_unique_username(email),
            email=email,
            first_name=first_name[:150],
            last_name=last_name[:150],
        )
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
        profile = UserProfile.objects.create(user=user, full_name=full_name)
        if tags:
            profile.expertise.set(tags)
        profile.expertise_sectors.set(list(sectors))
        reviewer = ChallengeReviewer.objects.create(
            challenge=challenge, user=user, external=True, invited_by=by
        )
        audit.record(
            actor=by,
            action="challenge.reviewer_invited",
            object_type="challenges.challengepage",
            object_id=challenge.pk,
            after={
                "user": user.pk,
                "external": True,
                "email": email,
                "expertise": tags,
                "sectors": sorted(s.pk for s in sectors),
            },
        )
        link = set_password_url(user)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Invitation to review proposals for “%(challenge)s”") % {"challenge": challenge.title}
            body = _(
                "Hello %(name)s,\n\n%(agency)s invites you to review proposals for the challenge "
                "“%(challenge)s”. An account has been made for you (user name: %(username)s). Choose "
                "your password here:\n\n%(link)s\n\nThe link works for %(days)d days; after that, use "
                "“Forgot password?” on the sign-in page. You will see only the proposals assigned to you, "
                "after declaring any conflict of interest."
            ) % {
                "name": full_name,
                "agency": challenge.agency.name,
                "challenge": challenge.title,
                "username": user.get_username(),
                "link": link,
                "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            }
        messaging.send_email_later(to=[email], subject=subject, body=body)
    return reviewer


def reviewer_pool_remove(*, reviewer: ChallengeReviewer, by) -> None:
    """Take a reviewer off the challenge's pool; refused while they have open assignments."""
    challenge = reviewer.challenge
    require(permissions.can_manage_reviews(by, challenge))
    with transaction.atomic():
        locked = ChallengeReviewer.objects.select_for_update().filter(pk=reviewer.pk).first()
        if locked is None:
            return
        open_count = ReviewAssignment.objects.filter(
            proposal__challenge=challenge, reviewer_id=locked.user_id, status__in=OPEN_ASSIGNMENT
        ).count()
        if open_count:
            raise DomainError(
                ngettext(
                    "%(name)s still has %(count)d assignment on this challenge: remove it first.",
                    "%(name)s still has %(count)d assignments on this challenge: remove them first.",
                    open_count,
                )
                % {"name": display_name(locked.user), "count": open_count}
            )
        locked.delete()
        audit.record(
            actor=by,
            action="challenge.reviewer_removed",
            object_type="challenges.challengepage",
            object_id=challenge.pk,
            before={"user": locked.user_id, "external": locked.external},
        )


def reviewer_expertise_update(
    *, reviewer: ChallengeReviewer, by, expertise: Iterable[str], sectors: Iterable[Sector]
) -> UserProfile:
    """An official of the challenge sets a pool reviewer's fields of expertise (tags) and
    sectors, which the suggestions match against the proposals."""
    require(permissions.can_manage_reviews(by, reviewer.challenge))
    tags = _clean_tags(expertise, "expertise")
    sectors = list(sectors)
    with transaction.atomic():
        profile, _created = UserProfile.objects.select_for_update().get_or_create(user_id=reviewer.user_id)
        before = {
            "expertise": sorted(profile.expertise.names()),
            "sectors": sorted(profile.expertise_sectors.values_list("pk", flat=True)),
        }
        profile.expertise.set(tags, clear=True)
        profile.expertise_sectors.set(sectors)
        after = {"expertise": sorted(tags), "sectors": sorted(s.pk for s in sectors)}
        audit.record(
            actor=by,
            action="reviewer.expertise_updated",
            object_type="auth.user",
            object_id=reviewer.user_id,
            before=before,
            after=after,
        )
    return profile


# Assignments and conflicts of interest ----------------------------------------------------------


def _taking_part(proposal: Proposal) -> list[int]:
    """The organisations behind a proposal: the lead and every partner that has not declined."""
    partners = proposal.partners.exclude(status=ProposalPartner.Status.DECLINED).values_list(
        "organisation_id", flat=True
    )
    return [proposal.organisation_id, *partners]


def exclusion_reason(proposal: Proposal, reviewer) -> str | None:
    """Why ``reviewer`` may never be assigned to ``proposal``, or None. A member or former
    member of the lead or of a partner organisation never reviews it; neither does someone
    already assigned, who declared a conflict on it, or who was removed from it."""
    organisations = _taking_part(proposal)
    name = display_name(reviewer)
    member = (
        Membership.objects.filter(user=reviewer, organisation_id__in=organisations)
        .select_related("organisation")
        .first()
    )
    if member is not None:
        return _(
            "%(name)s is a member of %(organisation)s, which takes part in this proposal: a member may "
            "never review it."
        ) % {"name": name, "organisation": member.organisation.name}
    former = (
        PastMembership.objects.filter(user=reviewer, organisation_id__in=organisations)
        .select_related("organisation")
        .first()
    )
    if former is not None:
        return _(
            "%(name)s was a member of %(organisation)s, which takes part in this proposal: a former "
            "member may never review it."
        ) % {"name": name, "organisation": former.organisation.name}
    existing = ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).first()
    if existing is not None:
        if existing.status == A.CONFLICT:
            return _("%(name)s declared a conflict of interest on this proposal.") % {"name": name}
        if existing.status == A.REMOVED:
            return _("%(name)s was removed from this proposal and cannot be assigned to it again.") % {
                "name": name
            }
        return _("%(name)s is already assigned to this proposal.") % {"name": name}
    return None


def _open_count(**filters) -> int:
    return ReviewAssignment.objects.filter(status__in=OPEN_ASSIGNMENT, **filters).count()


def _notify_assigned(challenge: ChallengePage, reviewer, count: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        message = ngettext(
            "You are asked to review %(count)d proposal for “%(challenge)s”. Declare any conflict of "
            "interest first.",
            "You are asked to review %(count)d proposals for “%(challenge)s”. Declare any conflict of "
            "interest first.",
            count,
        ) % {"count": count, "challenge": challenge.title}
    url = _path("marketplace:workspace") + "#reviews-to-do"
    messaging.notify(
        users=[reviewer],
        message=message,
        url=url,
        email_subject=message[:120],
        email_body=f"{message}\n\n{_site_url(url)}",
    )


def _create_assignment(proposal: Proposal, reviewer, by) -> ReviewAssignment:
    assignment = ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=by)
    audit.record(
        actor=by,
        action="review_assignment.created",
        object_type="review.reviewassignment",
        object_id=assignment.pk,
        after={"proposal": proposal.pk, "reviewer": reviewer.pk, "status": assignment.status},
    )
    return assignment


def assignment_create(*, proposal: Proposal, reviewer, by) -> ReviewAssignment:
    """Assign a pool reviewer to a proposal in review, by hand. Refused when the reviewer is or
    was a member of an organisation behind the proposal, is already assigned, declared a
    conflict or was removed, is not in the challenge's pool, has reached the challenge's cap,
    or when the proposal already has its reviewers. The reviewer is told (and emailed)."""
    challenge = proposal.challenge
    require(permissions.can_manage_reviews(by, challenge))
    with transaction.atomic():
        locked = _lock_proposal(proposal)
        if locked.status != S.IN_REVIEW:
            raise DomainError(
                _("Reviewers are assigned to proposals in review; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        # Locking the pool row serialises the load check for this reviewer on this challenge.
        in_pool = (
            ChallengeReviewer.objects.select_for_update().filter(challenge=challenge, user=reviewer).first()
        )
        name = display_name(reviewer)
        if in_pool is None:
            raise DomainError(
                _("%(name)s is not one of this challenge's reviewers: add them to the pool first.")
                % {"name": name},
                field="reviewer",
            )
        if not has_role(reviewer, REVIEWER_GROUP):
            raise DomainError(
                _("%(name)s does not have the reviewer role.") % {"name": name}, field="reviewer"
            )
        reason = exclusion_reason(locked, reviewer)
        if reason:
            raise DomainError(reason, field="reviewer")
        if _open_count(proposal=locked) >= challenge.reviewers_per_proposal:
            raise DomainError(
                ngettext(
                    "This proposal already has its %(count)d reviewer.",
                    "This proposal already has its %(count)d reviewers.",
                    challenge.reviewers_per_proposal,
                )
                % {"count": challenge.reviewers_per_proposal},
                field="reviewer",
            )
        load = _open_count(proposal__challenge=challenge, reviewer=reviewer)
        if load >= challenge.reviewer_max_load:
            raise DomainError(
                _(
                    "%(name)s already reviews %(load)d proposals of this challenge, the most allowed "
                    "(%(max)d)."
                )
                % {"name": name, "load": load, "max": challenge.reviewer_max_load},
                field="reviewer",
            )
        assignment = _create_assignment(locked, reviewer, by)
        _notify_assigned(challenge, reviewer, 1)
    return assignment


@dataclass
class BulkResult:
    created: list[ReviewAssignment] = field(default_factory=list)
    # proposal → how many reviewers it still lacks
    short: dict[Proposal, int] = field(default_factory=dict)


def assignments_create_suggested(*, challenge: ChallengePage, by) -> BulkResult:
    """Give every proposal in review the challenge's number of reviewers, choosing by the
    suggestions (expertise fit, then load; see marketplace.reviewer_matching), never a
    reviewer excluded from a proposal and never above the cap. Proposals that cannot get
    enough reviewers are reported. All or nothing."""
    require(permissions.can_manage_reviews(by, challenge))
    with transaction.atomic():
        list(ChallengeReviewer.objects.select_for_update().filter(challenge=challenge))
        list(Proposal.objects.select_for_update(of=("self",)).filter(challenge=challenge, status=S.IN_REVIEW))
        pool = reviewer_pool(challenge)
        proposals = _proposal_profiles(challenge)
        plan = reviewer_matching.plan_bulk(
            [row.profile for row in proposals],
            [member.profile for member in pool if member.active],
            per_proposal=challenge.reviewers_per_proposal,
            max_load=challenge.reviewer_max_load,
        )
        users = {member.user.pk: member.user for member in pool}
        by_proposal = {row.proposal.pk: row.proposal for row in proposals}
        result = BulkResult()
        per_reviewer: dict[int, int] = defaultdict(int)
        for proposal_id, reviewer_ids in plan.assignments.items():
            for reviewer_id in reviewer_ids:
                result.created.append(_create_assignment(by_proposal[proposal_id], users[reviewer_id], by))
                per_reviewer[reviewer_id] += 1
        result.short = {by_proposal[pid]: missing for pid, missing in plan.short.items()}
        audit.record(
            actor=by,
            action="challenge.reviewers_assigned_by_suggestion",
            object_type="challenges.challengepage",
            object_id=challenge.pk,
            after={
                "assignments": [[a.proposal_id, a.reviewer_id] for a in result.created],
                "short": {str(p.pk): n for p, n in result.short.items()},
            },
        )
        for reviewer_id, count in per_reviewer.items():
            _notify_assigned(challenge, users[reviewer_id], count)
    return result


def assignment_remove(*, assignment: ReviewAssignment, by, reason: str) -> ReviewAssignment:
    """An official ends an assignment (awaiting declaration or reviewing), with a reason that
    is kept; the reviewer no longer has access and is told."""
    proposal = assignment.proposal
    require(permissions.can_manage_reviews(by, proposal.challenge))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for removing this reviewer."), field="reason")
    if len(reason) > NOTE_MAX:
        raise DomainError(_("Keep the reason under %(max)d characters.") % {"max": NOTE_MAX}, field="reason")
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in OPEN_ASSIGNMENT:
            raise DomainError(
                _("This assignment has already ended (%(status)s).") % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status, locked.removed_reason = A.REMOVED, reason
        locked.save(update_fields=["status", "removed_reason"])
        audit.record(
            actor=by,
            action="review_assignment.removed",
            object_type="review.reviewassignment",
            object_id=locked.pk,
            before={"status": before},
            after={"status": locked.status, "reason": reason},
        )
        messaging.notify(
            users=[locked.reviewer],
            message=_in_site_language(
                gettext_noop("You no longer review “%(title)s”: %(reason)s"),
                title=proposal.title,
                reason=reason,
            ),
            url=_path("marketplace:workspace") + "#reviews-to-do",
        )
    assignment.status, assignment.removed_reason = locked.status, locked.removed_reason
    return assignment


REVIEWABLE_STATUSES = (S.IN_REVIEW, S.SHORTLISTED)


def assignment_declare(
    *, assignment: ReviewAssignment, by, has_conflict: bool, note: str = ""
) -> ReviewAssignment:
    """The assigned reviewer declares, before seeing the proposal, that they have no conflict of
    interest (the assignment becomes active: they may review) or that they have one, and why
    (the assignment ends; the officials are told so they can assign someone else). Recorded
    as a ConflictDeclaration with the time and IP address; declared once."""
    require(permissions.can_declare_conflict(by, assignment))
    note = (note or "").strip()
    if has_conflict and not note:
        raise DomainError(
            _("Explain the conflict of interest: the officials read it to assign someone else."), field="note"
        )
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("Keep the explanation under %(max)d characters.") % {"max": NOTE_MAX}, field="note"
        )
    with transaction.atomic():
        locked = (
            ReviewAssignment.objects.select_for_update(of=("self",))
            .select_related("proposal__challenge__agency")
            .get(pk=assignment.pk)
        )
        if locked.status == A.ACTIVE:
            raise DomainError(_("You have already declared that you have no conflict of interest."))
        if locked.status == A.CONFLICT:
            raise DomainError(_("You have already declared a conflict of interest on this proposal."))
        if locked.status == A.REMOVED:
            raise DomainError(_("This assignment was removed; you do not review this proposal."))
        proposal = locked.proposal
        if proposal.status not in REVIEWABLE_STATUSES:
            raise DomainError(_("This proposal is no longer being reviewed."))
        before = locked.status
        ConflictDeclaration.objects.create(
            assignment=locked, has_conflict=has_conflict, note=note, ip_address=current_ip()
        )
        locked.status = A.CONFLICT if has_conflict else A.ACTIVE
        locked.save(update_fields=["status"])
        audit.record(
            actor=by,
            action="review_assignment.conflict_declared" if has_conflict else "review_assignment.no_conflict",
            object_type="review.reviewassignment",
            object_id=locked.pk,
            before={"status": before},
            after={"status": locked.status, "has_conflict": has_conflict, "note": note},
        )
        if has_conflict:
            challenge = proposal.challenge
            message = _in_site_language(
                gettext_noop(
                    "%(name)s declared a conflict of interest on “%(title)s” (%(challenge)s): assign "
                    "another reviewer."
                ),
                name=display_name(by),
                title=proposal.title,
                challenge=challenge.title,
            )
            url = _path("marketplace:review_assignments", slug=challenge.slug)
            messaging.notify(
                users=_challenge_officials(challenge),
                message=message,
                url=url,
                email_subject=message[:120],
                email_body=f"{message}\n\n{_site_url(url)}",
            )
    assignment.status = locked.status
    return assignment


# Reads ------------------------------------------------------------------------------------------


@dataclass
class PoolMember:
    pool: ChallengeReviewer
    user: object
    name: str
    tags: list[str]
    sectors: list[Sector]
    load: int
    profile: reviewer_matching.ReviewerProfile
    # Still has the reviewer role: only then suggested or assigned.
    active: bool = True


def reviewer_pool(challenge: ChallengePage) -> list[PoolMember]:
    """The challenge's reviewers with their expertise and current load (open assignments on this
    challenge). Four queries however many reviewers; ``active`` says whether each still has the
    reviewer role."""
    has_role_now = Exists(
        get_user_model().groups.through.objects.filter(
            user_id=OuterRef("user_id"), group__name=REVIEWER_GROUP
        )
    )
    rows = list(
        ChallengeReviewer.objects.filter(challenge=challenge)
        .select_related("user__profile")
        .annotate(has_reviewer_role=has_role_now)
        .order_by("created_at", "pk")
    )
    user_ids = [row.user_id for row in rows]
    tags: dict[int, list[str]] = defaultdict(list)
    for user_id, name in TaggedExpertise.objects.filter(content_object__user_id__in=user_ids).values_list(
        "content_object__user_id", "tag__name"
    ):
        tags[user_id].append(name)
    sectors: dict[int, list[Sector]] = defaultdict(list)
    through = UserProfile.expertise_sectors.through
    for link in through.objects.filter(userprofile__user_id__in=user_ids).select_related(
        "sector", "userprofile"
    ):
        sectors[link.userprofile.user_id].append(link.sector)
    loads = dict(
        ReviewAssignment.objects.filter(
            proposal__challenge=challenge, reviewer_id__in=user_ids, status__in=OPEN_ASSIGNMENT
        )
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "n")
    )
    members = []
    for row in rows:
        user = row.user
        member_tags = sorted(tags[user.pk], key=str.casefold)
        member_sectors = sorted(sectors[user.pk], key=lambda s: s.name)
        members.append(
            PoolMember(
                pool=row,
                user=user,
                name=display_name(user),
                tags=member_tags,
                sectors=member_sectors,
                load=loads.get(user.pk, 0),
                active=row.has_reviewer_role,
                profile=reviewer_matching.ReviewerProfile(
                    id=user.pk,
                    tags=reviewer_matching.normalise_tags(member_tags),
                    sectors=frozenset(s.pk for s in member_sectors),
                    load=loads.get(user.pk, 0),
                ),
            )
        )
    return members


@dataclass
class ProposalRow:
    proposal: Proposal
    organisations: list[Organisation]
    assignments: list[ReviewAssignment]
    profile: reviewer_matching.ProposalProfile


def _proposal_profiles(challenge: ChallengePage, statuses=(S.IN_REVIEW,)) -> list[ProposalRow]:
    """The challenge's proposals in review with what matching needs: their sectors and
    capabilities, who may never review them, and their assignments. Nine queries however many."""
    proposals = list(
        Proposal.objects.filter(challenge=challenge, status__in=statuses)
        .select_related("organisation")
        .order_by("submitted_at", "pk")
    )
    ids = [p.pk for p in proposals]
    partners: dict[int, list[Organisation]] = defaultdict(list)
    for partner in (
        ProposalPartner.objects.filter(proposal_id__in=ids)
        .exclude(status=ProposalPartner.Status.DECLINED)
        .select_related("organisation")
        .order_by("invited_at", "pk")
    ):
        partners[partner.proposal_id].append(partner.organisation)
    organisations = {p.pk: [p.organisation, *partners[p.pk]] for p in proposals}
    org_ids = {org.pk for orgs in organisations.values() for org in orgs}

    org_sectors: dict[int, set[int]] = defaultdict(set)
    for org_id, sector_id in Organisation.sectors.through.objects.filter(
        organisation_id__in=org_ids
    ).values_list("organisation_id", "sector_id"):
        org_sectors[org_id].add(sector_id)
    org_tags: dict[int, set[str]] = defaultdict(set)
    for org_id, name in TaggedCapability.objects.filter(content_object_id__in=org_ids).values_list(
        "content_object_id", "tag__name"
    ):
        org_tags[org_id].add(name)
    people: dict[int, set[int]] = defaultdict(set)
    for model in (Membership, PastMembership):
        for org_id, user_id in model.objects.filter(organisation_id__in=org_ids).values_list(
            "organisation_id", "user_id"
        ):
            people[org_id].add(user_id)
    assignments: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for assignment in (
        ReviewAssignment.objects.filter(proposal_id__in=ids)
        .select_related("reviewer__profile")
        .prefetch_related("declarations")
        .order_by("assigned_at", "pk")
    ):
        assignments[assignment.proposal_id].append(assignment)
    other_sectors = Sector.objects.filter(secondary_challenges=challenge).values_list("pk", flat=True)
    challenge_sectors = {challenge.sector_id, *other_sectors}

    rows = []
    for proposal in proposals:
        orgs = organisations[proposal.pk]
        excluded = {uid for org in orgs for uid in people[org.pk]}
        excluded |= {a.reviewer_id for a in assignments[proposal.pk]}
        rows.append(
            ProposalRow(
                proposal=proposal,
                organisations=orgs,
                assignments=assignments[proposal.pk],
                profile=reviewer_matching.ProposalProfile(
                    id=proposal.pk,
                    tags=reviewer_matching.normalise_tags(t for org in orgs for t in org_tags[org.pk]),
                    sectors=frozenset(challenge_sectors | {s for org in orgs for s in org_sectors[org.pk]}),
                    excluded=frozenset(excluded),
                    assigned=sum(1 for a in assignments[proposal.pk] if a.status in OPEN_ASSIGNMENT),
                ),
            )
        )
    return rows


@dataclass
class BoardRow:
    proposal: Proposal
    organisations: list[Organisation]
    assignments: list[ReviewAssignment]
    assigned: int
    needed: int
    # Eligible reviewers, best first, with their suggestion (fit, load, what they share).
    ranked: list[tuple[reviewer_matching.Suggestion, PoolMember]]

    @property
    def suggested(self) -> list[tuple[reviewer_matching.Suggestion, PoolMember]]:
        return self.ranked[: self.needed]

    @property
    def conflicts(self) -> list[ReviewAssignment]:
        return [a for a in self.assignments if a.status == A.CONFLICT]


@dataclass
class Board:
    challenge: ChallengePage
    rows: list[BoardRow]
    pool: list[PoolMember]

    @property
    def missing(self) -> int:
        return sum(row.needed for row in self.rows)


def assignment_board(challenge: ChallengePage) -> Board:
    """The officials' assignment table: each proposal in review with its assignments (and any
    declared conflict), how many reviewers it still needs, and the eligible reviewers ranked."""
    pool = reviewer_pool(challenge)
    members = {m.user.pk: m for m in pool}
    rows = []
    for row in _proposal_profiles(challenge):
        ranked = reviewer_matching.rank(
            row.profile, [m.profile for m in pool if m.active], max_load=challenge.reviewer_max_load
        )
        rows.append(
            BoardRow(
                proposal=row.proposal,
                organisations=row.organisations,
                assignments=row.assignments,
                assigned=row.profile.assigned,
                needed=max(0, challenge.reviewers_per_proposal - row.profile.assigned),
                ranked=[(s, members[s.reviewer_id]) for s in ranked],
            )
        )
    return Board(challenge=challenge, rows=rows, pool=pool)


def reviews_to_do(user) -> list[ReviewAssignment]:
    """A reviewer's open assignments (to declare, or to review), oldest first. One query."""
    return list(
        ReviewAssignment.objects.filter(reviewer=user, status__in=OPEN_ASSIGNMENT)
        .select_related("proposal__challenge")
        .order_by("assigned_at", "pk")
    )


def review_overview_for(user) -> dict:
    """For an official: their agencies' challenges that received proposals, with how many are
    to screen, in review, and the conflicts declared; and the proposals waiting for screening.
    Two queries."""
    if not is_official(user):
        return {"review_challenges": None, "proposals_to_screen": None}
    challenges = (
        ChallengePage.objects.filter(agency__officials=user)
        .annotate(
            to_screen=Count(
                "proposals", filter=Q(proposals__status__in=[S.SUBMITTED, S.SCREENING]), distinct=True
            ),
            in_review=Count("proposals", filter=Q(proposals__status=S.IN_REVIEW), distinct=True),
            conflicts=Count(
                "proposals__review_assignments",
                filter=Q(proposals__review_assignments__status=A.CONFLICT),
                distinct=True,
            ),
        )
        .annotate(
            submitted=Count("proposals", filter=Q(proposals__submitted_at__isnull=False), distinct=True)
        )
        .filter(submitted__gt=0)
        .order_by("-closes_at", "pk")
    )
    to_screen = (
        Proposal.objects.filter(challenge__agency__officials=user, status__in=[S.SUBMITTED, S.SCREENING])
        .select_related("challenge", "organisation")
        .order_by("submitted_at", "pk")
    )
    return {"review_challenges": list(challenges), "proposals_to_screen": list(to_screen)}
