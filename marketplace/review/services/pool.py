"""Each challenge's reviewer pool: staff reviewers, external experts invited by email (an account
with the reviewer role and a link to choose a password), and their expertise."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from core.roles import REVIEWER_GROUP, has_role
from marketplace.challenges.models import ChallengePage, Sector
from marketplace.organisations.models import (
    UserProfile,
)
from marketplace.review import permissions
from marketplace.review.models import ChallengeReviewer, ReviewAssignment
from marketplace.review.services.common import (
    OPEN_ASSIGNMENT,
    TAG_MAX,
    _in_site_language,
    _path,
    _site_url,
    display_name,
)

# The reviewer pool ----------------------------------------------------------------------------


def reviewer_pool_add(*, challenge: ChallengePage, user: Person, by: Person) -> ChallengeReviewer:
    """Add an existing account with the reviewer role to the challenge's reviewers."""
    require(permissions.can_manage_reviews(by, challenge))
    if not has_role(user, REVIEWER_GROUP):
        raise DomainError(
            _("%(name)s does not have the reviewer role.") % {"name": display_name(user)}, field="user"
        )
    try:
        with transaction.atomic():
            reviewer = ChallengeReviewer.objects.create(challenge=challenge, user=user, invited_by=by)
            audit.record_object(
                actor=by,
                action="challenge.reviewer_added",
                obj=challenge,
                after={"user": user.pk, "external": False},
            )
            messaging.notify(
                kind=messaging.Kind.REVIEWS,
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
    cleaned: list[str] = []
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


def set_password_url(user: Person) -> str:
    """The address where ``user`` chooses a password (allauth's password-reset link), valid for
    settings.PASSWORD_RESET_TIMEOUT."""
    key = default_token_generator.make_token(user)
    path = _path("account_reset_password_from_key", uidb36=user_pk_to_url_str(user), key=key)
    return _site_url(path)


def reviewer_invite_external(
    *,
    challenge: ChallengePage,
    by: Person,
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
        audit.record_object(
            actor=by,
            action="challenge.reviewer_invited",
            obj=challenge,
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


def reviewer_pool_remove(*, reviewer: ChallengeReviewer, by: Person) -> None:
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
        audit.record_object(
            actor=by,
            action="challenge.reviewer_removed",
            obj=challenge,
            before={"user": locked.user_id, "external": locked.external},
        )


def reviewer_expertise_update(
    *, reviewer: ChallengeReviewer, by: Person, expertise: Iterable[str], sectors: Iterable[Sector]
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
