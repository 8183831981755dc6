"""A slow document at the head of the queue does not idle the other
workers: results are committed in message order, but while the oldest
message waits, more messages are claimed and analysed."""

from __future__ import annotations

import threading

from intake.analysis.workers import InlineAnalyser
from intake.ingest.processing import local_processor
from intake.ingest.processing.local_processor import LocalProcessor
from intake.store import inbound
from intake.store.db import Store
from intake.types import RawMessage
from tests.imap.helpers import make_message

OTHERS_BEFORE_SLOW = 24  # well past the window of 2 workers (10 messages)


class _GatedAnalyser:
    """The real analysis, one at a time (the spaCy model is shared), except
    that the document marked SLOW finishes only once enough other documents
    were analysed, or after a time-out that fails the test."""

    lock = threading.Lock()
    done_others = 0
    enough = threading.Event()
    slow_waited_ok: bool | None = None

    def __init__(self, settings):
        self.inner = InlineAnalyser(settings)

    def analyse(self, doc, fallback, template_id=None):
        cls = type(self)
        if b"SLOW" in doc.data:
            cls.slow_waited_ok = cls.enough.wait(20)
        with cls.lock:
            out = self.inner.analyse(doc, fallback)
        if b"SLOW" not in doc.data:
            with cls.lock:
                cls.done_others += 1
                if cls.done_others >= OTHERS_BEFORE_SLOW:
                    cls.enough.set()
        return out

    def close(self):
        self.inner.close()


def test_a_slow_first_message_does_not_hold_up_the_analysis_of_the_next(tmp_path, monkeypatch):
    monkeypatch.delenv("INTAKE_INLINE_ANALYSIS", raising=False)
    monkeypatch.setattr(local_processor, "make_analyser", lambda settings: _GatedAnalyser(settings))
    raws = [make_message(0, tag="SLOW")] + [make_message(i) for i in range(1, 31)]
    store = Store(f"sqlite:///{tmp_path / 'intake.sqlite'}")
    try:
        with store.transaction() as s:
            ids = [inbound.receive(s, RawMessage(f"eml:/m{i}.eml", raw), "replay")[0] for i, raw in enumerate(raws)]
        committed: list[int] = []
        proc = LocalProcessor(store, None, workers=2, on_done=lambda inbound_id, outcome: committed.append(inbound_id))
        summary = proc.run()
        assert _GatedAnalyser.slow_waited_ok is True, "the other workers sat idle behind the slow message"
        assert summary.messages == len(raws) and summary.failed == 0
        assert committed == ids  # still committed in the order received: dedup stays deterministic
        with store.session() as s:
            assert inbound.state(s).done == len(raws)
    finally:
        store.close()
