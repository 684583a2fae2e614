"""The `skills-match` command line."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from .config import Settings
from .errors import ImportRejected, SkillsMatchError
from .importer import ImportReport, import_courses, import_demand, read_rows
from .store import Store

CLI_ACTOR = "cli"


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _store(ctx: click.Context) -> Store:
    s = _settings(ctx)
    return Store(s.database, busy_timeout_ms=s.busy_timeout_ms)


def _progress(items: Iterable[Any], label: str) -> Iterable[Any]:
    items = list(items)
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


def _fail(exc: SkillsMatchError) -> None:
    """Print an error (and each row problem of a rejected import) and exit 1."""
    click.echo(f"Error: {exc.message}", err=True)
    report = exc.errors if isinstance(exc, ImportRejected) else None
    if isinstance(report, ImportReport):
        click.echo(f"{len(report.errors)} problem(s); nothing was imported:", err=True)
        for error in report.errors:
            click.echo(f"  row {error.row}  {error.field}: {error.message}", err=True)
    elif exc.errors:
        click.echo(json.dumps(exc.errors, indent=2, default=str), err=True)
    sys.exit(1)


@click.group()
@click.option(
    "--database",
    envvar="SKILLS_MATCH_DATABASE",
    help="SQLite database file (default: SKILLS_MATCH_DATABASE or var/skills-match.db).",
)
@click.version_option(package_name="skills-match")
@click.pass_context
def main(ctx: click.Context, database: str | None) -> None:
    """skills-match: digital skills courses, demand and matching for local skills partnerships."""
    overrides = {"database": database} if database else {}
    try:
        ctx.obj = {"settings": Settings.from_env(**overrides)}
    except SkillsMatchError as exc:
        _fail(exc)


@main.command()
@click.option("--seed/--no-seed", default=True, help="Load the illustrative seed catalogue.")
@click.pass_context
def init(ctx: click.Context, seed: bool) -> None:
    """Create or migrate the database and load reference and seed data (safe to re-run)."""
    from .bootstrap import initialise

    started = time.perf_counter()
    try:
        result = initialise(_settings(ctx), seed=seed, echo=click.echo, progress=_progress)
    except SkillsMatchError as exc:
        _fail(exc)
    for kind in ("courses", "demand"):
        if seed:
            click.echo(_summary(result["seed"][kind]))
    click.echo("Counts: " + ", ".join(f"{v:,} {k}" for k, v in result["counts"].items()))
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")


def _summary(report: ImportReport) -> str:
    verb = "would import" if report.dry_run else "imported"
    return (
        f"{report.source_name}: {verb} {report.rows_total:,} row(s): {report.inserted:,} new, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged."
    )


def _import(ctx: click.Context, kind: str, file: Path, fmt: str | None, **kwargs: Any) -> None:
    try:
        rows = read_rows(file, fmt, max_rows=None)
        with _store(ctx) as store:
            importer = import_courses if kind == "courses" else import_demand
            report = importer(
                store,
                rows,
                source_name=file.name,
                actor=CLI_ACTOR,
                progress=lambda items: _progress(items, f"Importing {kind}"),
                **kwargs,
            )
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(_summary(report))


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "jsonl"]),
    help="File format (default: from the file name, else sniffed).",
)
_dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Validate and report what would change; write nothing."
)


@main.command("import-courses")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--provider",
    "ukprn",
    help="UKPRN of the provider every row belongs to (else each row needs provider_ukprn).",
)
@_format_option
@_dry_run_option
@click.pass_context
def import_courses_command(
    ctx: click.Context, file: Path, ukprn: str | None, fmt: str | None, dry_run: bool
) -> None:
    """Import courses from a CSV or JSON file: all rows or none, upserting on provider_ref."""
    provider_id = None
    if ukprn:
        with _store(ctx) as store:
            provider = store.provider_by_ukprn(ukprn)
        if provider is None:
            raise click.BadParameter(f"No provider with UKPRN {ukprn}.", param_hint="--provider")
        provider_id = provider["id"]
    _import(ctx, "courses", file, fmt, provider_id=provider_id, dry_run=dry_run)


@main.command("import-demand")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_format_option
@_dry_run_option
@click.pass_context
def import_demand_command(ctx: click.Context, file: Path, fmt: str | None, dry_run: bool) -> None:
    """Import employer demand records: all rows or none, upserting on (source, source_ref)."""
    _import(ctx, "demand", file, fmt, dry_run=dry_run)


@main.command()
@click.option("--host", help="Address to bind (default SKILLS_MATCH_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default SKILLS_MATCH_PORT, 8000).")
@click.option("--workers", type=int, help="gunicorn workers (default SKILLS_MATCH_WORKERS).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API and pages with gunicorn."""
    settings = _settings(ctx)
    bind = f"{host or settings.host}:{port or settings.port}"
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers or settings.workers),
        # Build the app (and its model) once in the master, then fork: workers share it.
        "--preload",
        "--access-logfile",
        "-",
        "api:create_app()",
    ]
    env = {**os.environ, "SKILLS_MATCH_DATABASE": settings.database}
    click.echo(f"Serving on http://{bind}/api/v1/health", err=True)
    os.execvpe(args[0], args, env)



@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup_command(ctx: click.Context, file: Path) -> None:
    """Write a consistent copy of the database to FILE (safe while the service runs)."""
    from .backup import backup

    settings = _settings(ctx)
    try:
        info = backup(settings.database, file, settings.busy_timeout_ms)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(f"Backed up {settings.database} to {file}: {_describe(info)}")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_command(ctx: click.Context, file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup FILE (checked first)."""
    from .backup import restore

    settings = _settings(ctx)
    if not yes:
        click.confirm(f"Replace everything in {settings.database} with {file}?", abort=True)
    try:
        info = restore(file, settings.database, settings.busy_timeout_ms)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(f"Restored {file} into {settings.database}: {_describe(info)}")


def _describe(info: dict[str, Any]) -> str:
    return f"integrity {info['integrity']}, " + ", ".join(
        f"{v:,} {k}" for k, v in info.items() if k != "integrity"
    )

if __name__ == "__main__":
    main()
