"""In Chromium, on a live gunicorn with a real task worker, at phone and desktop widths: a trader
uploads an unknown broker's CSV, is shown the mapping proposed for its columns with the first rows
read by it, corrects one column (the rows are read again as it changes), runs it dry, imports it,
and the next file with that header is imported without being asked; screenshots saved for a look."""

from pathlib import Path

import pytest

from tests.live import BROWSER_TEST, DESKTOP, PASSWORD, PHONE, Api, look, open_page, sign_in

pytestmark = BROWSER_TEST

DATA = Path(__file__).parent / "data" / "mapping"
FIRST_ROW = ["6", "2025-03-24 09:31:05", "AAPL", "buy", "100", "221.53", "1.02"]


def preview_row(page, n: int = 0) -> list[str]:
    return [cell.strip() for cell in page.locator("#mapping-rows tbody tr").nth(n).locator("td").all_text_contents()]


def upload(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/dashboard/imports/")
    page.set_input_files("#id_file", DATA / name)
    page.select_option("#id_tz", "Europe/London")
    page.click("#import-form button[type=submit]")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_unknown_brokers_csv_is_mapped_dry_run_imported_and_its_next_file_mapped_without_asking(
    browser, live_site, size
):
    username = f"mapper-{size['width']}"
    live_site.create_trader(username, PASSWORD)
    api_key = live_site.create_key(username)
    shots = "mapping/mapping"  # look() adds the width
    with (
        live_site.serve(workers=2, API_KEY_RATE_LIMIT="1000000/minute") as base_url,
        live_site.worker(),
        open_page(browser, base_url, viewport=size) as page,
    ):
        sign_in(page, base_url, username)
        upload(page, base_url, "zenith_blotter.csv")
        page.wait_for_url(f"{base_url}/dashboard/imports/*/mapping/")
        mapping_url = page.url

        # The proposal: each column's field, the side's values, the first rows read by it.
        assert page.locator("#column-2").input_value() == "instrument"
        assert page.locator("#column-6").input_value() == "commission"
        assert page.locator("#column-8").input_value() == ""  # "Confirmation No.": no name we know
        assert page.locator("select[name='side.B']").input_value() == "buy"
        assert preview_row(page)[:7] == FIRST_ROW and preview_row(page)[7] == ""
        look(page, f"{shots}-proposed")

        # One column corrected: the rows are read again at once, without leaving the page.
        loads = []
        page.on("load", lambda _: loads.append(page.url))
        page.select_option("#column-8", "exec_id")
        page.wait_for_function(
            "document.querySelector('#mapping-rows tbody td:nth-child(8)')?.textContent === 'ZC-81001'"
        )
        assert loads == [] and preview_row(page, 5)[:4] == ["11", "2025-03-26 11:20:00", "TSLA", "sell"]
        look(page, f"{shots}-corrected")

        # A dry run: the worker applies it, the page follows it, and nothing is stored.
        page.click("button[value=dry_run]")
        page.wait_for_url(f"{mapping_url}?dry_run=*")
        page.locator("#dry-run dd[data-field=trades_created]").wait_for(timeout=300_000)
        figures = {name: page.locator(f"#dry-run dd[data-field={name}]").text_content()
                   for name in ("rows_total", "executions_created", "trades_created", "errors")}  # fmt: skip
        assert figures == {"rows_total": "9", "executions_created": "9", "trades_created": "4", "errors": "0"}
        assert page.locator("#column-8").input_value() == "exec_id"
        api = Api(base_url, api_key)
        assert api.read("trades")["total"] == 0
        look(page, f"{shots}-dry-run")

        # Applied: the mapping saved under its name, the import's report as for any file.
        page.fill("#id_name", "Zenith Securities")
        page.click("button[value=apply]")
        page.wait_for_url(f"{base_url}/dashboard/imports/*/")
        assert "The mapping “Zenith Securities” is saved" in page.locator(".messages").text_content()
        page.locator("#import-report").wait_for(timeout=300_000)
        assert page.locator("#import-report dd[data-field=trades_created]").text_content() == "4"
        look(page, f"{shots}-imported")
        saved = api.read("import-mappings")["data"]
        assert [(m["name"], m["columns"]["exec_id"], m["tz"]) for m in saved] == [
            ("Zenith Securities", "Confirmation No.", None)
        ]  # fmt: skip

        # The next week's file has the same header: imported by the mapping, without asking.
        upload(page, base_url, "zenith_blotter_next_week.csv")
        page.wait_for_url(f"{base_url}/dashboard/imports/*/")
        assert "/mapping/" not in page.url
        page.locator("#import-report").wait_for(timeout=300_000)
        assert page.locator("#import-report dd[data-field=trades_created]").text_content() == "2"
        assert "mapped (Zenith Securities)" in page.locator("p.lead").text_content()
        look(page, f"{shots}-next-file")
        trades = api.read("trades", per_page=100)["data"]
        assert sorted(t["instrument"] for t in trades) == ["AAPL", "AMD", "META", "MSFT", "NVDA", "TSLA"]
        assert {t["entry_time"] for t in trades if t["instrument"] == "AAPL"} == {"2025-03-24T09:31:05.000000Z"}


def test_without_javascript_the_preview_button_reads_the_rows_again(browser, live_site):
    live_site.create_trader("mapper-noscript", PASSWORD)
    with (
        live_site.serve(workers=1) as base_url,
        open_page(browser, base_url, viewport=PHONE, java_script_enabled=False) as page,
    ):
        sign_in(page, base_url, "mapper-noscript")
        upload(page, base_url, "zenith_blotter.csv")
        page.wait_for_url(f"{base_url}/dashboard/imports/*/mapping/")
        page.select_option("#column-8", "exec_id")
        assert preview_row(page)[7] == ""
        page.click("button[value=preview]")
        page.wait_for_load_state()
        assert preview_row(page) == [*FIRST_ROW, "ZC-81001"]
        look(page, "mapping/preview-nojs")
