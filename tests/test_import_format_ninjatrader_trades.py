"""NinjaTrader 8 Trades grid: a round trip a row, its net Profit the money that decides."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from imports.apply import import_run
from imports.formats import base, ninjatrader_trades
from imports.services import import_create
from journal.models import Trade
from tests.formats_helpers import HEADERS, reader

HEADER = HEADERS["ninjatrader_trades"]
sample, parse = reader(ninjatrader_trades)


def one_trade(cells: str) -> list[base.Fill]:
    return parse(f"{HEADER}\n1,{cells}\n").fills


def test_each_row_is_an_entry_and_an_exit_fill_on_that_row():
    fills = parse(sample("trades_grid.csv")).fills
    long_entry, long_exit, short_entry, short_exit = fills[:4]
    assert (long_entry.side, long_exit.side, short_entry.side, short_exit.side) == (
        base.BUY,
        base.SELL,
        base.SELL,
        base.BUY,
    )
    assert (long_entry.effect, long_exit.effect) == (base.OPEN, base.CLOSE)
    assert (long_entry.row, long_exit.row, short_entry.row) == (2, 2, 3)
    assert (short_entry.price, short_exit.price) == (Decimal("30151.25"), Decimal("30126.25"))
    assert long_entry.time == datetime(2026, 7, 2, 13, 12, tzinfo=UTC)
    assert long_entry.account == base.AccountRef(number="DEMO6557236")


def test_costs_that_profit_took_beyond_the_listed_commission_become_fees():
    # MNQ +25 points is $50 gross; Profit says $48.10 and Commission $0.78: $1.12 of fees unlisted.
    entry, exit_ = parse(sample("trades_grid.csv")).fills[:2]
    assert (entry.commission, entry.fees, entry.multiplier) == (Decimal("0.78"), Decimal("1.12"), None)
    assert (exit_.commission, exit_.fees) == (0, 0)


def test_listed_fee_columns_add_up_to_the_fees():
    entry = parse(sample("trades_full_columns.csv")).fills[0]
    assert (entry.commission, entry.fees) == (Decimal("1.18"), Decimal("1.92"))


def test_profit_states_the_point_value_of_a_root_the_table_lacks():
    fdxm = [f for f in parse(sample("trades_full_columns.csv")).fills if f.instrument == "FDXM 03-25"]
    assert {f.multiplier for f in fdxm} == {Decimal(5)}


def test_profit_far_from_the_tables_point_value_wins():
    # GC is $100 a point in the table; +2 points on 1 contract making $20 means $10 a point.
    fills = one_trade("GC 04-25,Sim101,,Long,1,2900.0,2902.0,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$20.00,$0.00")
    assert {f.multiplier for f in fills} == {Decimal(10)}


def test_profit_written_before_costs_keeps_the_table_and_the_listed_costs():
    fills = one_trade("ES 03-25,Sim101,,Short,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$500.00,$4.50")
    assert (fills[0].multiplier, fills[0].commission, fills[0].fees) == (None, Decimal("4.50"), 0)


def test_blank_trailing_rows_are_not_rows():
    summary = parse(sample("trades_grid.csv"))
    assert summary.rows_total == 6
    assert not summary.skipped and not summary.errors


def test_a_european_grid_reads_decimal_commas_and_day_first_dates():
    text = (
        HEADER.replace(",", ";")
        + "\n1;NQ JUN26;Sim101;;Long;1;23955,50;23960,00;01/04/2026 00:27:56;01/04/2026 00:30:54;86,10 $;3,90 $\n"
    )
    entry, exit_ = parse(text, ZoneInfo("Europe/Paris")).fills
    assert (entry.price, exit_.price, entry.commission) == (Decimal("23955.50"), Decimal("23960.00"), Decimal("3.90"))
    assert entry.time == datetime(2026, 3, 31, 22, 27, 56, tzinfo=UTC)


@pytest.mark.django_db
def test_the_trade_page_shows_the_files_commission_beside_the_fees_its_profit_took(user, web):
    # The grid says Commission $0.78 and Profit $48.10 on a $50.00 move: the trade's costs are $1.90.
    imp = import_create(user=user, data=sample("trades_grid.csv"), filename="grid.csv", enqueue=False)
    assert import_run(import_id=imp.pk).status == "succeeded"
    trade = Trade.objects.filter(user=user).order_by("entry_time").first()
    assert (trade.commission, trade.net_pnl) == (Decimal("1.90"), Decimal("48.10"))
    page = web.get(reverse("trade", args=[trade.pk]))
    assert page.status_code == 200, page.content
    html = page.content.decode()
    assert '<small id="commission-parts">(0.78 commission + 1.12 fees)</small>' in html
    assert 'id="fees-note"' in html
