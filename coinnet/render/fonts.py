"""Vendored serif fonts and a per-process cache of their glyphs as anti-aliased masks.

The fonts under ``fonts/`` are subsets (digits, capitals, space) of OFL / Bitstream-Vera licensed faces, so
the renderer needs nothing installed and the package stays small. See ``README.md`` for the list.
:func:`glyph` also draws the Lincoln-cent faces traced from photos (``traced.FACES``), so any caller can use
them wherever it takes a font name.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from coinnet.render import traced

FONT_DIR = Path(__file__).with_name("fonts")
#: Glyphs are cached at this cap height (pixels); callers scale them to what they need.
GLYPH_PX = 64


@cache
def available_fonts() -> tuple[str, ...]:
    """Stems of the vendored font files, sorted (e.g. ``STIXGeneral``)."""
    return tuple(sorted(p.stem for p in FONT_DIR.glob("*.[ot]tf")))


@cache
def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    path = next(p for p in FONT_DIR.glob(f"{name}.[ot]tf"))
    # Ask for a size such that the capital/digit height comes out near px: cap height is ~0.7 em.
    probe = ImageFont.truetype(str(path), 100)
    top, bottom = probe.getbbox("0", anchor="ls")[1], probe.getbbox("0", anchor="ls")[3]
    em = max(1, round(100 * px / max(1, bottom - top)))
    return ImageFont.truetype(str(path), em)


@lru_cache(maxsize=4096)
def glyph(name: str, char: str, px: int = GLYPH_PX) -> tuple[np.ndarray, int]:
    """Anti-aliased ink mask of one character, cropped to its ink.

    Args:
        name: font stem from :func:`available_fonts`, or a traced face from ``traced.FACES``.
        char: a single character.
        px: target height of a digit in pixels.

    Returns:
        ``(mask, top)``: float32 mask in [0, 1] and the row of its top edge relative to the baseline
        (negative = above the baseline). Treat the mask as read-only: it is shared.
    """
    if name in traced.FACES:
        return traced.glyph(name, char, px)
    font = _font(name, px)
    x0, y0, x1, y1 = font.getbbox(char, anchor="ls")
    pad = 2
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    im = Image.new("L", (max(w, 1), max(h, 1)), 0)
    ImageDraw.Draw(im).text((pad - x0, pad - y0), char, font=font, fill=255, anchor="ls")
    mask = np.asarray(im, dtype=np.float32) / 255.0
    rows, cols = np.nonzero(mask > 0.02)
    if rows.size == 0:  # space or a glyph the subset lacks: an empty cell as wide as a narrow letter
        return np.zeros((1, max(1, px // 3)), np.float32), 0
    mask = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    mask.setflags(write=False)
    return mask, int(rows.min()) + y0 - pad
