"""The vector cache: one float32 vector per (model, sha256 of text), never computed twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import sqlite_utils

from .db import immediate, utcnow


class EmbeddingMixin:
    """Stored vectors keyed by model name and content hash."""

    db: sqlite_utils.Database

    def get_vectors(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """Stored vectors for whichever of these hashes are cached."""
        hashes = sorted(set(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for text_hash, dim, blob in self.db.execute(
                f"SELECT text_hash, dim, vector FROM embeddings "
                f"WHERE model = ? AND text_hash IN ({marks})",
                [model, *chunk],
            ):
                found[text_hash] = np.frombuffer(blob, dtype=np.float32, count=dim)
        return found

    def put_vectors(self, model: str, vectors: Mapping[str, np.ndarray]) -> int:
        """Store vectors (ignoring ones already present); return how many were given."""
        now = utcnow()
        rows = (
            {
                "model": model,
                "text_hash": text_hash,
                "dim": int(vector.shape[0]),
                "vector": np.asarray(vector, dtype=np.float32).tobytes(),
                "created_at": now,
            }
            for text_hash, vector in vectors.items()
        )
        with immediate(self.db):
            self.db["embeddings"].insert_all(rows, pk=("model", "text_hash"), ignore=True)
        return len(vectors)

    def vector_count(self, model: str) -> int:
        """How many vectors are cached for a model."""
        return self.db.execute(
            "SELECT count(*) FROM embeddings WHERE model = ?", [model]
        ).fetchone()[0]
