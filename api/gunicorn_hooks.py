"""gunicorn server hooks for `skills-match serve` (``gunicorn -c python:api.gunicorn_hooks``).

The engine is built in the master before the fork (``api.wsgi``), so each worker holds an
onnxruntime session it inherited. Using it in the worker is fine; destroying it there is
not: its native state (thread handles) belongs to the master, and tearing it down at
interpreter exit hung or aborted the worker ("terminate called ... std::system_error",
onnxruntime issue and fix in microsoft/onnxruntime#31961). So a worker leaves with
``os._exit`` once gunicorn has finished its own clean-up: nothing of the session is
destroyed, the exit code is kept, and SQLite needs no close to stay consistent (WAL).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    """Called in the worker as it leaves: flush the logs, then exit without finalising."""
    error = sys.exc_info()[1]
    if isinstance(error, SystemExit):
        code = error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
    else:
        code = 0 if error is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # A closed or broken stream has nothing left to flush into.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
