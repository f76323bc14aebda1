"""The web journal's accounts and tags pages: list, create, edit (a tag's rename shows on every trade at
once) and delete, validated and saved by the API's own serializers and writes (journal/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core.exceptions import Conflict
from dashboard.api_forms import AccountForm, SerializerForm, TagForm
from journal import writes
from journal.models import Account, Tag
from journal.writes import account_delete, named_record_save, tag_rename_save, update_under_lock


def form_page(view):
    """A signed-in trader's page that shows a form (GET) and takes it (POST)."""
    return login_required(require_http_methods(["GET", "HEAD", "POST"])(view))


def _records(model, user):
    # The API's order (by name in any case), with how many trades each holds.
    return model.objects.owned_by(user).annotate(trade_count=Count("trades")).order_by(Lower("name"), "id")


def _create(request: HttpRequest, form: SerializerForm) -> bool:
    """Saves a new record from a posted form as the API's POST does; False with the messages on the form."""
    if not form.is_valid():
        return False
    serializer = form.serializer()
    try:
        serializer.is_valid(raise_exception=True)
        named_record_save(serializer, user=request.user)
    except ValidationError as error:
        form.add_api_errors(error.detail)
        return False
    return True


def _update(form: SerializerForm, records, pk: int, save) -> bool:
    """Changes a record from a posted form as the API's PATCH does (under the row's lock)."""
    if not form.is_valid():
        return False
    try:
        update_under_lock(records, pk, form.serializer, save=save)
    except ValidationError as error:
        form.add_api_errors(error.detail)
        return False
    return True


def _list_page(request: HttpRequest, form_class: type[SerializerForm], model, template: str, noun: str):
    form = form_class(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and _create(request, form):
        messages.success(request, f"{noun} “{form.cleaned_data['name']}” created.")
        return redirect(request.path)
    context = {"form": form, "records": _records(model, request.user), "noun": noun.lower()}
    return render(request, template, context, status=400 if form.errors else 200)


def _edit_page(request: HttpRequest, pk: int, form_class: type[SerializerForm], model, noun: str, list_page: str,
               intro: str = "", save=named_record_save):  # fmt: skip
    records = model.objects.owned_by(request.user)
    record = get_object_or_404(records, pk=pk)
    form = form_class(request.POST if request.method == "POST" else None, request=request, instance=record)
    if request.method == "POST" and _update(form, records, pk, save):
        record.refresh_from_db()
        messages.success(request, f"{noun} “{record.name}” saved.")
        return redirect(list_page)
    context = {"form": form, "record": record, "noun": noun.lower(), "list_url": reverse(list_page), "intro": intro}
    return render(request, "dashboard/record_form.html", context, status=400 if form.errors else 200)


@form_page
def accounts(request: HttpRequest) -> HttpResponse:
    return _list_page(request, AccountForm, Account, "dashboard/accounts.html", "Account")


@form_page
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_page(request, pk, AccountForm, Account, "Account", "accounts")


@form_page
def account_delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(_records(Account, request.user), pk=pk)
    context = {"title": f"Delete account “{account.name}”?", "what": f"{account.name} ({account.currency})",
               "cancel": reverse("accounts")}  # fmt: skip
    if request.method != "POST":
        return render(request, "dashboard/confirm_delete.html", context)
    try:
        account_delete(account=account)  # as DELETE /api/v1/accounts/{id}
    except Conflict as conflict:
        messages.error(request, str(conflict.detail))
        return redirect("accounts")
    messages.success(request, f"Account “{account.name}” deleted.")
    return redirect("accounts")


@form_page
def tags(request: HttpRequest) -> HttpResponse:
    return _list_page(request, TagForm, Tag, "dashboard/tags.html", "Tag")


@form_page
def tag_edit(request: HttpRequest, pk: int) -> HttpResponse:
    intro = "A new name shows on every trade that carries the tag at once."
    # As PATCH /api/v1/tags/{id}: a new name tells of each trade it changes.
    return _edit_page(request, pk, TagForm, Tag, "Tag", "tags", intro=intro, save=tag_rename_save)


@form_page
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(_records(Tag, request.user), pk=pk)
    if request.method != "POST":
        count = tag.trade_count
        trades = f"; it comes off {count} trade{'s' if count != 1 else ''}" if count else ""
        context = {"title": f"Delete tag “{tag.name}”?", "what": f"{tag.name}{trades}", "cancel": reverse("tags")}
        return render(request, "dashboard/confirm_delete.html", context)
    writes.tag_delete(tag=tag)  # as DELETE /api/v1/tags/{id}: it comes off every trade
    messages.success(request, f"Tag “{tag.name}” deleted.")
    return redirect("tags")
