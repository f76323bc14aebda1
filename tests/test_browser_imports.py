"""In Chromium, on a live gunicorn with a real task worker: a trader uploads a real broker file,
watches the progress bar until the report appears (with JavaScript, and without it by the page's
own refresh), undoes the import, and reads the leaderboard; every page at phone and desktop widths
without horizontal overflow, with screenshots saved for a look."""

from pathlib import Path

import requests

from tests.live import BROWSER_TEST, DESKTOP, PASSWORD, PHONE, Api, look, open_page, sign_in, wait_until

pytestmark = BROWSER_TEST

SAMPLE = Path(__file__).parent / "data" / "imports" / "tradovate_positions" / "position_history_older_layout.csv"
NINJATRADER_GRID = Path(__file__).parent / "data" / "imports" / "ninjatrader_trades" / "trades_grid.csv"
REPORT = ("rows_total", "rows_processed", "executions_created", "duplicates", "trades_created", "trades_updated")


# Traders who closed enough trades this month to be on the leaderboard (one with a long name),
# ranked from the next request on.
RANKED = """
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from journal.models import Trade
for name, net in [("steady-eddie", 40), ("a-very-long-public-name-for-a-phone", 25), ("red-month", -60)]:
    user = get_user_model().objects.create_user(username=name)
    for n in range(6):
        exit_time = timezone.now() - timedelta(days=n + 1)
        Trade.objects.create(user=user, instrument="ESZ6", side="long", quantity=1, multiplier=50,
                             entry_time=exit_time - timedelta(hours=1), entry_price=Decimal(6000),
                             exit_time=exit_time, exit_price=Decimal(6000 + net), commission=Decimal("4.2"))
# A snapshot an earlier test left in the shared cache would hide them for up to a minute.
from django.core.cache import cache
from leaderboard.snapshot import SNAPSHOT_KEY
cache.delete(SNAPSHOT_KEY)
"""


def upload_sample(page, base_url: str, sample: Path = SAMPLE) -> int:
    page.goto(f"{base_url}/dashboard/imports/")
    page.set_input_files("#id_file", sample)
    page.select_option("#id_tz", "America/New_York")
    page.click("#import-form button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/imports/*/")
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def watch(route, seen: list) -> None:
    """Passes the page's progress poll through, noting what it was told (read before the page can
    navigate away from it)."""
    response = route.fetch()
    seen.append(response.json())
    route.fulfill(response=response)


def shown_figures(page) -> dict:
    return {name: int(page.locator(f"#import-report dd[data-field={name}]").text_content()) for name in REPORT}


def test_upload_watch_the_progress_bar_finish_read_the_report_and_undo(browser, live_site):
    live_site.create_trader("progress-watcher", PASSWORD)
    key = live_site.create_key("progress-watcher")
    r = live_site.manage("shell", "-c", RANKED)
    assert r.returncode == 0, r.stderr
    with (
        live_site.serve(workers=2, API_KEY_RATE_LIMIT="1000000/minute") as base_url,
        open_page(browser, base_url) as page,
    ):
        progress = []
        page.route("**/progress.json", lambda route: watch(route, progress))
        sign_in(page, base_url, "progress-watcher")
        page.click("nav >> text=Import")
        page.wait_for_url(f"{base_url}/dashboard/imports/")
        look(page, "imports/imports-empty")

        # No worker yet: the import waits in the queue, the bar with it.
        import_id = upload_sample(page, base_url)
        loads = []
        page.on("load", lambda _: loads.append(page.url))
        bar = page.locator("progress#import-progress")
        assert bar.is_visible()
        assert page.locator("label[for=import-progress]").text_content().strip() == "Waiting for a worker…"
        assert "is queued" in page.locator(".messages").text_content()
        look(page, "imports/import-queued")
        wait_until(lambda: page.wait_for_timeout(100) or len(progress) >= 2, what="two polls of the progress")
        assert loads == [], "with JavaScript the page polls rather than reloads"

        with live_site.worker():
            page.locator("#import-report").wait_for(timeout=300_000)
        assert progress[0]["status"] == "queued"
        assert progress[-1]["status"] == "succeeded" and progress[-1]["rows_processed"] == progress[-1]["rows_total"]
        assert page.locator("progress").count() == 0

        api = Api(base_url, key)
        report = api.read(f"imports/{import_id}")
        assert shown_figures(page) == {name: report[name] for name in REPORT}
        assert (report["status"], report["trades_created"]) == ("succeeded", 4)
        errors = page.locator("#import-errors tbody tr td")
        assert [errors.nth(0).text_content(), errors.nth(1).text_content()] == [
            str(report["errors"][0]["row"]), report["errors"][0]["message"]
        ]  # fmt: skip
        skipped = page.locator("#import-skipped tbody tr td")
        assert skipped.nth(0).text_content() == report["skipped"][0]["reason"]
        assert page.locator("#import-trades tbody tr").count() == 4
        look(page, "imports/import-report")

        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            for path, name in [(f"/dashboard/imports/{import_id}/", "import-report"), ("/dashboard/imports/", "imports"),
                               (f"/dashboard/imports/{import_id}/undo/", "import-undo"),
                               ("/dashboard/leaderboard/", "leaderboard")]:  # fmt: skip
                page.goto(base_url + path)
                look(page, f"imports/{name}")

        page.goto(f"{base_url}/dashboard/leaderboard/")
        ranking = api.read("leaderboard")
        assert page.locator("#leaderboard tbody td:nth-child(2)").all_text_contents() == [
            row["user"] for row in ranking
        ] == ["steady-eddie", "a-very-long-public-name-for-a-phone", "red-month"]  # fmt: skip

        page.goto(f"{base_url}/dashboard/imports/{import_id}/")
        page.click("text=Undo import")
        page.wait_for_url(f"{base_url}/dashboard/imports/{import_id}/undo/")
        page.click("main button.danger")
        # A worker undoes it; the page follows the undo as it followed the import.
        page.wait_for_url(f"{base_url}/dashboard/imports/{import_id}/")
        assert "is being undone" in page.locator(".messages").text_content()
        assert page.locator("#import-running h2").text_content() == "Undoing"
        look(page, "imports/import-undoing")
        assert api.read("trades")["total"] == 4
        with live_site.worker():
            page.locator("#import-report").wait_for(timeout=300_000)
        assert page.locator("#import-report h2").text_content() == "Undone"
        look(page, "imports/import-undone")
        assert api.read("trades")["total"] == 0
        assert api.read(f"imports/{import_id}")["status"] == "undone"


def test_a_ninjatrader_grids_trade_shows_the_files_commission_beside_the_fees_its_profit_took(browser, live_site):
    live_site.create_trader("grid-reader", PASSWORD)
    with live_site.serve(workers=1) as base_url, open_page(browser, base_url, viewport=PHONE) as page:
        sign_in(page, base_url, "grid-reader")
        upload_sample(page, base_url, NINJATRADER_GRID)
        with live_site.worker():
            page.locator("#import-report").wait_for(timeout=300_000)
        page.locator("#import-trades a").first.click()
        page.wait_for_url(f"{base_url}/dashboard/trades/*/")
        # One name for the contract; the grid's Commission 0.78 beside the 1.12 its Profit took besides.
        assert page.locator("h1").text_content().split()[-1] == "MNQU26"
        assert page.locator("#commission-parts").text_content() == "(0.78 commission + 1.12 fees)"
        assert page.locator("#fees-note").is_visible()
        look(page, "imports/ninjatrader-grid-trade", PHONE, DESKTOP)


def test_without_javascript_the_import_page_refreshes_until_the_report_shows(browser, live_site):
    live_site.create_trader("no-script", PASSWORD)
    key = live_site.create_key("no-script")
    with (
        live_site.serve(workers=2, API_KEY_RATE_LIMIT="1000000/minute") as base_url,
        open_page(browser, base_url, viewport=PHONE, java_script_enabled=False) as page,
    ):
        loads = []
        page.on("load", lambda _: loads.append(page.url))
        sign_in(page, base_url, "no-script")
        import_id = upload_sample(page, base_url)
        assert page.locator("label[for=import-progress]").text_content().strip() == "Waiting for a worker…"
        look(page, "imports/import-queued-nojs")
        wait_until(lambda: page.wait_for_timeout(100) or loads.count(page.url) >= 2,
                   what="the page refreshing itself twice while queued")  # fmt: skip
        with live_site.worker():
            page.locator("#import-report").wait_for(timeout=300_000)
        look(page, "imports/import-report-nojs")
        assert shown_figures(page) == {name: Api(base_url, key).read(f"imports/{import_id}")[name] for name in REPORT}
        refreshes = len(loads)
        page.wait_for_timeout(3000)
        assert len(loads) == refreshes, "the finished report still refreshes"


def test_a_file_over_the_limit_is_refused_in_the_apis_words_with_and_without_javascript(browser, live_site):
    live_site.create_trader("big-file", PASSWORD)
    key = live_site.create_key("big-file")
    limit = str(SAMPLE.stat().st_size - 1)
    with live_site.serve(workers=1, IMPORT_MAX_BYTES=limit) as base_url:
        r = requests.post(f"{base_url}/api/v1/imports", data=SAMPLE.read_bytes(), timeout=10,
                          headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 413, r.text
        message = r.json()["error"]
        for scripts in (True, False):
            with open_page(browser, base_url, viewport=PHONE, java_script_enabled=scripts) as page:
                sign_in(page, base_url, "big-file")
                page.goto(f"{base_url}/dashboard/imports/")
                page.set_input_files("#id_file", SAMPLE)
                page.click("#import-form button[type=submit]")
                if scripts:  # refused on the spot: nothing is sent
                    assert page.eval_on_selector("#id_file", "input => input.validationMessage") == message
                    assert page.locator("#id_file_error").count() == 0  # the server never saw it
                else:
                    page.wait_for_load_state()
                    assert page.locator("#id_file_error").text_content().strip() == message
                    assert (
                        page.locator("#id_file").get_attribute("aria-describedby") == "id_file_helptext id_file_error"
                    )
                    look(page, "imports/imports-too-large-nojs")
        assert Api(base_url, key).read("imports")["total"] == 0


def test_the_heading_the_bar_and_the_cancel_card_follow_one_status(browser, live_site):
    """A queued import's page, left open while a worker takes it: the poll turns the heading, the bar
    and the Cancel card together (the heading once stayed Queued beside a bar writing the last rows)."""
    live_site.create_trader("status-watcher", PASSWORD)
    with live_site.serve(workers=1) as base_url, open_page(browser, base_url) as page:
        sign_in(page, base_url, "status-watcher")
        import_id = upload_sample(page, base_url)
        assert page.text_content("#import-status") == "Queued"
        assert page.is_visible("text=Cancel import")
        taken = f"""
from django.utils import timezone
from imports import progress
from imports.models import Import
Import.objects.filter(pk={import_id}).update(status="processing", started_at=timezone.now())
running = progress.Progress(Import.objects.get(pk={import_id}))
running.update(stage=progress.WRITING, rows_processed=80_000, rows_total=80_000)
running._write()
"""
        r = live_site.manage("shell", "-c", taken)
        assert r.returncode == 0, r.stderr
        # A poll between the status's change and the progress's report shows the status with no rows
        # yet, as it would for a worker that has just started: wait for the report.
        page.wait_for_function(
            "document.getElementById('import-progress-label').textContent === 'Writing: 80,000 of 80,000 rows'"
        )
        assert page.text_content("#import-status") == "Processing"
        assert page.get_attribute("#import-progress", "value") == "80000"
        assert not page.is_visible("text=Cancel import")
        look(page, "imports/import-writing", PHONE, DESKTOP)
