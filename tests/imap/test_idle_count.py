"""The IDLE watcher starts a pass on new mail, not on our own expunges."""

from __future__ import annotations


def test_idle_counts_only_a_rise_as_new_mail():
    from intake.ingest.imap.idle import MessageCount

    c = MessageCount(5)
    assert not c.arrived([(b"OK", b"Still here")])
    assert not c.arrived([(3, b"EXPUNGE"), (3, b"EXPUNGE")])  # our own MOVE of two messages
    assert c.exists == 3
    assert not c.arrived([(3, b"EXISTS"), (0, b"RECENT")])
    assert c.arrived([(2, b"EXPUNGE"), (3, b"EXISTS")])  # one left, one came
    assert c.arrived([(4, b"EXISTS")]) and c.exists == 4
    assert not c.arrived(None)
