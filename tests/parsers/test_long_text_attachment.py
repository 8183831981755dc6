"""A long plain-text attachment (a log or a document pasted into a .txt)
is analysed as the pipeline runs it, in a spawned worker, within a memory
limit well under the worker's 2 GB stop, and keeps its record (1-2 MB
texts once stopped the worker and lost the record). Peak RSS and
seconds for 2 MB: bench/long_text_rss.py."""

from __future__ import annotations

import random

import pytest

from intake.analysis.workers import ProcessAnalyser
from intake.parsers import sniff_media_type
from intake.types import Document, sha256_hex

pytestmark = pytest.mark.slow

NAMES = ["Kyle Mensah", "Aisha Doyle", "Jordan Walker", "Leah Clarke", "Tyrone Price"]
PLACES = ["Mare Street", "Station Road", "Leek Road", "Soho Road", "Mill Lane"]


def _log(mb: float) -> bytes:
    """Label-dense text (dates, times, names, places on every line): the
    shape that cost most, in memory and in time."""
    r = random.Random(7)
    out, size, n = [], 0, 0
    while size < mb * 1_000_000:
        n += 1
        line = (f"Entry {n}: {r.choice(NAMES)}\nDate: {r.randint(1, 28):02d}/03/2026 at {r.randint(10, 23)}:{r.randint(10, 59)}\n"
                f"Location: {r.choice(PLACES)}\nNotes: seen getting into a black Audi with {r.choice(NAMES)} "
                f"on Friday evening, phone 07700 900{r.randint(100, 999)}.\n")
        out.append(line)
        size += len(line)
    return "".join(out).encode()


def test_a_1mb_text_attachment_is_analysed_within_1gb_and_keeps_its_record():
    data = _log(1.0)
    doc = Document("attachment", "log.txt", sniff_media_type(data, "log.txt"), sha256_hex(data), data)
    analyser = ProcessAnalyser(timeout_s=1800, memory_mb=1024)
    try:
        res = analyser.analyse(doc, None)
    finally:
        analyser.close()
    out = res.outcome
    assert out.exception is None, out.exception
    assert out.status == "parsed" and out.record.template == "free_text"
    assert out.record.fields["incident.narrative"].value.startswith("Entry 1:")
    assert sum(1 for m in res.mentions if m.type == "DATETIME") > 5_000
