"""``personagen``: the one command line of the project (typer).

``api`` serves the HTTP API, ``worker`` runs the arq generator worker, ``migrate`` upgrades the
database, ``up`` runs the whole stack on one machine, ``import-legacy`` imports a Django
PersonaGen database. Each command imports its service lazily so that ``--help`` is instant and
a broken optional extra cannot stop the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="personagen",
    help="PersonaGen: personas, writing-sample analysis and LLM generation.",
    no_args_is_help=True,
    add_completion=False,
)

ROOT = Path(__file__).resolve().parents[1]


def _settings_or_exit():  # type: ignore[no-untyped-def]
    from personagen_shared.settings import SettingsError, get_settings

    try:
        return get_settings()
    except SettingsError as exc:
        typer.echo(f"personagen: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """Serve the persona API (OpenAPI docs at /docs)."""
    import uvicorn

    settings = _settings_or_exit()
    from personagen_shared.logging import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)
    uvicorn.run(
        "persona_api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
    )


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="Run the queued jobs, then exit.")] = False,
    check: Annotated[
        bool, typer.Option(help="Exit 0 if a worker's health check is recent (for probes).")
    ] = False,
) -> None:
    """Run the generator worker (arq) until stopped."""
    _settings_or_exit()
    from generator_worker.main import run_worker

    raise typer.Exit(run_worker(burst=burst, check=check))


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the database schema (alembic upgrade head)."""
    import os

    from alembic import command
    from alembic.config import Config

    if not os.environ.get("DATABASE_URL"):
        # Also reads DATABASE_URL from .env, like the services do.
        os.environ["DATABASE_URL"] = _settings_or_exit().database_url
    cfg = Config(str(ROOT / "alembic.ini"))
    command.upgrade(cfg, revision)
    typer.echo(f"database at {revision}")


@app.command("import-legacy")
def import_legacy(
    source: Annotated[
        str,
        typer.Argument(help="Django SQLite file, or postgresql:// URL, of a legacy PersonaGen."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", metavar="FILE", help="Also write the report as JSON.")
    ] = None,
) -> None:
    """Import users, personas and content from PersonaGen / PersonaGen05 (safe to re-run).

    Exit status: 0 done, 1 some users failed (rolled back; the rest imported), 2 bad input.
    """
    import os

    from personagen.legacy.console import run

    # Only the database is needed: DATABASE_URL, else the settings (which also read .env).
    database_url = os.environ.get("DATABASE_URL") or _settings_or_exit().database_url
    raise typer.Exit(run(source, database_url, dry_run=dry_run, report_path=report))


@app.command()
def up(
    data_dir: Annotated[
        Path, typer.Option(help="Data folder: database, secret key and logs.")
    ] = Path(".personagen"),
    port: Annotated[
        int | None,
        typer.Option(help="API port (default: 8000, or a free one if taken).", min=1, max=65535),
    ] = None,
    pg_bin: Annotated[
        str | None,
        typer.Option(help="Folder with initdb, pg_ctl, postgres.", envvar="PERSONAGEN_PG_BIN"),
    ] = None,
    install: Annotated[
        bool, typer.Option(help="Install the `local` extra with uv if the local LLM needs it.")
    ] = True,
) -> None:
    """Run the whole stack on this machine (PostgreSQL, Redis, a local LLM, API, worker)
    until Ctrl-C. DATABASE_URL, REDIS_URL and OPENAI_BASE_URL, when set, are used instead."""
    from personagen.stack import UpOptions, run_up

    options = UpOptions(data_dir=data_dir, port=port, pg_bin=pg_bin, install=install)
    raise typer.Exit(run_up(options))


if __name__ == "__main__":  # pragma: no cover
    app()
