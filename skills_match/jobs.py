"""Run a large import in the background and report its progress through the database.

The API queues an upload and answers at once with the job's id; a worker thread of the
same process imports it, writing its stage and progress to ``import_jobs`` as it goes, so
a poll answered by any process sees it. A job whose process died stops being updated: a
poll then reports it failed (``STALE_SECONDS``) rather than running for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from .errors import ImportRejected, SkillsMatchError
from .importer import ImportReport
from .store import Store

JOB_MAX_ROWS = 50_000  # rows a background import accepts (a synchronous bulk upload: 10,000)
STALE_SECONDS = 600  # a running job not updated for this long has lost its process
PROGRESS_EVERY_SECONDS = 1.0
JOB_BUSY_TIMEOUT_MS = 60_000  # how often progress is written (each write takes the lock)

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # One import at a time per process: imports serialise on the write lock anyway.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-job")
        return _executor


def start_import(
    database: str,
    kind: str,
    source_name: str,
    actor: str,
    run: Callable[[Store, Callable[[Iterable[Any]], Iterable[Any]]], ImportReport],
    busy_timeout_ms: int = 5000,
) -> str:
    """Queue ``run(store, progress)`` and return the job id at once."""
    job_id = uuid.uuid4().hex
    with Store(database, busy_timeout_ms) as store:
        store.create_import_job(job_id, kind, source_name, actor)
    future = _pool().submit(_work, database, busy_timeout_ms, job_id, run)
    future.add_done_callback(partial(_log_failure, job_id))
    return job_id


def _log_failure(job_id: str, future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("import job %s ended without a status", job_id, exc_info=exc)


def _work(
    database: str,
    busy_timeout_ms: int,
    job_id: str,
    run: Callable[[Store, Callable[[Iterable[Any]], Iterable[Any]]], ImportReport],
) -> None:
    # The job's own connection (connections are not shared between threads). A job can wait
    # for the write lock longer than a request: nobody is holding an HTTP request open.
    with Store(database, max(busy_timeout_ms, JOB_BUSY_TIMEOUT_MS)) as store:
        try:
            store.update_import_job(job_id, status="running", stage="checking")
        except Exception:
            log.exception("import job %s could not start", job_id)
            raise

        def progress(items: Iterable[Any]) -> Iterator[Any]:
            items = list(items)
            store.update_import_job(job_id, stage="extracting skills", total=len(items))
            last = time.monotonic()
            for done, item in enumerate(items, start=1):
                yield item
                if time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                    store.update_import_job(job_id, done=done)
                    last = time.monotonic()
            store.update_import_job(job_id, done=len(items), stage="writing")

        try:
            report = run(store, progress)
        except ImportRejected as exc:
            rejected = exc.errors if isinstance(exc.errors, ImportReport) else None
            store.update_import_job(
                job_id,
                status="rejected",
                stage="finished",
                error=exc.message,
                report=rejected.as_dict() if rejected else None,
            )
        except SkillsMatchError as exc:
            store.update_import_job(job_id, status="failed", stage="finished", error=exc.message)
        except Exception as exc:  # the job must end with a status, whatever went wrong
            log.exception("import job %s failed", job_id)
            store.update_import_job(
                job_id, status="failed", stage="finished", error=f"Internal error: {exc!r}"
            )
            raise
        else:
            store.update_import_job(
                job_id, status=report.status, stage="finished", report=report.as_dict()
            )


def job_status(store: Store, job_id: str) -> dict[str, Any]:
    """A job as a poll sees it: a running job nobody has updated lately has failed."""
    job = store.import_job(job_id)
    if job["status"] in ("queued", "running"):
        updated = dt.datetime.fromisoformat(job["updated_at"])  # utcnow(): "...Z"
        if (dt.datetime.now(dt.UTC) - updated).total_seconds() > STALE_SECONDS:
            job["status"] = "failed"
            job["error"] = (
                f"The import stopped: no progress for {STALE_SECONDS // 60} minutes (the "
                "server restarted?). Nothing of it was written; upload the file again."
            )
    return job
