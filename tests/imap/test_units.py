"""Small pure pieces: the IDLE arrival count and the compact UID set."""

from __future__ import annotations

from intake.ingest.imap import after as after_mod


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


def test_uid_set_is_compact():
    assert after_mod.uid_set([5, 1, 2, 3, 7, 8, 10]) == "1:3,5,7:8,10"
    assert after_mod.uid_set(list(range(1, 100001))) == "1:100000"
    assert after_mod.uid_set([]) == ""
