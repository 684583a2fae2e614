"""The database schema, as registered migrations. Never edit one that has landed: add another."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("skills_match")

LEVELS = ("essential", "general", "specialist", "fusion")


def _run(db: sqlite_utils.Database, statements: str) -> None:
    # executescript() would COMMIT the migration's transaction; run statements one by one.
    for statement in statements.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """Reference data, providers, courses, demand, skills, embeddings, keys, imports, audit."""
    levels = ", ".join(f"'{level}'" for level in LEVELS)
    _run(
        db,
        f"""
CREATE TABLE local_authorities (
    gss_code TEXT PRIMARY KEY,
    code TEXT,
    name TEXT NOT NULL,
    official_name TEXT,
    nation TEXT,
    region TEXT,
    type TEXT,
    county_gss TEXT,
    county_name TEXT,
    combined_authority_gss TEXT,
    combined_authority_name TEXT,
    population INTEGER,
    lat REAL,
    long REAL
);
CREATE TABLE local_authority_names (
    name TEXT PRIMARY KEY,
    gss_code TEXT NOT NULL REFERENCES local_authorities(gss_code)
);
CREATE TABLE skills (
    id TEXT PRIMARY KEY,
    uri TEXT,
    label TEXT NOT NULL,
    alt_labels TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    skill_type TEXT,
    reuse_level TEXT,
    is_digital INTEGER NOT NULL DEFAULT 0,
    in_digcomp INTEGER NOT NULL DEFAULT 0,
    is_transversal INTEGER NOT NULL DEFAULT 0,
    broader_labels TEXT NOT NULL DEFAULT '',
    hierarchy_codes TEXT NOT NULL DEFAULT '',
    occupations_essential INTEGER NOT NULL DEFAULT 0,
    occupations_optional INTEGER NOT NULL DEFAULT 0,
    ict_occupations INTEGER NOT NULL DEFAULT 0,
    non_ict_occupations INTEGER NOT NULL DEFAULT 0,
    level TEXT CHECK (level IS NULL OR level IN ({levels})),
    level_source TEXT CHECK (level_source IS NULL OR level_source IN ('rule', 'model', 'override')),
    level_reason TEXT
);
CREATE INDEX idx_skills_digital_level ON skills(is_digital, level);
CREATE TABLE skill_labels (
    skill_id TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    label_type TEXT NOT NULL CHECK (label_type IN ('preferred', 'alt')),
    normalised TEXT NOT NULL,
    PRIMARY KEY (skill_id, label)
);
CREATE INDEX idx_skill_labels_normalised ON skill_labels(normalised);
CREATE TABLE level_overrides (
    skill_id TEXT PRIMARY KEY REFERENCES skills(id) ON DELETE CASCADE,
    level TEXT NOT NULL CHECK (level IN ({levels})),
    reason TEXT NOT NULL DEFAULT '',
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE TABLE occupations (
    id TEXT PRIMARY KEY,
    uri TEXT NOT NULL,
    label TEXT NOT NULL,
    alt_labels TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    isco_code TEXT,
    isco_group_label TEXT,
    digitalization_level INTEGER
);
CREATE TABLE occupation_skills (
    occupation_id TEXT NOT NULL REFERENCES occupations(id) ON DELETE CASCADE,
    skill_id TEXT NOT NULL REFERENCES skills(id),
    importance TEXT NOT NULL CHECK (importance IN ('essential', 'optional')),
    PRIMARY KEY (occupation_id, skill_id)
);
CREATE INDEX idx_occupation_skills_skill ON occupation_skills(skill_id);
CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    ukprn TEXT NOT NULL UNIQUE CHECK (length(ukprn) = 8),
    name TEXT NOT NULL,
    provider_type TEXT NOT NULL,
    local_authority TEXT REFERENCES local_authorities(gss_code),
    website TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    provider_ref TEXT NOT NULL,
    title TEXT NOT NULL,
    course_type TEXT NOT NULL,
    programme_type TEXT NOT NULL,
    qualification_level TEXT NOT NULL,
    awarding_body TEXT,
    sector TEXT,
    who_for TEXT NOT NULL DEFAULT '',
    entry_requirements TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    how_you_learn TEXT NOT NULL DEFAULT '',
    how_assessed TEXT NOT NULL DEFAULT '',
    where_next TEXT NOT NULL DEFAULT '',
    delivery_mode TEXT NOT NULL,
    study_mode TEXT NOT NULL,
    attendance_pattern TEXT,
    venue TEXT,
    national_delivery INTEGER NOT NULL DEFAULT 0,
    local_authority TEXT REFERENCES local_authorities(gss_code),
    flexible_start INTEGER NOT NULL DEFAULT 0,
    start_dates TEXT NOT NULL DEFAULT '[]',
    first_start_date TEXT,
    last_start_date TEXT,
    duration_value REAL NOT NULL,
    duration_unit TEXT NOT NULL,
    duration_weeks REAL NOT NULL,
    guided_learning_hours INTEGER,
    cost_pence INTEGER NOT NULL DEFAULT 0,
    cost_description TEXT NOT NULL DEFAULT '',
    funding TEXT NOT NULL,
    places INTEGER NOT NULL CHECK (places >= 0),
    age_min INTEGER,
    age_max INTEGER,
    employment_statuses TEXT NOT NULL DEFAULT '[]',
    eligibility_notes TEXT NOT NULL DEFAULT '',
    completion_rate REAL,
    positive_outcome_rate REAL,
    outcomes_year TEXT,
    url TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    illustrative INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (provider_id, provider_ref)
);
CREATE INDEX idx_courses_area ON courses(local_authority, status);
CREATE INDEX idx_courses_status_level ON courses(status, qualification_level);
CREATE TABLE course_skills (
    course_id INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    skill_id TEXT NOT NULL REFERENCES skills(id),
    level TEXT CHECK (level IS NULL OR level IN ({levels})),
    method TEXT NOT NULL,
    score REAL NOT NULL DEFAULT 1.0,
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (course_id, skill_id)
);
CREATE INDEX idx_course_skills_skill ON course_skills(skill_id);
CREATE TABLE demand (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    employer TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    soc_code TEXT,
    occupation_id TEXT REFERENCES occupations(id),
    isco_code TEXT,
    sector TEXT,
    local_authority TEXT NOT NULL REFERENCES local_authorities(gss_code),
    vacancies INTEGER NOT NULL CHECK (vacancies >= 1),
    posted_date TEXT NOT NULL,
    closing_date TEXT,
    illustrative INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX idx_demand_area_posted ON demand(local_authority, posted_date);
CREATE INDEX idx_demand_posted ON demand(posted_date);
CREATE TABLE demand_skills (
    demand_id INTEGER NOT NULL REFERENCES demand(id) ON DELETE CASCADE,
    skill_id TEXT NOT NULL REFERENCES skills(id),
    importance TEXT NOT NULL CHECK (importance IN ('essential', 'optional')),
    level TEXT CHECK (level IS NULL OR level IN ({levels})),
    method TEXT NOT NULL,
    score REAL NOT NULL DEFAULT 1.0,
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (demand_id, skill_id)
);
CREATE INDEX idx_demand_skills_skill ON demand_skills(skill_id);
CREATE TABLE embeddings (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (model, text_hash)
);
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'provider', 'adviser', 'partnership')),
    provider_id INTEGER REFERENCES providers(id),
    key_prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    CHECK ((role = 'provider') = (provider_id IS NOT NULL))
);
CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('courses', 'demand')),
    source_name TEXT NOT NULL,
    actor TEXT NOT NULL,
    provider_id INTEGER REFERENCES providers(id),
    dry_run INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('running', 'committed', 'rejected', 'checked')),
    rows_total INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL
);
CREATE INDEX idx_audit_log_at ON audit_log(at)
""",
    )


@migrations()
def m002_match_catalogue_version(db: sqlite_utils.Database) -> None:
    """Index courses by updated_at so the matcher's catalogue-version check is a lookup."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_courses_updated_at ON courses(updated_at)")


@migrations()
def m003_taxonomy_version(db: sqlite_utils.Database) -> None:
    """A counter that triggers bump whenever skill labels or digital flags change.

    The skill space (label vectors) is built once per process; reading this one row tells
    it whether the taxonomy moved under it. Levels are not counted: they are read live.
    """
    bump = "BEGIN UPDATE taxonomy_version SET version = version + 1 WHERE id = 1; END"
    _run(
        db,
        f"""
CREATE TABLE taxonomy_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO taxonomy_version (id, version) VALUES (1, 0);
CREATE TRIGGER taxonomy_label_added AFTER INSERT ON skill_labels {bump};
CREATE TRIGGER taxonomy_label_removed AFTER DELETE ON skill_labels {bump};
CREATE TRIGGER taxonomy_label_changed AFTER UPDATE ON skill_labels {bump};
CREATE TRIGGER taxonomy_skill_added AFTER INSERT ON skills {bump};
CREATE TRIGGER taxonomy_skill_removed AFTER DELETE ON skills {bump};
CREATE TRIGGER taxonomy_skill_changed AFTER UPDATE OF label, is_digital ON skills {bump}
""",
    )


@migrations()
def m004_gap_report_indexes(db: sqlite_utils.Database) -> None:
    """Covering indexes for the gap report's passes over demand records and their skills.

    The report reads each demand record's skills (skill, importance, level), each course's
    (skill, level), and the records posted in its period (area, sector, occupation,
    vacancies): with these columns in the index those reads are contiguous index ranges
    with no table lookups (a record's long description is never touched), several times
    faster over a million rows.
    """
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_demand_skills_report "
        "ON demand_skills(demand_id, skill_id, importance, level)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_course_skills_report "
        "ON course_skills(course_id, skill_id, level)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_demand_report ON demand(posted_date, local_authority, "
        "sector, isco_code, occupation_id, vacancies)"
    )


# Bits per level in a demand record's packed skill counts (m005): 5 levels (the four and
# 'unlevelled') x 12 bits fit a 64-bit integer; a record would need 4,096 digital skills of
# one level to overflow a field.
LEVEL_COUNT_BITS = 12


def _level_bit(demand_skill: str, skill: str) -> str:
    """SQL: what one demand-skill row adds to its record's packed counts (1 in the field of
    its effective level; 0 for a skill that is not digital)."""
    whens = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(LEVELS))
    level = f"(CASE COALESCE({demand_skill}.level, {skill}.level) {whens} ELSE {len(LEVELS)} END)"
    return f"(CASE WHEN {skill}.is_digital = 1 THEN 1 << ({LEVEL_COUNT_BITS} * {level}) ELSE 0 END)"


@migrations()
def m005_demand_level_counts(db: sqlite_utils.Database) -> None:
    """Each demand record's digital skills counted by level, kept current by triggers.

    ``skill_level_counts`` packs, per level (essential, general, specialist, fusion,
    unlevelled), how many of the record's digital skills fall there, LEVEL_COUNT_BITS bits
    each; ``essential_level_counts`` the same for its essential requirements. The gap report
    counts records needing a skill at each level from these two integers instead of joining
    a million demand-skill rows to the taxonomy. Triggers on demand_skills and on the skills'
    level and digital flag keep them exact, whichever code (or hand-written SQL) writes.
    """
    db.execute("ALTER TABLE demand ADD COLUMN skill_level_counts INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE demand ADD COLUMN essential_level_counts INTEGER NOT NULL DEFAULT 0")
    bit = _level_bit("ds", "s")
    db.execute(
        f"""UPDATE demand SET
                skill_level_counts = COALESCE((
                    SELECT sum({bit}) FROM demand_skills ds JOIN skills s ON s.id = ds.skill_id
                    WHERE ds.demand_id = demand.id), 0),
                essential_level_counts = COALESCE((
                    SELECT sum({bit}) FROM demand_skills ds JOIN skills s ON s.id = ds.skill_id
                    WHERE ds.demand_id = demand.id AND ds.importance = 'essential'), 0)"""
    )

    def change(row: str, sign: str) -> str:
        # Add (+) or take away (-) one demand-skill row's bits from its record.
        bit = _level_bit(row, "s")
        one = f"COALESCE((SELECT {bit} FROM skills s WHERE s.id = {row}.skill_id), 0)"
        return f"""UPDATE demand SET
                       skill_level_counts = skill_level_counts {sign} {one},
                       essential_level_counts = essential_level_counts
                           {sign} ({row}.importance = 'essential') * {one}
                   WHERE id = {row}.demand_id;"""

    table = "demand_skills"
    db.execute(
        f"CREATE TRIGGER demand_level_counts_add AFTER INSERT ON {table} "
        f"BEGIN {change('NEW', '+')} END"
    )
    db.execute(
        f"CREATE TRIGGER demand_level_counts_remove AFTER DELETE ON {table} "
        f"BEGIN {change('OLD', '-')} END"
    )
    db.execute(
        f"CREATE TRIGGER demand_level_counts_change AFTER UPDATE OF demand_id, skill_id, "
        f"importance, level ON {table} BEGIN {change('OLD', '-')} {change('NEW', '+')} END"
    )
    # A skill's level or digital flag moves: move the bits of every record requiring it.
    old, new = _level_bit("ds", "OLD"), _level_bit("ds", "NEW")
    db.execute(
        f"""CREATE TRIGGER demand_level_counts_skill AFTER UPDATE OF level, is_digital ON skills
            WHEN OLD.level IS NOT NEW.level OR OLD.is_digital IS NOT NEW.is_digital
            BEGIN
                UPDATE demand SET
                    skill_level_counts = skill_level_counts + (
                        SELECT {new} - {old} FROM demand_skills ds
                        WHERE ds.demand_id = demand.id AND ds.skill_id = NEW.id),
                    essential_level_counts = essential_level_counts + (
                        SELECT (ds.importance = 'essential') * ({new} - {old})
                        FROM demand_skills ds
                        WHERE ds.demand_id = demand.id AND ds.skill_id = NEW.id)
                WHERE id IN (SELECT demand_id FROM demand_skills WHERE skill_id = NEW.id);
            END"""
    )
    # The report reads the counts with the other columns of its covering index (m004).
    db.execute("DROP INDEX IF EXISTS idx_demand_report")
    db.execute(
        "CREATE INDEX idx_demand_report ON demand(posted_date, local_authority, sector, "
        "isco_code, occupation_id, vacancies, skill_level_counts, essential_level_counts)"
    )


def _cells_add(month: str, area: str, vacancies: str, rows: str) -> str:
    """SQL adding demand-skill rows (``rows``: a FROM clause with alias ds) to their cells."""
    return f"""INSERT INTO demand_skill_cells (month, local_authority, skill_id, level, records,
                                            vacancies, essential_vacancies)
               SELECT substr({month}, 1, 7), {area}, ds.skill_id, COALESCE(ds.level, ''), 1,
                      {vacancies}, {vacancies} * (ds.importance = 'essential')
               FROM {rows}
               ON CONFLICT DO UPDATE SET
                   records = records + 1, vacancies = vacancies + excluded.vacancies,
                   essential_vacancies = essential_vacancies + excluded.essential_vacancies;"""


def _cells_remove(month: str, area: str, vacancies: str, skills: str, one: str) -> str:
    """SQL taking demand-skill rows back out of their cells (and dropping emptied cells).

    ``skills`` is SQL giving the (skill_id, level) pairs of the rows, ``one`` the SQL that
    says whether the cell's skill was an essential requirement.
    """
    where = f"""month = substr({month}, 1, 7) AND local_authority = {area}
                AND (skill_id, level) IN ({skills})"""
    return f"""UPDATE demand_skill_cells SET
                   records = records - 1, vacancies = vacancies - {vacancies},
                   essential_vacancies = essential_vacancies - {vacancies} * {one}
               WHERE {where};
               DELETE FROM demand_skill_cells WHERE records = 0 AND {where};"""


@migrations()
def m006_demand_skill_cells(db: sqlite_utils.Database) -> None:
    """Demand by month, authority, skill and level override, kept current by triggers.

    The gap report's largest cost was a pass over every demand-skill row in its period; it
    now reads these cells (every demand-skill row in a month, authority and skill added
    up), which are several times fewer. Triggers on demand_skills and on the demand
    columns they depend on (posted_date, local_authority, vacancies) keep them exact
    whichever code writes. ``level`` is the rows' own level override, '' for none.
    """
    db.execute(
        """CREATE TABLE demand_skill_cells (
               month TEXT NOT NULL,
               local_authority TEXT NOT NULL,
               skill_id TEXT NOT NULL,
               level TEXT NOT NULL DEFAULT '',
               records INTEGER NOT NULL,
               vacancies INTEGER NOT NULL,
               essential_vacancies INTEGER NOT NULL,
               PRIMARY KEY (month, local_authority, skill_id, level)
           ) WITHOUT ROWID"""
    )
    db.execute(
        """INSERT INTO demand_skill_cells
           SELECT substr(d.posted_date, 1, 7), d.local_authority, ds.skill_id,
                  COALESCE(ds.level, ''), count(*), sum(d.vacancies),
                  sum(d.vacancies * (ds.importance = 'essential'))
           FROM demand_skills ds JOIN demand d ON d.id = ds.demand_id
           GROUP BY 1, 2, 3, 4"""
    )

    def row(r: str) -> tuple[str, str, str, str]:
        # One demand-skill row (NEW or OLD) and its record's columns (NULL if the record
        # is gone: a cascade from deleting it, which its own trigger has accounted for).
        record = f"(SELECT {{}} FROM demand WHERE id = {r}.demand_id)"
        return (
            record.format("posted_date"),
            record.format("local_authority"),
            record.format("vacancies"),
            f"SELECT {r}.skill_id, COALESCE({r}.level, '')",
        )

    def add(r: str) -> str:
        return _cells_add(
            "d.posted_date",
            "d.local_authority",
            "d.vacancies",
            f"demand d, (SELECT {r}.skill_id AS skill_id, {r}.level AS level, "
            f"{r}.importance AS importance) ds WHERE d.id = {r}.demand_id",
        )

    def remove(r: str) -> str:
        month, area, vacancies, skills = row(r)
        return _cells_remove(month, area, vacancies, skills, f"({r}.importance = 'essential')")

    table = "demand_skills"
    db.execute(f"CREATE TRIGGER demand_cells_add AFTER INSERT ON {table} BEGIN {add('NEW')} END")
    db.execute(
        f"CREATE TRIGGER demand_cells_remove AFTER DELETE ON {table} BEGIN {remove('OLD')} END"
    )
    db.execute(
        f"CREATE TRIGGER demand_cells_change AFTER UPDATE OF demand_id, skill_id, importance, "
        f"level ON {table} BEGIN {remove('OLD')} {add('NEW')} END"
    )
    # A record's own rows, for the triggers on demand.
    skills = "SELECT skill_id, COALESCE(level, '') FROM demand_skills WHERE demand_id = {}.id"
    essential = (
        "(SELECT importance = 'essential' FROM demand_skills "
        "WHERE demand_id = {}.id AND skill_id = demand_skill_cells.skill_id)"
    )
    remove_record = _cells_remove(
        "OLD.posted_date",
        "OLD.local_authority",
        "OLD.vacancies",
        skills.format("OLD"),
        essential.format("OLD"),
    )
    add_record = _cells_add(
        "NEW.posted_date",
        "NEW.local_authority",
        "NEW.vacancies",
        "demand_skills ds WHERE ds.demand_id = NEW.id",
    )
    # Before the record goes: its rows' cascade delete can no longer see its columns.
    db.execute(
        f"CREATE TRIGGER demand_cells_record_gone BEFORE DELETE ON demand BEGIN {remove_record} END"
    )
    db.execute(
        f"""CREATE TRIGGER demand_cells_record_moved
            AFTER UPDATE OF posted_date, local_authority, vacancies ON demand
            WHEN substr(OLD.posted_date, 1, 7) IS NOT substr(NEW.posted_date, 1, 7)
              OR OLD.local_authority IS NOT NEW.local_authority
              OR OLD.vacancies IS NOT NEW.vacancies
            BEGIN {remove_record} {add_record} END"""
    )


@migrations()
def m007_skills_in_eds(db: sqlite_utils.Database) -> None:
    """Flag the skills inside the Essential Digital Skills standard (the level rule's R4).

    The EDS areas themselves are flagged here; the ESCO skills an area names as its
    equivalent come from ``data/reference/eds_areas.csv`` when the reference data is
    (re)loaded, which ``skills-match init`` does before it levels the taxonomy.
    """
    db["skills"].add_column("in_eds", int, not_null_default=0)
    db.execute("UPDATE skills SET in_eds = 1 WHERE source IN ('eds-2018', 'eds-2019')")


@migrations()
def m008_extractor_version_and_aliases(db: sqlite_utils.Database) -> None:
    """Which extractor made each skill link, and the alias table the lexicon reads.

    ``extractor`` on course_skills and demand_skills is NULL for a link its provider or
    employer gave (method 'provided') and otherwise the version of the extractor that found
    it, so `skills-match reextract` can find links made by an older one. Links already
    extracted were made by version 1. Writing the column fires none of the demand triggers
    (m005, m006): they watch demand_id, skill_id, importance and level only.

    ``skill_aliases`` holds the words people write for a skill: the shipped table
    (source 'reference', reloaded by `init`) and the partnership's additions (source
    'partnership', changed only through the audited correction flow). The lexicon is built
    once per skill space, so a change bumps taxonomy_version (m003) and running engines
    rebuild.
    """
    for table in ("course_skills", "demand_skills"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN extractor TEXT")
        db.execute(f"UPDATE {table} SET extractor = '1' WHERE method != 'provided'")
    bump = "BEGIN UPDATE taxonomy_version SET version = version + 1 WHERE id = 1; END"
    _run(
        db,
        f"""
CREATE TABLE skill_aliases (
    id INTEGER PRIMARY KEY,
    alias TEXT NOT NULL CHECK (length(trim(alias)) > 0),
    skill_id TEXT NOT NULL REFERENCES skills(id),
    case_sensitive INTEGER NOT NULL DEFAULT 0 CHECK (case_sensitive IN (0, 1)),
    source TEXT NOT NULL CHECK (source IN ('reference', 'partnership')),
    note TEXT NOT NULL DEFAULT '',
    changed_by TEXT,
    changed_at TEXT,
    UNIQUE (alias, skill_id)
);
CREATE INDEX idx_skill_aliases_alias ON skill_aliases(alias);
CREATE TRIGGER taxonomy_alias_added AFTER INSERT ON skill_aliases {bump};
CREATE TRIGGER taxonomy_alias_removed AFTER DELETE ON skill_aliases {bump};
CREATE TRIGGER taxonomy_alias_changed AFTER UPDATE ON skill_aliases {bump}
""",
    )


# Columns m009 adds to demand: what real feeds carry beyond the first schema.
DEMAND_FEED_COLUMNS = {
    "postcode": str,
    "latitude": float,
    "longitude": float,
    "town": str,
    "region": str,
    "salary_min": float,
    "salary_max": float,
    "salary_unit": str,
    "salary_currency": str,
    "salary_text": str,
    "employment_type": str,
    "hours_per_week": float,
    "industry": str,
    "occupational_category": str,
    "source_url": str,
    "location_method": str,
    "location_detail": str,
    "occupation_method": str,
    "occupation_confidence": float,
}


@migrations()
def m009_feeds_location_duplicates_jobs(db: sqlite_utils.Database) -> None:
    """Job-feed fields on demand; unplaced and duplicate adverts; background import jobs.

    ``location_method`` says how ``local_authority`` was found (given, postcode, postcode
    sector / district, coordinates, place); ``occupation_method`` how ``occupation_id`` was
    (given, inferred, corrected). None of the new columns is watched by the demand triggers.

    ``demand_unplaced`` holds adverts whose location could not be resolved: they are kept
    (with the reason) and counted, never placed by guesswork, and never enter the figures.
    ``demand_duplicates`` holds adverts judged a repost of a kept record (the rule is in
    skills_match/importer.py: DUPLICATE_WINDOW_DAYS); they are counted once, as the kept one.
    ``import_jobs`` tracks uploads imported in the background, for the API to poll.
    ``courses.available_from``: when a flexible-start course first took learners (NULL:
    the month it was listed, ``created_at``); the gap report counts it from then.
    """
    demand = db["demand"]
    for name, kind in DEMAND_FEED_COLUMNS.items():
        demand.add_column(name, kind)
    demand.add_column("remote", int, not_null_default=0)
    # A flexible-start course is supply only from the month it first took learners.
    db["courses"].add_column("available_from", str)
    db.execute("UPDATE demand SET location_method = 'given' WHERE location_method IS NULL")
    db.execute(
        "UPDATE demand SET occupation_method = 'given' WHERE occupation_id IS NOT NULL "
        "AND occupation_method IS NULL"
    )
    _run(
        db,
        """
CREATE TABLE demand_unplaced (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    job_title TEXT NOT NULL,
    employer TEXT NOT NULL DEFAULT '',
    posted_date TEXT NOT NULL,
    vacancies INTEGER NOT NULL DEFAULT 1,
    postcode TEXT,
    town TEXT,
    latitude REAL,
    longitude REAL,
    reason TEXT NOT NULL,
    record TEXT NOT NULL,
    illustrative INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX idx_demand_unplaced_posted ON demand_unplaced(posted_date);
CREATE TABLE demand_duplicates (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    duplicate_of INTEGER NOT NULL REFERENCES demand(id) ON DELETE CASCADE,
    posted_date TEXT NOT NULL,
    local_authority TEXT NOT NULL,
    vacancies INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX idx_demand_duplicates_of ON demand_duplicates(duplicate_of);
CREATE INDEX idx_demand_duplicates_posted ON demand_duplicates(posted_date);
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('courses', 'demand')),
    source_name TEXT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'committed', 'rejected',
                                           'checked', 'failed')),
    stage TEXT NOT NULL DEFAULT 'queued',
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    report TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
ALTER TABLE import_runs ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN unplaced INTEGER NOT NULL DEFAULT 0
""",
    )


# The SOC major group of a demand record: given (the first digit of ``soc_code``), or
# looked up from the title in the ONS coding index (skills_match/soc.py), or unknown.
DEMAND_SOC_COLUMNS = {
    "soc_major": str,
    "soc_method": str,
    "soc_confidence": float,
    "soc_evidence": str,
}


@migrations()
def m010_demand_soc_major(db: sqlite_utils.Database) -> None:
    """SOC major group on demand records (``soc_method``: given, inferred, unknown).

    Records imported before this migration get the group of a given ``soc_code``; the rest
    stay NULL until re-imported (the title lookup needs the reference data, not SQL).
    """
    demand = db["demand"]
    for name, kind in DEMAND_SOC_COLUMNS.items():
        demand.add_column(name, kind)
    db.execute(
        "UPDATE demand SET soc_major = substr(soc_code, 1, 1), soc_method = 'given', "
        "soc_confidence = 1.0 WHERE soc_code IS NOT NULL"
    )
    db.execute("CREATE INDEX idx_demand_soc_major ON demand(soc_major)")


@migrations()
def m011_occupation_lookup_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for naming an occupation by URI, label or alternative label.

    Each match target named an occupation with full scans (the alternative labels through
    json_each over every row); ``occupation_labels`` holds each lower-cased alternative
    label, kept equal to ``occupations.alt_labels`` by triggers.
    """
    _run(
        db,
        """
CREATE INDEX idx_occupations_uri ON occupations(uri);
CREATE INDEX idx_occupations_label_lower ON occupations(lower(label));
CREATE TABLE occupation_labels (
    label TEXT NOT NULL,
    occupation_id TEXT NOT NULL,
    PRIMARY KEY (label, occupation_id)
) WITHOUT ROWID;
CREATE INDEX idx_occupation_labels_occupation ON occupation_labels(occupation_id);
INSERT OR IGNORE INTO occupation_labels (label, occupation_id)
    SELECT lower(a.value), o.id FROM occupations o, json_each(o.alt_labels) a
""",
    )
    add = (
        "INSERT OR IGNORE INTO occupation_labels (label, occupation_id) "
        "SELECT lower(value), NEW.id FROM json_each(NEW.alt_labels);"
    )
    remove = "DELETE FROM occupation_labels WHERE occupation_id = OLD.id;"
    db.execute(f"CREATE TRIGGER occupation_labels_add AFTER INSERT ON occupations BEGIN {add} END")
    db.execute(
        "CREATE TRIGGER occupation_labels_change AFTER UPDATE OF id, alt_labels ON occupations "
        f"BEGIN {remove} {add} END"
    )
    db.execute(
        f"CREATE TRIGGER occupation_labels_remove AFTER DELETE ON occupations BEGIN {remove} END"
    )


@migrations()
def m012_demand_cell_versions(db: sqlite_utils.Database) -> None:
    """A version token per month of demand, changed by every change the gap report reads.

    The gap report keeps each month's cells (demand_skill_cells) and records in memory as
    arrays (see report_cells); a month is read again only when its token differs from the
    one it was read at. Triggers change it with any change to the month's cells and to its
    records' placing, sector, occupation, vacancies or skill counts. The token is a random
    64-bit number, not a counter, so a database restored or replaced under a running
    process cannot present an old token for different data.
    """
    db.execute(
        """CREATE TABLE demand_cell_versions (
               month TEXT PRIMARY KEY,
               version INTEGER NOT NULL
           ) WITHOUT ROWID"""
    )
    db.execute(
        "INSERT INTO demand_cell_versions SELECT month, random() FROM "
        "(SELECT month FROM demand_skill_cells UNION SELECT substr(posted_date, 1, 7) FROM demand)"
    )

    def bump(row: str, only_if: str = "1") -> str:
        return f"""INSERT INTO demand_cell_versions SELECT {row}.month, random() WHERE {only_if}
                   ON CONFLICT (month) DO UPDATE SET version = excluded.version;"""

    table = "demand_skill_cells"
    db.execute(
        f"CREATE TRIGGER demand_cell_versions_add AFTER INSERT ON {table} BEGIN {bump('NEW')} END"
    )
    moved = "OLD.month IS NOT NEW.month"
    db.execute(
        f"CREATE TRIGGER demand_cell_versions_change AFTER UPDATE ON {table} "
        f"BEGIN {bump('NEW')} {bump('OLD', moved)} END"
    )
    db.execute(
        f"CREATE TRIGGER demand_cell_versions_remove AFTER DELETE ON {table} "
        f"BEGIN {bump('OLD')} END"
    )

    def bump_record(row: str, only_if: str = "1") -> str:
        return f"""INSERT INTO demand_cell_versions
                   SELECT substr({row}.posted_date, 1, 7), random() WHERE {only_if}
                   ON CONFLICT (month) DO UPDATE SET version = excluded.version;"""

    read = (
        "posted_date, local_authority, sector, isco_code, occupation_id, soc_major, vacancies, "
        "skill_level_counts, essential_level_counts"
    )
    db.execute(
        f"CREATE TRIGGER demand_record_versions_add AFTER INSERT ON demand "
        f"BEGIN {bump_record('NEW')} END"
    )
    moved = "substr(OLD.posted_date, 1, 7) IS NOT substr(NEW.posted_date, 1, 7)"
    db.execute(
        f"CREATE TRIGGER demand_record_versions_change AFTER UPDATE OF {read} ON demand "
        f"BEGIN {bump_record('NEW')} {bump_record('OLD', moved)} END"
    )
    db.execute(
        f"CREATE TRIGGER demand_record_versions_remove AFTER DELETE ON demand "
        f"BEGIN {bump_record('OLD')} END"
    )


@migrations()
def m013_unlinked_skill_phrases(db: sqlite_utils.Database) -> None:
    """How many listed skill phrases an import could not read as a skill (the run log
    keeps the count; the phrases themselves are in the report the provider gets)."""
    db.execute("ALTER TABLE import_runs ADD COLUMN unlinked_skills INTEGER NOT NULL DEFAULT 0")
