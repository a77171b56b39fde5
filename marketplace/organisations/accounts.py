"""Accounts through django-allauth, adapted to the marketplace: its emails (address
verification, password reset) leave through marketplace.messaging after commit, and sign-ups
and confirmed addresses are audited."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils import translation

from core import audit, messaging


def has_verified_email(user) -> bool:
    """Whether the user confirmed an email address: needed before acting in the marketplace."""
    if not (user and user.is_authenticated):
        return False
    if not hasattr(user, "_has_verified_email"):
        user._has_verified_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user._has_verified_email


def verified_emails(user) -> list[str]:
    return [
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]


def preferred_language(user) -> str:
    from marketplace.organisations.models import UserProfile

    language = UserProfile.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    return language or settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """The workspace, in the user's preferred language (a ``next`` address still wins)."""
        with translation.override(preferred_language(request.user)):
            return reverse("marketplace:workspace")

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        request = context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context_data)
        message = self.render_mail(template_prefix, email, ctx)
        messaging.send_email_later(to=list(message.to), subject=message.subject, body=message.body)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        # People do not choose a username (sign-up would have to say which are taken): the
        # account gets one made from the name given, numbered if it is in use.
        if full_name := form.cleaned_data.get("full_name"):
            user.username = self.generate_unique_username([full_name, user.username])
        if commit:
            user.save()
            audit.record_object(
                actor=user, action="account.signed_up", obj=user, after={"username": user.get_username()}
            )
        return user

    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            audit.record(
                actor=email_address.user,
                action="account.email_verified",
                object_type="auth.user",
                object_id=email_address.user_id,
                after={"email": email_address.email},
            )
        return confirmed


# The audit trail of sign-ins and second factors (allauth's and Django's signals, connected in
# OrganisationsConfig.ready). Entries name the account by its id and carry the client IP, as
# every entry does; never what was typed (a mistyped login may be someone else's address).


def audit_signed_in(sender, *, request, user, **kwargs) -> None:
    """A sign-in through allauth's pages (password, then the second factor if the user has one)."""
    from allauth.mfa.utils import is_mfa_enabled

    audit.record(
        actor=user,
        action="account.signed_in",
        object_type="auth.user",
        object_id=user.pk,
        after={"mfa": is_mfa_enabled(user)},
    )


def audit_sign_in_failed(sender, *, credentials, request=None, **kwargs) -> None:
    """A wrong password: the account it was meant for, if the login names one."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    login = credentials.get("username") or credentials.get("email") or ""
    user_id = (
        get_user_model()
        .objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
        .values_list("pk", flat=True)
        .first()
        if login
        else None
    )
    audit.record(
        actor=None,
        action="account.sign_in_failed",
        object_type="auth.user",
        object_id=user_id if user_id is not None else "",
    )


def audit_mfa_failed(sender, *, request, user, authenticator, **kwargs) -> None:
    audit.record(
        actor=None,
        action="account.mfa_failed",
        object_type="auth.user",
        object_id=user.pk,
        after={"type": authenticator.type if authenticator else ""},
    )


def audit_mfa_change(action: str):
    def receiver(sender, *, request, user, authenticator, **kwargs) -> None:
        audit.record(
            actor=user,
            action=action,
            object_type="auth.user",
            object_id=user.pk,
            after={"type": authenticator.type},
        )

    return receiver
