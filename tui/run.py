"""Starting the app: identity, roster check, then Textual (imported only here)."""

from __future__ import annotations

import gc
import sys

import click

from store.errors import StoreError
from store.roster import add_labeler, role_of
from store.schema import load_schema
from tui.context import Context, who
from tui.terminal import has_terminal, served


def run_app(ctx: Context, labeler: str | None) -> None:
    # No cycle collection until the first frame (LabelDeskApp.on_ready resumes it): Python's
    # collector walked every object the imports made, Textual's and ours, again and again,
    # ~25 ms of a ~300 ms start.
    gc.disable()
    try:
        _run_app(ctx, labeler)
    finally:
        gc.enable()  # an app that ended before its first frame, or never ran


def _run_app(ctx: Context, labeler: str | None) -> None:
    db = ctx.open(sandbox=True)  # labeling on the demo is what it is for
    name, _explicit = who(labeler)
    try:
        role = role_of(db, name)
    except StoreError as exc:
        if not (ctx.is_demo or ctx.config["identity"]["self_register"]):
            raise click.ClickException(str(exc)) from None
        try:
            add_labeler(db, name, "labeler")
        except StoreError as exc:  # an OS user name a spreadsheet or terminal could act on
            raise click.ClickException(str(exc)) from None
        role = "labeler"
    # here, not at the top: the CLI path never loads textual (tests/test_import_hygiene.py)
    from tui.app import LabelDeskApp

    try:
        schema = load_schema(ctx.config["schema"]["path"] or None)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None

    if not (has_terminal() or served()):
        # `ssh host labeldesk` without -t, or a pipe: no keys will ever come, and Textual
        # would spin on the closed input.
        raise click.ClickException("labeldesk app needs a terminal (with ssh, use ssh -t)")
    app = LabelDeskApp(db=db, labeler=name, role=role, config=ctx.config, schema=schema)
    try:
        app.run()
    finally:
        app.end_session()  # however the app ended: its tasks wait for the next session
        db.close()  # a replaced file's log is folded into the old file here (store/wal_owner.py)
    if app.return_code:
        sys.exit(app.return_code)
