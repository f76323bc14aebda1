"""The dashboard's forms: generate a key, sign up, sign in (rate-limited per address and username)."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.utils import timezone

from apikeys.clients import client_address
from apikeys.forms import SCOPE_CHOICES
from apikeys.scopes import READ_SCOPES, TRADES_WRITE, ordered
from apikeys.throttling import FixedWindowLimit
from leaderboard.forms import NAME_TAKEN
from leaderboard.names import public_name_taken

EXPIRY_CHOICES = [("", "Never"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")]
TOO_MANY_SIGN_INS = "Too many failed sign-in attempts. Try again in {minutes} minutes."
TOO_MANY_SIGN_UPS = "Too many accounts were created from your network. Try again in {minutes} minutes."


class GenerateKeyForm(forms.Form):
    name = forms.CharField(max_length=100, initial="My API key")
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, initial=[*READ_SCOPES, TRADES_WRITE]
    )
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False, label="Expires"
    )

    def clean_scopes(self) -> list[str]:
        return ordered(self.cleaned_data["scopes"])

    def expires_at(self):
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + timedelta(days=days) if days else None


def _minutes(limit: FixedWindowLimit) -> int:
    return max(1, round(limit.wait / 60))


class SignupForm(UserCreationForm):
    """A new trader. Usernames are ASCII and may not look like another trader's public name."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["username"].validators = [ASCIIUsernameValidator()]
        self.fields["username"].help_text = "Letters, digits and @/./+/-/_ only."

    def clean_username(self) -> str:
        username = super().clean_username()
        if public_name_taken(username):
            raise forms.ValidationError(NAME_TAKEN)
        return username

    def clean(self):
        limit = FixedWindowLimit(f"signup:{client_address(self.request)}", settings.SIGNUP_RATE_LIMIT)
        if self.request is not None and not self.errors and not limit.hit():
            raise forms.ValidationError(TOO_MANY_SIGN_UPS.format(minutes=_minutes(limit)), code="throttled")
        return super().clean()


class RateLimitedSignIn:
    """Failed sign-ins are limited per address and per username (password guessing, spread out or not);
    past either limit the password is not even checked."""

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        limits = [
            FixedWindowLimit(f"signin:{client_address(self.request)}", settings.LOGIN_RATE_LIMIT),
            FixedWindowLimit(f"signin-user:{username[:60]}", settings.LOGIN_RATE_LIMIT),
        ]
        for limit in limits:
            if limit.exceeded():
                raise forms.ValidationError(TOO_MANY_SIGN_INS.format(minutes=_minutes(limit)), code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            for limit in limits:
                limit.hit()
            raise


class SignInForm(RateLimitedSignIn, AuthenticationForm):
    pass


class AdminSignInForm(RateLimitedSignIn, AdminAuthenticationForm):
    pass
