"""A trader's week, in Chromium on a live gunicorn with a real task worker: sign up in their own time
zone, import two brokers' files, annotate a trade (note, tag, screenshot), write a day note, tag a
page of trades at once, undo one import and import the file again to find the annotations and the
screenshot back, and read the overview in their zone — every figure on it the API's answer to the same question.
Screenshots in tests/screenshots/week/ (not committed), each page at a phone's and a desktop's width."""

import io
from decimal import Decimal
from pathlib import Path

from PIL import Image

from tests.live import BROWSER_TEST, DESKTOP, PASSWORD, PHONE, Api, look, open_page

pytestmark = BROWSER_TEST

DATA = Path(__file__).parent / "data" / "imports"
FUTURES = DATA / "tradovate_positions" / "position_history.csv"  # times local, without a zone
STOCKS = DATA / "webull" / "webull_orders.csv"  # times with their zone (EDT)
ZONE = "Asia/Kolkata"  # +05:30: a day boundary no whole-hour zone has


def data(page, selector: str, *names: str) -> list[tuple[str, ...]]:
    return [tuple(row.get_attribute(f"data-{name}") for name in names) for row in page.locator(selector).all()]


def import_file(page, base_url: str, path: Path) -> int:
    page.goto(f"{base_url}/dashboard/imports/")
    page.set_input_files("#id_file", path)
    page.click("#import-form button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/imports/*/")
    page.locator("#import-report").wait_for(timeout=300_000)
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def screenshot_png(tmp_path: Path) -> Path:
    path = tmp_path / "entry.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 60)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_traders_week_in_their_own_time_zone(browser, live_site, tmp_path):
    with (
        live_site.serve(workers=2, API_KEY_RATE_LIMIT="1000000/minute") as base_url,
        live_site.worker(),
        open_page(browser, base_url, timezone_id=ZONE) as page,
    ):
        # Sign-up guesses the zone from the browser.
        page.goto(f"{base_url}/accounts/signup/")
        page.fill("#id_username", "week")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        assert page.input_value("#id_time_zone") == ZONE
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/dashboard/")

        page.goto(f"{base_url}/dashboard/keys/")
        page.fill("#id_name", "week")
        page.click("#generate-form button[type=submit]")
        api = Api(base_url, page.text_content("#new-api-key").strip())

        # Monday: two brokers' files.
        futures_import = import_file(page, base_url, FUTURES)
        futures = api.read("trades", per_page=100)["data"]
        stocks_import = import_file(page, base_url, STOCKS)
        assert api.read(f"imports/{stocks_import}")["status"] == "succeeded"
        every = api.read("trades", per_page=100)
        assert futures and every["total"] > len(futures)
        look(page, "week/import-report", PHONE, DESKTOP)

        # Tuesday: a futures trade annotated — a note, a new tag, a screenshot.
        trade = futures[0]
        page.goto(f"{base_url}/dashboard/trades/{trade['id']}/edit/")
        page.fill("#id_notes", "Faded the open; stop was too tight.")
        page.fill("#id_new_tags", "fade")
        page.click("#trade-form button[type=submit]")
        page.wait_for_url(f"{base_url}/dashboard/trades/{trade['id']}/")
        screenshot = screenshot_png(tmp_path)
        page.set_input_files("#attachment-file", screenshot)
        page.click(".attachment-upload button[type=submit]")
        page.wait_for_url(f"{base_url}/dashboard/trades/{trade['id']}/*")
        annotated = api.read(f"trades/{trade['id']}")
        assert annotated["notes"] == "Faded the open; stop was too tight." and annotated["tags"] == ["fade"]
        (attachment,) = api.read(f"trades/{trade['id']}/attachments")["data"]
        look(page, "week/trade", PHONE, DESKTOP)
        page.set_viewport_size(PHONE)  # the executions whole on a phone, none cut off in a scrolled table
        rights = page.eval_on_selector_all("#executions td", "cells => cells.map(c => c.getBoundingClientRect().right)")
        assert rights and max(rights) <= PHONE["width"], rights

        # Wednesday: a note on the day of the futures trades, in the trader's calendar.
        day = api.read("stats/calendar", month=trade["exit_time"][:7])["days"][0]["date"]
        page.goto(f"{base_url}/dashboard/days/{day}/")
        page.fill("#id_body", "Choppy open. **Stood aside** after two stops.")
        page.click("#day-note-form button[type=submit]")
        assert api.read(f"day-notes/{day}")["body"] == "Choppy open. **Stood aside** after two stops."

        # Thursday: every trade on the page tagged at once.
        page.goto(f"{base_url}/dashboard/trades/")
        page.check("#select-page")
        page.fill("#bulk-tag", "reviewed")
        page.click("#bulk-edit button[value=tag]")
        page.wait_for_url(f"{base_url}/dashboard/trades/*")
        listed = api.read("trades", per_page=100)["data"]
        assert all("reviewed" in t["tags"] for t in listed)
        look(page, "week/trades", PHONE, DESKTOP)

        # Friday: the futures file undone (asked first) and imported again; the journaling comes back.
        page.goto(f"{base_url}/dashboard/imports/{futures_import}/undo/")
        asked = page.text_content("main")
        assert "screenshots and PDFs on its trades are kept" in asked
        assert "import the file again and they come back" in asked
        page.click("main form button.danger")
        page.wait_for_url(f"{base_url}/dashboard/imports/{futures_import}/")
        page.locator("#report-title.status-undone").wait_for(timeout=300_000)
        assert api.read(f"imports/{futures_import}")["status"] == "undone"
        assert api.get(f"trades/{trade['id']}").status_code == 404
        again = import_file(page, base_url, FUTURES)
        assert api.read(f"imports/{again}")["status"] == "succeeded"
        back = [t for t in api.read("trades", per_page=100)["data"] if t["entry_time"] == trade["entry_time"]
                and t["instrument"] == trade["instrument"] and t["quantity"] == trade["quantity"]]  # fmt: skip
        assert len(back) == 1 and back[0]["id"] != trade["id"]
        assert back[0]["notes"] == annotated["notes"]
        assert set(back[0]["tags"]) == {"fade", "reviewed"}
        # The screenshot too, the same attachment: on the new trade's page, its thumbnail and its file served.
        page.goto(f"{base_url}/dashboard/trades/{back[0]['id']}/")
        shown = page.locator(f"#attachments li[data-attachment='{attachment['id']}']")
        assert shown.locator(".attachment-name").text_content() == "entry.png"
        thumbnail = page.request.get(base_url + shown.locator("img").get_attribute("src"))
        assert thumbnail.status == 200 and thumbnail.headers["content-type"] == "image/png"
        served = page.request.get(base_url + shown.locator("a").first.get_attribute("href"))
        assert served.status == 200 and served.body() == screenshot.read_bytes()
        (restored,) = api.read(f"trades/{back[0]['id']}/attachments")["data"]
        same = ("id", "filename", "size", "created_at")
        assert [restored[name] for name in same] == [attachment[name] for name in same]
        assert api.get(restored["url"].split("/api/v1/", 1)[1]).content == screenshot.read_bytes()

        # The weekend: the overview, in the trader's zone, says what the API says.
        page.goto(f"{base_url}/dashboard/")
        assert ZONE in page.text_content("#equity")
        stats = api.read("stats")
        assert Decimal(page.get_attribute("[data-figure=net_pnl]", "data-value")) == Decimal(str(stats["net_pnl"]))
        assert int(page.get_attribute("[data-figure=total_trades]", "data-value")) == stats["total_trades"]
        month = page.get_attribute("#calendar", "data-month")
        calendar = api.read("stats/calendar", month=month)
        assert calendar["tz"] == ZONE and calendar == api.read("stats/calendar", month=month, tz=ZONE)
        cells = data(page, "#calendar td[data-trades]", "date", "net-pnl", "trades")
        assert [(d, Decimal(p), int(n)) for d, p, n in cells] == [
            (d["date"], Decimal(str(d["net_pnl"])), d["total_trades"]) for d in calendar["days"]
        ]
        equity = api.read("stats/equity", interval="trade")
        assert [(d, Decimal(e)) for d, e in data(page, "#equity-points tr[data-date]", "date", "equity")] == [
            (point["time"], Decimal(str(point["equity"]))) for point in equity["points"]
        ]
        risk = api.read("stats/risk")
        shown = Decimal(page.get_attribute("[data-figure=max_drawdown]", "data-value"))
        assert shown == Decimal(str(risk["max_drawdown"]))
        look(page, "week/overview", PHONE, DESKTOP)
