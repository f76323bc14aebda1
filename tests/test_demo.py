"""`make run`'s demo trader opens a full journal: two brokers' files read by the real importer,
then a trader's journaling on top."""

import random
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from daynotes.models import DayNote
from demo import journal
from imports import formats
from imports.models import Import
from journal.models import Trade

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)


def test_the_demo_files_are_each_read_as_their_brokers_export():
    days = journal._trading_days(TODAY)
    assert formats.detect(journal.tradovate_orders(random.Random(1), days)).NAME == "tradovate_orders"
    assert formats.detect(journal.webull_orders(random.Random(1), days)).NAME == "webull"


def test_ensuredemo_fills_a_new_demo_traders_journal_once(client):
    call_command("ensuredemo", stdout=StringIO())
    demo = get_user_model().objects.get(username="demo")
    trades = Trade.objects.filter(user=demo)
    assert {imp.format for imp in Import.objects.filter(user=demo, status=Import.Status.SUCCEEDED)} == {
        "tradovate_orders", "webull",
    }  # fmt: skip
    by_account = {name: trades.filter(account__name=name).count() for name in ("Futures", "Stocks")}
    assert by_account["Futures"] > 100 and by_account["Stocks"] > 10, by_account
    assert not trades.filter(exit_time__isnull=True).exists()  # a day trader goes home flat
    assert trades.exclude(setup_type="").count() > trades.count() / 3
    assert trades.filter(tags__isnull=False).distinct().count() > trades.count() / 5
    assert trades.exclude(notes="").exists() and trades.filter(initial_risk__isnull=False).exists()
    assert DayNote.objects.filter(user=demo).count() >= 10
    made = trades.count()
    call_command("ensuredemo", stdout=StringIO())
    assert Trade.objects.filter(user=demo).count() == made
    client.force_login(get_user_model().objects.get(username="demo"))  # its password is new
    page = client.get("/dashboard/")
    assert page.status_code == 200 and b"Futures" in page.content


def test_ensuredemo_empty_leaves_the_journal_empty():
    call_command("ensuredemo", "--empty", stdout=StringIO())
    assert not Trade.objects.filter(user__username="demo").exists()
