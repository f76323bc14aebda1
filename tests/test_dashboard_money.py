"""One money format on every page of the web journal: +2,182.37 USD (thousands grouped, two places,
the sign of a P&L, a true minus for a loss), and Open for an open trade's P&L."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.factories import make_account, make_trade

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_page_writes_money_one_way(web, user):
    account = make_account(user, "Main", currency="USD", starting_balance=Decimal("25000"))
    win = make_trade(user, account=account, instrument="NQ", quantity=Decimal("1"), multiplier=Decimal("20"),
                     entry_price=Decimal("18000"), exit_price=Decimal("18109.1185"))  # fmt: skip
    loss = make_trade(user, account=account, entry_price=Decimal("2000"), exit_price=Decimal("818"),
                      entry_time=datetime(2025, 3, 16, 10, tzinfo=UTC), exit_time=datetime(2025, 3, 16, 11, tzinfo=UTC))  # fmt: skip
    opened = make_trade(user, account=account, exit_time=None, exit_price=None)
    assert (win.net_pnl, loss.net_pnl) == (Decimal("2182.37"), Decimal("-1182"))
    listing = text(web.get("/dashboard/trades/").content.decode())
    assert "+2,182.37 USD" in listing and "\u22121,182.00 USD" in listing and " Open " in listing
    assert "2182.37" not in listing and "-1182" not in listing
    assert "+2,182.37 USD" in text(web.get(f"/dashboard/trades/{win.pk}/").content.decode())
    assert "Open" in text(web.get(f"/dashboard/trades/{opened.pk}/").content.decode())
    accounts = text(web.get("/dashboard/accounts/").content.decode())
    assert "25,000.00 USD" in accounts and "25000" not in accounts
    overview = text(web.get("/dashboard/").content.decode())
    assert "+1,000.37 USD" in overview  # the net of the two closed trades
