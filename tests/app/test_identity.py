"""The name a new installation's user starts with: the OS account's full name, else the login name."""

from __future__ import annotations

import json
import pwd
from pathlib import Path
from types import SimpleNamespace

import pytest

from boards_desktop import identity


def test_a_first_start_proposes_the_accounts_full_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pwd, "getpwuid", lambda _uid: SimpleNamespace(pw_gecos="Ada Lovelace,Room 12,,"))
    made = identity.load_identity(tmp_path)
    assert made.display_name == "Ada Lovelace"
    assert json.loads((tmp_path / "identity.json").read_text())["display_name"] == "Ada Lovelace"
    # Later starts keep what was written (Settings changes the name in the database, not here).
    monkeypatch.setattr(pwd, "getpwuid", lambda _uid: SimpleNamespace(pw_gecos="Someone Else"))
    assert identity.load_identity(tmp_path) == made


@pytest.mark.parametrize("gecos", ["", ",,,", "   "])
def test_without_a_full_name_the_login_name_is_proposed(gecos: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pwd, "getpwuid", lambda _uid: SimpleNamespace(pw_gecos=gecos))
    monkeypatch.setattr(identity.getpass, "getuser", lambda: "ada")
    assert identity.proposed_name() == "ada"


def test_without_a_passwd_entry_the_login_name_is_proposed(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(_uid: int) -> None:
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(pwd, "getpwuid", missing)
    monkeypatch.setattr(identity.getpass, "getuser", lambda: "ada")
    assert identity.proposed_name() == "ada"
