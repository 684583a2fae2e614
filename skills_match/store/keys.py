"""API keys, stored only as HMAC digests."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ..errors import NotFound
from .db import immediate, utcnow


class KeyMixin:
    """API key records. Plain keys never reach this layer; see `skills_match.apikeys`."""

    db: sqlite_utils.Database

    def insert_key(
        self, name: str, role: str, provider_id: int | None, prefix: str, key_hash: str
    ) -> int:
        """Record a new key's digest; return its id."""
        return (
            self.db["api_keys"]
            .insert(
                {
                    "name": name,
                    "role": role,
                    "provider_id": provider_id,
                    "key_prefix": prefix,
                    "key_hash": key_hash,
                    "created_at": utcnow(),
                }
            )
            .last_pk
        )

    def key_by_hash(self, key_hash: str) -> dict[str, Any] | None:
        """The live (unrevoked) key with this digest, or None."""
        rows = list(
            self.db.query(
                "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", [key_hash]
            )
        )
        return rows[0] if rows else None

    def touch_key(self, key_id: int) -> None:
        """Record that a key was used just now."""
        with immediate(self.db):
            self.db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [utcnow(), key_id])

    def revoke_keys_named(self, pattern: str) -> int:
        """Revoke every live key whose name matches the LIKE ``pattern``; return how many."""
        with immediate(self.db):
            return self.db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE name LIKE ? AND revoked_at IS NULL",
                [utcnow(), pattern],
            ).rowcount

    def revoke_key(self, key_id: int) -> None:
        """Revoke a key; it stops working at once."""
        with immediate(self.db):
            changed = self.db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                [utcnow(), key_id],
            ).rowcount
        if not changed:
            raise NotFound(f"No live API key with id {key_id}.")

    def keys(self) -> list[dict[str, Any]]:
        """Every key's metadata (never a digest)."""
        return list(
            self.db.query(
                """SELECT id, name, role, provider_id, key_prefix, created_at, last_used_at,
                          revoked_at FROM api_keys ORDER BY id"""
            )
        )
