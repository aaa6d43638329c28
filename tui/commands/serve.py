"""`labeldesk serve`: the app in a browser, behind the team's authenticating proxy
(docs/deployment.md, "Browser"). Everything web is imported only when the command runs."""

from __future__ import annotations

import click

from tui.cli_shared import common, user_errors
from tui.context import require_researcher, resolve


def register(cli: click.Group) -> None:
    @cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on (the proxy's side; keep it local).")
    @click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
    @click.option("--socket", "socket_path", metavar="PATH",
                  help="Listen on this Unix socket instead of --host/--port.")
    @common
    def serve(host: str, port: int, socket_path: str | None, db: str | None,
              config_path: str | None, labeler: str | None) -> None:
        """Serve the app to browsers: one app process per connection, the labeler named by
        the proxy's [web] user_header (see docs/deployment.md, "Browser")."""
        try:
            # here, not at the top: the web extra loads only for labeldesk serve
            from tui.web.policy import WebPolicy
            from tui.web.server import LabelDeskServer
        except ImportError as exc:
            raise click.ClickException(
                f"labeldesk serve needs the web extra (pip install 'labeldesk[web]'): {exc.name} "
                "is missing") from None
        ctx = resolve(db, config_path)
        database = ctx.open()
        require_researcher(database, labeler, "serve")
        with user_errors():
            policy = WebPolicy.from_config(ctx.config["web"])
        server = LabelDeskServer(database=database, db_target=str(ctx.db_path),
                                 config_path=str(ctx.config.path) if ctx.config.path else None,
                                 policy=policy, host=host, port=port, socket_path=socket_path)
        try:
            server.serve()
        except OSError as exc:  # the port is taken, the socket's directory is missing
            where = socket_path or f"{host}:{port}"
            raise click.ClickException(f"cannot listen on {where}: {exc.strerror or exc}") from None
