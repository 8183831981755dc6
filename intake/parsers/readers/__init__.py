"""Bytes → Layout, one reader per format, chosen by the sniffed media type.

``read_layout`` is the one entry point the template layer calls. Every
failure comes out as an IntakeError with a stable code; a library's own
exception on a damaged or hostile file never escapes."""

from __future__ import annotations

import logging
from typing import Any

from intake.exception_codes import CORRUPT_DOCUMENT, UNSUPPORTED_FORMAT
from intake.parsers.readers.registry import discover, media_types, reader_for
from intake.parsers.readers.unsupported import describe
from intake.parsers.support.options import parsing_options
from intake.types import Document, IntakeError, Layout

log = logging.getLogger(__name__)

# Every module here registers its reader (``@reader(media types)``) when imported.
discover(__path__, __name__)

__all__ = ["read_layout", "media_types"]


def read_layout(document: Document, settings: Any = None) -> Layout:
    opts = parsing_options(settings)
    fn = reader_for(document.media_type)
    if fn is None:
        raise IntakeError(
            UNSUPPORTED_FORMAT,
            f"{describe(document.media_type)} is not a form format intake reads; "
            "open it and key it in by hand.",
        )
    try:
        return fn(document, opts)
    except IntakeError:
        raise
    except RecursionError:
        raise IntakeError(
            CORRUPT_DOCUMENT,
            "The document is nested too deeply to read safely; open it by hand.",
        ) from None
    except Exception as exc:
        # Libraries raise almost any type on damaged input. Log the type
        # only: exception messages can quote the document.
        log.warning("reader %s failed: %s", fn.__module__, type(exc).__name__)
        raise IntakeError(
            CORRUPT_DOCUMENT,
            f"The document could not be read ({type(exc).__name__}); it may be damaged. "
            "Open the original, or ask the sender to resend it.",
        ) from None
