"""API keys: random, shown once, kept only as HMAC-SHA256(pepper, key), checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from .errors import InvalidInput, NotFound
from .store import Store

log = logging.getLogger(__name__)

ROLES = ("admin", "provider", "adviser", "partnership")
KEY_PREFIX = "smk_"
# Used only when no pepper is configured (development, tests); the service warns about it.
DEVELOPMENT_PEPPER = "skills-match-development-pepper"
MAX_NAME_LENGTH = 100
# last_used_at is rewritten at most this often per key: a write per request would cost more
# than the minute of precision is worth.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class Identity:
    """Who is calling: the key's id, name, role and (for providers) provider id."""

    key_id: int
    name: str
    role: str
    provider_id: int | None
    last_used_at: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"key:{self.key_id}"


@lru_cache(maxsize=1)
def _warn_development_pepper() -> None:
    log.warning("SKILLS_MATCH_API_KEY_PEPPER is not set: using the development pepper.")


def _pepper(pepper: str) -> bytes:
    if not pepper:
        _warn_development_pepper()  # once per process, not on every request
    return (pepper or DEVELOPMENT_PEPPER).encode("utf-8")


def hash_key(key: str, pepper: str) -> str:
    """HMAC-SHA256 of a key under the pepper, hex encoded: the only form ever stored."""
    return hmac.new(_pepper(pepper), key.encode("utf-8"), hashlib.sha256).hexdigest()


def create_key(
    store: Store, pepper: str, name: str, role: str, provider_id: int | None = None
) -> tuple[int, str]:
    """Create a key and return (id, plain key). The plain key is never stored or shown again."""
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}.", {"role": [f"Must be one of {ROLES}."]})
    if (role == "provider") != (provider_id is not None):
        raise InvalidInput(
            "A provider key needs a provider; other roles must not have one.",
            {"provider": ["Required for role 'provider' only."]},
        )
    if provider_id is not None:
        store.provider(provider_id)  # NotFound if it does not exist
    if not name.strip() or len(name.strip()) > MAX_NAME_LENGTH:
        raise InvalidInput(
            "A key needs a name.", {"name": [f"Give 1 to {MAX_NAME_LENGTH} characters."]}
        )
    # 32 random bytes (256 bits): guessing is hopeless, so a fast HMAC is the right hash.
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    with store.write():
        key_id = store.insert_key(
            name.strip(), role, provider_id, plain[:12], hash_key(plain, pepper)
        )
    return key_id, plain


def authenticate(store: Store, pepper: str, plain: str) -> Identity | None:
    """The identity behind a presented key, or None if it is unknown or revoked."""
    if not plain or not plain.startswith(KEY_PREFIX) or len(plain) > 200:
        return None
    digest = hash_key(plain, pepper)
    row = store.key_by_hash(digest)
    if row is None or not hmac.compare_digest(row["key_hash"], digest):
        return None
    return Identity(row["id"], row["name"], row["role"], row["provider_id"], row["last_used_at"])


def record_use(store: Store, identity: Identity, now: datetime | None = None) -> bool:
    """Update the key's last used time if it is older than TOUCH_INTERVAL; True if written."""
    now = now or datetime.now(UTC)
    if identity.last_used_at:
        last = datetime.fromisoformat(identity.last_used_at.replace("Z", "+00:00"))
        if now - last < TOUCH_INTERVAL:
            return False
    store.touch_key(identity.key_id)
    return True


def rotate_key(store: Store, pepper: str, key_id: int) -> tuple[int, str]:
    """Replace a live key with a new one of the same name, role and provider; revoke the old.

    Both happen in one transaction: there is never a moment with neither key, or with two.
    """
    with store.write():
        old = store.key(key_id)  # NotFound if there is no such key
        if old["revoked_at"]:
            raise NotFound(f"No live API key with id {key_id}.")
        new_id, plain = create_key(store, pepper, old["name"], old["role"], old["provider_id"])
        store.revoke_key(key_id)
    return new_id, plain


def revoke_key(store: Store, key_id: int) -> dict[str, Any]:
    """Revoke a live key (it stops working at once) and return its metadata."""
    with store.write():
        store.revoke_key(key_id)  # NotFound unless it exists and is live
        return store.key(key_id)
