"""The skill space: label vectors from the store, nearest skills, skill-to-skill similarity.

The session fixtures here (``skills_db``, ``engine``) are shared with test_extract.py and
test_api_extract.py: one private copy of the reference template, one engine over it. The
template already holds every label vector (`init` caches them), so nothing is embedded
when the space is built.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skills_match.config import Settings
from skills_match.embeddings import EmbeddingCache
from skills_match.errors import NotFound
from skills_match.extract import PHRASE_FLOOR
from skills_match.skillspace import SkillSpace, get_skill_space
from skills_match.store import Store
from tests.conftest import copy_database

SPREADSHEETS = "use spreadsheets software"
PYTHON = "Python (computer programming)"


@pytest.fixture(scope="session")
def skills_db(reference_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the reference template for the extraction tests of this session."""
    return copy_database(reference_db, tmp_path_factory.mktemp("skills") / "skills.db")


@pytest.fixture(scope="session")
def engine(skills_db: Path, encoder):
    """The skills engine over ``skills_db``, built once per session."""
    from skills_match.engine import SkillsEngine

    engine = SkillsEngine(Settings.from_env(database=str(skills_db)))
    yield engine
    engine.close()


def skill_id(store: Store, label: str) -> str:
    """The id of the skill with this preferred label."""
    return store.db.execute("SELECT id FROM skills WHERE label = ?", [label]).fetchone()[0]


def test_space_has_a_normalised_vector_for_every_label_row(engine):
    space = engine.space
    assert space.label_matrix_.dtype == np.float32
    assert space.label_matrix_.shape == (len(space.labels_), 384)
    assert len(space.label_skill_) == len(space.labels_)
    norms = np.linalg.norm(space.label_matrix_, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)
    # Rows are grouped by skill, so a skill's labels are one slice (the matcher relies on it).
    assert np.all(np.diff(space.label_skill_) >= 0)
    assert space.skill_vectors_.shape == (len(space.ids_), 384)


def test_digital_skills_bring_their_synonyms_other_skills_only_their_preferred_label(engine):
    space = engine.space
    store = engine.store
    python = space.position(skill_id(store, PYTHON))
    python_labels = {space.labels_[r] for r in np.flatnonzero(space.label_skill_ == python)}
    assert {PYTHON, "Python"} <= python_labels
    cooking = space.position(skill_id(store, "use cooking techniques"))
    rows = np.flatnonzero(space.label_skill_ == cooking)
    assert [space.labels_[r] for r in rows] == ["use cooking techniques"]
    # The skill vector is its preferred label's vector.
    preferred = space.preferred_row_[python]
    assert space.labels_[preferred] == PYTHON
    assert np.array_equal(space.vector(space.ids_[python]), space.label_matrix_[preferred])


def test_a_second_build_embeds_nothing(engine, encoder):
    # Its own memory, so every vector must come back from the embeddings table.
    cache = EmbeddingCache(encoder, engine.store, shared_memory=False)
    space = SkillSpace().fit(engine.store, cache)
    assert cache.encoded == 0
    assert np.array_equal(space.label_matrix_, engine.space.label_matrix_)


def test_ms_excel_is_nearest_to_use_spreadsheets_software(engine):
    vectors = engine.cache.embed(["MS Excel"], persist=False)
    ((best, *_),) = engine.space.nearest(vectors, k=3)
    skill, score, matched = best
    assert engine.space.label(skill) == SPREADSHEETS
    assert score >= PHRASE_FLOOR
    assert matched  # the label that was closest, for the explanation


def test_nearest_returns_k_distinct_skills_best_first(engine):
    vectors = engine.cache.embed(["Python", "cooking"], persist=False)
    for found in engine.space.nearest(vectors, k=5):
        assert len(found) == 5
        assert len({s for s, _, _ in found}) == 5
        scores = [score for _, score, _ in found]
        assert scores == sorted(scores, reverse=True)


def test_nearest_digital_only_returns_only_digital_skills(engine):
    vectors = engine.cache.embed(["cooking"], persist=False)
    (found,) = engine.space.nearest(vectors, k=5, digital_only=True)
    assert all(engine.space.is_digital(s) for s, _, _ in found)
    (anything,) = engine.space.nearest(vectors, k=1)
    assert not engine.space.is_digital(anything[0].skill_id)


def test_similarity_is_cosine_between_skill_vectors(engine):
    store = engine.store
    ids = [
        skill_id(store, SPREADSHEETS),
        skill_id(store, PYTHON),
        skill_id(store, "use cooking techniques"),
    ]
    sims = engine.space.similarity(ids, ids)
    assert sims.shape == (3, 3)
    assert np.allclose(np.diag(sims), 1.0, atol=1e-4)
    assert np.allclose(sims, sims.T, atol=1e-5)
    assert sims[0, 1] > sims[0, 2]  # spreadsheets are closer to Python than to cooking


def test_unknown_skill_is_not_found(engine):
    with pytest.raises(NotFound):
        engine.space.vector("no-such-skill")


def test_process_wide_space_is_built_once_and_rebuilt_when_the_taxonomy_changes(engine):
    store, cache = engine.store, engine.cache
    first = get_skill_space(store, cache)
    assert get_skill_space(store, cache) is first
    python = skill_id(store, PYTHON)
    with store.write():
        store.db.execute(
            "INSERT INTO skill_labels (skill_id, label, label_type, normalised) "
            "VALUES (?, 'Python 3 scripting', 'alt', 'python 3 scripting')",
            [python],
        )
    try:
        second = get_skill_space(store, cache)
        assert second is not first
        assert "Python 3 scripting" in second.labels_
    finally:
        with store.write():
            store.db.execute("DELETE FROM skill_labels WHERE label = 'Python 3 scripting'")
