"""The README stays honest: every setting, CLI command and API route is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skills_match.cli import main
from skills_match.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_settings_table_matches_the_code():
    block = README.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    documented = re.findall(r"^\| `(SKILLS_MATCH_[A-Z_]+)` \| `([^`]*)` \| (.+) \|$", block, re.M)
    assert documented == list(Settings.documentation())


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_cli_command_is_documented(command):
    assert f"`skills-match {command}" in README


def test_every_api_route_is_documented(app):
    routes = {
        (method, re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.startswith("/api/v1/docs")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = sorted(
        f"{method} {path}" for method, path in routes if f"`{method} {path}`" not in README
    )
    assert not missing, f"undocumented routes: {missing}"
