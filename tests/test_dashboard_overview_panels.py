"""The Overview's weekly totals, its R and hold-time figures and its side, hold-time and tag
breakdowns beside the setup one: each figure is the API's answer to the same question."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from tests.factories import api_client, make_account, make_tag, make_trade, make_user, read, tag_trade


class Elements(HTMLParser):
    """Every start tag's attributes, in order, with the id of the section it is in."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.section = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id", "")
        self.found.append((self.section, attrs))

    def having(self, attribute: str, section: str | None = None) -> list[dict]:
        return [a for s, a in self.found if attribute in a and (section is None or s == section)]


def number(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text)


@pytest.fixture
def journal(db):
    """Six weeks of trades over March 2025 (a month that starts on a Saturday and ends on a Monday):
    both sides, holds from seconds to days, two tags and none, setups, and a risk on most; one
    trade exits just after midnight UTC (the day before in New York)."""
    user = make_user()
    account = make_account(user, "Main")
    tags = [make_tag(user, "A+"), make_tag(user, "Fomo")]
    start = datetime(2025, 2, 27, 14, tzinfo=UTC)
    holds = [timedelta(seconds=40), timedelta(minutes=3), timedelta(minutes=50), timedelta(hours=3),
             timedelta(hours=30)]  # fmt: skip
    for i in range(44):
        entry = start + timedelta(hours=19 * i)
        trade = make_trade(
            user, account=account, instrument=["ES", "NQ"][i % 2], side=["long", "long", "short"][i % 3],
            entry_time=entry, exit_time=entry + holds[i % 5], entry_price=Decimal(100),
            exit_price=Decimal(100 + (i * 7) % 13 - 6), quantity=Decimal(1 + i % 3),
            setup_type=["breakout", "Pullback", ""][i % 3], initial_risk=Decimal(20) if i % 4 else None,
        )  # fmt: skip
        if i % 3:
            tag_trade(trade, tags[i % 2])
        if i == 5:
            tag_trade(trade, *tags)
    make_trade(user, account=account, entry_time=datetime(2025, 3, 17, 23, tzinfo=UTC),
               exit_time=datetime(2025, 3, 18, 2, tzinfo=UTC), exit_price=Decimal("97.5"))  # fmt: skip
    return {"user": user, "account": account, "api": api_client(user)}


@pytest.fixture
def page(client, journal):
    client.force_login(journal["user"])

    def get(query: str = "") -> tuple[str, Elements]:
        r = client.get(f"/dashboard/{query}")
        assert r.status_code == 200, r.content.decode()[:2000]
        return r.content.decode(), Elements(r.content.decode())

    return get


@pytest.mark.parametrize("tz", ["", "America/New_York", "Asia/Tokyo"])
def test_each_weeks_total_is_the_sum_of_its_days_as_the_api_answers_them(page, journal, tz):
    api = read(journal["api"], f"/api/v1/stats/calendar?month=2025-03&tz={tz}")
    weeks: dict[date, list] = defaultdict(lambda: [Decimal(0), 0])
    for day in api["days"]:
        monday = date.fromisoformat(day["date"]) - timedelta(days=date.fromisoformat(day["date"]).weekday())
        weeks[monday][0] += day["net_pnl"]
        weeks[monday][1] += day["total_trades"]
    html, elements = page(f"?month=2025-03&tz={tz}")
    shown = [(number(a["data-week-net-pnl"]), int(a["data-week-trades"])) for a in elements.having("data-week-net-pnl")]
    # March 2025 spans six calendar rows, from the week of Monday 24 February.
    mondays = [date(2025, 2, 24) + timedelta(weeks=n) for n in range(6)]
    assert shown == [tuple(weeks[monday]) if monday in weeks else (0, 0) for monday in mondays]
    assert sum(net for net, _ in shown) == api["net_pnl"]
    assert sum(count for _, count in shown) == sum(day["total_trades"] for day in api["days"])
    # Each row's total is the sum of the day cells drawn beside it.
    for row in html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]:
        days = [Decimal(v) for v in re.findall(r'data-date="[^"]+" data-net-pnl="([^"]+)"', row)]
        (total,) = re.findall(r'data-week-net-pnl="([^"]*)"', row)
        assert Decimal(total) == sum(days, Decimal(0))


@pytest.mark.parametrize("query", ["", "?tz=Asia/Tokyo", "?tag=A%2B", "?from=2025-03-10&to=2025-03-25"])
def test_the_r_and_hold_time_figures_are_the_apis_risk_answer(page, journal, query):
    risk = read(journal["api"], f"/api/v1/stats/risk{query}")
    _, elements = page(query)
    shown = {a["data-figure"]: number(a["data-value"]) for a in elements.having("data-figure", section="risk")}
    keys = ("avg_r", "total_r", "sqn", "max_win_streak", "max_loss_streak", "current_streak", "sharpe", "sortino",
            "avg_hold_seconds", "avg_hold_seconds_win", "avg_hold_seconds_loss")  # fmt: skip
    assert set(shown) == set(keys)
    for key in keys:
        assert shown[key] == risk[key], key


def test_hold_times_read_as_a_trader_says_them(page, journal):
    html, _ = page()
    risk = read(journal["api"], "/api/v1/stats/risk")
    seconds = risk["avg_hold_seconds"]
    hours, rest = divmod(seconds, 3600)
    assert f"{hours}h {rest // 60:02d}m" in html.split('id="risk"')[1]


@pytest.mark.parametrize("by", ["setup_type", "tag", "side", "hold_time"])
@pytest.mark.parametrize("query", ["", "?tz=America/New_York&from=2025-03-08", "?tag=Fomo"])
def test_the_setup_tag_side_and_hold_time_bars_are_the_apis_breakdowns(page, journal, by, query):
    separator = "&" if query else "?"
    buckets = read(journal["api"], f"/api/v1/stats/breakdown{query}{separator}by={by}")["data"]
    _, elements = page(query)
    bars = elements.having("data-key", section=f"by-{by}")
    shown = {a["data-key"]: (number(a["data-net-pnl"]), int(a["data-trades"])) for a in bars}
    expected = {"" if b["key"] is None else str(b["key"]): (b["net_pnl"], b["total_trades"]) for b in buckets}
    assert shown == expected
    if by == "hold_time":  # a scale, in its order, each bucket shown
        assert [a["data-key"] for a in bars] == [b["key"] for b in buckets]


def test_setup_and_tag_are_compared_side_by_side_and_lead_to_their_trades(page, journal):
    html, elements = page()
    sections = [a["id"] for _, a in elements.found if a.get("id", "").startswith("by-") and "aria-labelledby" in a]
    assert sections[:2] == ["by-setup_type", "by-tag"]
    tag_panel = html.split('id="by-tag"')[1].split("</section>")[0]
    assert 'href="/dashboard/trades/?tag=A%2B"' in tag_panel
    assert "No tag" in tag_panel
    # A trade with two tags counts under each: the tag buckets hold more trades than were closed.
    stats = read(journal["api"], "/api/v1/stats")
    counted = sum(int(a["data-trades"]) for a in elements.having("data-trades", section="by-tag"))
    assert counted == stats["total_trades"] + 1
