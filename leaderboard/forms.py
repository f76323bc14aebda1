"""The dashboard form where a trader picks a public name or leaves the leaderboard."""

from django import forms
from django.contrib.auth import get_user_model

from leaderboard.models import TraderProfile


class TraderProfileForm(forms.ModelForm):
    class Meta:
        model = TraderProfile
        fields = ["display_name", "hidden_from_leaderboard"]
        labels = {"display_name": "Display name", "hidden_from_leaderboard": "Hide me from the leaderboard"}

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            return name
        others = TraderProfile.objects.exclude(user=self.instance.user_id)
        # Nobody may take another trader's public name, including a username shown by default.
        taken = others.filter(display_name__iexact=name).exists() or (
            get_user_model().objects.exclude(pk=self.instance.user_id).filter(username__iexact=name).exists()
        )
        if taken:
            raise forms.ValidationError("This name is already taken by another trader.")
        return name
