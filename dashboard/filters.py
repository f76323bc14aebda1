"""The web journal's filter bar: the API's trade filters (journal.filters.TradeFilter) as a form a
trader fills in (dates, their own accounts and tags as choices), shared by every panel and page.

The form only shapes the choices; the values are checked and applied by the API's own filter set,
so a page and the API select exactly the same trades and refuse the same values in the same words.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from journal.currency import DEFAULT_CURRENCY
from journal.filters import TradeFilter
from journal.models import Account, Side, Tag, Trade

# What the overview's panels are filtered by; the trade list offers every filter.
OVERVIEW_FIELDS = ("from", "to", "account", "tag", "currency")


class JournalFilterForm(forms.Form):
    def __init__(self, data: QueryDict, *, user, fields=None):
        super().__init__(data)
        accounts = list(Account.objects.owned_by(user).values_list("id", "name", "currency"))
        currencies = sorted({currency for _, _, currency in accounts} | {DEFAULT_CURRENCY})
        self.fields["from"] = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
        self.fields["to"] = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
        self.fields["account"] = forms.TypedChoiceField(
            required=False, label="Account", coerce=str,
            choices=[("", "All accounts")] + [(str(pk), f"{name} ({currency})") for pk, name, currency in accounts],
        )  # fmt: skip
        tags = Tag.objects.owned_by(user).values_list("name", flat=True)
        self.fields["tag"] = forms.ChoiceField(
            required=False, label="Tag", choices=[("", "Any tag")] + [(name, name) for name in tags]
        )
        self.fields["currency"] = forms.ChoiceField(
            required=False, label="Currency", choices=[("", "Any currency")] + [(c, c) for c in currencies]
        )
        self.fields["instrument"] = forms.CharField(required=False, label="Instrument", max_length=32)
        self.fields["side"] = forms.ChoiceField(
            required=False, label="Side", choices=[("", "Both sides"), *Side.choices]
        )
        self.fields["setup_type"] = forms.CharField(required=False, label="Setup", max_length=64)
        for name in [name for name in self.fields if fields is not None and name not in fields]:
            del self.fields[name]

    def query(self) -> QueryDict:
        """The filters as the API's query parameters (only those this form shows, and set)."""
        query = QueryDict(mutable=True)
        for name in self.fields:
            value = self.data.get(name, "")
            if value:
                query[name] = day_bound(value, name) if name in ("from", "to") else value
        return query


def day_bound(value: str, name: str) -> str:
    """A date as the first (`from`) or last (`to`) instant of that day in the page's zone, the
    trader's; the API reads a bare date as a UTC day. Anything else as given, for the API to judge."""
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return value
    if name == "from":
        return timezone.make_aware(datetime.combine(day, time.min)).isoformat()
    following = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return (following - timedelta(microseconds=1)).isoformat()


def filter_trades(request: HttpRequest, *, fields=None, trades: QuerySet | None = None):
    """(form, trades, filters): the signed-in trader's trades narrowed by the request's filters, with
    the API's filter set; on a bad value, the form carries the API's message next to its field and
    trades is None."""
    form = JournalFilterForm(request.GET, user=request.user, fields=fields)
    form.is_valid()  # the choices' own errors (an account that is not theirs) show next to the field
    trades = Trade.objects.owned_by(request.user) if trades is None else trades
    filterset = TradeFilter(form.query(), queryset=trades, request=request)
    if not filterset.is_valid() or form.errors:
        for name, errors in filterset.errors.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return form, None, None
    return form, filterset.qs, filterset.form.cleaned_data
