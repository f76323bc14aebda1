"""Bulk edits on the trade list: the trades a trader ticked (or every one on the page) get a tag, a
setup or an account in one POST, through journal.writes.trades_bulk_edit. A plain form: it works
without JavaScript, and the values are checked by the API's own fields, in its words."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from rest_framework import serializers

from core.exceptions import Conflict
from journal.models import Account
from journal.pagination import MAX_PER_PAGE
from journal.serializers import TradeSerializer, tag_name_field
from journal.writes import trades_bulk_edit

ID = re.compile(r"[1-9][0-9]{0,17}")
ACTIONS = [("tag", "Add tag"), ("setup_type", "Set setup"), ("account", "Set account")]
NO_ACCOUNT = "none"
NOTHING_SELECTED = "Select at least one trade."
TOO_MANY = f"Select at most {MAX_PER_PAGE} trades (a page's worth)."


class BulkEditForm(forms.Form):
    action = forms.ChoiceField(choices=ACTIONS, error_messages={"required": "Choose what to change."})
    tag = forms.CharField(required=False, strip=False, label="Tag")
    setup_type = forms.CharField(required=False, strip=False, label="Setup")
    account = forms.ChoiceField(required=False, label="Account")

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["account"].choices = [(NO_ACCOUNT, "No account")] + [
            (str(pk), f"{name} ({currency})")
            for pk, name, currency in Account.objects.owned_by(user).values_list("id", "name", "currency")
        ]
        self.user = user

    def clean(self) -> dict:
        cleaned = super().clean()
        # "Select all on this page" sends the page's ids; else the ticked ones.
        chosen = self.data.getlist("page_trade" if self.data.get("scope") == "page" else "trade")
        if not all(ID.fullmatch(value) for value in chosen):
            raise forms.ValidationError("The selection holds something that is not a trade id.")
        ids = set(map(int, chosen))
        if not ids:
            raise forms.ValidationError(NOTHING_SELECTED)
        if len(ids) > MAX_PER_PAGE:
            raise forms.ValidationError(TOO_MANY)
        cleaned["ids"] = ids
        action = cleaned.get("action")
        # Each value as the API's trade field checks it (a PATCH of that field would be refused alike).
        if action == "tag":
            cleaned["add_tag"] = self._api_value("tag", tag_name_field(), cleaned.get("tag", ""))
        elif action == "setup_type":
            field = TradeSerializer().fields["setup_type"]
            cleaned["values"] = {"setup_type": self._api_value("setup_type", field, cleaned.get("setup_type", ""))}
        elif action == "account":
            account = cleaned.get("account") or NO_ACCOUNT
            cleaned["values"] = {"account_id": None if account == NO_ACCOUNT else int(account)}
        return cleaned

    def _api_value(self, name: str, field: serializers.Field, value: str):
        try:
            return field.run_validation(value)
        except serializers.ValidationError as error:
            raise forms.ValidationError({name: [str(message) for message in error.detail]}) from None


def _back(request: HttpRequest) -> str:
    """The list as the trader left it (its filters, sort and page), never another site."""
    back = request.POST.get("next", "")
    trades = reverse("trades")
    allowed = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    return back if allowed and back.startswith(trades) else trades


def _done(action: str, edited: int, form: BulkEditForm) -> str:
    trades = f"{edited} trade{'s' if edited != 1 else ''}"
    cleaned = form.cleaned_data
    if action == "tag":
        return f"Tag “{cleaned['add_tag']}” added to {trades}."
    if action == "setup_type":
        setup = cleaned["values"]["setup_type"]
        return f"Setup set to “{setup}” on {trades}." if setup else f"Setup cleared on {trades}."
    account = dict(form.fields["account"].choices)[cleaned.get("account") or NO_ACCOUNT]
    return f"{trades[0].upper()}{trades[1:]} moved to {account}."


@login_required
@require_POST
def trades_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkEditForm(request.POST, user=request.user)
    back = _back(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Nothing changed: {error}")
        return redirect(back)
    cleaned = form.cleaned_data
    try:
        edited = trades_bulk_edit(
            owner=request.user, ids=cleaned["ids"], add_tag=cleaned.get("add_tag"), values=cleaned.get("values"),
        )  # fmt: skip
    except Conflict as busy:
        messages.error(request, f"Nothing changed: {busy.detail}")
        return redirect(back)
    except serializers.ValidationError as refused:
        for errors in refused.detail.values():
            for error in errors:
                messages.error(request, f"Nothing changed: {error}")
        return redirect(back)
    if edited:
        messages.success(request, _done(cleaned["action"], edited, form))
    else:
        messages.error(request, "Nothing changed: none of the selected trades is in your journal.")
    return redirect(back)
