"""The web journal's webhooks page: endpoints (create with the secret shown once, pause and resume,
rotate the secret, send a test event, delete after asking) and each one's delivery log with
redelivery. Validation and writes are the API's own (webhooks/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import events
from core.exceptions import Conflict
from webhooks import services
from webhooks.models import Delivery, Endpoint
from webhooks.serializers import WebhookSerializer

LOG_ROWS = 50  # the newest attempts shown; the API pages through all of them


def owned(request: HttpRequest, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint.objects.owned_by(request.user), pk=pk)


def render_list(request, *, data=None, errors=None, secret: str | None = None, status: int = 200) -> HttpResponse:
    context = {
        "endpoints": Endpoint.objects.owned_by(request.user).order_by("id"),
        "event_types": events.EVENTS,
        "data": data or {"events": list(events.EVENTS)},
        "errors": errors or {},
        "secret": secret,
    }
    return render(request, "dashboard/webhooks.html", context, status=status)


# The answer that shows a new secret must never be stored; a reload (GET) shows the list again.
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render_list(request)
    data = {
        "url": request.POST.get("url", "").strip(),
        "events": request.POST.getlist("events"),
        "description": request.POST.get("description", ""),
    }
    serializer = WebhookSerializer(data=data, context={"request": request})
    if not serializer.is_valid():
        errors = {name: [str(message) for message in _messages(detail)] for name, detail in serializer.errors.items()}
        return render_list(request, data=data, errors=errors, status=400)
    try:
        endpoint = services.endpoint_create(user=request.user, **serializer.validated_data)
    except Conflict as refusal:
        return render_list(request, data=data, errors={"url": [str(refusal.detail)]}, status=409)
    return render_list(request, secret=endpoint.secret)


def _messages(detail) -> list:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    return list(detail) if isinstance(detail, list) else [detail]


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = owned(request, pk)
    log = endpoint.deliveries.select_related("event").order_by("-id")[:LOG_ROWS]
    return render(request, "dashboard/webhook.html", {"endpoint": endpoint, "log": log, "secret": None})


@login_required
@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = owned(request, pk)
    services.endpoint_update(endpoint, active=not endpoint.active)
    messages.success(request, "Webhook resumed." if endpoint.active else "Webhook paused: it gets no new events.")
    return redirect("webhook", pk=pk)


@never_cache
@login_required
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = owned(request, pk)
    endpoint.rotate_secret()
    log = endpoint.deliveries.select_related("event").order_by("-id")[:LOG_ROWS]
    return render(request, "dashboard/webhook.html", {"endpoint": endpoint, "log": log, "secret": endpoint.secret})


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = owned(request, pk)
    services.send_test(endpoint=endpoint, data=WebhookSerializer(endpoint).data)
    messages.success(request, "Test event queued; its delivery appears in the log below.")
    return redirect("webhook", pk=pk)


@login_required
@require_POST
def webhook_redeliver(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.filter(endpoint__user=request.user, endpoint_id=pk), pk=delivery_id)
    try:
        services.redeliver(delivery=delivery)
    except Conflict as refusal:
        messages.error(request, str(refusal.detail))
    else:
        messages.success(request, f"Event {delivery.event_id} queued again.")
    return redirect("webhook", pk=pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = owned(request, pk)
    if request.method != "POST":
        context = {"title": "Delete this webhook?", "what": f"{endpoint.url} and its delivery log.",
                   "cancel": reverse("webhook", args=[pk])}  # fmt: skip
        return render(request, "dashboard/confirm_delete.html", context)
    endpoint.delete()
    messages.success(request, f"Webhook {endpoint.url} deleted.")
    return redirect("webhooks")
