"""Re-extract the catalogue and demand after the extractor changes (`skills-match reextract`).

Every extracted skill link records the extractor version that found it (m008). When
``EXTRACTOR_VERSION`` moves, the records whose extracted links came from another version are
extracted again from the same text the importer reads (``importer.course_text`` /
``demand_text``). Links the provider or employer gave (method 'provided') are kept.

Work goes in batches: the model runs outside any lock, then each batch is written in one
``BEGIN IMMEDIATE`` transaction. A batch written carries the current version, so an
interrupted run simply resumes where it stopped when run again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput
from .importer import SkillLinker, course_text, demand_text
from .store import Store, utcnow
from .store.courses import SkillLink

DEFAULT_BATCH = 100
MAX_BATCH = 10_000


@dataclass(frozen=True)
class _Kind:
    """Where one kind of record and its links live."""

    name: str  # "courses" | "demand"
    table: str
    links: str
    key: str  # the links' column naming the record
    text_columns: tuple[str, ...]
    text_of: Callable[[Any], str]


KINDS = (
    _Kind(
        "courses", "courses", "course_skills", "course_id", ("title", "description"), course_text
    ),
    _Kind(
        "demand", "demand", "demand_skills", "demand_id", ("job_title", "description"), demand_text
    ),
)


@dataclass
class ReextractReport:
    """What a re-extraction did, per kind of record."""

    version: str
    records: dict[str, int] = field(default_factory=dict)  # re-extracted
    changed: dict[str, int] = field(default_factory=dict)  # whose links changed
    skipped: dict[str, int] = field(default_factory=dict)  # text changed meanwhile
    links: dict[str, int] = field(default_factory=dict)  # extracted links written
    unlinked: dict[str, int] = field(default_factory=dict)  # records with no link at all
    batches: int = 0

    @property
    def total(self) -> int:
        """Records re-extracted, all kinds."""
        return sum(self.records.values())


def records_to_reextract(
    store: Store, version: str, all_records: bool = False
) -> dict[str, list[int]]:
    """Ids of the records to extract again, per kind, in id order.

    Stale: a record with an extracted link (method != 'provided') made by another version
    (or by none recorded). With ``all_records``: every record whose skills were not all
    named by its provider or employer, including those where extraction found none.
    """
    found: dict[str, list[int]] = {}
    for kind in KINDS:
        if all_records:
            sql = (
                f"SELECT id FROM {kind.table} r WHERE NOT EXISTS (SELECT 1 FROM {kind.links} l "
                f"WHERE l.{kind.key} = r.id AND l.method = 'provided') "
                f"OR EXISTS (SELECT 1 FROM {kind.links} l WHERE l.{kind.key} = r.id "
                "AND l.method != 'provided') ORDER BY id"
            )
            params: list[Any] = []
        else:
            sql = (
                f"SELECT DISTINCT {kind.key} FROM {kind.links} "
                f"WHERE method != 'provided' AND extractor IS NOT ? ORDER BY {kind.key}"
            )
            params = [version]
        found[kind.name] = [row[0] for row in store.db.execute(sql, params)]
    return found


def reextract(
    store: Store,
    linker: SkillLinker,
    *,
    version: str | None = None,
    all_records: bool = False,
    batch: int = DEFAULT_BATCH,
    echo: Callable[[str], None] | None = None,
) -> ReextractReport:
    """Extract the stale records' skills again, batch by batch; return what was done.

    ``version`` is the version the linker stamps on its links (default: the current
    ``EXTRACTOR_VERSION``). ``echo`` receives one progress line per batch.
    """
    if version is None:
        from .extract import EXTRACTOR_VERSION

        version = EXTRACTOR_VERSION
    if not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH:
        raise InvalidInput(
            "The batch size is invalid.", {"batch": [f"Between 1 and {MAX_BATCH:,}."]}
        )
    report = ReextractReport(version)
    todo = records_to_reextract(store, version, all_records)
    for kind in KINDS:
        # No link records no version: say how many such records only --all reaches.
        report.unlinked[kind.name] = store.db.execute(
            f"SELECT count(*) FROM {kind.table} r WHERE NOT EXISTS "
            f"(SELECT 1 FROM {kind.links} l WHERE l.{kind.key} = r.id)"
        ).fetchone()[0]
    for kind in KINDS:
        ids = todo[kind.name]
        for counter in (report.records, report.changed, report.skipped, report.links):
            counter[kind.name] = 0
        for start in range(0, len(ids), batch):
            _batch(store, linker, kind, ids[start : start + batch], report)
            report.batches += 1
            if echo:
                done = min(start + batch, len(ids))
                echo(
                    f"{kind.name}: {done:,}/{len(ids):,} re-extracted "
                    f"({report.changed[kind.name]:,} changed)"
                )
    return report


def _texts(store: Store, kind: _Kind, ids: Sequence[int]) -> dict[int, str]:
    columns = ", ".join(("id", *kind.text_columns))
    marks = ",".join("?" * len(ids))
    rows = store.db.query(f"SELECT {columns} FROM {kind.table} WHERE id IN ({marks})", list(ids))
    return {row["id"]: kind.text_of(row) for row in rows}


def _link_rows(store: Store, kind: _Kind, record_id: int) -> list[tuple[Any, ...]]:
    # What a reader sees of a record's extracted links (the version stamp aside), to tell
    # whether re-extraction changed anything.
    importance = "importance" if kind.name == "demand" else "'essential'"
    return sorted(
        store.db.execute(
            f"SELECT skill_id, level, method, round(score, 4), evidence, {importance} "
            f"FROM {kind.links} WHERE {kind.key} = ? AND method != 'provided'",
            [record_id],
        ).fetchall()
    )


def _batch(
    store: Store, linker: SkillLinker, kind: _Kind, ids: Sequence[int], report: ReextractReport
) -> None:
    texts = _texts(store, kind, ids)
    order = sorted(texts)
    # The model runs before the write lock is taken: other writers are not held up by it.
    found = dict(zip(order, linker.link([texts[i] for i in order]), strict=True))
    now = utcnow()
    with store.write():
        current = _texts(store, kind, order)
        for record_id in order:
            if current.get(record_id) != texts[record_id]:
                # Rewritten (or deleted) meanwhile: its writer extracted the new text.
                report.skipped[kind.name] += 1
                continue
            before = _link_rows(store, kind, record_id)
            _replace_extracted(store, kind, record_id, found[record_id], report.version)
            report.records[kind.name] += 1
            report.links[kind.name] += len(found[record_id])
            if _link_rows(store, kind, record_id) != before:
                report.changed[kind.name] += 1
                # The matcher's catalogue version (and readers' caches) follow updated_at.
                store.db.execute(
                    f"UPDATE {kind.table} SET updated_at = ? WHERE id = ?", [now, record_id]
                )


def _replace_extracted(
    store: Store, kind: _Kind, record_id: int, links: Sequence[SkillLink], version: str
) -> None:
    """Swap a record's extracted links for ``links``; the links it was given stay."""
    store.db.execute(
        f"DELETE FROM {kind.links} WHERE {kind.key} = ? AND method != 'provided'", [record_id]
    )
    given = {
        row[0]
        for row in store.db.execute(
            f"SELECT skill_id FROM {kind.links} WHERE {kind.key} = ?", [record_id]
        )
    }
    rows = []
    seen: set[str] = set()
    for link in links:
        if link.skill_id in given or link.skill_id in seen:
            continue  # a given link wins; one row per skill
        seen.add(link.skill_id)
        row = {
            kind.key: record_id,
            "skill_id": link.skill_id,
            "level": link.level,
            "method": link.method,
            "score": round(float(link.score), 4),
            "evidence": link.evidence,
            # A linker that does not stamp its links made them at the version asked for.
            "extractor": link.extractor or version,
        }
        if kind.name == "demand":
            row["importance"] = link.importance
        rows.append(row)
    if rows:
        store.db[kind.links].insert_all(rows)
