"""Interactive Brokers: Flex Query XML and CSV (Performance & Reports > Flex Queries, a Trades query
run and downloaded), Trade Confirmation Flex reports and the Activity Statement CSV (Performance &
Reports > Statements > Activity, CSV). Executions are fills; orders count only where the account
lists no executions."""

import csv
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.ibkr import flex, statement

NAME = "ibkr"
BROKER = "Interactive Brokers"


def detect(head: str) -> bool:
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        return "<FlexQueryResponse" in text[:2048]
    first = next(csv.reader(text.splitlines()[:1]), [])
    return statement.is_statement(first) or flex.is_flex_csv(first)


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Fill | base.Skip | base.RowError]:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return flex.parse_xml(stripped, tz)
    rows = list(base.csv_rows(text))
    if rows and statement.is_statement(rows[0][1]):
        return statement.parse(rows, tz)
    if rows and flex.is_flex_csv(rows[0][1]):
        return flex.parse_csv(rows, tz)
    raise base.FormatError("not an Interactive Brokers Flex report or Activity Statement")
