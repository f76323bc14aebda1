"""The admin for trades, accounts and tags: lists, change pages, and an owner's records kept apart."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from journal.models import TradeTag
from tests.factories import make_account, make_tag, make_trade, make_user, tag_trade


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


def test_the_trade_list_shows_each_trades_account_and_tags(admin_client):
    alice = make_user("alice")
    trade = tag_trade(make_trade(alice, account=make_account(alice, "Futures")), make_tag(alice, "zeta"),
                      make_tag(alice, "Alpha"))  # fmt: skip
    r = admin_client.get("/admin/journal/trade/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "Futures" in page and "Alpha, zeta" in page
    assert admin_client.get(f"/admin/journal/trade/{trade.pk}/change/").status_code == 200


def test_accounts_and_tags_have_their_pages(admin_client):
    bob = make_user("bob")
    account = make_account(bob, "Main", broker="IBKR", currency="EUR")
    make_trade(bob, account=account)
    tag = make_tag(bob, "news", color="#1f77b4")
    accounts = admin_client.get("/admin/journal/account/").content.decode()
    assert "Main" in accounts and "IBKR" in accounts and "EUR" in accounts
    assert "news" in admin_client.get("/admin/journal/tag/", {"q": "news"}).content.decode()
    for path in (f"/admin/journal/account/{account.pk}/change/", f"/admin/journal/tag/{tag.pk}/change/"):
        assert admin_client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_a_trade_cannot_be_put_in_another_traders_account_nor_carry_their_tag():
    alice, bob = make_user(), make_user()
    trade = make_trade(alice, account=make_account(bob))
    with pytest.raises(ValidationError, match="another trader"):
        trade.full_clean()
    with pytest.raises(ValidationError, match="another trader"):
        TradeTag(trade=make_trade(alice), tag=make_tag(bob, "x")).full_clean()
    make_trade(alice, account=make_account(alice)).full_clean()
