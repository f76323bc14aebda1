"""A trade's page tells its story: R-multiple, hold time and realized P&L so far equal to the API's, its
executions on a price-time chart; and its screenshots: upload, thumbnails, files served inert, deletion
that asks first, another trader's never reachable."""

import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from attachments.models import Attachment
from tests.factories import make_trade, make_user, read
from tests.test_attachments import PDF_WITH_JAVASCRIPT, SAFE_HEADERS, attachment_storage, image  # noqa: F401
from tests.test_realized_pnl import import_fills

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}" data-value="([^"]*)"', html).group(1)


def test_a_partly_closed_import_shows_its_realized_pnl_hold_and_fills_as_the_api_does(web, api, user):
    import_fills(user, [(0, "GOLD", "buy", 691, "21.5", "3.455"), (600, "GOLD", "buy", 9, "21.6", "0"),
                        (900, "GOLD", "sell", 100, "22.1", "1")])  # fmt: skip
    trade = read(api, "/api/v1/trades")["data"][0]
    html = web.get(f"/dashboard/trades/{trade['id']}/").content.decode()
    assert Decimal(figure(html, "realized_pnl")) == trade["realized_pnl"]
    assert "Realized P&amp;L so far" in html and "Open for" in html
    assert 'data-markers="3"' in html
    assert html.count('class="fill fill-buy"') == 2 and html.count('class="fill fill-sell"') == 1
    assert "sell 100 @ 22.1 at 2025-06-02 14:45:00 UTC" in html


def test_a_closed_trade_shows_its_r_multiple_as_the_analytics_count_it_and_its_hold(web, api, user):
    trade = make_trade(user, instrument="NQ", entry_time=datetime(2025, 3, 3, 14, 30, tzinfo=UTC),
                       exit_time=datetime(2025, 3, 3, 16, 45, 30, tzinfo=UTC), entry_price=Decimal("100"),
                       exit_price=Decimal("130"), stop_loss=Decimal("90"), quantity=Decimal("2"),
                       commission=Decimal("5"))  # fmt: skip
    html = web.get(f"/dashboard/trades/{trade.pk}/").content.decode()
    risk = read(api, "/api/v1/stats/risk?instrument=NQ")
    assert risk["trades_with_r"] == 1
    assert Decimal(figure(html, "r_multiple")) == risk["total_r"] == Decimal("2.75")  # 55 / 20
    assert "+2.75 R" in html and "20.00 USD at risk" in html
    assert int(figure(html, "hold")) == 2 * 3600 + 15 * 60 + 30
    assert "2h 15m" in html
    # Entered by hand: its entry and exit are what the chart shows.
    assert 'data-markers="2"' in html and "entered by hand" in html


def test_an_open_trade_without_risk_has_no_r_and_has_realized_nothing(web, user):
    trade = make_trade(user, exit_time=None, exit_price=None, entry_time=datetime.now(UTC) - timedelta(hours=3))
    html = web.get(f"/dashboard/trades/{trade.pk}/").content.decode()
    assert figure(html, "r_multiple") == "" and figure(html, "realized_pnl") == "0"
    assert "3h 00m so far" in html or "2h 59m so far" in html
    assert 'data-markers="1"' in html


def upload(web, trade_id: int, data: bytes, name: str = "entry.png"):
    form = {"file": SimpleUploadedFile(name, data, content_type="image/png")}
    return web.post(f"/dashboard/trades/{trade_id}/attachments/", form, follow=True)


def test_a_screenshot_uploaded_on_the_page_shows_as_a_thumbnail_served_inert(web, api, user):
    trade = make_trade(user)
    r = upload(web, trade.pk, image(size=(1280, 720)))
    html = r.content.decode()
    assert "entry.png attached." in html
    attachment = Attachment.objects.get()
    thumbnail = f"/dashboard/trades/{trade.pk}/attachments/{attachment.pk}/thumbnail/"
    assert f'<img src="{thumbnail}" alt="entry.png"' in html
    served = web.get(thumbnail)
    assert served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (320, 180)
    assert {name: served[name] for name in SAFE_HEADERS} == SAFE_HEADERS
    assert read(api, f"/api/v1/trades/{trade.pk}/attachments")["data"][0]["filename"] == "entry.png"


def test_a_refused_file_says_why_on_the_page(web, user):
    trade = make_trade(user)
    html = upload(web, trade.pk, b"<svg onload=alert(1)></svg>", "chart.svg").content.decode()
    assert "chart.svg was not attached: The file must be a PNG, JPEG, WebP or GIF image or a PDF." in html
    assert not Attachment.objects.exists()


def test_a_pdf_is_a_download_from_the_page_too(web, user):
    trade = make_trade(user)
    upload(web, trade.pk, PDF_WITH_JAVASCRIPT, "statement.pdf")
    attachment = Attachment.objects.get()
    served = web.get(f"/dashboard/trades/{trade.pk}/attachments/{attachment.pk}/")
    assert served["Content-Disposition"] == 'attachment; filename="statement.pdf"'
    assert served["Content-Type"] == "application/pdf"
    assert web.get(f"/dashboard/trades/{trade.pk}/attachments/{attachment.pk}/thumbnail/").status_code == 404


def test_deleting_a_screenshot_asks_first(web, user):
    trade = make_trade(user)
    upload(web, trade.pk, image())
    attachment = Attachment.objects.get()
    page = web.get(f"/dashboard/trades/{trade.pk}/attachments/{attachment.pk}/delete/")
    assert "Delete entry.png?" in page.content.decode()
    r = web.post(f"/dashboard/trades/{trade.pk}/attachments/{attachment.pk}/delete/", follow=True)
    assert "entry.png deleted." in r.content.decode()
    assert not Attachment.objects.exists()


def test_another_traders_screenshots_are_not_found(web):
    other = make_user()
    their_trade = make_trade(other)
    client_of_other = web.__class__()
    client_of_other.force_login(other)
    upload(client_of_other, their_trade.pk, image())
    theirs = Attachment.objects.get()
    for path in ("", "thumbnail/", "delete/"):
        assert web.get(f"/dashboard/trades/{their_trade.pk}/attachments/{theirs.pk}/{path}").status_code == 404
    assert upload(web, their_trade.pk, image()).status_code == 404
    assert Attachment.objects.count() == 1
