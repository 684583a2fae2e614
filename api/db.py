"""The request's store: a connection kept per worker thread, reused across requests."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from flask import Flask, current_app, g

from skills_match.config import Settings
from skills_match.store import Store

# Opening a connection (file open plus four pragmas) cost about 1 ms of each request, and a
# new one starts with a cold page cache. Each thread keeps its own (SQLite connections are
# not shared between threads here), keyed by process so a fork never reuses its parent's,
# and only a few: tests open many databases in one thread.
_pool = threading.local()
STORES_PER_THREAD = 4


def settings() -> Settings:
    """The settings the app was built with."""
    return current_app.extensions["skills_match"]["settings"]


def _pooled(s: Settings) -> Store:
    stores: OrderedDict[tuple, Store] | None = getattr(_pool, "stores", None)
    if stores is None:
        stores = _pool.stores = OrderedDict()
    key = (os.getpid(), os.path.abspath(s.database), s.busy_timeout_ms)
    store = stores.get(key)
    if store is None:
        store = stores[key] = Store(s.database, busy_timeout_ms=s.busy_timeout_ms)
    stores.move_to_end(key)
    while len(stores) > STORES_PER_THREAD:
        (pid, _, _), old = stores.popitem(last=False)
        if pid == os.getpid():
            old.close()  # a parent's connection is left alone: closing it here is unsafe
    return store


def get_store() -> Store:
    """The request's store (this thread's connection to the app's database)."""
    if "store" not in g:
        g.store = _pooled(settings())
    return g.store


def release_store(exc: BaseException | None = None) -> None:
    """End the request's use of its store: nothing of a failed write stays open."""
    store = g.pop("store", None)
    if store is not None and store.db.conn.in_transaction:
        store.db.conn.execute("ROLLBACK")


def init_app(app: Flask) -> None:
    """Register the teardown."""
    app.teardown_appcontext(release_store)
