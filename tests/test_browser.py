"""A real browser (Debian's headless Chromium) signs up, generates a key and uses it on the API."""

import requests

from tests.live import BROWSER_TEST, DESKTOP, PASSWORD, PHONE, look, open_page, sign_in, sign_up

pytestmark = BROWSER_TEST


def test_sign_up_generate_a_key_on_the_dashboard_and_call_the_api(browser, live_site):
    with live_site.serve(workers=1) as base_url:
        with open_page(browser, base_url, viewport=PHONE, permissions=["clipboard-read", "clipboard-write"]) as page:
            sign_up(page, base_url, "browser-trader")
            page.click("button:has-text('Log out')")
            page.wait_for_url(f"{base_url}/accounts/login/")
            sign_in(page, base_url, "browser-trader")

            page.click("nav >> text=API keys")
            page.fill("#id_name", "from the browser")
            page.check("input[value='trades:write']")
            page.uncheck("input[value='leaderboard:read']")
            page.click("#generate-form button[type=submit]")
            key = page.text_content("#new-api-key").strip()
            assert key.startswith("tj_")
            assert key in page.text_content("#curl-example")
            page.click("button[data-copy]")
            page.wait_for_function("document.querySelector('button[data-copy]').textContent === 'Copied'")
            assert page.evaluate("navigator.clipboard.readText()") == key

        r = requests.get(f"{base_url}/api/v1/key", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["user"] == "browser-trader"
        assert r.json()["scopes"] == ["trades:read", "trades:write", "stats:read"]

        # Revoking asks first: the key works until the question is answered.
        with open_page(browser, base_url, viewport=PHONE) as page:
            sign_in(page, base_url, "browser-trader")
            page.goto(f"{base_url}/dashboard/keys/")
            page.click("#keys .danger")
            assert page.text_content("h1").startswith("Revoke key")
            look(page, "keys/revoke-question", PHONE, DESKTOP)
            assert requests.get(f"{base_url}/api/v1/key", headers={"Authorization": f"Bearer {key}"}, timeout=10).ok
            page.click("main button.danger")
            page.wait_for_url(f"{base_url}/dashboard/keys/")
            assert "is revoked" in page.text_content(".messages")
        r = requests.get(f"{base_url}/api/v1/key", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert r.status_code == 401, r.text


def test_every_menu_entry_is_in_view_on_a_phone_and_a_desktop(browser, live_site):
    live_site.create_trader("menu-reader", PASSWORD)
    with live_site.serve(workers=1) as base_url, open_page(browser, base_url, viewport=PHONE) as page:
        sign_in(page, base_url, "menu-reader")
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            links = page.locator("nav[aria-label=Journal] a")
            assert links.count() == 10
            for i in range(links.count()):
                box = links.nth(i).bounding_box()
                label = links.nth(i).text_content()
                assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], f"{label} is off-screen"
            look(page, "menu/overview")
        page.set_viewport_size(PHONE)
        page.click("nav >> text=API docs")
        page.wait_for_url(f"{base_url}/api/v1/redoc")
