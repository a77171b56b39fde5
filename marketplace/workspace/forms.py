"""The notification preferences form: one choice per kind of notification."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Notification, NotificationPreference


class NotificationPreferencesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Notification.Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=NotificationPreference.Delivery.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose how to receive this kind of notification.")},
            )
