"""Every config key's type and range is checked when the file is loaded: one line naming the
file, the key and the problem, exit 1; a config or keys file too large or too deeply nested is
refused unread. Each of these loaded before and broke later (IndexError on `c`,
AttributeError on `v`, RecursionError or a 20-40 s start-up)."""

from __future__ import annotations

import pytest

from tests.cli.subproc import labeldesk_here, one_line_error
from tui.config import MAX_BYTES, MAX_KEYS, ConfigError, load_config
from tui.keymap import read_keys


@pytest.mark.parametrize("text, problem", [
    ("[comparison]\nsteps = []\n", "comparison.steps: must list at least one"),
    ("[comparison]\nsteps = ['ranking', 'ranking']\n", "comparison.steps: names an item twice"),
    ("[surveys]\nextra_statements = [1]\n", "surveys.extra_statements: item 1 must be a string, not 1"),
    ("[surveys]\nextra_statements = ['ok', ['x']]\n", "surveys.extra_statements: item 2 must be a string"),
    ("[web]\norigins = [true]\n", "web.origins: item 1 must be a string"),
    ("[web]\ntrusted_proxies = [127]\n", "web.trusted_proxies: item 1 must be a string"),
    ("[adjudication]\nsensitive_fields = [3]\n", "adjudication.sensitive_fields: item 1 must be a string"),
    ("[rules]\nsplits = { train = 'most' }\n", "rules.splits: train must be a number"),
    ("[rules]\nsplits = { train = nan }\n", "rules.splits: train must be a number"),
    ("[overlap]\ncomparison = 0\n", "overlap.comparison: must be at least 1, not 0"),
    ("[queue]\nlease_minutes = 0\n", "queue.lease_minutes: must be at least 1"),
    ("[queue]\nwindow = 0\n", "queue.window: must be from 1 to 1000"),
    ("[queue]\nwindow = 2.5\n", "queue.window: must be an integer"),
    ("[screening]\nflag_agreement = 1.5\n", "screening.flag_agreement: must be from 0 to 1"),
    ("[screening]\ndemonstration_score = inf\n", "screening.demonstration_score: must be a finite number"),
    ("[web]\nmax_sessions = 0\n", "web.max_sessions: must be at least 1"),
    ("[comparison]\nstrength = 'yes'\n", "comparison.strength: must be true/false, not 'yes'"),
    ("[comparison]\nreason = 'always'\n", "comparison.reason: must be one of off, optional, close"),
    ("[comparison]\nreason = true\n", "comparison.reason: must be a string, not True"),
])
def test_a_bad_value_is_refused_at_load(tmp_path, text, problem):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {problem}" or str(caught.value).startswith(
        f"{path}: {problem}"), str(caught.value)


def test_the_command_says_it_in_one_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[comparison]\nsteps = []\n")
    line = one_line_error(labeldesk_here("app", "--db", str(tmp_path / "x.db"), "--config", str(path)))
    assert line == f"Error: {path}: comparison.steps: must list at least one"


def test_the_defaults_and_the_example_load(tmp_path):
    from tests.conftest import ROOT

    load_config(ROOT / "config.example.toml")
    load_config(None)


@pytest.mark.parametrize("name", ["config", "keys"])
def test_nesting_2000_deep_is_refused_not_a_recursion_error(tmp_path, name):
    path = tmp_path / f"{name}.toml"
    path.write_text("x = " + "[" * 2000 + "]" * 2000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path) if name == "config" else read_keys(path)
    path.write_text("[keys]\nx = " + "[" * 20 + "]" * 20 + "\n")  # parses, still too deep
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path) if name == "config" else read_keys(path)


def test_a_huge_keys_file_is_refused_at_once(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text("".join(f'"k{n}" = "x"\n' for n in range(300_000)))
    with pytest.raises(ConfigError, match="larger than a keys file can be"):
        read_keys(path)
    assert path.stat().st_size > MAX_BYTES
    path.write_text("".join(f'"k{n}" = "x"\n' for n in range(MAX_KEYS + 1)))  # small, too many
    with pytest.raises(ConfigError, match=f"more than {MAX_KEYS}"):
        read_keys(path)
    path.write_text("[keys]\n" + "".join(f'"k{n}" = "x"\n' for n in range(MAX_KEYS + 1)))
    with pytest.raises(ConfigError, match=f"keys: {MAX_KEYS + 1} entries, more than {MAX_KEYS}"):
        load_config(path)


def test_the_demo_asks_for_strength_and_reasons_unless_the_file_says_otherwise(tmp_path):
    assert load_config(None)["comparison"]["strength"] is False  # off by default
    assert load_config(None)["comparison"]["reason"] == "off"
    demo = load_config(None)
    demo.for_demo()
    assert (demo["comparison"]["strength"], demo["comparison"]["reason"]) == (True, "optional")
    path = tmp_path / "c.toml"
    path.write_text("[comparison]\nstrength = false\nreason = 'close'\n")
    mine = load_config(path)
    mine.for_demo()
    assert (mine["comparison"]["strength"], mine["comparison"]["reason"]) == (False, "close")


def test_a_bad_reason_setting_is_one_line_and_exit_1(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[comparison]\nreason = 'sometimes'\n")
    line = one_line_error(labeldesk_here("app", "--db", str(tmp_path / "x.db"), "--config", str(path)))
    assert line == f"Error: {path}: comparison.reason: must be one of off, optional, close"
