"""Maildir folders (cur/ and new/; tmp/ holds deliveries in progress and is
never read). Subfolders of the Maildir++ kind (".Sent", ".Archive") are read
as well: archived mailboxes keep reports in them."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from intake.types import RawMessage


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def iter_maildir(path: Path) -> Iterator[RawMessage]:
    folders = [path] + sorted(
        p for p in path.iterdir() if p.name.startswith(".") and is_maildir(p)
    )
    for folder in folders:
        for sub in ("cur", "new"):
            for f in sorted((folder / sub).iterdir()):
                if f.is_file() and not f.name.startswith("."):
                    yield RawMessage(f"maildir:{f}", f.read_bytes())
