"""Lexical matching over the real taxonomy: labels, aliases, typos and ambiguity flags.

The lexicon is built from a private copy of the session's real reference database;
the alias table is the one the store holds, or the shipped CSV while the store has none.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from skills_match.lexicon import (
    AMBIGUOUS_ZIPF,
    NAME_ZIPF,
    Alias,
    LexicalHit,
    Lexicon,
    get_lexicon,
    reference_aliases,
    tokenise,
    zipf,
)
from skills_match.skillspace import get_skill_space
from skills_match.store import Store
from tests.conftest import copy_database


@pytest.fixture(scope="module")
def space_and_store(reference_db: Path, tmp_path_factory: pytest.TempPathFactory, encoder):
    """The real taxonomy and its skill space over a private copy of the reference database."""
    from skills_match.embeddings import EmbeddingCache

    path = copy_database(reference_db, tmp_path_factory.mktemp("lexicon") / "lexicon.db")
    with Store(path) as store:
        yield get_skill_space(store, EmbeddingCache(encoder, store)), store


@pytest.fixture(scope="module")
def lexicon(space_and_store) -> Lexicon:
    space, store = space_and_store
    return get_lexicon(store, space)


def found(lexicon: Lexicon, text: str) -> list[tuple[str, str, str, bool]]:
    """(span text, method, preferred label of the skill, ambiguous) of every hit."""
    labels = lexicon.space.skill_labels_
    return [
        (text[h.start : h.end], h.method, labels[h.skill], h.ambiguous) for h in lexicon.hits(text)
    ]


def spans(lexicon: Lexicon, text: str) -> dict[str, set[str]]:
    """Span text -> preferred labels of the skills found there."""
    out: dict[str, set[str]] = {}
    for span, _, label, _ in found(lexicon, text):
        out.setdefault(span, set()).add(label)
    return out


@pytest.mark.parametrize(
    ("text", "span", "label"),
    [
        ("We need IT support staff.", "IT support", "provide ICT support"),
        ("Dashboards in Power BI for managers.", "Power BI", "data visualisation software"),
        ("Dashboards in PowerBI for managers.", "PowerBI", "data visualisation software"),
        (
            "Meetings on Microsoft Teams daily.",
            "Microsoft Teams",
            "use online tools to collaborate",
        ),
        ("Design posters in Canva.", "Canva", "graphics editor software"),
        ("Newsletters with Mailchimp.", "Mailchimp", "execute email marketing"),
        (
            "Records kept in SystmOne.",
            "SystmOne",
            "use electronic health records management system",
        ),
        ("Knowledge of TCP/IP networking.", "TCP/IP", "ICT communications protocols"),
        ("Analysis with pandas and NumPy.", "pandas", "Python (computer programming)"),
        ("Running our e-commerce site.", "e-commerce", "e-commerce systems"),
        ("Containers with Docker.", "Docker", "manage ICT virtualisation environments"),
        ("Servers running Linux.", "Linux", "operating systems"),
    ],
)
def test_aliases_people_write_are_found(lexicon, text, span, label):
    hits = [h for h in found(lexicon, text) if h[0] == span]
    assert hits, found(lexicon, text)
    assert label in {h[2] for h in hits}
    assert all(h[1] == "alias" and not h[3] for h in hits)


def test_canva_is_not_canvas_lms(lexicon):
    labels = spans(lexicon, "Social posts made in Canva.")["Canva"]
    assert not any("Canvas" in label for label in labels)


def test_it_in_capitals_is_the_acronym_and_the_pronoun_is_not(lexicon):
    assert "IT support" in spans(lexicon, "Provide IT support to staff.")
    lower = spans(lexicon, "We give it support when needed.")
    assert not any("it" in span.split() for span in lower), lower
    assert "IT security" in spans(lexicon, "Knowledge of IT security.")
    assert spans(lexicon, "Make it secure.") == {}


def test_case_sensitive_alias_only_matches_as_written(lexicon):
    assert "Excel" in spans(lexicon, "We use Excel every day.")
    assert spans(lexicon, "You will excel in this role.") == {}


def test_alias_beats_label_on_the_same_span(lexicon):
    hits = [h for h in lexicon.hits("Build apps in Python daily.") if h.matched_label == "Python"]
    assert hits and all(h.method == "alias" for h in hits)


def test_alias_of_a_skill_outside_the_space_is_skipped(space_and_store):
    space, store = space_and_store
    aliases = [
        Alias("Frobnicator", "no-such-skill", False, "partnership"),
        Alias("Frobnicate Pro", space.ids_[0], False, "partnership"),
    ]
    lexicon = Lexicon(store, space, aliases=aliases)
    assert lexicon.hits("We use Frobnicator.") == []
    hits = lexicon.hits("We use Frobnicate Pro.")
    assert [(h.skill, h.method, h.matched_label) for h in hits] == [(0, "alias", "Frobnicate Pro")]


def test_default_aliases_include_the_shipped_table(lexicon):
    assert {a.alias for a in reference_aliases()} <= {a.alias for a in lexicon.aliases}


@pytest.mark.parametrize(
    ("typo", "label"),
    [("Exel", "use spreadsheets software"), ("Pyhton", "Python (computer programming)")],
)
def test_typos_are_corrected(lexicon, typo, label):
    text = f"Good {typo} skills needed."
    hits = [h for h in lexicon.hits(text) if text[h.start : h.end] == typo]
    assert [h.method for h in hits] == ["fuzzy"]
    assert lexicon.space.skill_labels_[hits[0].skill] == label
    assert 0.8 <= hits[0].score < 1.0


@pytest.mark.parametrize("word", ["excellent", "exceptional", "excels", "Postgis", "agil"])
def test_ordinary_words_are_not_corrected(lexicon, word):
    assert not [h for h in lexicon.hits(f"An {word} team player.") if h.method == "fuzzy"]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Access is needed for the database.", "Access"),
        ("Please CALL the office.", "CALL"),
        ("Styles written in LESS.", "LESS"),
        ("Open Source projects.", "Source"),
    ],
)
def test_everyday_word_matches_are_flagged_ambiguous(lexicon, text, span):
    hits = [h for h in found(lexicon, text) if h[0] == span]
    assert hits and all(h[3] for h in hits)


@pytest.mark.parametrize(
    "text",
    [
        "Access to training is provided.",
        "Please call us on the number below.",
        "Less than two years.",
        "A source of pride.",
        "Planning permission required.",
        "Please email us at jobs@example.org.",
    ],
)
def test_everyday_words_in_lower_case_link_nothing_unflagged(lexicon, text):
    assert [h for h in found(lexicon, text) if not h[3]] == []


def test_database_and_planning_are_everyday_words(lexicon):
    assert lexicon.ambiguous("database") and lexicon.ambiguous("planning")
    assert lexicon.ambiguous("Access") and lexicon.ambiguous("CALL")
    assert not lexicon.ambiguous("Python") and not lexicon.ambiguous("Docker")
    assert lexicon.ambiguous("Python", sentence_start=True)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Queries written in SQL daily.", "SQL"),
        ("Reports in Power BI.", "Power BI"),
        ("Databases in MS Access.", "MS Access"),
        ("We write Python daily.", "Python"),
    ],
)
def test_names_are_not_ambiguous(lexicon, text, span):
    hits = [h for h in found(lexicon, text) if h[0] == span]
    assert hits and not any(h[3] for h in hits)


def test_capital_at_sentence_start_is_no_evidence_of_a_name(lexicon):
    text = "Zoom in on detail. We meet on Zoom."
    flags = [(text[h.start : h.end], h.start, h.ambiguous) for h in lexicon.hits(text)]
    assert flags == [("Zoom", 0, True), ("Zoom", text.rindex("Zoom"), False)]


def test_thresholds_separate_the_evidence_words():
    assert all(zipf(w) >= AMBIGUOUS_ZIPF for w in ["access", "source", "call", "less", "teams"])
    assert all(NAME_ZIPF <= zipf(w) < AMBIGUOUS_ZIPF for w in ["excel", "zoom", "python"])
    assert all(zipf(w) < NAME_ZIPF for w in ["docker", "canva", "kubernetes"])


def test_hits_use_absolute_offsets_of_the_window(lexicon):
    text = "Intro sentence. We use Power BI and Exel. Outro with SQL."
    start = text.index("We")
    end = text.index("Outro")
    hits = lexicon.hits(text, start, end)
    assert {text[h.start : h.end] for h in hits} >= {"Power BI", "Exel"}
    assert all(start <= h.start < h.end <= end for h in hits)
    assert "SQL" not in {text[h.start : h.end] for h in hits}
    assert all(isinstance(h, LexicalHit) for h in hits)


def test_hits_do_not_overlap_and_longest_wins(lexicon):
    text = "Skills: Microsoft Excel, Microsoft Access, Power BI, SQL Server and Python."
    hits = lexicon.hits(text)
    covered = sorted({(h.start, h.end) for h in hits})
    assert all(a[1] <= b[0] for a, b in pairwise(covered))
    assert {"Microsoft Excel", "Microsoft Access", "SQL Server"} <= {text[s:e] for s, e in covered}


def test_lexicon_is_built_once_per_space(space_and_store, lexicon):
    space, store = space_and_store
    assert get_lexicon(store, space) is lexicon
    assert lexicon.vocabulary >= {"python", "spreadsheets"}


def test_tokenise_keeps_symbols_of_names():
    assert [t.text for t in tokenise("C++, C#, .NET and Node.js.")] == [
        "C++",
        "C#",
        ".NET",
        "and",
        "Node.js",
    ]
