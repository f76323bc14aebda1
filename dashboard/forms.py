"""The dashboard's forms: generate a key, sign up, sign in (rate-limited per address and username), the
trader's time zone."""

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
from core import zones
from journal.zones import time_zone_set
from leaderboard.forms import NAME_TAKEN
from leaderboard.models import public_name_taken

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


def time_zone_field(*, required: bool = True, attrs: dict | None = None) -> forms.ChoiceField:
    return forms.ChoiceField(
        required=required, choices=[(name, name) for name in zones.NAMES], initial=zones.DEFAULT, label="Time zone",
        help_text="Your pages show times, days and months in it, and it is your API keys' default tz.",
        widget=forms.Select(attrs), error_messages={"invalid_choice": zones.UNKNOWN.replace("{input}", "%(value)s")},
    )  # fmt: skip


class TimeZoneForm(forms.Form):
    time_zone = time_zone_field()


def _minutes(limit: FixedWindowLimit) -> int:
    return max(1, round(limit.wait / 60))


class SignupForm(UserCreationForm):
    """A new trader. Usernames are ASCII and may not look like another trader's public name."""

    # Without JavaScript UTC; with it, the browser's own zone (dashboard/static/dashboard/time-zone.js).
    # Not sent (a client that predates it): UTC.
    time_zone = time_zone_field(required=False, attrs={"data-browser-zone": ""})

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

    def save(self, commit: bool = True):
        user = super().save(commit=commit)
        if commit:
            time_zone_set(user=user, time_zone=self.cleaned_data.get("time_zone") or zones.DEFAULT)
        return user

    def clean(self):
        limit = FixedWindowLimit(f"signup:{client_address(self.request)}", settings.SIGNUP_RATE_LIMIT)
        if self.request is not None and not self.errors and not limit.hit():
            raise forms.ValidationError(TOO_MANY_SIGN_UPS.format(minutes=_minutes(limit)), code="throttled")
        return super().clean()


class RateLimitedSignIn:
    """Failed sign-ins are limited per username from one address (`LOGIN_RATE_LIMIT`), and, ten times
    more loosely (`LOGIN_GLOBAL_RATE_LIMIT`), per username from all addresses and per address for all
    usernames; past any limit the password is not even checked.

    A lockout keyed on the username alone would let anyone lock a trader out from a few addresses;
    keyed on the pair, a guesser locks out only their own address, and the trader signs in from
    theirs. The looser bounds still stop guessing one password from many addresses, or many
    passwords from one, at the cost of the many failures it takes to reach them.
    """

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()[:60]
        address = client_address(self.request)
        limits = [
            FixedWindowLimit(f"signin:{address}:{username}", settings.LOGIN_RATE_LIMIT),
            FixedWindowLimit(f"signin-user:{username}", settings.LOGIN_GLOBAL_RATE_LIMIT),
            FixedWindowLimit(f"signin:{address}", settings.LOGIN_GLOBAL_RATE_LIMIT),
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
