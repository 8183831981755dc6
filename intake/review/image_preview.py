"""Child process of rendering.py: decode one picture and write a PNG of one
frame (or the frame count) to standard output. A page set (pictures of
the pages of one form, parsers/support/page_set.py) shows its pictures as
frames, in order. Run as its own process so a
decoder fault or a decompression bomb costs this process only.

    python -m intake.review.image_preview FILE MAX_PIXELS (--frames | --frame N)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageOps

from intake.parsers.support.page_set import is_page_set, unpack

MAX_SIDE = 1600


def main(argv: list[str]) -> int:
    path, max_pixels, mode = argv[0], int(argv[1]), argv[2]
    Image.MAX_IMAGE_PIXELS = max_pixels or None
    data = Path(path).read_bytes()
    if is_page_set(data):
        pages = unpack(data)
        if mode == "--frames":
            sys.stdout.write(str(len(pages)))
            return 0
        data = pages[min(int(argv[3]), len(pages) - 1)][0]
        argv = [*argv[:3], "0"]
    with Image.open(io.BytesIO(data)) as im:
        frames = getattr(im, "n_frames", 1)
        if mode == "--frames":
            sys.stdout.write(str(frames))
            return 0
        im.seek(min(int(argv[3]), frames - 1))
        frame = ImageOps.exif_transpose(im).convert("RGB")
        frame.thumbnail((MAX_SIDE, MAX_SIDE * 4))
        out = io.BytesIO()
        frame.save(out, "PNG", optimize=False)
    sys.stdout.buffer.write(out.getvalue())
    return 0

if __name__ == "__main__":  # pragma: no cover - run as a child process
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:  # the parent only needs "it failed"; nothing of the picture is printed
        sys.exit(3)
