"""docs/formats.md names every key each importer reads and every field of the schema, and
every command that reads a file points to it, so the format reference cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import imports
from store.schema import load_schema
from tui.cli import cli

DOC = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}.*?(?=^## |\Z)", DOC, re.M | re.S)
    assert match, f"docs/formats.md has no section {title!r}"
    return match.group(0)


@pytest.mark.parametrize("title,keys", [
    ("Prompts", imports.PROMPT_KEYS),
    ("Outputs", imports.OUTPUT_KEYS),
    ("Labels", imports.LABEL_KEYS),
])
def test_every_key_an_importer_reads_is_documented(title, keys):
    section = _section(title)
    missing = [key for key in keys if f"`{key}`" not in section]
    assert not missing, f"docs/formats.md, {title}: {missing} not described"


def test_every_field_of_the_default_schema_is_documented():
    section = _section("Labels")
    for task, spec in load_schema().tasks.items():
        assert f"`{task}`" in section, task
        for field in spec.fields:
            assert f"`{field.name}`" in section, f"{task}.{field.name}"


@pytest.mark.parametrize("path", [("import", "prompts"), ("import", "outputs"),
                                  ("import", "labels"), ("quiz", "import")])
def test_commands_that_read_a_file_point_to_the_formats(path):
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "docs/formats.md" in result.output, path
