"""Archive sources: detected by content, streamed, exact bytes kept."""

from __future__ import annotations

import mailbox

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from intake.ingest.sources.detect import ArchiveError, UnreadableFile, iter_archive, kind_of
from intake.ingest.sources.mbox import iter_mbox
from tests.support.mail import message


def _mbox(path, msgs):
    mb = mailbox.mbox(str(path))
    for m in msgs:
        mb.add(m)
    mb.flush()
    mb.close()


def test_mbox_streams_each_message_with_origin(tmp_path):
    msgs = [message(subject=f"s{i}", msgid=f"<m{i}@example.org>") for i in range(5)]
    path = tmp_path / "archive.data"  # the name says nothing: content decides
    _mbox(path, msgs)
    assert kind_of(path) == "mbox"
    got = list(iter_archive(path))
    assert [r.origin for r in got] == [f"mbox:{path}#{i}" for i in range(1, 6)]
    assert all(b"Message-ID: <m" in r.data for r in got)


def test_mbox_from_lines_in_body_are_unquoted_and_do_not_split(tmp_path):
    # mboxrd quoting, written by hand: ">From" one level deeper per quote.
    path = tmp_path / "x.mbox"
    path.write_bytes(
        b"From sam@example.org Wed Mar  4 14:30:00 2026\n"
        b"From: sam@example.org\nSubject: a\nMessage-ID: <a@example.org>\n\n"
        b"Line one.\n>From the school gate we saw a car.\n>>From quoted already.\n\n"
        b"From jo@example.org Wed Mar  4 14:31:00 2026\n"
        b"From: jo@example.org\nSubject: b\nMessage-ID: <b@example.org>\n\nSecond.\n"
    )
    got = list(iter_mbox(path))
    assert len(got) == 2
    assert got[0].data.endswith(b"Line one.\nFrom the school gate we saw a car.\n>From quoted already.\n")
    assert got[1].data.endswith(b"Second.\n")


def test_mbox_is_read_lazily(tmp_path):
    path = tmp_path / "big.mbox"
    _mbox(path, [message(msgid=f"<m{i}@example.org>") for i in range(50)])
    it = iter_mbox(path)
    first = next(it)  # a generator: nothing beyond the first message is held
    assert first.origin.endswith("#1")


def test_maildir_reads_cur_and_new_but_not_tmp(tmp_path):
    md = mailbox.Maildir(str(tmp_path / "md"), create=True)
    md.add(mailbox.MaildirMessage(message(msgid="<new@example.org>")))
    k = md.add(mailbox.MaildirMessage(message(msgid="<cur@example.org>")))
    msg = md[k]
    msg.set_subdir("cur")
    md[k] = msg
    (tmp_path / "md" / "tmp" / "partial").write_bytes(b"From: half-delivered")
    got = list(iter_archive(tmp_path / "md"))
    assert len(got) == 2
    assert all(r.origin.startswith(f"maildir:{tmp_path / 'md'}/") for r in got)
    assert not any("/tmp/" in r.origin.split("md", 1)[1] for r in got)


def test_folder_of_eml_files_and_subfolders(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "one.eml").write_bytes(message(msgid="<1@example.org>").as_bytes())
    (tmp_path / "in" / "two").write_bytes(message(msgid="<2@example.org>").as_bytes())  # no extension
    (tmp_path / "in" / "sub").mkdir()
    _mbox(tmp_path / "in" / "sub" / "old.mbox", [message(msgid="<3@example.org>")])
    (tmp_path / "in" / "notes.bin").write_bytes(b"\x00\x01 not mail")
    items = list(iter_archive(tmp_path / "in"))
    raws = [i for i in items if not isinstance(i, UnreadableFile)]
    skipped = [i for i in items if isinstance(i, UnreadableFile)]
    assert sorted(r.origin.split(":", 1)[0] for r in raws) == ["eml", "eml", "mbox"]
    assert [s.path.name for s in skipped] == ["notes.bin"]


def test_unreadable_path_is_an_archive_error(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x00" * 100)
    with pytest.raises(ArchiveError):
        list(iter_archive(p))
    with pytest.raises(ArchiveError):
        list(iter_archive(tmp_path / "missing"))


def test_unmunged_from_line_in_a_body_stays_in_the_body(tmp_path):
    # Thunderbird leaves body "From " lines unquoted; the next line decides.
    path = tmp_path / "tb.mbox"
    path.write_bytes(
        b"\xef\xbb\xbfFrom - Wed Mar  4 14:30:00 2026\n"
        b"From: sam@example.org\nSubject: a\nMessage-ID: <a@example.org>\n\n"
        b"My favourite film:\n\nFrom Russia with love\n\nand that is all.\n\n"
        b"From - \nFrom: jo@example.org\nSubject: b\nMessage-ID: <b@example.org>\n\nSecond.\n"
        b"From jo@example.org Wed Mar  4 14:31:00 2026\n"  # dated envelope, no blank line before
        b"Subject: c\nMessage-ID: <c@example.org>\n\nThird.\n")
    assert kind_of(path) == "mbox"
    got = [r.data for r in iter_archive(path)]
    assert len(got) == 3
    assert b"From Russia with love\n\nand that is all." in got[0]
    assert got[1].startswith(b"From: jo@example.org") and got[2].startswith(b"Subject: c")


def test_mbox_stream_after_a_detection_head_equals_the_file(tmp_path):
    import io

    from intake.ingest.sources.mbox import iter_mbox_stream

    path = tmp_path / "a.mbox"
    _mbox(path, [message(msgid=f"<s{i}@example.org>") for i in range(3)])
    data = path.read_bytes()
    for cut in (1, 100, 8192, len(data) - 1):
        streamed = [r.data for r in iter_mbox_stream(io.BytesIO(data[cut:]), "x", data[:cut])]
        assert streamed == [r.data for r in iter_mbox(path)]


_LINE = st.one_of(st.sampled_from([b"From here on, all is well.", b">From quoted", b">>From twice",
                                   b"From Russia with love", b"Year: 1963", b"", b"-- ", b"From -"]),
                  st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b"")))


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_LINE, max_size=12), min_size=1, max_size=5))
def test_fuzz_mboxrd_round_trip(bodies):
    """Whatever the bodies hold, messages written with mboxrd quoting come
    back exactly: no split inside a body, no merge, no lost byte."""
    import io
    import re

    from intake.ingest.sources.mbox import iter_mbox_stream

    originals, out = [], b""
    for i, body in enumerate(bodies):
        msg = (f"From: s{i}@example.org\nSubject: m{i}\n\n").encode() + b"".join(ln + b"\n" for ln in body)
        originals.append(msg)
        quoted = b"".join(b">" + ln if re.match(rb">*From ", ln) else ln for ln in msg.splitlines(keepends=True))
        out += b"From s@example.org Wed Mar  4 14:30:00 2026\n" + quoted + b"\n"
    got = [r.data for r in iter_mbox_stream(io.BytesIO(out), "x")]
    assert got == originals
