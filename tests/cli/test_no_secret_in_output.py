"""No password ever reaches any output: every command, run with a database URL that carries
one (in its user info, as `?password=`, in a URL too malformed to parse), prints neither the
password nor a traceback holding it, whether it succeeds or fails."""

from __future__ import annotations

import secrets
import uuid

import click
import pytest

from store.db import open_db
from tests.cli.subproc import labeldesk_here

from ..conftest import BACKENDS, DATA, fill_sample

SECRET = "S3cr3t-" + secrets.token_hex(4)
needs_postgres = pytest.mark.skipif("postgres" not in BACKENDS,
                                    reason="LABELDESK_TEST_BACKENDS leaves PostgreSQL out")


def every_command() -> list[tuple[str, ...]]:
    """Each leaf command of `labeldesk` as the words that name it."""
    from tui.cli import cli, register_commands

    register_commands()

    found: list[tuple[str, ...]] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name, command in sorted(group.commands.items()):
            if isinstance(command, click.Group):
                walk(command, (*prefix, name))
            else:
                found.append((*prefix, name))

    walk(cli, ())
    return found


def arguments(words: tuple[str, ...], url: str, tmp_path) -> list[str]:
    """A plausible command line: the URL as every database, something for every other
    required argument or option (a real input file, a name from the roster, an output file)."""
    from tui.cli import cli

    command: click.Command = cli
    for word in words:
        command = command.commands[word]  # type: ignore[attr-defined]
    args = list(words)
    for param in command.params:
        if isinstance(param, click.Argument):
            if param.name in ("src", "dst"):
                args.append(url)
            elif isinstance(param.type, click.Path):
                args.append(str(DATA / "prompts.jsonl"))
            else:
                args.append("alice")
        elif param.name == "db":
            args += ["--db", url]
        elif param.required:
            args += [param.opts[0], str(tmp_path / "out.jsonl") if param.name == "out" else "alice"]
    if words == ("serve",):  # a socket it cannot bind: the command ends instead of serving
        args += ["--socket", str(tmp_path / "no-such-directory" / "web.sock")]
    return args


def assert_clean(args: list[str]) -> None:
    done = labeldesk_here(*args, env={"LABELDESK_LABELER": "rhea"})
    output = done.stdout + done.stderr
    assert SECRET not in output, (args, output)
    assert "Traceback" not in output, (args, output)


def test_the_walk_finds_the_commands():
    commands = every_command()
    assert {("init",), ("db", "copy"), ("export", "labels"), ("import", "prompts")} <= set(commands)
    assert len(commands) >= 20


def test_a_url_too_malformed_to_parse(tmp_path):
    url = f"postgresql://owner:{SECRET}@[::1/labels"
    for words in every_command():
        assert_clean(arguments(words, url, tmp_path))


@needs_postgres
@pytest.mark.parametrize("where", ["user info", "query"])
def test_every_command_with_a_password_in_the_url(pg_cluster, tmp_path, where):
    url = pg_cluster.new_database()
    try:
        database = open_db(url)
        fill_sample(database)
        database.close()
        # The test cluster trusts its socket: the password is carried, never checked.
        secret_url = (url.replace("postgres@", f"postgres:{SECRET}@") if where == "user info"
                      else f"{url}&password={SECRET}")
        for words in every_command():
            assert_clean(arguments(words, secret_url, tmp_path))
    finally:
        pg_cluster.drop(url)


@needs_postgres
def test_an_app_role_opening_a_database_that_needs_migrating(pg_cluster):
    """The labelers' role cannot migrate: the refusal names the database, masked."""
    import psycopg

    from store.migrations import LATEST

    url = pg_cluster.new_database()
    role = f"app_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(url, autocommit=True)
    try:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"GRANT SELECT ON schema_version TO {role}")
        admin.execute("UPDATE schema_version SET version = %s", [LATEST - 1])
        app_url = url.replace("postgres@", f"{role}:{SECRET}@")
        done = labeldesk_here("stats", "--db", app_url)
        assert done.returncode == 1
        assert SECRET not in done.stdout + done.stderr and "Traceback" not in done.stderr
        assert f"{role}:***@" in done.stderr, done.stderr
    finally:
        admin.execute("UPDATE schema_version SET version = %s", [LATEST])
        admin.execute(f"REVOKE ALL ON schema_version FROM {role}")
        admin.close()
        pg_cluster.drop(url)
