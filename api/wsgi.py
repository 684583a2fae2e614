"""The app as gunicorn serves it: built, and its engine warmed, once in the master.

``skills-match serve`` runs ``gunicorn --preload api.wsgi:app``: this module is imported in
the master before the workers fork, so the model, the skill space and the fitted matcher
are built once and shared copy-on-write by every worker, and the first request a worker
answers costs no more than any other.
"""

from __future__ import annotations

import gc
import logging

from skills_match.engine import warm_up

from . import create_app

app = create_app()
_timings = warm_up(app.extensions["skills_match"]["settings"])
logging.getLogger(__name__).info(
    "Engine ready in %.1f s (%s)",
    _timings["total"],
    ", ".join(f"{k} {v:.2f} s" for k, v in _timings.items() if k != "total"),
)
# Objects made so far live as long as the process: freezing them keeps the collector from
# touching (and so copying) their pages in each worker.
gc.freeze()
