"""The dashboard form where a trader picks a public name or leaves the leaderboard."""

from django import forms

from leaderboard.models import TraderProfile, public_name_taken
from leaderboard.names import has_invisible_characters

NAME_TAKEN = "This name is already taken by another trader."


class TraderProfileForm(forms.ModelForm):
    class Meta:
        model = TraderProfile
        fields = ["display_name", "hidden_from_leaderboard"]
        labels = {"display_name": "Display name", "hidden_from_leaderboard": "Hide me from the leaderboard"}

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            return name
        if has_invisible_characters(name):
            raise forms.ValidationError("A display name can't contain invisible characters.")
        # Nobody may take another trader's public name, including a username shown by default,
        # nor one that only looks the same.
        if public_name_taken(name, exclude_user_id=self.instance.user_id):
            raise forms.ValidationError(NAME_TAKEN)
        return name
