"""Forms that create keys (admin and dashboard) and let a trader sign up."""

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.scopes import READ_SCOPES, SCOPES, ordered

SCOPE_CHOICES = [(scope, f"{scope} — {text}") for scope, text in SCOPES.items()]
EXPIRY_CHOICES = [("", "Never"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")]


class AdminApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["user", "name", "scopes", "expires_at"]

    def clean_scopes(self) -> list[str]:
        return ordered(self.cleaned_data["scopes"])


class GenerateKeyForm(forms.Form):
    name = forms.CharField(max_length=100, initial="My API key")
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, initial=list(READ_SCOPES)
    )
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False, label="Expires"
    )

    def clean_scopes(self) -> list[str]:
        return ordered(self.cleaned_data["scopes"])

    def expires_at(self):
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + timedelta(days=days) if days else None


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username",)
