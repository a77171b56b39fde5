from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "marketplace.organisations"
    verbose_name = "Organisasi"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from allauth.mfa.signals import (
            authentication_failed,
            authenticator_added,
            authenticator_removed,
            authenticator_reset,
        )
        from django.contrib.auth.signals import user_login_failed

        from marketplace.organisations import accounts, mfa  # noqa: F401 - mfa registers its deploy check

        user_logged_in.connect(accounts.audit_signed_in, dispatch_uid="audit-signed-in")
        user_login_failed.connect(accounts.audit_sign_in_failed, dispatch_uid="audit-sign-in-failed")
        authentication_failed.connect(accounts.audit_mfa_failed, dispatch_uid="audit-mfa-failed")
        for signal, action in (
            (authenticator_added, "account.mfa_added"),
            (authenticator_removed, "account.mfa_removed"),
            (authenticator_reset, "account.mfa_reset"),
        ):
            signal.connect(accounts.audit_mfa_change(action), dispatch_uid=f"audit-{action}", weak=False)
