"""allauth's forms as this site words them (``ACCOUNT_FORMS``). Kept apart from ``forms``:
allauth imports that module (``ACCOUNT_SIGNUP_FORM_CLASS``) while defining its own forms."""

from __future__ import annotations

from allauth.account.forms import LoginForm as BaseLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(BaseLoginForm):
    """Sign-in by email address or username (accounts made before sign-up stopped asking for a
    username keep it). allauth labels that field "Login", which Indonesian reads as "Masuk",
    the button's word."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("Email or username")
        field.widget.attrs["placeholder"] = _("Email or username")
