"""The skills engine: encoder, vector cache, skill space and extractor, built once per process.

The CLI, the API and the matcher all reach the skill space through :func:`get_engine`, so
the model is loaded and the ~20k label vectors are read once per process, not per request.

>>> engine = get_engine(Settings.from_env())
>>> [s.label for s in engine.extractor.extract("Confident with MS Excel")]
['use spreadsheets software']
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from .config import Settings
from .embeddings import EmbeddingCache, get_encoder
from .extract import Extractor, description_texts
from .phrases import PhraseReader
from .skillspace import SkillSpace, get_skill_space, taxonomy_version
from .store import Store
from .store.courses import SkillLink


class SkillsEngine:
    """Everything that turns text into skills, sharing one encoder and one vector cache.

    Holds its own database connection (reads taxonomy and levels, writes catalogue vectors);
    after a fork (gunicorn workers) the connection is reopened, never shared.
    """

    def __init__(
        self,
        settings: Settings,
        progress: Callable[[str], None] | None = None,
        show_progress: bool = False,
    ) -> None:
        self.settings = settings
        self.encoder = get_encoder()
        self._pid = os.getpid()
        self.store = Store(settings.database, busy_timeout_ms=settings.busy_timeout_ms)
        self.cache = EmbeddingCache(self.encoder, self.store)
        # Read first: a change during the build then shows as a newer version, not missed.
        self.version = taxonomy_version(self.store)
        self.space: SkillSpace = get_skill_space(
            self.store, self.cache, progress=progress, show_progress=show_progress
        )
        self._extractor: Extractor | None = None
        self._phrases: PhraseReader | None = None
        self._extractor_lock = threading.Lock()

    @property
    def extractor(self) -> Extractor:
        """The extractor, built on first use (it loads the trained model and skill keys)."""
        with self._extractor_lock:
            if self._extractor is None:
                self._extractor = Extractor(
                    self.store,
                    self.space,
                    self.cache,
                    models_dir=self.settings.models_dir,
                    data_dir=self.settings.data_dir,
                )
            return self._extractor

    @property
    def phrases(self) -> PhraseReader:
        """The skill-phrase reader (targets in words, course skills as providers list them)."""
        extractor = self.extractor
        with self._extractor_lock:
            if self._phrases is None:
                self._phrases = PhraseReader(extractor, self.space, self.cache)
            return self._phrases

    def reopen_after_fork(self) -> None:
        """Give this process its own connection: SQLite handles must not cross a fork."""
        self.store = Store(self.settings.database, busy_timeout_ms=self.settings.busy_timeout_ms)
        self.cache.store = self.store
        if self._extractor is not None:
            self._extractor.store = self.store
        self._pid = os.getpid()

    def is_current(self) -> bool:
        """Whether the taxonomy is unchanged since the engine was built (one row read)."""
        return taxonomy_version(self.store) == self.version

    def close(self) -> None:
        """Close the engine's database connection."""
        self.store.close()


# Engines by database path. A few are kept (tests and benchmarks open several databases);
# those dropped are not closed, as a caller may still hold one.
_engines: OrderedDict[str, SkillsEngine] = OrderedDict()
_lock = threading.Lock()
ENGINES_KEPT = 4


def get_engine(settings: Settings, **kwargs: Any) -> SkillsEngine:
    """The process-wide engine for the configured database (rebuilt if its taxonomy changed)."""
    key = os.path.abspath(settings.database)
    with _lock:
        engine = _engines.get(key)
        if engine is not None and engine._pid != os.getpid():
            engine.reopen_after_fork()
        if engine is None or not engine.is_current():
            engine = SkillsEngine(settings, **kwargs)
            _engines[key] = engine
        _engines.move_to_end(key)
        while len(_engines) > ENGINES_KEPT:
            _engines.popitem(last=False)
    return engine


def build_skill_space(
    settings: Settings, echo: Callable[[str], None] | None = None, show_progress: bool = False
) -> dict[str, Any]:
    """Make sure every taxonomy label's vector is in the database (what `init` runs).

    Embeds only labels never seen before; a second run, or a second database in the same
    process, computes nothing.
    """
    started = time.perf_counter()
    with Store(settings.database, busy_timeout_ms=settings.busy_timeout_ms) as store:
        before = store.vector_count(get_encoder().name)
    engine = get_engine(settings, progress=echo, show_progress=show_progress)
    engine.cache.ensure_stored(engine.space.labels_, show_progress=show_progress)
    # The extractor's skill keys also read each ESCO description: embed those now, not on
    # the first request.
    descriptions = description_texts(engine.store, engine.space)
    engine.cache.ensure_stored(list(descriptions.values()), show_progress=show_progress)
    info = {
        "labels": len(engine.space.labels_),
        "skills": len(engine.space.ids_),
        "vectors_added": engine.store.vector_count(engine.encoder.name) - before,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if echo:
        echo(
            f"Skill space: {info['labels']:,} label vectors for {info['skills']:,} skills "
            f"ready in {info['seconds']:.1f} s."
        )
    return info


def warm_up(settings: Settings) -> dict[str, float]:
    """Build the engine, extractor and matcher, answer one sample match, read the gap
    report's months into memory and load the postcode table (seconds each).

    `serve` runs this in the gunicorn master before it forks, so each worker starts with
    the model loaded, the arrays in shared (copy-on-write) memory and the code paths of a
    match already run once: a worker's first request is as fast as its hundredth. The
    default gap report (the 12 months to the latest demand) is built once for the same
    reason: its months stay in the report's month cache (``report_cells.MONTHS``).
    The sample match runs OpenMP on one thread (``Matcher.rank`` limits it, once the
    scorer's OpenMP library is loaded), so no OpenMP pool exists to break at the fork.
    """
    from .matcher import get_matcher

    timings: dict[str, float] = {}
    started = time.perf_counter()
    engine = get_engine(settings)
    timings["engine"] = time.perf_counter() - started
    step = time.perf_counter()
    engine.extractor  # noqa: B018 -- built on first use; build it here
    timings["extractor"] = time.perf_counter() - step
    step = time.perf_counter()
    with Store(settings.database, busy_timeout_ms=settings.busy_timeout_ms) as store:
        matcher = get_matcher(settings, store)
        timings["matcher"] = time.perf_counter() - step
        step = time.perf_counter()
        occupation = store.db.execute("SELECT label FROM occupations LIMIT 1").fetchone()
        area = store.db.execute("SELECT gss_code FROM local_authorities LIMIT 1").fetchone()
        if occupation and area:
            matcher.rank(
                {
                    "current_skills_text": "I send emails and use spreadsheets",
                    "target": {"occupation": occupation[0]},
                    "local_authority": area[0],
                },
                store,
            )
        timings["sample_match"] = time.perf_counter() - step
        from .report import GapReportFilters, build_gap_report
        from .store.report_cells import MONTHS

        if MONTHS.max_bytes > 0:  # with SKILLS_MATCH_REPORT_CACHE_MB=0 nothing would stay
            step = time.perf_counter()
            build_gap_report(store, GapReportFilters())
            timings["gap_report"] = time.perf_counter() - step
        step = time.perf_counter()
        from .geo import locator_for

        locator_for(settings.data_dir).size  # noqa: B018 -- loads the postcode table
        timings["postcodes"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return timings


def reset_engines() -> None:
    """Drop every cached engine (tests that rebuild a database under the same path)."""
    with _lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()


class EngineLinker:
    """A SkillLinker that builds the engine only when a record needs extraction.

    Imports whose rows all name their skills never load the model.
    """

    def __init__(self, settings: Settings, engine: SkillsEngine | None = None) -> None:
        self.settings = settings
        self._engine = engine  # one already built (tests, benchmarks), else get_engine's

    def _get(self) -> SkillsEngine:
        return self._engine if self._engine is not None else get_engine(self.settings)

    def link(self, texts: Sequence[str]) -> list[list[SkillLink]]:
        """One list of skill links per catalogue text (vectors persisted)."""
        return self._get().extractor.link(texts)

    def read_phrases(self, phrases: Sequence[str], persist: bool = True) -> list[str | None]:
        """The skill id each listed skill phrase names, None where it names none."""
        # Any skill, as extraction from a page's text links: the record's skills, not a gap.
        readings = self._get().phrases.read(phrases, persist=persist, digital_only=False)
        return [r.skill_id for r in readings]
