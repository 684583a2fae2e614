"""Build the database of the independent evaluation catalogue (``bench/eval/catalogue/``).

The catalogue was written by hand in the style of real UK course pages, independently of
the seed generator and of the matcher (see ``bench/eval/catalogue/README.md``). The database
holds the reference data, the illustrative seed *demand* (area-mode scenarios read it) and
these courses instead of the seed courses; course skills are read through the same import
path providers use (listed skill phrases, else extraction from the page text).

    .venv/bin/python -m bench.eval.build_catalogue --database /tmp/indep/catalogue.db

Safe to re-run: an unchanged course file imports nothing new.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from skills_match.config import Settings
from skills_match.store import Store

CATALOGUE = Path(__file__).resolve().parent / "catalogue"


def build(database: str) -> dict[str, int]:
    """Initialise ``database`` and import every provider and course of the catalogue."""
    from skills_match.bootstrap import initialise
    from skills_match.engine import EngineLinker
    from skills_match.importer import import_courses, read_rows

    settings = Settings.from_env(database=database)
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    initialise(settings, seed_courses=False, echo=print)
    counts = {"providers": 0, "courses": 0, "unlinked_skills": 0}
    with Store(settings.database, settings.busy_timeout_ms) as store:
        with store.write():
            for path in sorted(CATALOGUE.glob("providers_*.json")):
                for p in json.loads(path.read_text(encoding="utf-8")):
                    store.upsert_provider(
                        {
                            "ukprn": p["ukprn"],
                            "name": p["name"],
                            "provider_type": p["type"],
                            "local_authority": p.get("area"),
                            "website": p.get("website"),
                        }
                    )
                    counts["providers"] += 1
        linker = EngineLinker(settings)
        for path in sorted(CATALOGUE.glob("courses_*.jsonl")):
            report = import_courses(
                store, read_rows(path), source_name=path.name, actor="bench", linker=linker
            )
            counts["courses"] += report.rows_total
            counts["unlinked_skills"] += len(report.unlinked_skills)
    return counts


def main() -> None:
    """Build the catalogue database and print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    print(build(parser.parse_args().database))


if __name__ == "__main__":
    main()
