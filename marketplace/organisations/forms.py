"""Forms for organisations, their people, their documents and user profiles. They read and
check input; the services in marketplace.services.organisations do the writing."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.text_limits import StatesTextLimits
from marketplace.challenges.models import RegionPage, Sector
from marketplace.organisations import identifiers
from marketplace.organisations.models import Membership, Organisation, UserProfile, VerificationDocument
from marketplace.organisations.services import organisations as services


class OrganisationEditForm(StatesTextLimits, forms.ModelForm):
    # Wider than the stored digits: people write NPWP as 99.999.999.9-999.999.
    nib = forms.CharField(
        label=_("NIB (business identification number)"),
        max_length=25,
        required=False,
        help_text=_("13 digits, from OSS."),
    )
    npwp = forms.CharField(
        label=_("NPWP (tax number)"),
        max_length=25,
        required=False,
        help_text=_("15 digits (99.999.999.9-999.999) or the new 16-digit form."),
    )
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    region = forms.ModelChoiceField(label=_("Region"), queryset=RegionPage.objects.live(), required=False)
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "region",
            "sectors",
            "description",
            "capabilities",
            "website",
            "nib",
            "npwp",
            "address",
            "team_size",
            "founded_year",
            "logo",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.npwp:
            self.initial["npwp"] = self.instance.npwp_display
        self.fields["description"].help_text = _("Shown on the organisation's public page.")
        self.fields["founded_year"].widget.attrs.update({"min": 1800, "max": identifiers.current_year()})

    def _identifier(self, name: str, validator) -> str:
        value = identifiers.digits_only(self.cleaned_data.get(name, "").strip())
        if value:
            validator(value)
        return value

    def clean_nib(self) -> str:
        return self._identifier("nib", identifiers.validate_nib)

    def clean_npwp(self) -> str:
        return self._identifier("npwp", identifiers.validate_npwp)

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            identifiers.logo_extension(logo)
        return logo

    def service_arguments(self) -> dict:
        """What organisation_update takes, from the cleaned data."""
        data = dict(self.cleaned_data)
        logo = data.pop("logo", None)
        arguments = {
            "sectors": data.pop("sectors"),
            "capabilities": data.pop("capabilities"),
            "logo": logo if logo and hasattr(logo, "content_type") else None,
            "remove_logo": logo is False,
        }
        return arguments | data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=VerificationDocument.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG, at most 10 MB. Only members and officials can open it."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        identifiers.document_extension(file)
        return file


class UnverifyForm(StatesTextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Why is the verification taken back?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProfileForm(forms.ModelForm):
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    class Meta:
        model = UserProfile
        fields = ["full_name", "phone", "preferred_language"]

    def clean_phone(self) -> str:
        phone = "".join(self.cleaned_data.get("phone", "").split()).replace("-", "")
        if phone:
            UserProfile._meta.get_field("phone").run_validators(phone)
        return phone


class SignUpDetailsForm(forms.Form):
    """What sign-up asks besides the email address and password (allauth adds those): the name
    shown to colleagues. The account's username is made from it (AccountAdapter.save_user)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=UserProfile._meta.get_field("full_name").max_length,
        help_text=_("As your colleagues know you; shown to the organisations you join."),
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def signup(self, request, user) -> None:
        """Called by allauth once the account exists: the profile starts with the name and the
        language the person signed up in."""
        services.profile_update(
            user=user,
            by=user,
            full_name=self.cleaned_data["full_name"],
            preferred_language=translation.get_language() or "",
        )
