"""`labeldesk quiz import|assign|list`: screening quizzes for new hires (labeling-guidelines §8).

Thin wrappers over `store.quiz.admin`; the screening report is `labeldesk agreement --quiz NAME`.
"""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli_shared import common, user_errors
from tui.context import require_researcher, resolve


def register(cli: click.Group) -> None:
    @cli.group("quiz")
    def quiz_group() -> None:
        """Screening quizzes: import a quiz file, assign it, list quizzes and who took them."""

    @quiz_group.command("import")
    @click.argument("file", type=click.Path(dir_okay=False))
    @common
    def quiz_import(file: str, db: str | None, config_path: str | None,
                    labeler: str | None) -> None:
        """Import a quiz file (see quiz.example.toml and docs/formats.md) with its gold answers."""
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.quiz.admin import import_quiz
        from store.quiz.file import QuizFileError
        from store.schema import load_schema

        ctx = resolve(db, config_path)
        database = ctx.open()
        require_researcher(database, labeler, "quiz import")
        with user_errors():
            try:
                result = import_quiz(database, Path(file),
                                     schema=load_schema(ctx.config["schema"]["path"] or None))
            except QuizFileError as exc:
                raise click.ClickException(str(exc)) from None
        if result.unchanged:
            click.echo(f"{file}: quiz {result.name} already imported ({result.gold} gold values checked)")
        else:
            click.echo(f"{file}: quiz {result.name}: {result.items} items, {result.gold} gold values")

    @quiz_group.command("assign")
    @click.argument("name")
    @click.option("--labelers", required=True, metavar="A,B", help="Comma-separated labeler names.")
    @common
    def quiz_assign(name: str, labelers: str, db: str | None, config_path: str | None,
                    labeler: str | None) -> None:
        """Assign quiz NAME to labelers: it is the first thing their home screen offers."""
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.quiz.admin import assign_quiz

        database = resolve(db, config_path).open()
        require_researcher(database, labeler, "quiz assign")
        names = [n.strip() for n in labelers.split(",") if n.strip()]
        if not names:
            raise click.UsageError("--labelers needs at least one name")
        with user_errors():
            added = assign_quiz(database, name, names)
        already = [n for n in names if n not in added]
        click.echo(f"{name}: assigned to {', '.join(added) or 'nobody new'}"
                   + (f" (already: {', '.join(already)})" if already else ""))

    @quiz_group.command("list")
    @common
    def quiz_list(db: str | None, config_path: str | None, labeler: str | None) -> None:
        """Quizzes with their items, and how many of those assigned have submitted."""
        # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
        from store.quiz.admin import list_quizzes

        database = resolve(db, config_path).open(read_only=True)
        require_researcher(database, labeler, "quiz list")
        quizzes = list_quizzes(database)
        if not quizzes:
            click.echo("no quizzes yet (`labeldesk quiz import FILE` adds one)")
        for q in quizzes:
            items = ", ".join(f"{n} {section}" for section, n in q.items.items())
            click.echo(f"{q.name}\t{items}\t{q.submitted}/{q.assigned} submitted")
