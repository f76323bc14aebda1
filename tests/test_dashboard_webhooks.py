"""The web journal's webhooks page: add one (the secret shown once), the API's refusals as form
errors, pause and resume, rotate, a test event, the log with redelivery, the disabled notice, and
deletion that asks first."""

import pytest
from django.urls import reverse

from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def development(settings):
    settings.WEBHOOK_ALLOW_HTTP = settings.WEBHOOK_ALLOW_PRIVATE = True


def add(web, url="http://127.0.0.1:9/hook", events=("trade.created", "import.succeeded")):
    return web.post(reverse("webhooks"), {"url": url, "events": list(events), "description": "bot"})


def test_the_page_is_in_the_nav_and_adds_a_webhook_showing_its_secret_once(web, user, development):
    page = web.get(reverse("webhooks"))
    assert page.status_code == 200
    assert f'href="{reverse("webhooks")}"' in page.content.decode()
    r = add(web)
    assert r.status_code == 200, r.content
    endpoint = Endpoint.objects.get(user=user)
    assert endpoint.events == ["trade.created", "import.succeeded"]
    assert endpoint.secret in r.content.decode() and "no-store" in r["Cache-Control"]
    assert endpoint.secret not in web.get(reverse("webhooks")).content.decode()
    assert endpoint.secret not in web.get(reverse("webhook", args=[endpoint.pk])).content.decode()


def test_a_refused_url_is_a_form_error(web, settings):
    r = add(web, url="https://10.0.0.1/hook")
    assert r.status_code == 400
    assert "Refused: 10.0.0.1 resolves to 10.0.0.1 is a private address." in r.content.decode()
    assert not Endpoint.objects.exists()
    r = add(web, url="https://example.com/hook", events=())
    assert r.status_code == 400 and "Choose one or more events" in r.content.decode()


def test_pause_resume_rotate_test_redeliver_and_delete(web, user, development):
    add(web)
    endpoint = Endpoint.objects.get()
    page = reverse("webhook", args=[endpoint.pk])
    assert web.post(reverse("webhook-toggle", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    web.post(reverse("webhook-toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.active
    old = endpoint.secret
    r = web.post(reverse("webhook-rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in r.content.decode()
    web.post(reverse("webhook-test", args=[endpoint.pk]))
    delivery = Delivery.objects.get()
    assert delivery.event.type == "webhook.test" and "webhook.test" in web.get(page).content.decode()
    Delivery.objects.update(status="failed", error="Answered 500.", response_body="<h1>boom</h1>")
    shown = web.get(page).content.decode()
    assert "Answered 500." in shown and "&lt;h1&gt;boom&lt;/h1&gt;" in shown
    web.post(reverse("webhook-redeliver-page", args=[endpoint.pk, delivery.pk]))
    assert Delivery.objects.filter(event=delivery.event).count() == 2
    confirm = web.get(reverse("webhook-delete", args=[endpoint.pk]))
    assert confirm.status_code == 200 and "Delete this webhook?" in confirm.content.decode()
    assert Endpoint.objects.exists()
    assert web.post(reverse("webhook-delete", args=[endpoint.pk])).status_code == 302
    assert not Endpoint.objects.exists() and Event.objects.count() == 1


def test_a_disabled_webhook_says_why_on_its_page(web, user, development):
    add(web)
    endpoint = Endpoint.objects.get()
    Endpoint.objects.update(active=False, disabled_reason="Disabled on 2026-12-07: event evt_1 could not be delivered")
    shown = web.get(reverse("webhook", args=[endpoint.pk])).content.decode()
    assert 'id="disabled-notice"' in shown and "could not be delivered" in shown
    assert "disabled" in web.get(reverse("webhooks")).content.decode()


def test_another_traders_webhook_is_not_found(web, development):
    from tests.factories import make_user

    other = Endpoint.objects.create(user=make_user(), url="https://example.com/", events=["trade.created"], secret="s")
    assert web.get(reverse("webhook", args=[other.pk])).status_code == 404
    assert web.post(reverse("webhook-delete", args=[other.pk])).status_code == 404
    assert Endpoint.objects.filter(pk=other.pk).exists()
