"""Migrations keep what is stored: a model that moved between apps keeps its table and its rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [("journal", "0004_trade_user_exit_idx"), ("core", None)]
AFTER_THE_MOVE = [("journal", "0005_idempotency_key_to_core"), ("core", "0001_idempotency_key")]


def migrate(targets):
    """The apps' models as of `targets`, once the database is migrated there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Every later test finds the schema its models describe: the database goes back to the
    latest migrations, whichever state a test left it in."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_idempotency_keys_stored_before_the_kernel_app_survive_its_migration():
    old = migrate(BEFORE_THE_MOVE)
    user = old.get_model("auth", "User").objects.create(username="kept")
    old.get_model("journal", "IdempotencyKey").objects.create(
        user_id=user.pk, key="retry-1", fingerprint="f" * 64, status_code=201, body='{"id": 7}'
    )
    new = migrate(AFTER_THE_MOVE)
    stored = new.get_model("core", "IdempotencyKey").objects.get(key="retry-1")
    assert (stored.user_id, stored.status_code, stored.body) == (user.pk, 201, '{"id": 7}')


@pytest.mark.django_db(transaction=True)
def test_stored_name_keys_are_recomputed_and_the_later_of_two_look_alikes_is_cleared():
    from leaderboard.names import name_key

    old = migrate([("leaderboard", "0002_display_name_keys")])
    users, profiles = old.get_model("auth", "User"), old.get_model("leaderboard", "TraderProfile")
    # Keys as an older rule made them, which let an invisible character tell two names apart.
    first = profiles.objects.create(user=users.objects.create(username="a"), display_name="TraderAce", name_key="k1")
    second = profiles.objects.create(
        user=users.objects.create(username="b"), display_name="Trader\u3164Ace", name_key="k2"
    )
    new = migrate([("leaderboard", "0003_name_keys_without_invisibles")])
    stored = {p.pk: (p.display_name, p.name_key) for p in new.get_model("leaderboard", "TraderProfile").objects.all()}
    assert stored == {first.pk: ("TraderAce", name_key("TraderAce")), second.pk: ("", "")}
