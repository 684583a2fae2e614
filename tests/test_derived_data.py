"""Checks on the committed derived data in data/ (written by scripts/derive_data.py).

These read only the files in the repository: they never re-run the derivation and never
touch the shared source directory, so they are fast and run anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
from functools import cache
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
REFERENCE = DATA / "reference"

LCR = ["E06000006", "E08000011", "E08000012", "E08000014", "E08000013", "E08000015"]
LANCASHIRE_DISTRICTS = [f"E07000{n}" for n in range(117, 129)]
LANCASHIRE_UNITARIES = ["E06000008", "E06000009"]


@cache
def rows(name: str) -> list[dict[str, str]]:
    """All rows of a reference CSV."""
    with (REFERENCE / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def skill_ids() -> frozenset[str]:
    """UUIDs of every skill in esco_skills.csv."""
    return frozenset(r["id"] for r in rows("esco_skills.csv"))


def split(cell: str) -> list[str]:
    """Items of a ` | `-joined cell."""
    return [x for x in cell.split(" | ") if x]


def sources() -> list[dict]:
    """Entries of SOURCES.json."""
    return json.loads((REFERENCE / "SOURCES.json").read_text(encoding="utf-8"))


def test_digital_skills_match_esco_v120_collection() -> None:
    skills = rows("esco_skills.csv")
    assert sum(r["is_digital"] == "1" for r in skills) == 1284
    assert sum(r["in_digcomp"] == "1" for r in skills) == 25
    assert sum(r["is_transversal"] == "1" for r in skills) == 95


def test_skills_cover_v111_list_and_have_unique_ids_and_labels() -> None:
    skills = rows("esco_skills.csv")
    assert len(skill_ids()) == len(skills)
    assert sum(r["in_esco_v1_1_1"] == "1" for r in skills) == 13412
    assert all(r["preferred_label"] for r in skills)
    assert all(r["uri"] == "http://data.europa.eu/esco/skill/" + r["id"] for r in skills)


def test_every_label_belongs_to_a_known_skill_with_one_preferred_label() -> None:
    labels = rows("esco_skill_labels.csv")
    assert {r["skill_id"] for r in labels} == skill_ids()
    preferred = [r["skill_id"] for r in labels if r["label_type"] == "preferred"]
    assert len(preferred) == len(set(preferred)) == len(skill_ids())
    assert {r["label_type"] for r in labels} == {"preferred", "alt"}


def test_every_occupation_skill_uuid_exists() -> None:
    known = skill_ids()
    occupations = rows("esco_occupations.csv")
    assert len(occupations) == 3039
    for occ in occupations:
        for sid in split(occ["essential_skills"]) + split(occ["optional_skills"]):
            assert sid in known, (occ["label"], sid)
        assert len(occ["isco_code"]) == 4 and occ["isco_code"].isdigit()
        assert occ["digitalization_level"] in {"0", "1", "2", "3"}


def test_occupation_counts_agree_with_occupation_lists() -> None:
    essential: dict[str, int] = {}
    for occ in rows("esco_occupations.csv"):
        for sid in split(occ["essential_skills"]):
            essential[sid] = essential.get(sid, 0) + 1
    for skill in rows("esco_skills.csv"):
        assert int(skill["occupations_essential"]) == essential.get(skill["id"], 0)


@pytest.mark.parametrize("gss", LCR)
def test_liverpool_city_region_authorities_present(gss: str) -> None:
    by_gss = {r["gss_code"]: r for r in rows("local_authorities.csv")}
    assert by_gss[gss]["combined_authority"]
    assert by_gss[gss]["combined_authority_name"] == "Liverpool City Region"


@pytest.mark.parametrize("gss", LANCASHIRE_DISTRICTS + LANCASHIRE_UNITARIES)
def test_lancashire_authorities_present(gss: str) -> None:
    by_gss = {r["gss_code"]: r for r in rows("local_authorities.csv")}
    assert gss in by_gss
    if gss in LANCASHIRE_DISTRICTS:
        assert by_gss[gss]["county_gss"] == "E10000017"


def test_area_names_resolve_to_current_authorities() -> None:
    current = {r["gss_code"] for r in rows("local_authorities.csv")}
    names = {r["name"]: r["gss_code"] for r in rows("local_authority_names.csv")}
    assert set(names.values()) <= current
    assert all(name == name.lower() for name in names)
    assert names["liverpool"] == "E08000012"
    assert names["blackpool"] == "E06000009"


def test_eds_areas_cover_both_frameworks_and_point_at_real_skills() -> None:
    areas = rows("eds_areas.csv")
    frameworks = {r["framework"] for r in areas}
    assert frameworks == {"EDS framework 2018", "DfE national standards 2019"}
    assert sum(r["framework"] == "EDS framework 2018" for r in areas) == 6
    assert sum(r["framework"] == "DfE national standards 2019" for r in areas) == 5
    for area in areas:
        equivalents = split(area["esco_equivalents"])
        assert equivalents, area["id"]
        assert set(equivalents) <= skill_ids(), area["id"]


def test_code_lists_complete() -> None:
    assert [r["section"] for r in rows("sic_sections.csv")] == list("ABCDEFGHIJKLMNOPQRSTU")
    assert [r["code"] for r in rows("soc_major_groups.csv")] == [str(n) for n in range(1, 10)]
    soc = {r["code"] for r in rows("soc_major_groups.csv")}
    mapping = rows("isco_to_soc_major.csv")
    assert [r["isco_major"] for r in mapping] == [str(n) for n in range(10)]
    assert all(r["soc_major"] in soc for r in mapping)
    isco = {r["code"] for r in rows("isco_groups.csv")}
    assert {r["isco_code"] for r in rows("esco_occupations.csv")} <= isco


def test_sources_json_sha256_and_rows_match_files() -> None:
    entries = sources()
    listed = {e["file"] for e in entries}
    on_disk = {
        str(p.relative_to(DATA))
        for p in DATA.glob("*/*")
        if p.is_file() and p.parent.name in {"reference", "eval"} and p.name != "SOURCES.json"
    }
    assert listed == on_disk
    for entry in entries:
        path = DATA / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["file"]
        assert entry["sources"], entry["file"]
        assert all(s["licence"] and s["version"] for s in entry["sources"])
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as fh:
                assert sum(1 for _ in csv.DictReader(fh)) == entry["rows"], entry["file"]
        elif path.suffix == ".npz":
            import numpy as np

            with np.load(path, allow_pickle=False) as npz:
                assert len(npz["key_delta"]) == entry["rows"], entry["file"]
        else:
            lines = path.read_text(encoding="utf-8").splitlines()
            assert len([ln for ln in lines if ln.strip()]) == entry["rows"], entry["file"]


def test_readme_row_counts_match_sources_json() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for entry in sources():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{entry['file']}`"))
        assert f"| {entry['rows']:,} |" in row, entry["file"]


def test_skillspan_copies_are_json_lines() -> None:
    for split_name in ("dev", "train"):
        path = DATA / "eval" / f"skillspan_{split_name}.jsonl"
        first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        assert {"tokens", "tags_skill", "tags_knowledge"} <= set(first)


def test_everyday_words_cover_every_one_word_alias_with_wordfreq_provenance() -> None:
    words = {r["word"]: float(r["zipf"]) for r in rows("everyday_words.csv")}
    assert all(w == w.lower() and 0.0 <= z <= 8.0 for w, z in words.items())
    one_word = {r["alias"].casefold() for r in rows("aliases.csv") if " " not in r["alias"]}
    assert one_word <= words.keys()
    # The general vocabulary (Zipf >= 2.5) is there, and real frequencies were written.
    assert words["the"] > 7 and words["access"] > words["python"] > words["kubernetes"]
    entry = next(e for e in sources() if e["file"] == "reference/everyday_words.csv")
    package = entry["sources"][0]
    assert package["dataset"].startswith("wordfreq") and package["version"] == "3.1.1"
    assert "CC BY-SA 4.0" in package["licence"]


def test_postcode_authorities_are_current_authorities_and_lancashire_centroid_is_fixed() -> None:
    import numpy as np

    with np.load(REFERENCE / "postcodes.npz", allow_pickle=False) as npz:
        authorities = {str(g) for g in npz["authorities"]}
        assert len(npz["key_delta"]) > 2_500_000
    known = {r["gss_code"]: r for r in rows("local_authorities.csv")}
    assert authorities <= set(known)
    assert set(LCR) | set(LANCASHIRE_DISTRICTS) | set(LANCASHIRE_UNITARIES) <= authorities
    lancashire = known["E10000017"]
    # The register put it in Northamptonshire (52.50, -0.81); Preston is at 53.76, -2.70.
    assert 53.6 < float(lancashire["lat"]) < 54.0 and -2.9 < float(lancashire["long"]) < -2.3
    assert lancashire["latlong_source"].startswith("ONSPD")
    assert not [r["name"] for r in rows("local_authorities.csv") if r["latlong_suspect"] == "1"]
