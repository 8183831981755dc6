"""Where raw messages come from. Archives (mbox, Maildir, .eml, .msg) are
here; IMAP lives in ingest/imap/. Every source yields RawMessage objects, one
at a time, so an archive of any size streams."""

from intake.ingest.sources.detect import ArchiveError, iter_archive

__all__ = ["ArchiveError", "iter_archive"]
