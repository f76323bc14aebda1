"""The web journal's column mapping page: an upload no format reads lands on it with the suggested
mapping, the first rows are read by the mapping as posted (Preview, and the script's endpoint),
a dry run and the import are imports like any other, and the mapping is saved for the next file."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.apply import import_run
from imports.models import Import, ImportMapping
from journal.models import Trade
from tests.factories import make_user
from tests.test_imports_mapped import as_excel_saves_it

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "mapping"
ZENITH = (DATA / "zenith_blotter.csv").read_bytes()
# The form as the page draws it for the suggested mapping, with the execution id column corrected.
COLUMNS = {"column-0": "date", "column-1": "time_of_day", "column-2": "instrument", "column-3": "side",
           "column-4": "quantity", "column-5": "price", "column-6": "commission", "column-7": "fees",
           "column-8": "exec_id"}  # fmt: skip
FORM = {**COLUMNS, "level": "fills", "date_format": "%d/%m/%Y %H:%M:%S", "tz": "Europe/London", "side.B": "buy",
        "side.S": "sell", "name": "Zenith"}  # fmt: skip


def upload(web, data: bytes = ZENITH, name: str = "zenith_blotter.csv"):
    form = {"format": "auto", "account": "", "tz": "UTC", "file": SimpleUploadedFile(name, data, "text/csv")}
    return web.post("/dashboard/imports/", form)


def waiting(web) -> Import:
    r = upload(web)
    imp = Import.objects.get(suggested_mapping__isnull=False)
    assert r.status_code == 302 and r["Location"] == f"/dashboard/imports/{imp.pk}/mapping/", r.content
    return imp


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)" selected>', select)
    return chosen.group(1) if chosen else ""


def preview_rows(page: str) -> list[list[str]]:
    body = re.search(r'<table class="report" id="mapping-rows">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_an_unrecognised_upload_opens_the_mapping_with_the_suggestion_and_its_rows(web, user):
    imp = waiting(web)
    page = web.get(f"/dashboard/imports/{imp.pk}/mapping/").content.decode()
    assert [selected(page, f"column-{i}") for i in range(11)] == [
        "date", "time_of_day", "instrument", "side", "quantity", "price", "commission", "fees", "", "", ""
    ]  # fmt: skip
    assert (selected(page, "side.B"), selected(page, "side.S")) == ("buy", "sell")
    assert 'value="%d/%m/%Y %H:%M:%S"' in page
    assert "24/03/2025 · 25/03/2025 · 26/03/2025" in unescape(page)
    assert preview_rows(page)[0] == ["6", "2025-03-24 09:31:05", "AAPL", "buy", "100", "221.53", "1.02", ""]
    assert len(preview_rows(page)) == 9


def test_the_import_page_of_an_unrecognised_file_links_to_its_mapping(web, user):
    imp = waiting(web)
    page = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    assert f'href="/dashboard/imports/{imp.pk}/mapping/"' in page


def test_preview_reads_the_rows_by_the_mapping_as_posted(web, user):
    imp = waiting(web)
    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/", {**FORM, "side.S": "sell_to_close", "action": "preview"})
    assert r.status_code == 200, r.content
    page = r.content.decode()
    assert preview_rows(page)[1] == ["7", "2025-03-24 10:02:44", "AAPL", "sell to close", "100", "223.1", "1.03",
                                     "ZC-81002"]  # fmt: skip
    assert "Times in Europe/London." in page and selected(page, "column-8") == "exec_id"
    assert Import.objects.count() == 1  # a preview starts nothing


def test_the_scripts_preview_answers_the_rows_the_side_values_and_the_errors(web, user):
    imp = waiting(web)
    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/preview/", {**FORM, "column-3": "", "column-10": "side"})
    parts = r.json()
    assert set(parts) == {"preview", "side_values", "errors"}
    assert ">ARCA</label>" in parts["side_values"] and ">NSDQ</label>" in parts["side_values"]
    assert "the side &#x27;ARCA&#x27; is not mapped to buy or sell" in parts["preview"]
    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/preview/", {**FORM, "column-5": ""})
    assert "The price column is required." in r.json()["errors"]
    assert "The rows appear here once every required field has its column." in r.json()["preview"]


def test_a_field_given_to_two_columns_is_refused_on_the_page(web, user):
    imp = waiting(web)
    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/", {**FORM, "column-9": "price", "action": "dry_run"})
    assert r.status_code == 200
    assert "Two columns are given the field price: &#x27;Fill Px&#x27; and &#x27;Ord #&#x27;." in r.content.decode()
    assert Import.objects.count() == 1


def test_a_dry_run_then_the_import_saves_the_mapping_and_the_next_file_is_mapped_without_asking(web, user):
    imp = waiting(web)
    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/", {**FORM, "action": "dry_run"})
    run = Import.objects.get(dry_run=True)
    assert r["Location"] == f"/dashboard/imports/{imp.pk}/mapping/?dry_run={run.pk}"
    assert (run.format, run.mapping["columns"]["exec_id"], run.tz) == ("mapped", "Confirmation No.", "Europe/London")
    page = web.get(r["Location"]).content.decode()
    assert "Waiting for a worker…" in page and 'data-url="/dashboard/imports/' in page
    import_run(import_id=run.pk)
    page = web.get(r["Location"]).content.decode()
    assert '<dd data-field="trades_created">4</dd>' in page and '<dd data-field="errors">0</dd>' in page
    assert selected(page, "column-8") == "exec_id"  # the form as it was dry-run
    assert not ImportMapping.objects.exists() and not Trade.objects.exists()

    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/?dry_run={run.pk}", {**FORM, "action": "apply"})
    done = Import.objects.get(dry_run=False, format="mapped")
    assert r["Location"] == f"/dashboard/imports/{done.pk}/"
    assert not Import.objects.filter(pk=imp.pk).exists()  # the file left with its import
    saved = ImportMapping.objects.get(user=user)
    assert (saved.name, saved.tz, saved.header_signature) == ("Zenith", "Europe/London", imp.suggested_mapping[
        "header_signature"])  # fmt: skip
    import_run(import_id=done.pk)
    assert Trade.objects.filter(user=user).count() == 4

    r = upload(web, (DATA / "zenith_blotter_next_week.csv").read_bytes(), "zenith_blotter_next_week.csv")
    later = Import.objects.latest("id")
    assert r["Location"] == f"/dashboard/imports/{later.pk}/" and later.format == "mapped"
    import_run(import_id=later.pk)
    assert Trade.objects.filter(user=user).count() == 6


def test_a_name_already_taken_or_missing_is_said_beside_it(web, user):
    imp = waiting(web)
    ImportMapping.objects.create(user=user, name="zenith", level="fills", columns={"time": "x"})
    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/", {**FORM, "action": "apply"})
    assert "You already have an import mapping named &#x27;Zenith&#x27;." in r.content.decode()
    r = web.post(f"/dashboard/imports/{imp.pk}/mapping/", {**FORM, "name": " ", "action": "apply"})
    assert "The name field is required." in r.content.decode()
    assert Import.objects.count() == 1 and ImportMapping.objects.count() == 1


def test_anothers_file_or_a_file_that_needs_no_mapping_has_no_mapping_page(web, client, user):
    imp = waiting(web)
    client.force_login(make_user())
    assert client.get(f"/dashboard/imports/{imp.pk}/mapping/").status_code == 404
    assert client.post(f"/dashboard/imports/{imp.pk}/mapping/preview/", FORM).status_code == 404
    named = Import.objects.create(user=user, format="generic", data=b"x")
    assert web.get(f"/dashboard/imports/{named.pk}/mapping/").status_code == 404
    client.logout()
    assert client.get(f"/dashboard/imports/{imp.pk}/mapping/").status_code == 302


def test_a_workbook_is_mapped_on_the_page_as_its_csv_is(web, user):
    upload(web, as_excel_saves_it(ZENITH.decode()), "zenith_blotter.xlsx")
    imp = Import.objects.get(suggested_mapping__isnull=False)
    page = web.get(f"/dashboard/imports/{imp.pk}/mapping/").content.decode()
    assert 'value="%Y-%m-%d %H:%M:%S"' in page
    assert preview_rows(page)[0] == ["6", "2025-03-24 09:31:05", "AAPL", "buy", "100", "221.53", "1.02", ""]
