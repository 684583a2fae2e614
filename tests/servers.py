"""Real servers in tests: a free loopback port, and waiting for the health check."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable

import pytest


def free_port() -> int:
    """An unused TCP port on 127.0.0.1 (servers in tests listen there only)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(
    base: str, server: subprocess.Popen, log_tail: Callable[[], str], seconds: float = 120
) -> None:
    """Poll ``base``'s health check; fail with the server's log if it exits or is late."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"the server did not start: {log_tail()[-2000:]}")
            time.sleep(0.3)
