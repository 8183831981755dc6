"""A page picture made fit for OCR before anything reads it: a phone photo
flattened to the sheet it shows, shadows and a grey cast lifted, faxed
speckle taken out. A clean scan passes through untouched (each step first
measures whether the page needs it), so what already read well reads the
same.

- **The sheet in a photo.** A phone photo shows the page as a lighter
  quadrilateral on a darker desk, narrower at the far edge. The largest
  four-cornered outline that covers much of the picture but not all of it is
  taken for the sheet and warped flat (OpenCV's perspective transform), at
  the resolution of its longer side.
- **Light.** Tesseract binarises with one global threshold (Otsu); a
  shadow across the sheet or a dark, low-contrast scan then loses whole
  regions of text. The paper's own brightness is estimated with a
  grey-scale closing (text is thin and dark, paper is wide and light), the
  page divided by it, and the result stretched so paper is white and ink
  black.
- **Rulings out of true.** The outline is found on a reduced copy, often
  in shadow, so the warped sheet's rulings still slope by a pixel in a
  hundred and break into steps the table finder does not join. A photo
  whose page has a ruled table is squared again to its outermost long
  rulings (lines fitted to them, their crossings warped to a rectangle).
- **Speckle.** Isolated dots on a 1-bit fax become letters or punctuation;
  a 3×3 median removes dots of a pixel or two and keeps strokes.

Each step was chosen by measuring bench/parse_accuracy.py on the shapes
fixtures/make_shapes.py makes (dev part), not by eye.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# Paper should be near white and ink near black on a page that reads well:
# below these the light is corrected.
MIN_PAPER = 200
MIN_CONTRAST = 150
MAX_UNEVEN = 30
WORK_SIDE = 1000  # analysis on a reduced copy: outlines and light vary slowly


def _cv2():
    import cv2  # imported late: only scans and photos need it

    return cv2


def clean(image: Image.Image, dpi: int) -> tuple[Image.Image, int]:
    """The page picture to OCR and its resolution (changed only when a
    photographed sheet was warped flat)."""
    gray = np.asarray(image.convert("L"))
    # Only a picture that is 1-bit as received: a grey scan's noise and dust
    # are Tesseract's to weigh (ocr_page's median filter), and a median here
    # would change pages that already read well.
    if image.mode == "1":
        if speckled(gray):
            gray = despeckle(gray)
    else:
        flat = sheet_of_photo(gray)
        if flat is not None:
            gray, width_px = flat
            dpi = max(100, int(round(width_px / 8.27)))  # the sheet is A4 wide
        gray = even_light(gray)
        if flat is not None:
            gray = square_to_rulings(gray)
    return Image.fromarray(gray, "L"), dpi


def speckled(gray: np.ndarray) -> bool:
    """Many lone dark pixels (no dark neighbour): dust and line noise, not
    print, which is strokes."""
    cv2 = _cv2()
    dark = (gray < 128).astype(np.uint8)
    n_dark = int(dark.sum())
    if n_dark == 0:
        return False
    neighbours = cv2.filter2D(dark, -1, np.ones((3, 3), np.float32), borderType=cv2.BORDER_CONSTANT) - dark
    lone = int(np.count_nonzero(dark & (neighbours == 0)))
    return lone > 0.01 * n_dark


def despeckle(gray: np.ndarray) -> np.ndarray:
    cv2 = _cv2()
    return cv2.medianBlur(gray, 3)


def _paper_light(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness under the text: a closing on a reduced copy
    with a kernel wider than a letter, smoothed, at full size."""
    cv2 = _cv2()
    h, w = gray.shape
    scale = WORK_SIDE / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    k = max(9, int(round(small.shape[1] / 40)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def _ink(values: np.ndarray, paper: float) -> float | None:
    """The ink's level: the darker tenth of what is clearly darker than the
    paper (None when almost nothing is: a near-blank page). Taken among the
    dark pixels, not as a percentile of the whole page, which a page with
    three lines of text would put on white paper; and low among them, so a
    form's shaded cells do not pass for pale ink."""
    dark = values[values < paper - 40]
    if dark.size < 0.0005 * values.size:
        return None
    return float(np.percentile(dark, 10))


def needs_light(gray: np.ndarray, bg: np.ndarray) -> bool:
    """Dark paper, low contrast, or light that varies across the sheet.
    Measured on the page's margins, where there is only paper: a form's
    shaded label cells are not uneven light."""
    h, w = bg.shape
    mh, mw = max(1, h // 16), max(1, w // 16)
    margin = np.concatenate([bg[:mh].ravel(), bg[-mh:].ravel(), bg[:, :mw].ravel(), bg[:, -mw:].ravel()])
    paper = float(np.percentile(margin, 50))
    uneven = float(np.percentile(margin, 95) - np.percentile(margin, 5))
    ink = _ink(gray[::2, ::2], paper)
    if ink is None:
        return False  # nothing to read better
    return paper < MIN_PAPER or uneven > MAX_UNEVEN or paper - ink < MIN_CONTRAST


def even_light(gray: np.ndarray) -> np.ndarray:
    bg = _paper_light(gray)
    if not needs_light(gray, bg):
        return gray
    ratio = gray.astype(np.float32) / np.maximum(bg, 1.0)
    # ink (its darker half) to black, paper to white
    dark = ratio[ratio < 0.85]
    if dark.size < 0.0005 * ratio.size:
        return gray
    lo = float(np.percentile(dark, 25))
    out = (ratio - lo) / max(1e-3, 0.97 - lo)
    return (np.clip(out, 0.0, 1.0) * 255).astype(np.uint8)


def sheet_of_photo(gray: np.ndarray) -> tuple[np.ndarray, int] | None:
    """The sheet a photo shows, warped flat, and its width in pixels; None
    when the picture is not a photo of a sheet (a scan fills its frame)."""
    cv2 = _cv2()
    h, w = gray.shape
    scale = WORK_SIDE / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    # The desk must be darker than the paper along the picture's edge.
    edge = np.concatenate([small[:4].ravel(), small[-4:].ravel(), small[:, :4].ravel(), small[:, -4:].ravel()])
    inner = small[small.shape[0] // 4: 3 * small.shape[0] // 4, small.shape[1] // 4: 3 * small.shape[1] // 4]
    if float(np.median(edge)) > float(np.percentile(inner, 75)) - 40:
        return None
    blur = cv2.GaussianBlur(small, (0, 0), 3)
    _, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c) / float(small.shape[0] * small.shape[1])
    if not 0.25 < area < 0.97:
        return None
    quad = cv2.approxPolyDP(cv2.convexHull(c), 0.02 * cv2.arcLength(c, True), True)
    if len(quad) != 4:
        return None
    pts = _order(quad.reshape(4, 2).astype(np.float32) / scale)
    (tl, tr, br, bl) = pts
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if width < 200 or height < 200:
        return None
    if 1.25 < height / width < 1.6:
        height = width * 1.414  # an A4 sheet: its true proportions, whatever the keystone made of them
    dst = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    m = cv2.getPerspectiveTransform(pts, dst)
    flat = cv2.warpPerspective(gray, m, (int(width), int(height)), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
    return flat, int(width)


def _ruling_lines(dark: np.ndarray, horizontal: bool, min_len: float) -> list[np.ndarray]:
    """Long straight lines of ink along one axis (a form's rulings), each
    as a fitted line (vx, vy, x0, y0); letters are never this long."""
    cv2 = _cv2()
    k = max(15, int(min_len / 6))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1) if horizontal else (1, k))
    lines = cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel)
    # a ruling a little out of true breaks into steps: bridge them
    lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 3) if horizontal else (3, k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    out = []
    for i in range(1, n):
        extent = stats[i, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
        across = stats[i, cv2.CC_STAT_HEIGHT if horizontal else cv2.CC_STAT_WIDTH]
        if extent < min_len or across > 0.1 * extent:
            continue
        ys, xs = np.nonzero(labels == i)
        pts = np.column_stack([xs, ys]).astype(np.float32)
        out.append(cv2.fitLine(pts, cv2.DIST_L2, 0, 0.01, 0.01).ravel())
    return out


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = a, b
    det = vx1 * (-vy2) - vy1 * (-vx2)
    if abs(det) < 1e-6:
        return None
    t = ((x2 - x1) * (-vy2) - (y2 - y1) * (-vx2)) / det
    return np.float32([x1 + t * vx1, y1 + t * vy1])


def square_to_rulings(gray: np.ndarray) -> np.ndarray:
    """A photographed sheet warped flat from its outline is still a little
    out of true (the outline is found on a reduced, shadowed copy): its
    rulings slope and converge by a pixel in a hundred, which breaks them
    into steps the table finder does not join. When the page has a ruled
    table, the outermost long rulings are fitted as lines and their four
    crossings warped to a rectangle: the form's own rulings are the
    truest straight edges on it. Nothing changes on a page without them."""
    cv2 = _cv2()
    h, w = gray.shape
    scale = min(1.0, 1600 / max(h, w))
    small = cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else gray
    dark = (small < 128).astype(np.uint8) * 255
    sh, sw = small.shape
    hs = _ruling_lines(dark, True, 0.4 * sw)
    vs = _ruling_lines(dark, False, 0.25 * sh)
    if len(hs) < 2 or len(vs) < 2:
        return gray

    def at_mid(line, horizontal):  # the line's position across the page's middle
        vx, vy, x0, y0 = line
        if horizontal:
            return y0 + (sw / 2 - x0) * vy / vx if abs(vx) > 1e-6 else y0
        return x0 + (sh / 2 - y0) * vx / vy if abs(vy) > 1e-6 else x0

    top, bottom = min(hs, key=lambda ln: at_mid(ln, True)), max(hs, key=lambda ln: at_mid(ln, True))
    left, right = min(vs, key=lambda ln: at_mid(ln, False)), max(vs, key=lambda ln: at_mid(ln, False))
    corners = [_cross(top, left), _cross(top, right), _cross(bottom, right), _cross(bottom, left)]
    if any(c is None for c in corners):
        return gray
    src = np.float32(corners) / scale
    tl, tr, br, bl = src
    x0, x1 = (tl[0] + bl[0]) / 2, (tr[0] + br[0]) / 2
    y0, y1 = (tl[1] + tr[1]) / 2, (bl[1] + br[1]) / 2
    if x1 - x0 < 0.3 * w or y1 - y0 < 0.2 * h:
        return gray
    dst = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    if float(np.abs(src - dst).max()) < 1.0:
        return gray  # true already
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _order(pts: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def sideways(image: Image.Image) -> bool:
    """Whether the text on the page runs down it rather than across: lines
    of text make the ink's row profile peak and dip far more than its column
    profile; on a sheet turned a quarter, the other way round."""
    gray = image.convert("L")
    scale = 600 / max(1, max(gray.size))
    small = np.asarray(gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale)))))
    ink = (small < 128).astype(np.float32)
    if ink.mean() < 0.002:
        return False
    rows, cols = ink.sum(axis=1), ink.sum(axis=0)
    # normalised by the mean so the page's shape does not decide
    r = float(np.std(rows) / max(1e-6, np.mean(rows)))
    c = float(np.std(cols) / max(1e-6, np.mean(cols)))
    return c > 1.3 * r
