"""Loaded once by the analysis fork server (analysis/fork_server.py) before it
forks any worker: the analysis code and its libraries, the packaged spaCy
model, and the first-use set-up of the parsers, under the packaged default
settings. A worker forked from the server starts with all of that in memory,
shared with its siblings until written, instead of loading it for about 2 s
of CPU; so does the fresh worker that replaces one killed on a hostile
document. A site whose settings differ loads what differs in the worker's
own warm-up: every cache the warm-up fills is keyed by what it was built
from (model name, gazetteer files, template folders), so nothing loaded here
for the defaults is used for other settings.

Importing this module must never fail the fork server (it would take every
worker start with it, where a spawned worker's failure was that document's
exception): a failure is logged (type and frames only) and the first
document meets it again in its own worker."""

from __future__ import annotations

import logging

from intake.logs import log_fault

try:
    from intake.analysis.workers import warm_up
    from intake.config.settings import Settings

    warm_up(Settings())
except Exception as exc:  # noqa: BLE001 - see above
    log_fault(logging.getLogger(__name__), "analysis fork server preload failed", exc)
