"""The key management commands: quiet, scriptable, and clear when an argument is wrong."""

import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apikeys import crypto
from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES
from tests.factories import make_key, make_user
from tests.live import ROOT


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_createapikey_prints_the_key_alone_on_the_last_line_with_read_scopes_by_default(client):
    make_user("alice")
    out, _ = run("createapikey", "alice")
    key = out.strip().splitlines()[-1]
    assert crypto.split_key(key) is not None
    api_key = ApiKey.objects.get()
    assert api_key.scopes == ["trades:read", "stats:read", "leaderboard:read"]
    assert (api_key.name, api_key.expires_at) == ("CLI key", None)
    assert client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


@pytest.mark.django_db
def test_createapikey_with_options_and_new_user():
    out, err = run(
        "createapikey", "bob", "--create-user", "--scopes", "trades:write, trades:read", "--name", "bot",
        "--expires-in-days", "7",
    )  # fmt: skip
    api_key = ApiKey.objects.select_related("user").get()
    assert api_key.user.username == "bob"
    assert api_key.scopes == ["trades:read", "trades:write"]
    assert api_key.name == "bot"
    assert 6.9 < (api_key.expires_at - api_key.created_at).total_seconds() / 86400 <= 7
    assert "Created user 'bob'" in err
    assert len(out.strip().splitlines()) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["createapikey", "nobody"], "Unknown user 'nobody' (use --create-user to create it)."),
        (["createapikey", "alice", "--scopes", "trades:read,admin"], "Unknown scope(s): admin."),
        (["createapikey", "alice", "--scopes", ","], "At least one scope is required."),
        (["createapikey", "alice", "--expires-in-days", "0"], "--expires-in-days must be at least 1."),
        (["revokeapikey", "tj_0000000000"], "No API key with prefix tj_0000000000."),
        (["listapikeys", "nobody"], "Unknown user 'nobody'."),
    ],
)
def test_bad_arguments_are_clear_errors_that_create_nothing(args, message):
    make_user("alice")
    with pytest.raises(CommandError) as error:
        run(*args)
    assert str(error.value).startswith(message)
    assert ApiKey.objects.count() == 0


def test_bad_argument_exits_non_zero_from_the_shell():
    r = subprocess.run(
        [sys.executable, "manage.py", "createapikey", "alice", "--scopes", "everything"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode != 0
    assert "Unknown scope(s): everything" in r.stderr
    assert r.stdout == ""


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["key", "prefix", "bare prefix"])
def test_revokeapikey_by_key_or_prefix_stops_the_key(client, by):
    api_key, key = make_key(make_user("alice"), name="laptop")
    argument = {"key": key, "prefix": api_key.display_prefix, "bare prefix": api_key.prefix}[by]
    out, _ = run("revokeapikey", argument)
    assert out.strip() == f"Revoked {api_key.display_prefix} (laptop) of alice."
    assert client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    with pytest.raises(CommandError, match="already revoked"):
        run("revokeapikey", argument)


@pytest.mark.django_db
def test_listapikeys_lists_everyone_or_one_user_tab_separated():
    alice, bob = make_user("alice"), make_user("bob")
    a, _ = make_key(alice, scopes=["stats:read"], name="a-key")
    b, _ = make_key(bob, name="b-key")
    b.revoke()
    out, _ = run("listapikeys")
    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert lines[0] == ["prefix", "user", "name", "scopes", "status", "created", "expires", "last_used"]
    assert [line[:5] for line in lines[1:]] == [
        [a.display_prefix, "alice", "a-key", "stats:read", "active"],
        [b.display_prefix, "bob", "b-key", ",".join(ALL_SCOPES), "revoked"],
    ]
    only_bob, _ = run("listapikeys", "bob")
    assert len(only_bob.strip().splitlines()) == 2


@pytest.mark.django_db
def test_ensuredemo_gives_a_working_all_scope_key_and_replaces_the_old_one(client):
    first, _ = run("ensuredemo", "--empty")
    second, _ = run("ensuredemo", "--empty")
    key = second.split("API key (all scopes): ")[1].split()[0]
    old_key = first.split("API key (all scopes): ")[1].split()[0]
    assert f"curl -s http://127.0.0.1:8000/api/v1/trades -H 'Authorization: Bearer {key}'" in second
    assert client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").json()["scopes"] == list(ALL_SCOPES)
    assert client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {old_key}").status_code == 401
    password = second.split("password: ")[1].split()[0]
    assert get_user_model().objects.get(username="demo").check_password(password)


def test_make_manage_prints_only_what_the_command_prints():
    import json
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    r = subprocess.run(
        ["make", "--no-print-directory", "manage", 'ARGS=shell -v 0 -c "import json; print(json.dumps({\'ok\': 1}))"'],
        cwd=root, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(r.stdout) == {"ok": 1}
