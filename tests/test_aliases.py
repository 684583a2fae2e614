"""Checks on the hand-curated alias table data/reference/aliases.csv.

The table links words people write in UK adverts, course pages and CVs (tools, brands,
acronyms, informal phrasings) to ESCO skills. It is committed source, not derived:
scripts/derive_data.py validates it the same way and records it in SOURCES.json. These tests
read only files in the repository, so they are fast and run anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
ALIASES = REFERENCE / "aliases.csv"
HEADER = ["alias", "skill_id", "skill_label", "kind", "case_sensitive", "provenance"]
KINDS = {"product", "brand", "acronym", "phrase"}

# Words that must not be aliases at all, in any case: their bare form in an advert or CV
# almost never means the tool or skill, so matching them would create false evidence.
FORBIDDEN_ANYWHERE = {
    "access",  # "access to training", "wheelchair access": list "Microsoft Access" / "MS Access"
    "teams",  # "work in teams": list "Microsoft Teams" / "MS Teams"
    "email",  # "email your CV to ...": an application instruction, not evidence of a skill
    "e-mail",
    "call",  # "call us", "on call"
    "less",  # the CSS preprocessor, but far more often the everyday word
    "source",  # "source materials", "source candidates"
    "planning",  # an activity in every sector, not a digital tool
    "plc",  # "Tesco PLC": the company suffix, not a programmable logic controller
    "windows",  # glazing adverts: list "Microsoft Windows", "Windows Server", ...
    "go",  # the language, but an everyday word in every advert
    "coding",  # clinical coding and colour coding as often as programming
    "programming",  # TV and exercise programming as well as software
    "illustrator",  # a job title: list "Adobe Illustrator"
    "sketch",  # the design tool, but an everyday word
    "notion",  # the app, but an everyday word
    "buffer",  # the social media tool, but an everyday word
    "epic",  # the EPR vendor, but an everyday word: list "Epic EPR"
    "spark",  # ESCO's 'SPARK' is an Ada dialect, Apache Spark an unrelated engine
    "sas",  # SAS software, but also the Special Air Service: list "SAS programming"
    "it",  # the pronoun
}

# Words that may be aliases only with case_sensitive = 1 (matched exactly as written),
# because in lower case (or as an ordinary word) they mean something else. "database" is
# deliberately not here: it is an ESCO preferred label already, so the matcher sees it anyway.
CASE_SENSITIVE_ONLY = {
    "excel",  # "excel in a fast-paced role"
    "word",  # "word of mouth"
    "outlook",  # "a positive outlook"
    "r",  # a letter
    "rio",  # place names
    "sap",
    "sage",  # a herb, "sage advice"
    "agile",  # "agile and adaptable"
    "scrum",  # rugby
    "zoom",  # "zoom in"
    "slack",
    "react",  # "react quickly"
    "angular",
    "swift",
    "ruby",
    "java",
    "unity",
    "docker",  # a dock worker
    "git",
    "confluence",
    "tableau",
    "looker",
    "oracle",
    "salesforce",  # "our salesforce": a sales team
    "copilot",
    "lorenzo",
    "azure",
    "bash",
    "blender",
    "asana",
    "cad",
    "ai",
    "ml",  # millilitres
    "epr",  # also extended producer responsibility (packaging waste)
}

# Aliases the table must carry, with one ESCO skill each must (at least) be linked to.
MUST_HAVE = {
    "Power BI": "data visualisation software",
    "Canva": "graphics editor software",
    "Mailchimp": "execute email marketing",
    "SystmOne": "use electronic health records management system",
    "EPR": "use electronic health records management system",
    "Microsoft Teams": "use online tools to collaborate",
    "Docker": "manage ICT virtualisation environments",
    "Linux": "operating systems",
    "TCP/IP": "ICT communications protocols",
    "pandas": "Python (computer programming)",
    "e-commerce": "e-commerce systems",
    "Excel": "use spreadsheets software",
    "Facebook": "apply social media marketing",
    "Instagram": "apply social media marketing",
}


@cache
def alias_rows() -> tuple[dict[str, str], ...]:
    """All rows of aliases.csv."""
    with ALIASES.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@cache
def skills() -> dict[str, dict[str, str]]:
    """esco_skills.csv rows by UUID."""
    with (REFERENCE / "esco_skills.csv").open(encoding="utf-8", newline="") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def test_header_and_size() -> None:
    with ALIASES.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == HEADER
    assert 200 <= len(alias_rows()) <= 400


def test_every_skill_id_exists_with_its_preferred_label() -> None:
    known = skills()
    for row in alias_rows():
        assert row["skill_id"] in known, row
        assert row["skill_label"] == known[row["skill_id"]]["preferred_label"], row


def test_fields_are_valid() -> None:
    for row in alias_rows():
        assert row["alias"] and row["alias"] == " ".join(row["alias"].split()), row
        assert row["kind"] in KINDS, row
        assert row["case_sensitive"] in {"0", "1"}, row
        assert row["provenance"].strip(), row


def test_no_duplicate_alias_skill_pairs() -> None:
    # A case-insensitive alias also repeats a spelling that differs only in case.
    keys = Counter(
        (r["alias"] if r["case_sensitive"] == "1" else r["alias"].casefold(), r["skill_id"])
        for r in alias_rows()
    )
    assert [k for k, n in keys.items() if n > 1] == []


def test_each_alias_has_at_most_three_skills_and_one_kind_and_case_rule() -> None:
    by_alias: dict[str, list[dict[str, str]]] = {}
    for row in alias_rows():
        by_alias.setdefault(row["alias"], []).append(row)
    for alias, rows in by_alias.items():
        assert len(rows) <= 3, alias
        assert len({(r["kind"], r["case_sensitive"]) for r in rows}) == 1, alias


def test_no_forbidden_everyday_words() -> None:
    for row in alias_rows():
        word = row["alias"].casefold()
        assert word not in FORBIDDEN_ANYWHERE, row
        if word in CASE_SENSITIVE_ONLY:
            assert row["case_sensitive"] == "1", row


def test_case_sensitive_aliases_are_not_all_lower_case() -> None:
    # A lower-case case-sensitive alias would match the everyday word it is meant to avoid.
    for row in alias_rows():
        if row["case_sensitive"] == "1":
            assert row["alias"] != row["alias"].lower(), row


@pytest.mark.parametrize(("alias", "label"), sorted(MUST_HAVE.items()))
def test_must_have_alias_is_linked(alias: str, label: str) -> None:
    linked = {r["skill_label"] for r in alias_rows() if r["alias"] == alias}
    assert label in linked, (alias, linked)


def test_product_names_written_only_in_full_where_short_form_is_a_word() -> None:
    aliases = {r["alias"] for r in alias_rows()}
    assert {"Microsoft Access", "MS Access", "Microsoft Teams", "MS Teams"} <= aliases
    assert {"Microsoft Word", "MS Word", "Microsoft Excel", "MS Excel"} <= aliases


def test_sources_json_records_the_alias_table() -> None:
    entries = json.loads((REFERENCE / "SOURCES.json").read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["file"] == "reference/aliases.csv")
    assert entry["rows"] == len(alias_rows())
    assert entry["sha256"] == hashlib.sha256(ALIASES.read_bytes()).hexdigest()
    assert entry["sources"][0]["dataset"].startswith("skills-match alias table")
