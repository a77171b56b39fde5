"""Writes for organisations, their people and their verification, and for user profiles.

Every function is keyword-only, checks who asks, validates, writes an audit entry and raises
DomainError with a user-facing message when refused; nothing changes then. Emails leave
through marketplace.messaging after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Field, Q
from django.utils import timezone, translation
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from marketplace.organisations import identifiers, permissions
from marketplace.organisations.models import (
    INVITATION_LIFETIME,
    Membership,
    Organisation,
    OrganisationInvitation,
    PastMembership,
    UserProfile,
    VerificationDocument,
)

OBJECT_TYPE = "organisations.organisation"

# What an owner may change. Changing the legal identity takes a verification back.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "region",
    "description",
    "website",
    "nib",
    "npwp",
    "address",
    "team_size",
    "founded_year",
)
IDENTITY_FIELDS = ("name", "kind", "nib", "npwp")


def _validate(instance, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=first_field) from exc


def _site_url(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisasi"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean_identifiers(values: dict) -> dict:
    """NIB and NPWP are stored as digits only, whichever way they were written."""
    for name in ("nib", "npwp"):
        if name in values:
            values[name] = identifiers.digits_only((values[name] or "").strip())
    return values


def _snapshot(organisation: Organisation) -> dict:
    return {
        name: (str(getattr(organisation, name)) if getattr(organisation, name) is not None else None)
        for name in EDITABLE_FIELDS
        if name != "region"
    } | {"region": organisation.region_id}


# Organisations ---------------------------------------------------------------------------


def organisation_create(
    *,
    by: Person,
    name: str,
    kind: str,
    region=None,
    sectors=(),
    description: str = "",
    website: str = "",
    capabilities: Iterable[str] = (),
    **details,
) -> Organisation:
    """Create an organisation with ``by`` as its owner. ``details`` are further fields an owner
    may edit (nib, npwp, address, team_size, founded_year). Needs a confirmed email address."""
    require(permissions.can_act(by))
    unknown = set(details) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(sorted(unknown))
    organisation = Organisation(
        name=(name or "").strip(),
        slug=_unique_slug(name or ""),
        kind=kind,
        region=region,
        description=description,
        website=website,
        **_clean_identifiers(dict(details)),
    )
    _validate(organisation)
    with transaction.atomic():
        organisation.save()
        organisation.sectors.set(sectors)
        if capabilities:
            organisation.capabilities.set(list(capabilities))
        organisation.memberships.create(user=by, role=Membership.Role.OWNER)
        audit.record_object(
            actor=by,
            action="organisation.created",
            obj=organisation,
            after={"name": organisation.name, "kind": organisation.kind},
        )
    return organisation


def organisation_update(
    *,
    organisation: Organisation,
    by: Person,
    sectors=None,
    capabilities: Iterable[str] | None = None,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    **changes,
) -> Organisation:
    """An owner changes the organisation's profile. A new logo is checked by its content (PNG,
    JPEG or WebP, at most 1 MB). Changing the name, kind, NIB or NPWP of a verified
    organisation takes the verification back: an official checks it again."""
    require(permissions.can_edit_organisation(by, organisation))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(sorted(unknown))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = _snapshot(locked)
        for name, value in _clean_identifiers(dict(changes)).items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        old_logo = locked.logo.name if locked.logo else ""
        if logo is not None:
            try:
                locked._logo_extension = identifiers.logo_extension(logo)
            except ValidationError as exc:
                raise DomainError(exc.messages[0], field="logo") from exc
            locked.logo = logo
        elif remove_logo:
            locked.logo = ""
        _validate(locked, exclude=["logo"])
        after = _snapshot(locked)
        identity_changed = any(before[name] != after[name] for name in IDENTITY_FIELDS)
        unverified = locked.verified and identity_changed
        if unverified:
            locked.verified, locked.verified_at, locked.verified_by = False, None, None
        locked.save()
        if sectors is not None:
            locked.sectors.set(sectors)
        if capabilities is not None:
            locked.capabilities.set(list(capabilities))
        if old_logo and (logo is not None or remove_logo):
            name = old_logo
            storage = locked.logo.storage
            transaction.on_commit(lambda: storage.delete(name))
        changed = {k: v for k, v in after.items() if before[k] != v}
        if logo is not None or remove_logo:
            changed["logo"] = locked.logo.name or None
        audit.record_object(
            actor=by,
            action="organisation.updated",
            obj=locked,
            before={k: before[k] for k in changed if k in before},
            after=changed | ({"verified": False} if unverified else {}),
        )
    return locked


def _set_verified(locked: Organisation, *, by: Person, after: dict, message: str) -> None:
    """With the organisation locked: verified (or not) as ``after["verified"]`` says, by ``by``;
    audited, and its owners told ``message``."""
    verified = after["verified"]
    locked.verified, locked.verified_at, locked.verified_by = (
        (True, timezone.now(), by) if verified else (False, None, None)
    )
    locked.save(update_fields=["verified", "verified_at", "verified_by"])
    audit.record_object(
        actor=by,
        action="organisation.verified" if verified else "organisation.unverified",
        obj=locked,
        before={"verified": not verified},
        after=after,
    )
    owners = [m.user for m in locked.memberships.select_related("user").filter(role=Membership.Role.OWNER)]
    messaging.notify(
        kind=messaging.Kind.ORGANISATIONS, users=owners, message=message, url=locked.get_absolute_url()
    )


def organisation_verify(*, organisation: Organisation, by: Person) -> Organisation:
    """An official of the organisation's region confirms it after checking its documents. Needs
    the legal identifiers its kind requires and, for those kinds, at least one document."""
    require(permissions.can_verify_organisation(by, organisation))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.verified:
            raise DomainError(_("This organisation is already verified."))
        missing = locked.missing_identifiers()
        if missing:
            labels = ", ".join(
                str(cast(Field, Organisation._meta.get_field(name)).verbose_name) for name in missing
            )
            raise DomainError(
                _("It cannot be verified yet: %(fields)s missing.") % {"fields": labels}, field=missing[0]
            )
        if locked.REQUIRED_IDENTIFIERS.get(locked.kind) and not locked.documents.exists():
            raise DomainError(_("It cannot be verified yet: no document was uploaded to check."))
        _set_verified(
            locked,
            by=by,
            after={"verified": True},
            message=_("%(name)s is now verified by an official.") % {"name": locked.name},
        )
    return locked


def organisation_unverify(*, organisation: Organisation, by: Person, reason: str) -> Organisation:
    """An official takes a verification back, saying why (the owners are told)."""
    require(permissions.can_verify_organisation(by, organisation))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the verification is taken back."), field="reason")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not locked.verified:
            raise DomainError(_("This organisation is not verified."))
        _set_verified(
            locked,
            by=by,
            after={"verified": False, "reason": reason[:500]},
            message=_("The verification of %(name)s was taken back: %(reason)s")
            % {"name": locked.name, "reason": reason[:200]},
        )
    return locked


def document_upload(
    *, organisation: Organisation, by: Person, kind: str, file: UploadedFile
) -> VerificationDocument:
    """A member adds a document for officials to check. The type is read from the content (PDF,
    PNG or JPEG, at most 10 MB); the stored name is random, the browser's name is only shown."""
    require(permissions.can_upload_documents(by, organisation))
    if kind not in VerificationDocument.Kind.values:
        raise DomainError(_("Choose what kind of document this is."), field="kind")
    try:
        extension = identifiers.document_extension(file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file") from exc
    assert file.name is not None and file.size is not None  # an upload has both
    shown_name = get_valid_filename(file.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:120] or "dokumen"
    document = VerificationDocument(
        organisation=organisation,
        kind=kind,
        original_name=shown_name,
        content_type=identifiers.DOCUMENT_CONTENT_TYPES[extension],
        size=file.size,
        uploaded_by=by,
    )
    document._extension = extension
    document.file.save("upload", file, save=False)
    stored = document.file.name
    assert stored is not None  # just saved
    try:
        with transaction.atomic():
            document.save()
            audit.record_object(
                actor=by,
                action="organisation.document_uploaded",
                obj=organisation,
                after={"document": document.pk, "kind": kind, "size": file.size},
            )
    except Exception:
        document.file.storage.delete(stored)  # no orphan file when the row is not saved
        raise
    return document


# Members and invitations -----------------------------------------------------------------


def _user_with_verified_email(email: str) -> Person | None:
    User = get_user_model()
    return (
        User.objects.filter(emailaddress__email__iexact=email, emailaddress__verified=True)
        .select_related("profile")
        .first()
    )


def _language_of(user: Person | None) -> str:
    profile = getattr(user, "profile", None) if user else None
    try:
        return profile.preferred_language if profile else settings.LANGUAGE_CODE
    except UserProfile.DoesNotExist:  # pragma: no cover - reverse one-to-one without a row
        return settings.LANGUAGE_CODE


def invitation_create(
    *, organisation: Organisation, by: Person, email: str, role: str = "member"
) -> OrganisationInvitation:
    """An owner invites someone by email. The link in the email is valid for seven days."""
    require(permissions.can_manage_members(by, organisation))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Enter a valid email address."), field="email") from exc
    if role not in Membership.Role.values:
        raise DomainError(_("Choose a role."), field="role")
    already = organisation.memberships.filter(
        Q(user__email__iexact=email)
        | Q(user__emailaddress__email__iexact=email, user__emailaddress__verified=True)
    )
    if already.exists():
        raise DomainError(_("Someone with this email address is already a member."), field="email")
    now = timezone.now()
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)  # one invitation at a time
        pending = organisation.invitations.filter(
            email__iexact=email, accepted_at=None, declined_at=None, expires_at__gt=now
        )
        if pending.exists():
            raise DomainError(
                _("This address already has an invitation waiting for an answer."), field="email"
            )
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=by,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        audit.record_object(
            actor=by,
            action="organisation.invitation_sent",
            obj=organisation,
            after={"invitation": invitation.pk, "email": email, "role": role},
        )
        invitee = _user_with_verified_email(email)
        link = _site_url(invitation.get_absolute_url())
        with translation.override(_language_of(invitee)):
            values = {
                "inviter": by.get_full_name() or by.get_username(),
                "organisation": organisation.name,
                "role": Membership.Role(role).label,
                "link": link,
                "expires": timezone.localtime(invitation.expires_at).strftime("%d-%m-%Y %H:%M"),
            }
            subject = _("Invitation to join %(organisation)s") % values
            body = (
                _(
                    "%(inviter)s invites you to join %(organisation)s on Pasar Tantangan Daerah as "
                    "%(role)s.\n\nAccept or decline here (sign in or sign up with this email "
                    "address first):\n%(link)s\n\nThe invitation expires on %(expires)s."
                )
                % values
            )
            message = _("%(inviter)s invites you to join %(organisation)s.") % values
        messaging.send_email_later(to=[email], subject=subject, body=body)
        if invitee is not None:
            messaging.notify(
                kind=messaging.Kind.ORGANISATIONS,
                users=[invitee],
                message=message,
                url=invitation.get_absolute_url(),
            )
    return invitation


def _check_invitee(invitation: OrganisationInvitation, by: Person) -> None:
    from marketplace.organisations.accounts import verified_emails

    require(permissions.can_act(by))
    if invitation.email.lower() not in verified_emails(by):
        raise DomainError(
            _(
                "This invitation was sent to %(email)s. Sign in with that address, or add it to "
                "your account and confirm it."
            )
            % {"email": invitation.email}
        )


def _locked_pending(invitation: OrganisationInvitation, now) -> OrganisationInvitation:
    locked = (
        OrganisationInvitation.objects.select_for_update()
        .select_related("organisation")
        .get(pk=invitation.pk)
    )
    status = locked.status_at(now)
    if status == OrganisationInvitation.Status.EXPIRED:
        raise DomainError(_("This invitation has expired. Ask the organisation to invite you again."))
    if status == OrganisationInvitation.Status.ACCEPTED:
        raise DomainError(_("This invitation was already accepted."))
    if status == OrganisationInvitation.Status.DECLINED:
        raise DomainError(_("This invitation was already declined."))
    return locked


def invitation_accept(*, invitation: OrganisationInvitation, by: Person, now=None) -> Membership:
    """The invitee joins with the invited role. Only a signed-in user who confirmed the invited
    email address may accept; an expired or answered invitation changes nothing."""
    now = now or timezone.now()
    _check_invitee(invitation, by)
    with transaction.atomic():
        locked = _locked_pending(invitation, now)
        organisation = locked.organisation
        if organisation.memberships.filter(user=by).exists():
            raise DomainError(_("You are already a member of %(name)s.") % {"name": organisation.name})
        try:
            with transaction.atomic():
                membership = Membership.objects.create(user=by, organisation=organisation, role=locked.role)
        except IntegrityError as exc:  # accepted twice at the same moment
            raise DomainError(
                _("You are already a member of %(name)s.") % {"name": organisation.name}
            ) from exc
        locked.accepted_at, locked.accepted_by = now, by
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit.record_object(
            actor=by,
            action="organisation.invitation_accepted",
            obj=organisation,
            after={"invitation": locked.pk, "user": by.pk, "role": locked.role},
        )
        messaging.notify(
            kind=messaging.Kind.ORGANISATIONS,
            users=[locked.invited_by],
            message=_("%(user)s joined %(organisation)s.")
            % {"user": by.get_username(), "organisation": organisation.name},
            url=organisation.get_absolute_url(),
        )
    invitation.accepted_at, invitation.accepted_by = locked.accepted_at, by
    return membership


def invitation_decline(*, invitation: OrganisationInvitation, by: Person, now=None) -> OrganisationInvitation:
    """The invitee says no; the inviter is told. Refused when expired or already answered."""
    now = now or timezone.now()
    _check_invitee(invitation, by)
    with transaction.atomic():
        locked = _locked_pending(invitation, now)
        locked.declined_at = now
        locked.save(update_fields=["declined_at"])
        audit.record(
            actor=by,
            action="organisation.invitation_declined",
            object_type=OBJECT_TYPE,
            object_id=locked.organisation_id,
            after={"invitation": locked.pk},
        )
        messaging.notify(
            kind=messaging.Kind.ORGANISATIONS,
            users=[locked.invited_by],
            message=_("%(email)s declined the invitation to %(organisation)s.")
            % {"email": locked.email, "organisation": locked.organisation.name},
            url=locked.organisation.get_absolute_url(),
        )
    invitation.declined_at = locked.declined_at
    return locked


def membership_remove(*, membership: Membership, by: Person) -> None:
    """An owner removes a member, or a member leaves. The last owner cannot go."""
    organisation = membership.organisation
    if membership.user_id != by.pk:
        require(permissions.can_manage_members(by, organisation))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        locked = Membership.objects.get(pk=membership.pk)
        if (
            locked.role == Membership.Role.OWNER
            and not organisation.memberships.filter(role=Membership.Role.OWNER).exclude(pk=locked.pk).exists()
        ):
            raise DomainError(_("An organisation needs at least one owner: make someone else owner first."))
        locked.delete()
        # Kept so a former member is never assigned to review the organisation's proposals.
        PastMembership.objects.create(
            user_id=locked.user_id, organisation=organisation, role=locked.role, joined_at=locked.joined_at
        )
        audit.record_object(
            actor=by,
            action="organisation.member_removed",
            obj=organisation,
            before={"user": locked.user_id, "role": locked.role},
        )


# Profiles --------------------------------------------------------------------------------


def profile_get(user: Person) -> UserProfile:
    profile, _created = UserProfile.objects.get_or_create(user=user)
    return profile


def profile_update(
    *, user: Person, by: Person, full_name: str = "", phone: str = "", preferred_language: str = ""
) -> UserProfile:
    """A user changes their own profile."""
    if not (by and by.is_authenticated and by.pk == user.pk):
        raise DomainError(_("You may only change your own profile."))
    with transaction.atomic():
        profile, _created = UserProfile.objects.select_for_update().get_or_create(user=user)
        before = {
            "full_name": profile.full_name,
            "phone": profile.phone,
            "language": profile.preferred_language,
        }
        profile.full_name = (full_name or "").strip()
        profile.phone = "".join((phone or "").split()).replace("-", "")
        profile.preferred_language = preferred_language or settings.LANGUAGE_CODE
        _validate(profile, exclude=["user"])
        profile.save()
        after = {
            "full_name": profile.full_name,
            "phone": profile.phone,
            "language": profile.preferred_language,
        }
        audit.record_object(actor=by, action="profile.updated", obj=user, before=before, after=after)
    return profile
