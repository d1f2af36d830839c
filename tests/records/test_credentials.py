"""Credentials and scopes (xAPI 1.0.3 section 6.4; 2.0 section 4.1.6)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lifelong.config import Settings
from lifelong.errors import BadRequest, Conflict
from lifelong.records.credentials import XapiClient, create_credential, parse_scopes, verify
from tests.factories import make_branch


def basic(key: str, secret: str) -> str:
    """An HTTP Basic header value."""
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def test_create_and_verify(db: Session, settings: Settings) -> None:
    """A credential verifies with its secret, not with another one; the secret is hashed."""
    branch = make_branch(db, "GD")
    credential, key, secret = create_credential(
        db, name="gd-lms", scopes="statements/write,statements/read/mine", branch_code="GD"
    )
    assert credential.secret_hash != secret and len(credential.secret_hash) == 64
    assert credential.branch_id == branch.id
    client = verify(db, key, secret, settings.iri_base)
    assert client is not None and client.branch_code == "GD"
    assert client.authority["account"]["name"] == "gd-lms"
    assert verify(db, key, secret + "x", settings.iri_base) is None
    assert verify(db, "nokey", secret, settings.iri_base) is None


def test_duplicate_name_and_bad_scope(db: Session) -> None:
    """Names are unique; unknown scopes are refused by name."""
    create_credential(db, name="a", scopes="all")
    with pytest.raises(Conflict):
        create_credential(db, name="a", scopes="all")
    with pytest.raises(BadRequest, match="bogus"):
        parse_scopes("all,bogus")


@pytest.mark.parametrize(
    ("scopes", "scope", "read", "allowed"),
    [
        ({"all"}, "statements/write", False, True),
        ({"all/read"}, "statements/read", True, True),
        ({"all/read"}, "statements/write", False, False),
        ({"all/read"}, "state", True, True),
        ({"all/read"}, "state", False, False),
        ({"statements/write"}, "statements/read", True, False),
        ({"statements/read/mine"}, "statements/read", True, True),
        ({"statements/read"}, "statements/write", False, False),
        ({"state"}, "state", False, True),
        ({"state"}, "profile", True, False),
        ({"profile"}, "profile", False, True),
        ({"define"}, "define", False, True),
    ],
)
def test_scope_semantics(scopes: set[str], scope: str, read: bool, allowed: bool) -> None:
    """Scopes mean what xAPI 1.0.3 section 6.4.2 says."""
    client = XapiClient("c", frozenset(scopes), None, {})
    assert client.may(scope, read=read) is allowed


def test_read_mine_only() -> None:
    """statements/read/mine alone restricts reads to the client's own statements."""
    assert XapiClient("c", frozenset({"statements/read/mine"}), None, {}).reads_only_mine
    assert not XapiClient("c", frozenset({"all/read"}), None, {}).reads_only_mine


def test_cli_prints_key_and_secret(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """`lifelong xapi credentials create` prints exactly two lines: key and secret."""
    from lifelong import config
    from lifelong.cli import app

    monkeypatch.setenv("LIFELONG_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LIFELONG_DATABASE_URL", settings.resolved_database_url)
    config.get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["xapi", "credentials", "create", "--name", "x"])
    finally:
        config.get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("key: ") and lines[1].startswith("secret: ")
