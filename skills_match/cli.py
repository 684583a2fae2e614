"""The `skills-match` command line."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .config import Settings
from .errors import ImportRejected, SkillsMatchError
from .feeds import MAPPABLE_FIELDS, parse_mapping, read_mapping_file

if TYPE_CHECKING:
    from .importer import ImportReport
    from .store import Store

# The store (sqlite-utils), the importer (marshmallow, numpy) and the engine are imported by
# the commands that use them, so `--help` and light commands start in a fraction of a second.

CLI_ACTOR = "cli"


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _store(ctx: click.Context) -> Store:
    from .store import Store

    s = _settings(ctx)
    return Store(s.database, busy_timeout_ms=s.busy_timeout_ms)


def _progress(items: Iterable[Any], label: str) -> Iterable[Any]:
    items = list(items)
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


def _fail(exc: SkillsMatchError) -> None:
    """Print an error (and each row problem of a rejected import) and exit 1."""
    from .importer import ImportReport

    click.echo(f"Error: {exc.message}", err=True)
    report = exc.errors if isinstance(exc, ImportRejected) else None
    if isinstance(report, ImportReport):
        click.echo(f"{len(report.errors)} problem(s); nothing was imported:", err=True)
        for error in report.errors:
            click.echo(f"  {error}", err=True)
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
@click.option(
    "--no-seed-courses", is_flag=True, help="Load no seed courses (seed demand still loads)."
)
@click.option(
    "--no-seed-demand",
    is_flag=True,
    help="Load no seed demand, e.g. when real vacancy feeds will be imported.",
)
@click.pass_context
def init(ctx: click.Context, seed: bool, no_seed_courses: bool, no_seed_demand: bool) -> None:
    """Create or migrate the database and load reference and seed data (safe to re-run).

    Seed records loaded by an earlier run stay: `skills-match remove-seed` removes them.
    """
    from .bootstrap import initialise

    started = time.perf_counter()
    # init is a batch job with the machine to itself: embed the taxonomy on every core
    # (the service's one thread per worker is the wrong shape here), unless set explicitly.
    os.environ.setdefault("SKILLS_MATCH_ONNX_THREADS", str(os.cpu_count() or 1))
    _export_model(_settings(ctx), force=False, required=False)
    try:
        result = initialise(
            _settings(ctx),
            seed=seed,
            echo=click.echo,
            progress=_progress,
            seed_courses=not no_seed_courses,
            seed_demand=not no_seed_demand,
        )
    except SkillsMatchError as exc:
        _fail(exc)
    for kind in ("courses", "demand"):
        if kind in result.get("seed", {}):
            click.echo(_summary(result["seed"][kind]))
    click.echo("Counts: " + ", ".join(f"{v:,} {k}" for k, v in result["counts"].items()))
    if result.get("keys"):
        _echo_try_out_keys(result["keys"], _settings(ctx))
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")


def _echo_try_out_keys(keys: list[dict[str, Any]], settings: Settings) -> None:
    """Print the try-out keys of a first seeded install: the only time they are shown."""
    click.echo("")
    click.echo("Sign-in keys for trying skills-match (shown only now; only their hashes are kept):")
    for issued in keys:
        provider = issued["provider"]
        of = f"  ({provider['name']}, UKPRN {provider['ukprn']})" if provider else ""
        click.echo(f"  {issued['role']:<12} {issued['key']}{of}")
    click.echo(
        f"Sign in at http://{settings.host}:{settings.port}/ or send one as "
        "'Authorization: Bearer KEY'. They work while SKILLS_MATCH_API_KEY_PEPPER is unchanged; "
        "`skills-match remove-seed` revokes them. Real keys: `skills-match create-key`."
    )
    click.echo("")


def _export_model(settings: Settings, force: bool, required: bool) -> None:
    """Export the embedding model to ONNX unless a current export is there.

    ``init`` does this first (not ``required``: if it fails, everything still works through
    PyTorch, so it warns and carries on); `export-model` fails on an error.
    """
    from .embeddings import model_path
    from .onnx_model import export

    try:
        export(model_path(), settings.onnx_model, force=force, echo=click.echo)
    except SkillsMatchError as exc:
        if required:
            _fail(exc)
        click.echo(f"Warning: {exc.message} Embedding will use PyTorch.", err=True)


@main.command("export-model")
@click.option("--force", is_flag=True, help="Export again even if the current file is valid.")
@click.pass_context
def export_model_command(ctx: click.Context, force: bool) -> None:
    """Export the embedding model to ONNX (SKILLS_MATCH_ONNX_MODEL), checked; safe to re-run.

    Skipped when the file is there and was made from the installed model's weights.
    """
    _export_model(_settings(ctx), force=force, required=True)


def _summary(report: ImportReport) -> str:
    from .importer import DUPLICATE_WINDOW_DAYS

    verb = "would import" if report.dry_run else "imported"
    text = (
        f"{report.source_name}: {verb} {report.rows_total:,} row(s): {report.inserted:,} new, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged."
    )
    if report.duplicates:
        text += (
            f"\n  {len(report.duplicates):,} repost(s) of another advert, counted once "
            "(same employer, title and authority within "
            f"{DUPLICATE_WINDOW_DAYS} days)."
        )
    if report.unplaced:
        text += f"\n  {len(report.unplaced):,} advert(s) could not be placed and are kept aside:"
        for item in report.unplaced[:20]:
            text += f"\n    row {item['row']} ({item['source_ref']}): {item['reason']}"
        if len(report.unplaced) > 20:
            text += (
                f"\n    ... and {len(report.unplaced) - 20:,} more (GET /api/v1/demand/unplaced)"
            )
    return text


def _import(
    ctx: click.Context,
    kind: str,
    file: Path,
    fmt: str | None,
    rows: list[dict[str, Any]] | None = None,
    **kwargs: Any,
) -> None:
    from .engine import EngineLinker
    from .importer import import_courses, import_demand, read_rows

    try:
        if rows is None:
            rows = read_rows(file, fmt, max_rows=None)
        with _store(ctx) as store:
            importer = import_courses if kind == "courses" else import_demand
            report = importer(
                store,
                rows,
                source_name=file.name,
                actor=CLI_ACTOR,
                # Rows without explicit skills get them by extraction from their text.
                linker=EngineLinker(_settings(ctx)),
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
_feed_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "jsonl", "html"]),
    help="File format (default: from the file name, else sniffed). JSON, JSON lines and "
    "HTML (JSON-LD) may hold schema.org JobPostings.",
)
_dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Validate and report what would change; write nothing."
)


@main.command("remove-seed")
@click.option("--courses/--no-courses", default=True, help="Remove the seed courses.")
@click.option("--demand/--no-demand", default=True, help="Remove the seed demand.")
@click.pass_context
def remove_seed_command(ctx: click.Context, courses: bool, demand: bool) -> None:
    """Delete the illustrative seed courses and/or demand; imported records stay."""
    from .seed import remove_seed

    with _store(ctx) as store:
        removed = remove_seed(store, courses=courses, demand=demand)
    click.echo("Removed: " + ", ".join(f"{v:,} {k}" for k, v in removed.items()))


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
@_feed_format_option
@click.option(
    "--source",
    help="Name of the feed, for records that do not name one (default: the file's name).",
)
@click.option(
    "--map",
    "map_items",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="CSV only: read our FIELD from the file's COLUMN, e.g. --map 'job_title=Job Title'. "
    "Repeat for each field. Fields: " + ", ".join(MAPPABLE_FIELDS) + ".",
)
@click.option(
    "--map-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A saved mapping: lines of FIELD=COLUMN (# comments allowed) or a JSON object.",
)
@_dry_run_option
@click.pass_context
def import_demand_command(
    ctx: click.Context,
    file: Path,
    fmt: str | None,
    source: str | None,
    map_items: tuple[str, ...],
    map_file: Path | None,
    dry_run: bool,
) -> None:
    """Import employer demand or job feeds: all rows or none, upserting on (source, source_ref).

    Records without a local_authority are placed from their postcode, coordinates or town
    (ONS Postcode Directory); adverts that cannot be placed are kept aside and listed.
    """
    from .geo import locator_for
    from .importer import read_demand_rows

    try:
        mapping = read_mapping_file(map_file.read_text(encoding="utf-8")) if map_file else {}
        for field, column in parse_mapping(map_items).items():
            mapping[field] = column  # --map overrides the file
        rows = read_demand_rows(
            file, fmt, max_rows=None, source=source or file.stem, mapping=mapping or None
        )
    except SkillsMatchError as exc:
        _fail(exc)
    locator = locator_for(_settings(ctx).data_dir)
    _import(ctx, "demand", file, fmt, rows=rows, locator=locator, dry_run=dry_run)


SERVE_APP = "api.wsgi:app"


def gunicorn_command(bind: str, workers: int, app: str = SERVE_APP) -> list[str]:
    """The gunicorn command line `serve` runs (the serve-start benchmark swaps the app)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        # Build the app (and its model) once in the master, then fork: workers share it.
        "--preload",
        # Workers leave without destroying the inherited model session (see the module).
        "--config",
        "python:api.gunicorn_hooks",
        "--access-logfile",
        "-",
        app,
    ]


@main.command()
@click.option("--host", help="Address to bind (default SKILLS_MATCH_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default SKILLS_MATCH_PORT, 8000).")
@click.option("--workers", type=int, help="gunicorn workers (default SKILLS_MATCH_WORKERS).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API and pages with gunicorn."""
    settings = _settings(ctx)
    bind = f"{host or settings.host}:{port or settings.port}"
    args = gunicorn_command(bind, workers or settings.workers)
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


@main.command("match")
@click.option(
    "--request",
    "request_file",
    type=click.File("r", encoding="utf-8"),
    help="A match request as JSON (the API's body; '-' for stdin). Flags below override it.",
)
@click.option("--skills", help="The person's skills in their own words (free text).")
@click.option("--skill", "phrases", multiple=True, help="One skill phrase (repeat).")
@click.option("--skill-id", "skill_ids", multiple=True, help="A skill they have, by id.")
@click.option("--not-held", multiple=True, help="Correction: a skill id they do not have (repeat).")
@click.option("--occupation", help="Target: an ESCO occupation id or name.")
@click.option("--demand-id", type=int, help="Target: a stored demand record id.")
@click.option(
    "--advert", type=click.File("r", encoding="utf-8"), help="Target: a job advert text file."
)
@click.option("--target-skill", multiple=True, help="Target: a skill id it needs (repeat).")
@click.option("--optional-skill", multiple=True, help="Target: a skill id it would like.")
@click.option("--need", multiple=True, help="Target: a skill in words, e.g. 'Power BI' (repeat).")
@click.option("--area-demand", is_flag=True, help="Area mode: the area's largest unmet demand.")
@click.option("--area", help="Where the person lives: postcode, town, council name or GSS code.")
@click.option("--eds", multiple=True, help="EDS self-assessment AREA=none|entry3|level1.")
@click.option("--delivery-mode", multiple=True, help="Acceptable delivery mode (repeat).")
@click.option("--study-mode", multiple=True, help="Acceptable study mode (repeat).")
@click.option("--attendance", multiple=True, help="Acceptable attendance pattern (repeat).")
@click.option("--max-weeks", type=float, help="Longest acceptable duration in weeks.")
@click.option("--start-from", help="Earliest start date (YYYY-MM-DD; default today).")
@click.option("--start-before", help="Latest start date (YYYY-MM-DD).")
@click.option("--funded-only", is_flag=True, help="Only courses free to the learner.")
@click.option("--max-cost", type=float, help="Highest acceptable cost in pounds.")
@click.option("--age", type=int, help="The person's age.")
@click.option("--age-band", help="Or their age band: 16-18, 19-23, 24+.")
@click.option("--employment-status", help="employed, unemployed, self_employed, ...")
@click.option("--min-level", help="Lowest qualification level (E1..L8).")
@click.option("--max-level", help="Highest qualification level (E1..L8).")
@click.option("--nearby", is_flag=True, help="Include the same county / combined authority.")
@click.option("--max-km", type=float, help="How far the person can travel (km; default 20).")
@click.option(
    "--only-my-authority", is_flag=True, help="Only courses in the person's own council area."
)
@click.option("--limit", type=int, help="How many courses to show (default 10, at most 50).")
@click.option("--pathway", is_flag=True, help="Show up to 3 courses in order instead.")
@click.option("--as-of", help="Search as if today were this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def match_command(ctx: click.Context, request_file: Any, **flags: Any) -> None:
    """Rank courses for a person's digital skill gap (or a pathway), with explanations.

    Nothing about the person is stored. Example:

        skills-match match --skills "MS Excel, email" --occupation "office clerk"
        --area Knowsley --funded-only
    """
    from datetime import date

    from .engine import get_engine
    from .matcher import Matcher, render_text, request_from_flags

    as_json, pathway, as_of = flags.pop("as_json"), flags.pop("pathway"), flags.pop("as_of")
    try:
        base = json.load(request_file) if request_file else {}
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"Not valid JSON: {exc}", param_hint="--request") from None
    if not isinstance(base, dict):
        raise click.BadParameter("The request must be a JSON object.", param_hint="--request")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter("Use YYYY-MM-DD.", param_hint="--as-of") from None
    settings = _settings(ctx)
    try:
        request = request_from_flags(base, flags)
        with _store(ctx) as store:
            matcher = Matcher(
                get_engine(settings), data_dir=settings.data_dir, travel_km=settings.travel_km
            ).fit(store)
            if pathway:
                result = matcher.pathway(request, store, as_of=day)
            else:
                result = matcher.rank(request, store, as_of=day)
    except SkillsMatchError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(render_text(result))


# -- providers and API keys (bootstrapping the API) ---------------------------------------


@main.command("add-provider")
@click.option("--ukprn", required=True, help="The provider's UK Provider Reference Number.")
@click.option("--name", required=True, help="The provider's name.")
@click.option(
    "--type",
    "provider_type",
    required=True,
    help="fe_college, independent_training_provider, bootcamp_supplier, ...",
)
@click.option("--area", help="Its local authority: GSS code or name.")
@click.option("--website", help="Its website (https://...).")
@click.pass_context
def add_provider_command(
    ctx: click.Context,
    ukprn: str,
    name: str,
    provider_type: str,
    area: str | None,
    website: str | None,
) -> None:
    """Register a training provider (or update the one with this UKPRN); print its id."""
    from marshmallow import ValidationError

    from .catalogue import field_errors
    from .errors import InvalidInput
    from .schemas import ProviderSchema

    try:
        with _store(ctx) as store:
            code = store.resolve_area(area) if area else None
            if area and code is None:
                raise InvalidInput(f"Unknown area {area!r}.", {"area": ["Not a GSS code or name."]})
            raw = {"ukprn": ukprn, "name": name, "provider_type": provider_type}
            raw |= {"local_authority": code, "website": website}
            try:
                record = ProviderSchema().load(raw)
            except ValidationError as exc:
                raise InvalidInput("The provider is invalid.", field_errors(exc.messages)) from None
            with store.write():
                provider_id = store.upsert_provider(record)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(f"Provider {provider_id}: {name} (UKPRN {ukprn}).")


@main.command("create-key")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "provider", "adviser", "partnership"]),
    help="What the key may do.",
)
@click.option("--name", required=True, help="Who or what the key is for.")
@click.option("--provider", "ukprn", help="UKPRN of the key's provider (role provider only).")
@click.pass_context
def create_key_command(ctx: click.Context, role: str, name: str, ukprn: str | None) -> None:
    """Issue an API key and print it once: it is stored only as a peppered hash."""
    from .apikeys import create_key

    try:
        with _store(ctx) as store:
            provider_id = None
            if ukprn:
                provider = store.provider_by_ukprn(ukprn)
                if provider is None:
                    raise click.BadParameter(
                        f"No provider with UKPRN {ukprn}.", param_hint="--provider"
                    )
                provider_id = provider["id"]
            key_id, plain = create_key(
                store, _settings(ctx).api_key_pepper, name, role, provider_id
            )
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(
        f"Key {key_id} ({role}) for {name}. Store it now; it cannot be shown again:", err=True
    )
    click.echo(plain)


@main.command("revoke-key")
@click.argument("key_id", type=int)
@click.pass_context
def revoke_key_command(ctx: click.Context, key_id: int) -> None:
    """Revoke an API key by id: it stops working at once."""
    from .apikeys import revoke_key

    try:
        with _store(ctx) as store:
            key = revoke_key(store, key_id)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(f"Key {key_id} ({key['role']}, {key['name']}) revoked at {key['revoked_at']}.")


@main.command("rotate-key")
@click.argument("key_id", type=int)
@click.pass_context
def rotate_key_command(ctx: click.Context, key_id: int) -> None:
    """Replace an API key with a new one (same name, role, provider); print it once."""
    from .apikeys import rotate_key

    try:
        with _store(ctx) as store:
            new_id, plain = rotate_key(store, _settings(ctx).api_key_pepper, key_id)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(f"Key {key_id} revoked; new key {new_id}. Store it now:", err=True)
    click.echo(plain)


@main.command("list-keys")
@click.pass_context
def list_keys_command(ctx: click.Context) -> None:
    """List API keys: id, role, provider, name, created, last used, revoked (never the key)."""
    with _store(ctx) as store:
        keys = store.keys()
    for k in keys:
        state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "live"
        provider = f" provider {k['provider_id']}" if k["provider_id"] else ""
        click.echo(
            f"{k['id']:>4}  {k['role']:<11}{provider}  {k['name']}  {k['key_prefix']}...  "
            f"created {k['created_at']}  last used {k['last_used_at'] or 'never'}  {state}"
        )


@main.command("extract")
@click.argument("file", type=click.File("rb"), default="-")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table, or JSON lines (one skill per line, best first).",
)
@click.option(
    "--top-k",
    type=click.IntRange(1, 200),
    default=None,
    help="Show at most this many skills, best first.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Cut-off on the score (default: the calibrated one; 0 shows every candidate).",
)
@click.option(
    "--persist/--no-persist",
    default=False,
    show_default=True,
    help="Store the phrase vectors (catalogue text only; never for a person's words).",
)
@click.pass_context
def extract_command(
    ctx: click.Context,
    file: Any,
    fmt: str,
    top_k: int | None,
    min_score: float | None,
    persist: bool,
) -> None:
    """Rank the taxonomy skills a text FILE (or stdin) means: score, section, flags.

    Example: echo "Experience with MS Excel and Python" | skills-match extract
    """
    from .engine import get_engine
    from .errors import InvalidInput
    from .extract import MAX_TEXT_CHARS

    # A character is at most 4 bytes in UTF-8: read no more than the cap can need.
    limit = 4 * MAX_TEXT_CHARS
    data = file.read(limit + 1)
    try:
        if len(data) > limit:
            raise InvalidInput(
                f"The text is longer than {MAX_TEXT_CHARS:,} characters, the most accepted."
            )
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]  # a UTF-8 byte-order mark is not part of the text
        found = get_engine(_settings(ctx)).extractor.analyse(
            data, top_k=top_k, min_score=min_score, persist=persist
        )
    except SkillsMatchError as exc:
        _fail(exc)
    if fmt == "json":
        for skill in found.skills:
            click.echo(json.dumps(skill.as_dict(), ensure_ascii=False))
        return
    if not found.skills:
        click.echo("No skills found.", err=True)
    else:
        click.echo(
            f"{'#':>3} {'score':>5} {'level':<10} {'method':<10} {'section':<9} {'need':<9}"
            "  evidence -> skill"
        )
    for s in found.skills:
        level = s.level or ("-" if s.is_digital else "(domain)")
        need = "NOT" if s.negated else (s.requirement or "-")
        click.echo(
            f"{s.rank:>3} {s.score:5.2f} {level:<10} {s.method:<10} {s.section:<9} {need:<9}"
            f"  {s.text!r} -> {s.label}"
        )
    if found.eds_areas:
        areas = ", ".join(a["label"] for a in found.eds_areas)
        click.echo(f"Essential Digital Skills areas: {areas}")


@main.command("build-taxonomy")
@click.pass_context
def build_taxonomy_command(ctx: click.Context) -> None:
    """Level every digital skill (rule, then model, then overrides) and print the counts."""
    from .taxonomy import build_taxonomy

    try:
        with _store(ctx) as store:
            report = build_taxonomy(store, models_dir=_settings(ctx).models_dir)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(report.table())
    click.echo("")
    click.echo(report.clause_table())
    click.echo(
        f"\n{report.total:,} digital skills levelled ({report.overrides:,} by override); "
        f"{report.changed:,} changed."
    )
    if report.unlevelled:
        click.echo(
            f"{report.unlevelled:,} skill(s) the rule cannot decide are unlevelled: "
            "run `skills-match train-level-model`.",
            err=True,
        )


@main.command("train-level-model")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds.")
@click.option(
    "--features",
    type=click.Choice(["both", "embedding", "tfidf"]),
    default="both",
    show_default=True,
    help="Phrase features: sentence embedding, TF-IDF character n-grams, or both.",
)
@click.option("--c", "c_value", default=1.0, show_default=True, help="Inverse regularisation.")
@click.pass_context
def train_level_model_command(
    ctx: click.Context, folds: int, features: str, c_value: float
) -> None:
    """Cross-validate and train the level classifier; write it to the models folder."""
    from .embeddings import EmbeddingCache, get_encoder
    from .levels import save_level_classifier, train_level_classifier
    from .taxonomy import build_taxonomy

    settings = _settings(ctx)
    if folds < 2:
        raise click.BadParameter("Need at least 2 folds.", param_hint="--folds")
    try:
        with _store(ctx) as store:
            # Taxonomy labels are catalogue text: their vectors may be cached in the store.
            cache = EmbeddingCache(get_encoder(), store)
            click.echo("Cross-validating and training (this embeds every taxonomy label)...")
            result = train_level_classifier(
                store, folds=folds, embedding_cache=cache, features=features, C=c_value
            )
            paths = save_level_classifier(result.model, result.metadata, settings.models_dir)
            # Skills the rule leaves undecided take the new model's level.
            report = build_taxonomy(store, models_dir=settings.models_dir)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(result.report())
    click.echo(f"\nWrote {paths[0]} ({paths[0].stat().st_size / 1024:.0f} KiB) and {paths[1]}.")
    click.echo(f"Levels re-applied: {report.changed:,} changed.")


@main.command("set-level")
@click.argument("skill_id")
@click.argument("level")
@click.option("--by", "changed_by", required=True, help="Who is making the correction.")
@click.option("--reason", default="", help="Why the rule's level is wrong.")
@click.pass_context
def set_level_command(
    ctx: click.Context, skill_id: str, level: str, changed_by: str, reason: str
) -> None:
    """Override a skill's level (essential, general, specialist, fusion); survives rebuilds."""
    from .taxonomy import set_override

    try:
        with _store(ctx) as store:
            set_override(store, skill_id, level, changed_by, reason)
            skill = store.skill(skill_id) or {}
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(f"{skill_id} ({skill.get('label')}): level {skill.get('level')} (override).")


@main.command("clear-level")
@click.argument("skill_id")
@click.option("--by", "changed_by", default=CLI_ACTOR, help="Who is removing the correction.")
@click.pass_context
def clear_level_command(ctx: click.Context, skill_id: str, changed_by: str) -> None:
    """Remove a skill's level override: it goes back to the rule's (or model's) level."""
    from .taxonomy import remove_override

    try:
        with _store(ctx) as store:
            skill = remove_override(
                store, skill_id, changed_by, models_dir=_settings(ctx).models_dir
            )
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(
        f"{skill_id} ({skill.get('label')}): level {skill.get('level')} "
        f"({skill.get('level_source')}): {skill.get('level_reason')}"
    )


@main.command("list-level-overrides")
@click.pass_context
def list_level_overrides_command(ctx: click.Context) -> None:
    """List human level corrections: skill, level, who, when, why."""
    from .taxonomy import list_overrides

    with _store(ctx) as store:
        overrides = list_overrides(store)
    if not overrides:
        click.echo("No level overrides.")
        return
    for o in overrides:
        click.echo(
            f"{o['skill_id']}  {o['level']:<10} {o['changed_by']}  {o['changed_at']}  "
            f"{o['label']}" + (f"  ({o['reason']})" if o["reason"] else "")
        )


@main.command("add-alias")
@click.argument("alias")
@click.argument("skill_id")
@click.option("--case-sensitive", is_flag=True, help="Match only as written (e.g. an acronym).")
@click.option("--by", "changed_by", required=True, help="Who is adding the alias.")
@click.option("--note", required=True, help="Why: where people write it, and what it means.")
@click.pass_context
def add_alias_command(
    ctx: click.Context, alias: str, skill_id: str, case_sensitive: bool, changed_by: str, note: str
) -> None:
    """Add a word people write for a skill (a tool, brand, acronym); audited."""
    from .reference import add_alias

    try:
        with _store(ctx) as store:
            row = add_alias(store, alias, skill_id, changed_by, note, case_sensitive)
    except SkillsMatchError as exc:
        _fail(exc)
    flag = ", case-sensitive" if row["case_sensitive"] else ""
    click.echo(f"Added alias {row['alias']!r} -> {skill_id} ({row['label']}{flag}).")


@main.command("remove-alias")
@click.argument("alias")
@click.argument("skill_id")
@click.option("--by", "changed_by", required=True, help="Who is removing the alias.")
@click.option("--note", default="", help="Why it is removed.")
@click.pass_context
def remove_alias_command(
    ctx: click.Context, alias: str, skill_id: str, changed_by: str, note: str
) -> None:
    """Remove an alias the partnership added; audited."""
    from .reference import remove_alias

    try:
        with _store(ctx) as store:
            row = remove_alias(store, alias, skill_id, changed_by, note)
    except SkillsMatchError as exc:
        _fail(exc)
    click.echo(f"Removed alias {row['alias']!r} -> {skill_id} ({row['label']}).")


@main.command("list-aliases")
@click.option(
    "--source",
    type=click.Choice(["reference", "partnership"]),
    help="Only the shipped table, or only the partnership's additions.",
)
@click.pass_context
def list_aliases_command(ctx: click.Context, source: str | None) -> None:
    """List aliases: alias, skill, source, case-sensitivity, who and when."""
    from .reference import list_aliases

    with _store(ctx) as store:
        rows = list_aliases(store, source)
    if not rows:
        click.echo("No aliases.")
        return
    for r in rows:
        who = f"  {r['changed_by']}  {r['changed_at']}" if r["changed_by"] else ""
        case = "  case-sensitive" if r["case_sensitive"] else ""
        note = f"  ({r['note']})" if r["note"] and r["source"] == "partnership" else ""
        click.echo(
            f"{r['alias']}  ->  {r['skill_id']}  {r['label']}  [{r['source']}]{case}{who}{note}"
        )
    click.echo(f"{len(rows):,} alias(es).")


@main.command("reextract")
@click.option(
    "--all",
    "all_records",
    is_flag=True,
    help="Every record, not only those extracted by another version.",
)
@click.option(
    "--batch",
    default=100,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Records per transaction.",
)
@click.pass_context
def reextract_command(ctx: click.Context, all_records: bool, batch: int) -> None:
    """Extract the catalogue's and demand's skills again after the extractor changed.

    Only links the extractor made are replaced; skills a provider or employer named stay.
    Each batch is committed on its own: an interrupted run resumes when run again.
    """
    from .engine import get_engine
    from .reextract import reextract

    settings = _settings(ctx)
    try:
        with _store(ctx) as store:
            extractor = get_engine(settings).extractor
            report = reextract(
                store,
                extractor,
                all_records=all_records,
                batch=batch,
                echo=lambda line: click.echo(line, err=True),
            )
    except SkillsMatchError as exc:
        _fail(exc)
    parts = ", ".join(
        f"{report.records[k]:,} {k} ({report.changed[k]:,} changed, {report.links[k]:,} links)"
        for k in report.records
    )
    click.echo(f"Re-extracted with extractor {report.version}: {parts or 'nothing to do'}.")
    skipped = sum(report.skipped.values())
    if skipped:
        click.echo(f"{skipped:,} record(s) skipped: rewritten during the run (already current).")
    unlinked = sum(report.unlinked.values())
    if unlinked and not all_records:
        click.echo(f"{unlinked:,} record(s) have no skill links; --all re-extracts them too.")


@main.command("gap-report")
@click.option(
    "--area",
    "areas",
    multiple=True,
    help="GSS code or name of an authority, county, combined authority or region "
    "(repeat for several). Default: every authority with demand or local courses.",
)
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(["essential", "general", "specialist", "fusion", "unlevelled"]),
    help="Digital skill level (repeat for several). Default: all.",
)
@click.option("--sector", "sectors", multiple=True, help="SIC 2007 section letter (repeatable).")
@click.option(
    "--occupation",
    "occupations",
    multiple=True,
    help="ISCO-08 code or prefix, e.g. 25 (repeatable).",
)
@click.option("--from", "period_from", help="First month, YYYY-MM (a date counts as its month).")
@click.option(
    "--to",
    "period_to",
    help="Last month, YYYY-MM. Default: the 12 months to the latest demand record.",
)
@click.option("--all-skills", is_flag=True, help="Include skills that are not digital.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "html", "json"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output; required for xlsx).",
)
@click.option(
    "--suppress",
    is_flag=True,
    help="Withhold demand figures of cells below the small-cell threshold.",
)
@click.option(
    "--threshold",
    type=click.IntRange(1, 1000),
    help="Small-cell threshold in demand records (default SKILLS_MATCH_SMALL_CELL_THRESHOLD).",
)
@click.option(
    "--requirements",
    type=click.Choice(["both", "essential", "desirable"]),
    default="both",
    show_default=True,
    help="Which skill requirements count: both (essential 1.0, desirable 0.5), or one alone.",
)
@click.pass_context
def gap_report_command(
    ctx: click.Context,
    areas: tuple[str, ...],
    levels: tuple[str, ...],
    sectors: tuple[str, ...],
    occupations: tuple[str, ...],
    period_from: str | None,
    period_to: str | None,
    all_skills: bool,
    fmt: str,
    output: Path | None,
    suppress: bool,
    threshold: int | None,
    requirements: str,
) -> None:
    """Unmet digital skills demand (demand minus course places) by level, area and month."""
    from .exports import render
    from .report import (
        REQUIREMENT_WEIGHTS,
        GapReportFilters,
        GapReportOptions,
        build_gap_report,
    )

    settings = _settings(ctx)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("XLSX is binary: give a file with -o/--output.")
    filters = GapReportFilters(
        areas=areas,
        levels=levels,
        sectors=sectors,
        occupations=occupations,
        period_from=period_from,
        period_to=period_to,
        digital_only=not all_skills,
    )
    options = GapReportOptions(
        weights=dict(REQUIREMENT_WEIGHTS[requirements]),
        threshold=threshold or settings.small_cell_threshold,
        suppress=suppress,
    )
    try:
        with _store(ctx) as store:
            report = build_gap_report(store, filters, options, settings.data_dir)
    except SkillsMatchError as exc:
        _fail(exc)
    body = render(report, fmt)
    if output is None:
        click.echo(body, nl=False)
        return
    if isinstance(body, bytes):
        output.write_bytes(body)
    else:
        output.write_text(body, encoding="utf-8")
    period = report.period
    click.echo(
        f"Wrote {output} ({fmt}): {report.scope_label}, {period.months[0]} to {period.months[-1]}.",
        err=True,
    )


if __name__ == "__main__":
    main()
