"""The admin's form for creating API keys."""

from django import forms

from apikeys.models import ApiKey
from apikeys.scopes import SCOPES, ordered

SCOPE_CHOICES = [(scope, f"{scope} — {text}") for scope, text in SCOPES.items()]


class AdminApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["user", "name", "scopes", "expires_at"]

    def clean_scopes(self) -> list[str]:
        return ordered(self.cleaned_data["scopes"])
