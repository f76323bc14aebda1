"""The web journal's trade, account and tag forms: the fields a trader fills in, checked by the API's
own serializers, whose messages show next to each field.

The Django fields here only draw the inputs; they accept any text. The values go to the serializer as
the API's JSON body would carry them, so a page and the API accept and refuse the same things in the
same words. An empty input means "not given": the serializer's required message, its default, or null.
"""

import re
from datetime import datetime

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import serializers

from core.renderers import format_timestamp, plain_decimal
from journal.accounts_api import AccountSerializer
from journal.instruments import normalize_instrument
from journal.models import Account, Side, Tag, Trade
from journal.multipliers import typed_multiplier
from journal.serializers import TradeSerializer
from journal.tags_api import TagSerializer

# Stored in the API's format; shown and entered in the browser's (datetime-local), in the page's zone.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


def local_time(value: datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime(LOCAL_FORMAT)


def with_zone(text: str) -> str:
    """A time entered without an offset, in the page's zone, as ISO 8601 with that zone's offset (the
    API reads a naive time as UTC); anything else as entered, for the serializer to judge."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    return text if value.tzinfo is not None else timezone.make_aware(value).isoformat()


class AnyChoices(forms.MultipleChoiceField):
    """Checkboxes whose values the serializer judges (a name it doesn't know is a new tag)."""

    def valid_value(self, value: str) -> bool:
        return True


class SerializerForm(forms.Form):
    """A form whose values are checked by `serializer_class`: `serializer(instance)` builds it."""

    serializer_class: type[serializers.Serializer]
    # Fields whose empty input is null (sent as None) rather than left out.
    nullable: tuple[str, ...] = ()
    # Whether an edit sends only what changes (the API's PATCH) or the whole record (its PUT).
    edit_is_partial = False

    def __init__(self, data=None, *, request: HttpRequest, instance=None):
        self.request, self.instance = request, instance
        self.partial = self.edit_is_partial and instance is not None
        super().__init__(data, initial=None if instance is None else self.initial_from(instance))
        for name, field in self.fields.items():
            field.required = False  # the serializer says what is required, in its words
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                described = [f"{name}-help"] if field.help_text else []
                field.widget.attrs["aria-describedby"] = " ".join([*described, f"{name}-errors"])

    def initial_from(self, instance) -> dict:
        return {name: getattr(instance, name) for name in self.base_fields}

    def payload(self) -> dict:
        """The form's values as the API's JSON body."""
        body = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value in ("", None, []):
                if name in self.nullable:
                    body[name] = None
                elif self.partial and name == "name":
                    body[name] = ""  # an emptied name is refused, not left unchanged
                continue
            body[name] = value
        return body

    def serializer(self, instance=None) -> serializers.Serializer:
        return self.serializer_class(
            instance, data=self.payload(), partial=self.partial, context={"request": self.request}
        )

    def add_api_errors(self, detail: dict) -> None:
        """The serializer's messages next to their fields (a list's item errors joined)."""
        for name, errors in detail.items():
            for message in _messages(errors):
                self.add_error(name if name in self.fields else None, in_page_words(message, self.fields))


def in_page_words(message: str, names) -> str:
    """An API message as a page says it: the API's field names (exit_time) as words (exit time)."""
    for name in sorted((name for name in names if "_" in name), key=len, reverse=True):
        message = re.sub(rf"\b{name}\b", name.replace("_", " "), message)
    return message


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [message for item in errors.values() for message in _messages(item)]
    if isinstance(errors, list):
        return [message for item in errors for message in _messages(item)]
    return [str(errors)]


# A number as people write it, with commas between groups of three digits: 25,000 or 1,234.5.
GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


class AmountField(forms.CharField):
    """A decimal typed on a page: "25,000" is 25000 (the API, reading JSON, takes no separators)."""

    def to_python(self, value) -> str:
        text = super().to_python(value)
        return text.replace(",", "") if GROUPED.match(text) else text


def decimal_input(label: str, help_text: str = "") -> forms.CharField:
    widget = forms.TextInput({"inputmode": "decimal", "autocomplete": "off"})
    return AmountField(label=label, help_text=help_text, widget=widget)


def time_input(label: str) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.DateTimeInput({"type": "datetime-local", "step": "1"}))


def multiplier_hint(instrument: str) -> str:
    """What an empty multiplier will be for `instrument`, as the API decides it (journal/multipliers.py)."""
    value = plain_decimal(typed_multiplier(instrument))
    symbol = normalize_instrument(instrument)
    usual = "Point value: P&L = price move x quantity x multiplier."
    if not symbol:
        return f"{usual} Left empty: a futures root's (ES 50, NQ 20, CL 1000, ...), 100 for an option, else 1."
    return f"{usual} Left empty, {symbol} takes {value}."


class TradeForm(SerializerForm):
    """A trade as TradeSerializer takes it; an edit replaces the trade (the API's PUT), as every
    field is on the form."""

    serializer_class = TradeSerializer
    nullable = ("exit_time", "exit_price", "stop_loss", "take_profit", "initial_risk", "account")

    instrument = forms.CharField(label="Instrument", widget=forms.TextInput({"autocapitalize": "characters"}))
    side = forms.ChoiceField(label="Side", choices=Side.choices, widget=forms.RadioSelect)
    quantity = decimal_input("Quantity")
    entry_time = time_input("Entry time")
    entry_price = decimal_input("Entry price")
    exit_time = time_input("Exit time")
    exit_price = decimal_input("Exit price", "Leave both exit fields empty while the trade is open.")
    commission = decimal_input("Commission", "Default 0.")
    multiplier = decimal_input("Multiplier", "Point value: P&L = price move x quantity x multiplier.")
    stop_loss = decimal_input("Stop loss")
    take_profit = decimal_input("Take profit")
    initial_risk = decimal_input("Initial risk", "Money at risk when the trade was opened (for R multiples).")
    setup_type = forms.CharField(label="Setup")
    account = forms.ChoiceField(label="Account")
    tags = AnyChoices(label="Tags", widget=forms.CheckboxSelectMultiple)
    new_tags = forms.CharField(label="New tags", help_text="Comma-separated; created as you save.")
    notes = forms.CharField(label="Notes", strip=False, widget=forms.Textarea({"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        accounts = Account.objects.owned_by(user).values_list("id", "name", "currency")
        self.fields["account"].choices = [("", "No account (USD)")] + [
            (str(pk), f"{name} ({currency})") for pk, name, currency in accounts
        ]
        self.fields["account"].valid_value = lambda value: True  # the serializer refuses another's
        self.fields["tags"].choices = [
            (name, name) for name in Tag.objects.owned_by(user).values_list("name", flat=True)
        ]
        self.fields["side"].valid_value = lambda value: True
        for name in ("entry_time", "exit_time"):
            self.fields[name].label += f" ({timezone.get_current_timezone_name()})"
        instrument = self.data.get("instrument", "") if self.is_bound else (self.initial or {}).get("instrument", "")
        self.fields["multiplier"].help_text = multiplier_hint(instrument)
        self.fields["multiplier"].widget.attrs["placeholder"] = plain_decimal(typed_multiplier(instrument))

    def initial_from(self, trade: Trade) -> dict:
        initial = {name: getattr(trade, name, None) for name in self.base_fields}
        for name in ("quantity", "entry_price", "exit_price", "commission", "multiplier", "stop_loss",
                     "take_profit", "initial_risk"):  # fmt: skip
            initial[name] = "" if initial[name] is None else plain_decimal(initial[name])
        initial["entry_time"], initial["exit_time"] = local_time(trade.entry_time), local_time(trade.exit_time)
        initial["account"] = "" if trade.account_id is None else str(trade.account_id)
        initial["tags"] = list(trade.tags.values_list("name", flat=True))
        initial["new_tags"] = ""
        return initial

    def payload(self) -> dict:
        body = super().payload()
        new_tags = body.pop("new_tags", "")
        body["tags"] = [*body.get("tags", []), *(name.strip() for name in new_tags.split(",") if name.strip())]
        if isinstance(body.get("account"), str) and body["account"].isdigit() and len(body["account"]) <= 18:
            body["account"] = int(body["account"])
        if "notes" in body:
            body["notes"] = body["notes"].replace("\r\n", "\n")
        for name in ("entry_time", "exit_time"):
            # An unchanged time keeps every digit it was stored with (the browser's input has fewer).
            stored = getattr(self.instance, name, None)
            if stored is not None and body.get(name) == local_time(stored):
                body[name] = format_timestamp(stored)
            elif body.get(name):
                body[name] = with_zone(body[name])
        return body


class AccountForm(SerializerForm):
    """An account as AccountSerializer takes it; an edit changes the given fields (the API's PATCH)."""

    serializer_class = AccountSerializer
    edit_is_partial = True
    nullable = ("external_id", "starting_balance")

    name = forms.CharField(label="Name")
    broker = forms.CharField(label="Broker", help_text="e.g. Interactive Brokers")
    external_id = forms.CharField(label="Account number", help_text="The broker's; unique among yours.")
    currency = forms.CharField(
        label="Currency", help_text="The account's trades' currency: an ISO 4217 code (USD) or a quote asset (USDT).",
        widget=forms.TextInput({"autocapitalize": "characters", "size": 6}),
    )  # fmt: skip
    starting_balance = decimal_input("Starting balance")

    def initial_from(self, account: Account) -> dict:
        initial = super().initial_from(account)
        balance = account.starting_balance
        initial["starting_balance"] = "" if balance is None else plain_decimal(balance)
        return initial

    def payload(self) -> dict:
        body = super().payload()
        if self.instance is not None:
            body.setdefault("broker", "")  # an emptied broker is no broker, as the API's PATCH with ""
        return body


class ColourInput(forms.TextInput):
    """A #rrggbb field with a colour picker beside it (dashboard/colour-picker.js; the field alone
    without JavaScript)."""

    template_name = "dashboard/widgets/colour.html"


class TagForm(SerializerForm):
    """A tag as TagSerializer takes it: its name and colour (#rrggbb, or none)."""

    serializer_class = TagSerializer
    edit_is_partial = True
    nullable = ("color",)

    name = forms.CharField(label="Name")
    color = forms.CharField(
        label="Colour", help_text="#rrggbb, e.g. #1f77b4, or picked; empty for none.",
        widget=ColourInput({"placeholder": "#1f77b4", "size": 8, "autocomplete": "off"}),
    )  # fmt: skip
