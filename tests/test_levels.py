"""The level classifier: estimator contract, persistence, the committed model, training."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skills_match.config import REPO_ROOT
from skills_match.errors import ConfigurationError, InvalidInput, NotFound
from skills_match.levels import (
    META_FILE,
    MODEL_FILE,
    LevelClassifier,
    cross_validate,
    load_level_classifier,
    predict_level,
    predict_levels,
    read_metadata,
    save_level_classifier,
    train_level_classifier,
)
from skills_match.schemas import LEVELS
from skills_match.taxonomy import RULE_VERSION

COMMITTED = REPO_ROOT / "models"

# A tiny training set: four phrases per level, in the spirit of the taxonomy's labels.
TINY = {
    "essential": ["send emails", "stay safe online", "use a web browser", "make video calls"],
    "general": [
        "use spreadsheets software",
        "use word processing software",
        "use presentation software",
        "use customer relationship management software",
    ],
    "specialist": [
        "Java (computer programming)",
        "configure network firewalls",
        "administer database servers",
        "develop software in C++",
    ],
    "fusion": [
        "use CAD software for garment design",
        "operate CNC milling machine",
        "medical informatics",
        "plan digital marketing campaigns",
    ],
}
X = [p for phrases in TINY.values() for p in phrases]
Y = [level for level, phrases in TINY.items() for _ in phrases]


@pytest.fixture(scope="module")
def tiny_model(encoder):
    return LevelClassifier(C=10.0).fit(X, Y)


def test_init_only_stores_parameters_and_clone_works():
    model = LevelClassifier(features="tfidf", C=2.0)
    assert model.get_params()["features"] == "tfidf" and model.get_params()["C"] == 2.0
    assert not [k for k in vars(model) if k.endswith("_")]
    assert clone(model).get_params() == model.get_params()


def test_predicting_before_fit_is_a_clear_error():
    model = LevelClassifier()
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict(["Python programming"])
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict_proba(["Python programming"])


def test_fit_returns_self_with_learned_attributes(tiny_model):
    assert isinstance(tiny_model, LevelClassifier)
    assert set(tiny_model.classes_) == set(LEVELS)
    assert tiny_model.n_training_samples_ == len(X)
    assert hasattr(tiny_model, "model_") and hasattr(tiny_model, "vectorizer_")


def test_predict_and_probabilities(tiny_model):
    phrases = ["Python (computer programming)", "send an email", "operate a CNC lathe"]
    levels = tiny_model.predict(phrases)
    assert list(levels) == ["specialist", "essential", "fusion"]
    proba = tiny_model.predict_proba(phrases)
    assert proba.shape == (3, 4)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert tiny_model.predict([]).shape == (0,)


@pytest.mark.parametrize("features", ["embedding", "tfidf"])
def test_each_feature_set_fits(encoder, features):
    model = LevelClassifier(features=features, C=10.0).fit(X, Y)
    assert set(model.predict(X)) <= set(LEVELS)
    assert hasattr(model, "vectorizer_") == (features == "tfidf")


@pytest.mark.parametrize(
    ("params", "x", "y", "message"),
    [
        ({"features": "words"}, X, Y, "Unknown features"),
        ({}, X, ["expert"] * len(X), "Unknown level"),
        ({}, X, Y[:-1], "phrases but"),
        ({}, ["", *X[1:]], Y, "non-empty"),
        ({}, ["x" * 301, *X[1:]], Y, "at most 300"),
        ({}, X[:4], Y[:4], "at least two levels"),
        ({}, "send emails", ["essential"], "list of phrases"),
    ],
)
def test_bad_training_input_is_refused(params, x, y, message):
    with pytest.raises(InvalidInput, match=message):
        LevelClassifier(**params).fit(x, y)


def test_bad_phrases_at_predict_time(tiny_model):
    with pytest.raises(InvalidInput):
        tiny_model.predict(["   "])
    with pytest.raises(InvalidInput):
        tiny_model.predict("one string, not a list")


def test_save_and_load_round_trip(tiny_model, tmp_path):
    model_path, meta_path = save_level_classifier(tiny_model, {"note": "tiny"}, tmp_path)
    meta = json.loads(meta_path.read_text())
    assert meta["note"] == "tiny" and meta["model_bytes"] == model_path.stat().st_size
    loaded = load_level_classifier(tmp_path)
    assert load_level_classifier(tmp_path) is loaded  # loaded once per process
    phrases = ["Python programming", "send an email"]
    assert np.allclose(loaded.predict_proba(phrases), tiny_model.predict_proba(phrases))
    assert predict_levels(phrases, tmp_path)[0].level == tiny_model.predict(phrases)[0]


def test_missing_or_tampered_model_is_refused(tiny_model, tmp_path):
    with pytest.raises(NotFound, match="train-level-model"):
        load_level_classifier(tmp_path)
    model_path, _ = save_level_classifier(tiny_model, {}, tmp_path)
    model_path.write_bytes(model_path.read_bytes() + b"tampered")
    with pytest.raises(ConfigurationError, match="sha256"):
        load_level_classifier(tmp_path)


def test_a_model_of_another_embedding_model_is_refused(encoder):
    model = LevelClassifier(features="embedding", embedding_model="some-other-model")
    with pytest.raises(ConfigurationError, match="some-other-model"):
        model.fit(X, Y)


def test_cross_validation_groups_labels_of_a_skill(encoder):
    groups = [f"skill-{i // 2}" for i in range(len(X))]  # pairs of phrases share a skill
    cv = cross_validate(LevelClassifier(features="tfidf"), X, Y, groups, folds=2)
    assert cv["grouped_by"] == "skill_id" and cv["labels"] == list(LEVELS)
    assert sum(map(sum, cv["confusion_matrix"])) == len(X)
    assert 0.0 <= cv["accuracy"] <= 1.0 and 0.0 <= cv["macro_f1"] <= 1.0


# -- the committed model ----------------------------------------------------------------------


def test_committed_model_metadata_is_complete():
    meta = read_metadata(COMMITTED)
    for key in (
        "model_version",
        "sklearn_version",
        "trained_at",
        "n_samples_per_class",
        "cross_validation",
        "features",
        "embedding_model",
        "rule_version",
    ):
        assert meta.get(key), key
    assert meta["rule_version"] == RULE_VERSION
    assert set(meta["n_samples_per_class"]) == set(LEVELS)
    cv = meta["cross_validation"]
    assert cv["folds"] == 5 and len(cv["confusion_matrix"]) == 4
    # Better than always answering the biggest class.
    assert cv["accuracy"] > cv["baseline_accuracy"]
    assert (COMMITTED / MODEL_FILE).stat().st_size < 5 * 2**20


@pytest.mark.parametrize(
    ("phrase", "level"),
    [
        ("Python programming", "specialist"),
        ("configure a network firewall", "specialist"),
        ("send an email", "essential"),
        ("stay safe online", "essential"),
        ("use Excel spreadsheets", "general"),
        ("CAD for manufacturing", "fusion"),
    ],
)
def test_committed_model_gives_obvious_phrases_obvious_levels(encoder, phrase, level):
    assert predict_level(phrase, COMMITTED) == level


def test_committed_model_predictions_carry_probabilities(encoder):
    predictions = predict_levels(["write Java code", "use a smartphone"], COMMITTED)
    assert [p.level for p in predictions] == ["specialist", "essential"]
    assert all(0.25 < p.probability <= 1.0 and p.source == "model" for p in predictions)


def test_predicting_a_phrase_stores_nothing(encoder, reference_store, tmp_path):
    # A person's phrase must never reach the vector table.
    shutil.copy(COMMITTED / MODEL_FILE, tmp_path / MODEL_FILE)
    shutil.copy(COMMITTED / META_FILE, tmp_path / META_FILE)
    before = reference_store.db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    predict_level("my private sentinel phrase 7f3a", tmp_path)
    after = reference_store.db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    assert before == after


# -- training from the store (on a slice of the taxonomy, to stay quick) ------------------------


def test_train_from_the_store_learns_rule_and_override_levels(encoder, reference_store):
    keep = {
        r[0]
        for level in LEVELS
        for r in reference_store.db.execute(
            "SELECT id FROM skills WHERE level = ? ORDER BY id LIMIT 6", [level]
        )
    }
    marks = ",".join("?" * len(keep))
    with reference_store.write():
        reference_store.db.execute(
            f"UPDATE skills SET level = NULL, level_source = NULL WHERE id NOT IN ({marks})",
            sorted(keep),
        )
    result = train_level_classifier(reference_store, folds=2, features="tfidf")
    meta = result.metadata
    assert meta["n_skills"] == len(keep) == 24
    assert meta["rule_version"] == RULE_VERSION and meta["embedding_model"] is None
    assert set(meta["n_skills_per_class"].values()) == {6}
    assert "Accuracy" in result.report() and "| rule \\ predicted |" in result.report()


def test_training_needs_a_levelled_taxonomy(reference_store):
    with reference_store.write():
        reference_store.db.execute("UPDATE skills SET level = NULL, level_source = NULL")
    with pytest.raises(NotFound, match="build-taxonomy"):
        train_level_classifier(reference_store)
