"""The journal's menu: one list (dashboard/urls.py MENU) drawn by the base template on every page,
the current page marked, every entry reachable (in view on a phone too)."""

import re

import pytest

from dashboard import context_processors
from dashboard.urls import MENU
from tests.factories import make_trade

pytestmark = pytest.mark.django_db
NAV = re.compile(r'<nav aria-label="Journal">(.*?)</nav>', re.S)


def entries(html: str) -> list[tuple[str, str, bool]]:
    nav = NAV.search(html).group(1)
    return [(href, label, bool(current)) for href, current, label in
            re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)]  # fmt: skip


def test_every_page_shows_the_menu_list_in_its_order_with_the_current_page_marked(web, user):
    trade = make_trade(user)
    for path, current in [("/dashboard/", "Overview"), (f"/dashboard/trades/{trade.pk}/edit/", "Trades"),
                          ("/dashboard/days/", "Day notes"), ("/dashboard/imports/", "Import"),
                          ("/dashboard/tags/", "Tags"), ("/dashboard/keys/", "API keys")]:  # fmt: skip
        shown = entries(web.get(path).content.decode())
        assert [label for _, label, _ in shown] == [label for _, label, _ in MENU], path
        assert [label for _, label, marked in shown if marked] == [current], path
    links = {label: href for href, label, _ in shown}
    assert (links["Day notes"], links["API docs"]) == ("/dashboard/days/", "/api/v1/redoc")


def test_an_entry_added_to_the_list_is_on_every_page(web, monkeypatch):
    monkeypatch.setattr(context_processors, "MENU", [*MENU, ("leaderboard", "Rankings", ("rank",))])
    assert entries(web.get("/dashboard/trades/").content.decode())[-1] == ("/dashboard/leaderboard/", "Rankings", False)


def test_a_visitor_signed_out_sees_no_menu(client):
    assert "<nav" not in client.get("/accounts/login/").content.decode()
