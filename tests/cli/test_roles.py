"""Researcher-only commands run only for researchers in the roster: a labeler (named by
--labeler or LABELDESK_LABELER) and anyone the roster does not know (the OS user included) are
refused. `labeldesk init` makes its creator the first researcher."""

from __future__ import annotations

import getpass
import json
import sqlite3

import pytest

from tests.cli.subproc import labeldesk, labeldesk_here, one_line_error


@pytest.fixture(scope="module")
def roster_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("roles") / "desk.db"
    done = labeldesk_here("init", "--db", str(path), env={"LABELDESK_LABELER": "rita"})
    assert done.stdout == f"{path}: ready; rita is its first researcher\n"
    done = labeldesk_here("labelers", "add", "alice", "--db", str(path), env={"LABELDESK_LABELER": "rita"})
    assert done.returncode == 0, done.stderr
    assert getpass.getuser() not in ("rita", "alice")  # the OS user is not in this roster
    files = path.parent
    (files / "prompts.jsonl").write_text(json.dumps({"id": "p1", "text": "hi"}) + "\n")
    (files / "outputs.jsonl").write_text(
        json.dumps({"id": "o1", "prompt_id": "p1", "text": "a"}) + "\n")
    (files / "labels.jsonl").write_text(json.dumps(
        {"labeler": "rita", "task": "demonstration", "item": "p1", "field": "text", "value": "x"}) + "\n")
    return path


RESEARCHER_ONLY = [
    ("import", "prompts", "{files}/prompts.jsonl"),
    ("import", "outputs", "{files}/outputs.jsonl"),
    ("import", "labels", "{files}/labels.jsonl"),
    ("export", "labels", "--out", "{files}/out.jsonl"),
    ("export", "sft", "--out", "{files}/out.jsonl"),
    ("export", "pairs", "--out", "{files}/out.jsonl"),
    ("export", "ppo", "--out", "{files}/out.jsonl"),
    ("agreement",),
    ("quiz", "assign", "screening", "--labelers", "alice"),
    ("labelers", "add", "mallory", "--role", "researcher"),
]


# A renamed or missing command fails here (click's "No such command"), never skips.
# `agreement --labeler` picks whose figures to show; the asker is LABELDESK_LABELER or the OS
# user, so it is asked only through the environment.
REFUSALS = [
    pytest.param(command, how, id=f"{how}-{' '.join(command[:2])}")
    for how in ("flag", "env") for command in RESEARCHER_ONLY
    if not (how == "flag" and command == ("agreement",))
]


def roster(path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, role FROM labelers ORDER BY name").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("command, how", REFUSALS)
def test_a_labeler_is_refused(roster_db, command, how):
    args = [a.format(files=roster_db.parent) for a in command] + ["--db", str(roster_db)]
    if how == "flag":
        done = labeldesk_here(*args, "--labeler", "alice")
    else:
        done = labeldesk_here(*args, env={"LABELDESK_LABELER": "alice"})
    line = one_line_error(done)
    assert "alice" in line and "researcher" in line
    assert not (roster_db.parent / "out.jsonl").exists()


@pytest.mark.parametrize("command", RESEARCHER_ONLY, ids=lambda c: " ".join(c[:2]))
def test_an_os_user_not_in_the_roster_is_refused(roster_db, command):
    """Root included: `labelers add mallory --role researcher` is no way in."""
    before = roster(roster_db)
    args = [a.format(files=roster_db.parent) for a in command] + ["--db", str(roster_db)]
    line = one_line_error(labeldesk_here(*args))
    user = getpass.getuser()
    assert line == (f"Error: {user!r} is not in the roster; `{' '.join(command[:2])}` is for "
                    f"researchers (one adds you with `labeldesk labelers add {user} --role researcher`)")
    assert roster(roster_db) == before
    assert not (roster_db.parent / "out.jsonl").exists()


def test_the_creator_is_the_first_researcher_and_only_the_first(tmp_path):
    path = tmp_path / "desk.db"
    user = getpass.getuser()
    assert labeldesk_here("init", "--db", str(path)).stdout == f"{path}: ready; {user} is its first researcher\n"
    assert labeldesk_here("labelers", "add", "mallory", "--role", "researcher", "--db", str(path)).returncode == 0
    # A second init (an upgrade) by someone else changes nobody's role.
    again = labeldesk_here("init", "--db", str(path), env={"LABELDESK_LABELER": "eve"})
    assert again.stdout == f"{path}: ready\n"
    assert roster(path) == sorted([("mallory", "researcher"), (user, "researcher")])


def test_a_researcher_is_not_refused(tmp_path, roster_db):
    for command in RESEARCHER_ONLY[:4]:  # in this order: outputs need their prompts
        args = [a.format(files=roster_db.parent).replace("out.jsonl", "out-rita.jsonl")
                for a in command]
        done = labeldesk_here(*args, "--db", str(roster_db), "--labeler", "rita")
        assert done.returncode == 0, (command, done.stderr)


def test_an_unknown_name_given_explicitly_is_refused(roster_db):
    """In a real process, like every refusal above before they moved in-process: exit code 1."""
    line = one_line_error(labeldesk("export", "labels", "--out", "-", "--db", str(roster_db),
                                    "--labeler", "nobody"))
    assert "nobody" in line
