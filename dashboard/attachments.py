"""A trade's screenshots and PDFs in the web journal: upload on the trade's page, its thumbnails,
the files themselves (served as the API serves them: attachments/serving.py) and deletion, which
asks first. Checked, stored and deleted by attachments/."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from attachments import files
from attachments.models import Attachment
from attachments.services import attachment_create, attachment_delete
from attachments.serving import file_response
from journal.models import Trade

ACCEPT = "image/png,image/jpeg,image/webp,image/gif,application/pdf"


def too_large() -> str:
    return f"The file is too large: at most {settings.ATTACHMENT_MAX_BYTES / 1024 / 1024:g} MiB."


def listing(trade: Trade) -> list[dict]:
    """The trade's attachments as its page shows them."""
    return [
        {"attachment": attachment, "file": reverse("trade-attachment-page-file", args=[trade.pk, attachment.pk]),
         "thumbnail": reverse("trade-attachment-thumbnail", args=[trade.pk, attachment.pk])
         if attachment.thumbnail else None,
         "delete": reverse("trade-attachment-delete", args=[trade.pk, attachment.pk])}
        for attachment in Attachment.objects.owned_by(trade.user).of_trade(trade)
    ]  # fmt: skip


def _attachment(request: HttpRequest, pk: int, aid: int) -> Attachment:
    trade = get_object_or_404(Trade.objects.owned_by(request.user), pk=pk)
    return get_object_or_404(Attachment.objects.owned_by(request.user).of_trade(trade), pk=aid)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    trade = get_object_or_404(Trade.objects.owned_by(request.user), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a file to attach.")
    elif upload.size > settings.ATTACHMENT_MAX_BYTES:
        messages.error(request, too_large())
    else:
        try:
            attachment = attachment_create(user=request.user, trade=trade, filename=upload.name, data=upload.read())
        except files.Refused as refused:
            messages.error(request, f"{upload.name} was not attached: {refused}")
        else:
            messages.success(request, f"{attachment.filename} attached.")
    return redirect(f"{reverse('trade', args=[pk])}#attachments")


@login_required
def attachment_file(request: HttpRequest, pk: int, aid: int) -> FileResponse:
    return file_response(_attachment(request, pk, aid))


@login_required
def attachment_thumbnail(request: HttpRequest, pk: int, aid: int) -> FileResponse:
    attachment = _attachment(request, pk, aid)
    if not attachment.thumbnail:
        raise Http404
    return file_response(attachment, thumbnail=True)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attachment_delete_page(request: HttpRequest, pk: int, aid: int) -> HttpResponse:
    attachment = _attachment(request, pk, aid)
    if request.method != "POST":
        context = {"title": f"Delete {attachment.filename}?", "what": f"It is taken off trade {pk}.",
                   "cancel": f"{reverse('trade', args=[pk])}#attachments"}  # fmt: skip
        return render(request, "dashboard/confirm_delete.html", context)
    attachment_delete(attachment=attachment)
    messages.success(request, f"{attachment.filename} deleted.")
    return redirect(f"{reverse('trade', args=[pk])}#attachments")
