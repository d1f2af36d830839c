"""The README documents every setting and the demo accounts (datasette-style docs test)."""

from __future__ import annotations

from pathlib import Path

from lifelong.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table() -> None:
    missing = [name for name in Settings.model_fields if f"`LIFELONG_{name.upper()}`" not in README]
    assert missing == [], f"settings missing from README's configuration table: {missing}"


def test_readme_lists_the_demo_accounts_and_the_two_commands() -> None:
    for account in ("hq_admin", "analyst", "bj_admin", "teacher", "learner", "demo1234"):
        assert f"`{account}`" in README
    assert "make demo" in README
    assert "make test" in README
