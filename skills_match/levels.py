"""A level for any skill phrase: a classifier trained on the rule-levelled taxonomy.

The level rule (:mod:`skills_match.taxonomy`) needs ESCO metadata, so it only works for
taxonomy skills. :class:`LevelClassifier` learns the rule's levels from the skills' labels
(preferred and alternative) and so gives a level to any phrase: a course's or a job's skill
that links to no taxonomy skill, or a person's own words.

>>> predict_level("Python programming")
'specialist'

The fitted model ships in ``models/level_classifier.joblib`` with its training metadata in
``models/level_classifier.json``; ``skills-match train-level-model`` rebuilds both.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from .errors import ConfigurationError, InvalidInput, NotFound
from .schemas import LEVELS

log = logging.getLogger(__name__)

MODEL_FILE = "level_classifier.joblib"
META_FILE = "level_classifier.json"
FORMAT_VERSION = 1  # bump when the persisted object changes shape
MAX_PHRASE = 300  # characters: a skill phrase, not a document
FEATURES = {
    "embedding": "sentence embedding of the phrase (all-MiniLM-L6-v2, 384 dims, normalised)",
    "tfidf": "TF-IDF of character 2-5-grams within word boundaries",
    "both": "sentence embedding and TF-IDF character 2-5-grams, side by side",
}


def _check_phrases(phrases: Sequence[str]) -> list[str]:
    if isinstance(phrases, str):
        raise InvalidInput("Pass a list of phrases, not a single string.")
    clean: list[str] = []
    for i, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not phrase.strip():
            raise InvalidInput("A skill phrase must be non-empty text.", {str(i): ["Empty."]})
        if len(phrase) > MAX_PHRASE:
            raise InvalidInput(
                f"A skill phrase is at most {MAX_PHRASE} characters.",
                {str(i): [f"{len(phrase)} characters."]},
            )
        clean.append(phrase.strip())
    return clean


_cache_lock = threading.Lock()
_phrase_cache: Any = None


def _default_cache() -> Any:
    """Process-wide, memory-only vector cache: phrases seen at predict time are never stored."""
    global _phrase_cache
    with _cache_lock:
        if _phrase_cache is None:
            from .embeddings import EmbeddingCache, get_encoder

            _phrase_cache = EmbeddingCache(get_encoder(), store=None, memory_size=50_000)
        return _phrase_cache


class LevelClassifier(ClassifierMixin, BaseEstimator):
    """Essential / general / specialist / fusion for a skill phrase (scikit-learn estimator).

    Multinomial logistic regression, classes balanced, over the features named by
    ``features`` (see :data:`FEATURES`). Embeddings come from the process-wide encoder
    through an in-memory cache (or the ``embedding_cache`` passed to :meth:`fit`).

    >>> phrases = ["Python programming", "send an email"]
    >>> model = LevelClassifier(features="embedding").fit(phrases, ["specialist", "essential"])
    >>> model.predict(["Java programming"])
    array(['specialist'], dtype=object)
    """

    def __init__(
        self,
        features: str = "both",
        C: float = 1.0,
        class_weight: str | None = "balanced",
        max_char_features: int = 30_000,
        embedding_weight: float = 1.0,
        embedding_model: str = "all-MiniLM-L6-v2",
        max_iter: int = 3000,
    ) -> None:
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.max_char_features = max_char_features
        self.embedding_weight = embedding_weight
        self.embedding_model = embedding_model
        self.max_iter = max_iter

    # -- features ---------------------------------------------------------------------------

    def _uses(self, kind: str) -> bool:
        return self.features in (kind, "both")

    def _embed(self, texts: list[str], cache: Any = None) -> np.ndarray:
        cache = cache or _default_cache()
        if cache.encoder.name != self.embedding_model:
            raise ConfigurationError(
                f"The level model was trained on {self.embedding_model} vectors but the "
                f"encoder is {cache.encoder.name}."
            )
        # persist=False: a phrase classified here may be a person's words; never store it.
        return cache.embed(texts, persist=False)

    def _matrix(self, texts: list[str], cache: Any = None, fit: bool = False) -> Any:
        import scipy.sparse as sp

        parts = []
        if self._uses("tfidf"):
            if fit:
                from sklearn.feature_extraction.text import TfidfVectorizer

                self.vectorizer_ = TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=self.max_char_features,
                    dtype=np.float32,
                )
                parts.append(self.vectorizer_.fit_transform(texts))
                # The n-grams cut by max_features are kept only for introspection; they
                # would make the persisted model many times larger.
                self.vectorizer_.stop_words_ = None
            else:
                parts.append(self.vectorizer_.transform(texts))
        if self._uses("embedding"):
            vectors = self._embed(texts, cache) * np.float32(self.embedding_weight)
            parts.append(sp.csr_matrix(vectors))
        return parts[0] if len(parts) == 1 else sp.hstack(parts, format="csr")

    # -- estimator API ----------------------------------------------------------------------

    def fit(
        self,
        X: Sequence[str],
        y: Sequence[str],
        sample_weight: Sequence[float] | None = None,
        embedding_cache: Any = None,
    ) -> LevelClassifier:
        """Learn levels from skill phrases ``X`` and their levels ``y``; return self."""
        from sklearn.linear_model import LogisticRegression

        if self.features not in FEATURES:
            raise InvalidInput(
                f"Unknown features {self.features!r}: choose one of {', '.join(FEATURES)}."
            )
        texts = _check_phrases(X)
        labels = np.asarray(y, dtype=object)
        if len(texts) != len(labels):
            raise InvalidInput(f"{len(texts)} phrases but {len(labels)} levels.")
        unknown = sorted(set(labels) - set(LEVELS))
        if unknown:
            raise InvalidInput(f"Unknown level(s) {unknown}: expected {', '.join(LEVELS)}.")
        if len(set(labels)) < 2:
            raise InvalidInput("Training needs phrases of at least two levels.")
        matrix = self._matrix(texts, embedding_cache, fit=True)
        self.model_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter
        )
        self.model_.fit(matrix, labels, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.n_training_samples_ = len(texts)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                "This LevelClassifier is not fitted yet: call fit() or load the trained "
                "model with load_level_classifier()."
            )

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Probability of each level (columns in ``classes_`` order) for each phrase."""
        self._check_fitted()
        texts = _check_phrases(X)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self.model_.predict_proba(self._matrix(texts))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The most likely level of each phrase."""
        self._check_fitted()
        texts = _check_phrases(X)
        if not texts:
            return np.array([], dtype=object)
        return self.model_.predict(self._matrix(texts))


# -- persistence --------------------------------------------------------------------------


def _models_dir(models_dir: str | Path | None) -> Path:
    if models_dir is None:
        from .config import Settings

        models_dir = Settings.from_env().models_dir
    return Path(models_dir)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_level_classifier(
    model: LevelClassifier, metadata: dict[str, Any], models_dir: str | Path | None = None
) -> tuple[Path, Path]:
    """Write the model and its metadata (with the model file's sha256); return both paths."""
    import joblib
    import sklearn

    model._check_fitted()
    directory = _models_dir(models_dir)
    directory.mkdir(parents=True, exist_ok=True)
    model_path, meta_path = directory / MODEL_FILE, directory / META_FILE
    tmp = model_path.with_suffix(".joblib.tmp")
    joblib.dump(model, tmp, compress=("xz", 6))
    tmp.replace(model_path)
    meta = {
        "format_version": FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "model_sha256": _sha256(model_path),
        "model_bytes": model_path.stat().st_size,
        **metadata,
    }
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return model_path, meta_path


def read_metadata(models_dir: str | Path | None = None) -> dict[str, Any]:
    """The committed model's training metadata (raises NotFound if there is none)."""
    path = _models_dir(models_dir) / META_FILE
    if not path.exists():
        raise NotFound(f"No level model metadata at {path}: run `skills-match train-level-model`.")
    return json.loads(path.read_text(encoding="utf-8"))


_loaded: dict[tuple[str, float], LevelClassifier] = {}
_load_lock = threading.Lock()


def load_level_classifier(models_dir: str | Path | None = None) -> LevelClassifier:
    """The persisted classifier, loaded once per process (and again only if the file changes).

    Raises :class:`NotFound` if no model has been trained, :class:`ConfigurationError` if the
    file does not match its metadata (a half-copied or hand-edited model is never used).
    """
    import joblib
    import sklearn

    directory = _models_dir(models_dir)
    path = directory / MODEL_FILE
    if not path.exists():
        raise NotFound(f"No level model at {path}: run `skills-match train-level-model`.")
    key = (str(path.resolve()), path.stat().st_mtime)
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        meta = read_metadata(directory)
        if meta.get("model_sha256") != _sha256(path):
            raise ConfigurationError(
                f"{path} does not match the sha256 in {META_FILE}: retrain the level model."
            )
        if meta.get("format_version") != FORMAT_VERSION:
            raise ConfigurationError(
                f"{path} has format {meta.get('format_version')}, this code reads "
                f"{FORMAT_VERSION}: retrain the level model."
            )
        if meta.get("sklearn_version") != sklearn.__version__:
            log.warning(
                "Level model trained with scikit-learn %s, running %s: retrain if levels look "
                "wrong.",
                meta.get("sklearn_version"),
                sklearn.__version__,
            )
        model = joblib.load(path)  # our own committed file; never load one from elsewhere
        if not isinstance(model, LevelClassifier):
            raise ConfigurationError(f"{path} does not hold a LevelClassifier.")
        _loaded.clear()
        _loaded[key] = model
        return model


@dataclass(frozen=True)
class LevelPrediction:
    """A phrase's predicted level and the model's probability for it."""

    phrase: str
    level: str
    probability: float
    source: str = "model"


def predict_levels(
    phrases: Sequence[str], models_dir: str | Path | None = None
) -> list[LevelPrediction]:
    """Level and probability for each phrase, from the committed model (nothing is stored)."""
    texts = _check_phrases(phrases)
    if not texts:
        return []
    model = load_level_classifier(models_dir)
    probabilities = model.predict_proba(texts)
    best = probabilities.argmax(axis=1)
    return [
        LevelPrediction(text, str(model.classes_[i]), round(float(p[i]), 4))
        for text, i, p in zip(texts, best, probabilities, strict=True)
    ]


def predict_level(phrase: str, models_dir: str | Path | None = None) -> str:
    """The level of one skill phrase not in the taxonomy, e.g. 'specialist'."""
    return predict_levels([phrase], models_dir)[0].level


# -- training with cross-validation -------------------------------------------------------


@dataclass
class TrainingResult:
    """A fitted model with its cross-validated figures and metadata."""

    model: LevelClassifier
    metadata: dict[str, Any]

    def report(self) -> str:
        """Cross-validated accuracy, macro-F1, per-class F1 and the confusion matrix."""
        cv = self.metadata["cross_validation"]
        lines = [
            f"Level classifier: {cv['folds']}-fold GroupKFold (grouped by skill) over "
            f"{self.metadata['n_samples']:,} labels of {self.metadata['n_skills']:,} skills.",
            f"Features: {self.metadata['features']}.",
            f"Accuracy {cv['accuracy']:.3f}, macro-F1 {cv['macro_f1']:.3f} "
            f"(majority-class baseline accuracy {cv['baseline_accuracy']:.3f}).",
            "",
            confusion_table(cv["confusion_matrix"], cv["labels"]),
            "",
            "| level | precision | recall | F1 | labels |",
            "|---|---:|---:|---:|---:|",
        ]
        for level in cv["labels"]:
            c = cv["per_class"][level]
            lines.append(
                f"| {level} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | "
                f"{c['support']:,} |"
            )
        return "\n".join(lines)


def confusion_table(matrix: list[list[int]], labels: Sequence[str]) -> str:
    """A confusion matrix as Markdown: rows are the rule's level, columns the prediction."""
    lines = [
        "| rule \\ predicted | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    for level, row in zip(labels, matrix, strict=True):
        lines.append(f"| {level} | " + " | ".join(f"{n:,}" for n in row) + " |")
    return "\n".join(lines)


def cross_validate(
    model: LevelClassifier,
    texts: Sequence[str],
    levels: Sequence[str],
    groups: Sequence[str],
    folds: int = 5,
    embedding_cache: Any = None,
) -> dict[str, Any]:
    """GroupKFold cross-validation: all labels of a skill fall in the same fold."""
    from sklearn.base import clone
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )
    from sklearn.model_selection import GroupKFold

    texts = list(texts)
    y = np.asarray(levels, dtype=object)
    predicted = np.empty(len(y), dtype=object)
    for train, test in GroupKFold(n_splits=folds).split(texts, y, groups):
        fold = clone(model).fit(
            [texts[i] for i in train], y[train], embedding_cache=embedding_cache
        )
        predicted[test] = fold.predict([texts[i] for i in test])
    labels = [level for level in LEVELS if level in set(y)]
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=labels, zero_division=0
    )
    majority = Counter(y).most_common(1)[0][1] / len(y)
    return {
        "folds": folds,
        "grouped_by": "skill_id",
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "macro_f1": round(float(f1_score(y, predicted, average="macro")), 4),
        "baseline_accuracy": round(majority, 4),
        "labels": labels,
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
        "per_class": {
            level: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, level in enumerate(labels)
        },
    }


def train_level_classifier(
    store: Any,
    folds: int = 5,
    embedding_cache: Any = None,
    **params: Any,
) -> TrainingResult:
    """Cross-validate, then fit on every label of every rule- or human-levelled skill.

    Labels come from the store's taxonomy (run :func:`skills_match.taxonomy.build_taxonomy`
    first). Labels of model-levelled skills are left out: the model must not learn from
    itself.
    """
    from .embeddings import MODEL_NAME
    from .taxonomy import RULE_VERSION

    rows = store.level_training_labels(("rule", "override"))
    if not rows:
        raise NotFound("No levelled skills to learn from: run `skills-match build-taxonomy`.")
    texts = [r["label"] for r in rows]
    levels = [r["level"] for r in rows]
    groups = [r["skill_id"] for r in rows]
    model = LevelClassifier(**params)
    cv = cross_validate(model, texts, levels, groups, folds, embedding_cache)
    model.fit(texts, levels, embedding_cache=embedding_cache)
    now = datetime.now(UTC).replace(microsecond=0)
    skills_per_level = Counter(level for level, _ in {(r["level"], r["skill_id"]) for r in rows})
    metadata = {
        "model_version": f"r{RULE_VERSION}-{now:%Y%m%d}",
        "trained_at": now.isoformat().replace("+00:00", "Z"),
        "rule_version": RULE_VERSION,
        "estimator": "LogisticRegression (multinomial, class_weight=balanced)",
        "params": model.get_params(),
        "features": FEATURES[model.features],
        "embedding_model": MODEL_NAME if model._uses("embedding") else None,
        "training_data": "preferred and alternative labels of rule- or override-levelled "
        "skills (ESCO digital + DigComp + EDS areas)",
        "n_samples": len(texts),
        "n_skills": len(set(groups)),
        "n_samples_per_class": dict(sorted(Counter(levels).items())),
        "n_skills_per_class": dict(sorted(skills_per_level.items())),
        "cross_validation": cv,
    }
    return TrainingResult(model, metadata)
